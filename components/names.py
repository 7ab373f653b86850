"""The names the program gives what it makes, and that the tools beside it (ops) and the tooling
(scripts, tests) look things up by: each is defined here once."""
from __future__ import annotations

PROJECT = "docker-multihost"
"""The Pulumi project, and the namespace of its configuration keys."""
STACK_LABEL = "multihost.stack"
"""The label on every container, network and volume the stack makes on the local engine (the
sandbox hosts and their underlay, Vagrant's docker-provider machines): its value is the stack."""
CONSUL_CONTAINER = "consul"
"""The Consul server's container on the keystore host."""


def probe_name(host: str) -> str:
    """The probe container on `host` (its name and hostname on the overlay)."""
    return f"probe-{host}"


def host_container_name(stack: str, host: str) -> str:
    """The container that is `host` in a sandbox stack, on the local engine."""
    return f"multihost-{stack}-{host}"


def archive_on_host(file_name: str) -> str:
    """Where an image archive copied to a host is kept there."""
    return f"/var/tmp/multihost-{file_name}"


def vagrant_dotfile_path(stack: str) -> str:
    """Where Vagrant keeps a Vagrant stack's machines, relative to the project's folder: one per stack,
    so that two stacks with machines of one name never touch each other's."""
    return f".vagrant/stacks/{stack}"


def vagrant_environment(stack: str) -> dict[str, str]:
    """What a `vagrant` command of a Vagrant stack needs: the Vagrantfile reads the stack's
    machines from MULTIHOST_STACK, and Vagrant keeps them in its VAGRANT_DOTFILE_PATH."""
    return {"MULTIHOST_STACK": stack, "VAGRANT_DOTFILE_PATH": vagrant_dotfile_path(stack)}


def underlay_network_name(stack: str) -> str:
    """The bridge on the local engine that plays a sandbox stack's underlay network."""
    return f"multihost-{stack}-underlay"
