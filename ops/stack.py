"""A running stack's outputs, for the tools beside the program (`make check`, `make inspect`)."""
from __future__ import annotations

import json
import subprocess
from typing import Mapping, Optional

from components import host_scripts

SSH_CONNECT_TIMEOUT_S = 5
# Sandbox and Vagrant hosts get new host keys with every rebuild, and no host key is pinned yet:
# the tools, like the program, do not check them.
SSH_OPTIONS = ("-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR")


class ToolError(Exception):
    """One line for the user: what failed and where; the tools exit 1 with it, no traceback."""


def ssh_argv(access: dict, *remote: str) -> list[str]:
    """`ssh` to a host as its `hostAccess` entry says (the program's own endpoint and key), never
    prompting, giving up on a dead host after SSH_CONNECT_TIMEOUT_S. Every value from the stack is
    an option's argument (`-l USER`, `-p PORT`) or comes after `--` (the host), so none can be read
    as an option of its own, whatever it holds."""
    return ["ssh", *SSH_OPTIONS, "-o", f"ConnectTimeout={SSH_CONNECT_TIMEOUT_S}", "-o", "BatchMode=yes",
            "-i", str(access["privateKeyFile"]), "-l", str(access["user"]), "-p", str(access["port"]),
            "--", str(access["address"]), *remote]


def run_host_script(access: dict, script: str, settings: Optional[Mapping[str, str]], timeout: float
                    ) -> subprocess.CompletedProcess:
    """Run components/host_scripts/<script>.sh on a host over SSH, as root, the way the program
    does (the script on stdin). Raises subprocess.TimeoutExpired after `timeout` seconds."""
    command = host_scripts.as_root(access["user"], host_scripts.stdin_command(script))
    return subprocess.run(ssh_argv(access, command), input=host_scripts.render(script, settings),
                          capture_output=True, text=True, timeout=timeout)


def stack_outputs(stack: str, show_secrets: bool = False) -> dict:
    """`pulumi stack output --json` of STACK, or a ToolError that says the stack is not up."""
    try:
        done = subprocess.run(["pulumi", "stack", "output", "--stack", stack, "--json",
                               *(["--show-secrets"] if show_secrets else [])],
                              capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise ToolError("no `pulumi` on PATH: run this through make (make tools builds it)") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise ToolError(f"stack {stack!r} cannot be read ({reason}): is it up? (make up STACK={stack})")
    outputs = json.loads(done.stdout or "{}")
    if not outputs:
        raise ToolError(f"stack {stack!r} has no outputs: it is not up (make up STACK={stack})")
    return outputs
