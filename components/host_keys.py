"""Every host's SSH host key is pinned: read from the machine the stack made, given in config, or
seen at the first `up` (trust on first use) and kept in the state from then on. Each `up` and
`preview` asks every host for the key it serves before any command runs there; a different key
stops the run with one error naming the host and both fingerprints."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import re
import shlex
from typing import Optional

import pulumi

# A public key line as in known_hosts or authorized_keys: TYPE BASE64, an optional host before it.
_KEY = re.compile(r"(?:\S+\s+)?((?:ssh|ecdsa-sha2|sk-ssh|sk-ecdsa-sha2)-[A-Za-z0-9@._-]+)\s+([A-Za-z0-9+/]+={0,2})(?:\s.*)?")
KEY_TYPE = "ed25519"
"""The host key type pinned and asked for (every host kind here serves one)."""
_SCAN_TIMEOUT_S = 5


class HostKeyChanged(pulumi.RunError):
    """A host serves another key than the one pinned: someone else may answer at its address."""


def key_of(line: str) -> Optional[str]:
    """`TYPE BASE64` of a key line (known_hosts, authorized_keys or ssh-keyscan), or None."""
    match = _KEY.fullmatch(line.strip())
    return f"{match.group(1)} {match.group(2)}" if match else None


def fingerprint(key: str) -> str:
    """The key's SHA256 fingerprint, as `ssh-keygen -l` prints it."""
    blob = base64.b64decode(key.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def keyscan_command(address: str, port: int) -> str:
    """The command that asks sshd at ADDRESS:PORT for its key, until it answers (bounded)."""
    scan = f"ssh-keyscan -T {_SCAN_TIMEOUT_S} -t {KEY_TYPE} -p {int(port)} {shlex.quote(address)} 2>/dev/null"
    return (f"for i in $(seq 50); do key=$({scan} | grep -v '^#' | cut -d' ' -f2-3); "
            f"[ -n \"$key\" ] && echo \"$key\" && exit 0; sleep 0.2; done; "
            f"echo 'no SSH host key from {address}:{port}' >&2; exit 1")


async def served_key(address: str, port: int) -> Optional[str]:
    """The key sshd at ADDRESS:PORT serves now; None when it does not answer."""
    process = await asyncio.create_subprocess_exec(
        "ssh-keyscan", "-T", str(_SCAN_TIMEOUT_S), "-t", KEY_TYPE, "-p", str(port), address,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    out, _ = await process.communicate()
    keys = [key_of(line) for line in out.decode(errors="replace").splitlines() if not line.startswith("#")]
    return next((key for key in keys if key), None)


def verified(host: str, pinned: pulumi.Input[str], address: pulumi.Input[str],
             port: pulumi.Input[int]) -> pulumi.Output[str]:
    """The pinned key, once the host at ADDRESS:PORT serves it. A host that does not answer yet is
    left to the commands' own dials (they check the key too); one that serves another key stops
    the run here, naming it."""
    async def check(values: list) -> str:
        key, at, on = values
        served = await served_key(at, int(on))
        if served is not None and served != key_of(key):
            raise HostKeyChanged(
                f"host {host} ({at}:{on}) serves SSH host key {fingerprint(served)}, but the stack pinned "
                f"{fingerprint(key)}: nothing is run on it. If the machine was rebuilt on purpose, "
                f"forget its key (ssh.hostKey, or `pulumi state delete` of its host key); else find who answers there.")
        return key_of(key) or key
    return pulumi.Output.all(pinned, address, port).apply(check)
