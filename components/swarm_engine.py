"""A Docker engine in swarm mode (20.10 and newer): the control plane is the engines' own raft,
with no external key-value store. The first engine inits the swarm, the others join it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_command as command

from components.host import Host, Watched

# Swarm's cluster management port (raft and joins); gossip (7946) and VXLAN (4789) as in kv mode.
SWARM_PORT = 2377


@dataclass
class SwarmEngineArgs:
    host: Host
    engine_line: str
    """Docker Engine line to install or keep (20.10 or newer)."""
    manager: Optional[SwarmEngine] = None
    """The swarm to join, as a worker; None makes this engine the swarm's manager (`swarm init`)."""
    encrypted: bool = False
    """The overlay is encrypted: the engine must be a release whose encryption cannot fail open."""


class SwarmEngine(pulumi.ComponentResource):
    """Installs or keeps the engine, sets the hostname, then `docker swarm init` (the manager) or
    `docker swarm join` with the manager's token (a worker); `docker swarm leave` on destroy."""

    host: Host
    ready: pulumi.Resource
    """The engine is in the swarm: the init, or the manager's check that the joined worker is ready."""
    membership: command.remote.Command
    """The init or join: on the manager, whatever lives in the swarm (its networks) goes with it."""
    join_token: Optional[pulumi.Output[str]] = None
    """The manager's worker join token, a secret (None on a worker)."""

    def __init__(self, name: str, args: SwarmEngineArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:SwarmEngine", name, None, opts)
        host = self.host = args.host
        manager = args.manager
        installed = host.run(f"{name}-engine", "ensure-engine",
                             {"HOST_NAME": host.name, "ENGINE_LINE": args.engine_line, "CONTROL_PLANE": "swarm",
                              "ENCRYPTED": "1" if args.encrypted else "0"},
                             parent=self, depends_on=[host],
                             delete_script="restore-host", delete_settings={"HOST_NAME": host.name})
        if manager is None:
            self.membership = host.run(f"{name}-swarm-init", "swarm-init", {"ADVERTISE_ADDR": host.address},
                                       parent=self, depends_on=[installed], delete_script="swarm-leave",
                                       secret_stdout=True)
            self.join_token = pulumi.Output.secret(self.membership.stdout.apply(lambda out: out.strip()))
            self.ready = self.membership
        else:
            assert manager.join_token is not None, "a worker joins a manager"
            self.membership = host.run(f"{name}-swarm-join", "swarm-join",
                                       {"MANAGER": f"{manager.host.address}:{SWARM_PORT}",
                                        "ADVERTISE_ADDR": host.address, "JOIN_TOKEN": manager.join_token},
                                       parent=self, depends_on=[installed, manager.membership],
                                       delete_script="swarm-leave",
                                       watched=Watched("its swarm membership", "status-swarm-worker", {}, "active"))
            # A worker is ready once the manager sees it so: only then can the manager place the
            # worker's attachments to the overlay (the probe's `docker run`).
            self.ready = manager.host.run(f"{name}-swarm-ready", "wait-swarm-node-ready", {"NODE": host.name},
                                          parent=self, depends_on=[self.membership])
        self.register_outputs({"role": "manager" if manager is None else "worker"})
