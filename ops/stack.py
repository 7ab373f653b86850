"""A running stack's outputs, for the tools beside the program (`make check`, `make inspect`)."""
from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import time
from pathlib import Path
from contextlib import contextmanager
from typing import Iterator, Mapping, Optional, Sequence

from components import host_keys, host_scripts

SSH_CONNECT_TIMEOUT_S = 5
# Only the host keys the stack pinned are trusted (each stack's known_hosts, written from its outputs).
SSH_OPTIONS = ("-o", "StrictHostKeyChecking=yes", "-o", "LogLevel=ERROR")
STATE_DIR = Path(__file__).resolve().parent.parent / ".sandbox"


class ToolError(Exception):
    """One line for the user: what failed and where; the tools exit 1 with it, no traceback."""


def ssh_argv(access: dict, *remote: str, options: Sequence[str] = ()) -> list[str]:
    """`ssh` to a host as its `hostAccess` entry says (the program's own endpoint and key), never
    prompting, giving up on a dead host after SSH_CONNECT_TIMEOUT_S. Every value from the stack is
    an option's argument (`-l USER`, `-p PORT`) or comes after `--` (the host), so none can be read
    as an option of its own, whatever it holds; `options` are the caller's own (a tunnel's)."""
    return ["ssh", *SSH_OPTIONS, "-o", f"UserKnownHostsFile={access['knownHostsFile']}",
            "-o", f"ConnectTimeout={SSH_CONNECT_TIMEOUT_S}", "-o", "BatchMode=yes",
            *(["-i", str(access["privateKeyFile"])] if access.get("privateKeyFile") else []),
            *options, "-l", str(access["user"]), "-p", str(access["port"]),
            "--", str(access["address"]), *remote]


def known_hosts_line(access: dict) -> str:
    """The host's pinned key as a known_hosts line (`[ADDRESS]:PORT KEY` off port 22)."""
    where = access["address"] if int(access["port"]) == 22 else f"[{access['address']}]:{access['port']}"
    return f"{where} {access['hostKey']}"


def stack_dir(stack: str) -> Path:
    """.sandbox/STACK, made for this user only if need be: what the tools write for the stack."""
    path = STATE_DIR / stack
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def shown(path: Path) -> str:
    """A path for a message: below the current folder relative to it, any other whole."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


def write_known_hosts(stack: str, access: dict[str, dict]) -> Path:
    """The stack's known_hosts (.sandbox/STACK/known_hosts), for this user only: every pinned key."""
    path = stack_dir(stack) / "known_hosts"
    path.write_text("".join(known_hosts_line(entry) + "\n" for entry in access.values()))
    os.chmod(path, 0o600)
    return path


def changed_host_key(name: str, access: dict) -> Optional[str]:
    """Why the host cannot be trusted, naming it and both fingerprints; None while it serves the
    pinned key (or does not answer: ssh then says so)."""
    served = asyncio.run(host_keys.served_key(str(access["address"]), int(access["port"])))
    if served is None or served == host_keys.key_of(access["hostKey"]):
        return None
    return (f"host {name} ({access['address']}:{access['port']}) serves SSH host key {host_keys.fingerprint(served)}, "
            f"but the stack pinned {host_keys.fingerprint(access['hostKey'])}: nothing is run on it")


def run_host_script(access: dict, script: str, settings: Optional[Mapping[str, str]], timeout: float
                    ) -> subprocess.CompletedProcess:
    """Run components/host_scripts/<script>.sh on a host over SSH, as root, the way the program
    does (the script on stdin), once the host serves its pinned key (ToolError if another).
    Raises subprocess.TimeoutExpired after `timeout` seconds."""
    changed = changed_host_key(access["name"], access)
    if changed:
        raise ToolError(changed)
    command = host_scripts.as_root(access["user"], host_scripts.stdin_command(script))
    return subprocess.run(ssh_argv(access, command), input=host_scripts.render(script, settings),
                          capture_output=True, text=True, timeout=timeout)


def host_roles(outputs: dict) -> dict[str, str]:
    """Each host's part, in hostAddresses order: `keystore` or `engine` (kv), `manager` or `worker`
    (swarm). Read from outputs every stack has: the hosts, the probes (one per engine), the manager."""
    hosts, probes = outputs.get("hostAddresses") or {}, outputs.get("probeAddresses") or {}
    if outputs.get("controlPlane") == "swarm":
        return {name: "manager" if name == outputs.get("swarmManager") else "worker" for name in hosts}
    return {name: "engine" if name in probes else "keystore" for name in hosts}


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
    access = outputs.get("hostAccess") or {}
    unpinned = [name for name, entry in access.items() if not entry.get("hostKey")]
    if unpinned:
        raise ToolError(f"stack {stack!r} pins no SSH host key for {', '.join(unpinned)}: make up STACK={stack} pins them")
    if access:
        known_hosts = write_known_hosts(stack, access)
        for name, entry in access.items():
            entry.update(name=name, knownHostsFile=str(known_hosts))
    return outputs


TUNNEL_WAIT_S = 10


def _free_local_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def tunnel(access: dict, to_host: str, to_port: int) -> Iterator[int]:
    """An SSH tunnel through a host (its hostAccess entry, once it serves its pinned key) to
    TO_HOST:TO_PORT as the host sees it: yields the local port on 127.0.0.1 that leads there."""
    changed = changed_host_key(access["name"], access)
    if changed:
        raise ToolError(changed)
    port = _free_local_port()
    forward = ("-N", "-o", "ExitOnForwardFailure=yes", "-L", f"127.0.0.1:{port}:{to_host}:{to_port}")
    ssh = subprocess.Popen(ssh_argv(access, options=forward), stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + TUNNEL_WAIT_S
        while not _accepts(port):
            if ssh.poll() is not None:
                reason = (ssh.stderr.read().strip().splitlines() or [f"exit {ssh.returncode}"])[-1]
                raise ToolError(f"no SSH tunnel through {access['name']} to {to_host}:{to_port} ({reason})")
            if time.monotonic() > deadline:
                raise ToolError(f"no SSH tunnel through {access['name']} to {to_host}:{to_port} within {TUNNEL_WAIT_S}s")
            time.sleep(0.05)
        yield port
    finally:
        ssh.terminate()
        ssh.wait()


def tools_tls_files(stack: str, files: Mapping[str, str]) -> tuple[str, str, str]:
    """The tools' certificate for Consul (output consulToolsTlsFiles): the CA, the certificate and
    its key, files that `pulumi up` made for this user on the machine that ran it."""
    missing = [path for path in files.values() if not os.path.exists(path)]
    if missing:
        raise ToolError(f"stack {stack}: no {', '.join(missing)}: the tools' certificate is made by pulumi up, "
                        f"on the machine that ran it (run the tools there)")
    return files["ca"], files["cert"], files["key"]
