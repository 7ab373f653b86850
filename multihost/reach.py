"""After a failed destroy: which hosts of the stack cannot be reached over SSH, and how to finish.

    python -m multihost.reach --stack STACK

For each unreachable host, one line naming it and where it was reached; for an existing machine
(`ssh` kind), which the stack does not own, the exact commands that finish the destroy without it.
Hosts the stack made (sandbox containers, Vagrant VMs) never block a destroy: what lives on them
is deleted with them.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from components.host import SSH_OPTIONS
from multihost.stack import ToolError, stack_outputs

SSH_CONNECT_TIMEOUT_S = 5


def unreachable_reason(access: dict) -> str | None:
    """None if `ssh … true` works, else the last line ssh said."""
    done = subprocess.run(["ssh", *SSH_OPTIONS, "-o", f"ConnectTimeout={SSH_CONNECT_TIMEOUT_S}", "-o", "BatchMode=yes",
                           "-i", access["privateKeyFile"], "-p", str(access["port"]),
                           f"{access['user']}@{access['address']}", "true"],
                          capture_output=True, text=True, timeout=SSH_CONNECT_TIMEOUT_S * 4)
    return None if done.returncode == 0 else (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    try:
        outputs = stack_outputs(args.stack)
        kind = subprocess.run(["pulumi", "config", "get", "docker-multihost:hostKind", "--stack", args.stack],
                              capture_output=True, text=True).stdout.strip()
    except ToolError as err:
        print(f"destroy: {err}", file=sys.stderr)
        return 1
    access = outputs.get("hostAccess") or {}
    with ThreadPoolExecutor(max_workers=max(1, len(access))) as pool:
        reasons = dict(zip(access, pool.map(unreachable_reason, access.values())))
    lost = {name: reason for name, reason in reasons.items() if reason}
    for name, reason in lost.items():
        where = f"{access[name]['user']}@{access[name]['address']}:{access[name]['port']}"
        if kind == "ssh":
            urn = f"urn:pulumi:{args.stack}::docker-multihost::multihost:index:ExistingHost::{name}"
            print(f"destroy: host {name} ({where}) cannot be reached over SSH ({reason}). It is an existing machine, "
                  f"not the stack's to remove; to finish the destroy without it (what runs on it stays there, and "
                  f"the stack forgets what depends on it), run: pulumi state delete --stack {args.stack} --yes "
                  f"--target-dependents '{urn}' && make destroy STACK={args.stack}", file=sys.stderr)
        else:
            print(f"destroy: host {name} ({where}) cannot be reached over SSH ({reason})", file=sys.stderr)
    if not lost:
        print("destroy: every host answers over SSH; the error above is not about reaching a host", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
