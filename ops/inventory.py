"""make inventory: a running stack's hosts for other tools, reached the way the program reaches
them: .sandbox/STACK/inventory.ini, an Ansible inventory with a group per role (keystore and
engines, or manager and workers), and .sandbox/STACK/ssh_config, one `Host` per host for
`ssh -F`. Both trust only the stack's pinned host keys (its known_hosts, StrictHostKeyChecking).

    python -m ops.inventory --stack sandbox
    ansible -i .sandbox/sandbox/inventory.ini all -m ping
    ssh -F .sandbox/sandbox/ssh_config mhs-demo0
"""
from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Callable

from ops.stack import ToolError, host_roles, shown, stack_dir, stack_outputs

# The Ansible group of each role, in the order they are written.
GROUPS = {"keystore": "keystore", "engine": "engines", "manager": "manager", "worker": "workers"}


def ini_value(value: object) -> str:
    """A host variable's value on an INI inventory line, which Ansible splits as a shell would."""
    return shlex.quote(str(value))


def host_variables(access: dict) -> dict[str, object]:
    variables = {"ansible_host": access["address"], "ansible_port": access["port"], "ansible_user": access["user"]}
    if access.get("privateKeyFile"):
        variables["ansible_ssh_private_key_file"] = access["privateKeyFile"]
    return variables


def inventory_ini(stack: str, outputs: dict) -> str:
    """The Ansible INI inventory of the stack's hosts (their hostAccess entries)."""
    access, roles = outputs["hostAccess"], host_roles(outputs)
    lines = [f"# Stack {stack}, written by `make inventory STACK={stack}` from its outputs."]
    for role, group in GROUPS.items():
        members = [name for name, its_role in roles.items() if its_role == role and name in access]
        if not members:
            continue
        lines += ["", f"[{group}]"]
        lines += [" ".join([name, *(f"{key}={ini_value(value)}" for key, value in host_variables(access[name]).items())])
                  for name in members]
    known_hosts = next(iter(access.values()))["knownHostsFile"]
    # A group variable's value is the rest of its line; Ansible splits it as a shell would for ssh.
    ssh_args = shlex.join(["-o", f"UserKnownHostsFile={known_hosts}", "-o", "StrictHostKeyChecking=yes"])
    lines += ["", "[all:vars]", f"ansible_ssh_common_args={ssh_args}"]
    return "\n".join(lines) + "\n"


INVENTORY_FILE, SSH_CONFIG_FILE = "inventory.ini", "ssh_config"
"""The files `make inventory` writes into .sandbox/STACK."""


def ssh_config_value(value: object) -> str:
    """An ssh_config argument: `%` is literal (ssh expands tokens in file names), quoted if it has spaces."""
    text = str(value).replace("%", "%%")
    return f'"{text}"' if any(c.isspace() for c in text) else text


def ssh_host_blocks(outputs: dict, named: Callable[[str], str] = str) -> list[str]:
    """A `Host NAMED(host)` block per host: its endpoint, user and key; only its pinned host key."""
    lines = []
    for name, access in outputs["hostAccess"].items():
        lines += ["", f"Host {named(name)}", f"  HostName {ssh_config_value(access['address'])}", f"  Port {access['port']}",
                  f"  User {ssh_config_value(access['user'])}"]
        if access.get("privateKeyFile"):
            lines += [f"  IdentityFile {ssh_config_value(access['privateKeyFile'])}", "  IdentitiesOnly yes"]
        lines += [f"  UserKnownHostsFile {ssh_config_value(access['knownHostsFile'])}", "  StrictHostKeyChecking yes"]
    return lines


def ssh_config(stack: str, outputs: dict) -> str:
    """A `Host` block per host, for `ssh -F FILE HOST`."""
    lines = [f"# Stack {stack}, written by `make inventory STACK={stack}` from its outputs: ssh -F THIS_FILE HOST"]
    return "\n".join(lines + ssh_host_blocks(outputs)) + "\n"


def write(stack: str, outputs: dict) -> list[Path]:
    if not outputs.get("hostAccess"):
        raise ToolError(f"stack {stack!r} has no hostAccess output: make up STACK={stack} writes it")
    folder = stack_dir(stack)
    written = []
    for name, text in ((INVENTORY_FILE, inventory_ini(stack, outputs)), (SSH_CONFIG_FILE, ssh_config(stack, outputs))):
        (folder / name).write_text(text)
        written.append(folder / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    try:
        written = write(args.stack, stack_outputs(args.stack))
    except ToolError as err:
        print(f"inventory: {err}", file=sys.stderr)
        return 1
    print("inventory: wrote " + " and ".join(map(shown, written)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
