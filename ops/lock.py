"""Who holds a stack's lock in the file backend, and what to do about it. A `pulumi up` or
`destroy` that was killed leaves its lock behind; Pulumi then refuses every run and names
`pulumi cancel`. This says whether the lock's process is provably gone from this machine (then
cancelling is safe, and it prints the exact command) or still alive (then wait: never cancel a
lock a live process holds). It cancels nothing itself.

    python -m ops.lock --stack sandbox     exit 0: no lock; 1: a live process holds it; 2: stale
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from components.names import PROJECT


@dataclass
class Lock:
    path: Path
    pid: int
    hostname: str
    timestamp: str

    @property
    def here(self) -> bool:
        return self.hostname == socket.gethostname()

    @property
    def alive(self) -> bool:
        """Its process still runs (or it is another machine's, which cannot be told from here)."""
        if not self.here:
            return True
        try:
            # A pid may be reused: only a pulumi process with it counts.
            return b"pulumi" in Path(f"/proc/{self.pid}/cmdline").read_bytes()
        except FileNotFoundError:
            return False
        except PermissionError:
            return True


def backend_root(backend_url: str) -> Path:
    """The file backend's own folder (`file://PATH` -> PATH/.pulumi)."""
    return Path(urlparse(backend_url).path) / ".pulumi"


def repair_attributes(stack: str, backend_url: str) -> list[Path]:
    """A run killed while the backend wrote a file's attributes (`<file>.attrs`, JSON beside it)
    can leave that file empty; Pulumi then refuses every command on the stack ("failed to load
    checkpoint: EOF"). An empty attributes file holds nothing: removed, the file reads as it is."""
    broken = [path for path in (backend_root(backend_url) / "stacks" / PROJECT).glob(f"{stack}.json*.attrs") if path.stat().st_size == 0]
    for path in broken:
        path.unlink()
    return broken


def locks_dir(stack: str, backend_url: str) -> Path:
    """Where the file backend keeps STACK's locks (`file://PATH`)."""
    return backend_root(backend_url) / "locks" / "organization" / PROJECT / stack


def locks(stack: str, backend_url: str) -> list[Lock]:
    found = []
    for path in sorted(locks_dir(stack, backend_url).glob("*.json")):
        try:
            held = json.loads(path.read_text())
            found.append(Lock(path, int(held["pid"]), str(held["hostname"]), str(held.get("timestamp", ""))))
        except (OSError, ValueError, KeyError):
            continue
    return found


def advice(stack: str, held: list[Lock]) -> tuple[int, str]:
    """(exit code, what to tell the user) for the locks STACK has."""
    if not held:
        return 0, ""
    live = [lock for lock in held if lock.alive]
    if live:
        lock = live[0]
        where = "this machine" if lock.here else lock.hostname
        return 1, (f"stack {stack} is locked by a pulumi still running on {where} (pid {lock.pid}, since {lock.timestamp}): "
                   f"wait for it to end; do not cancel a lock a live process holds")
    lock = held[0]
    return 2, (f"stack {stack} is locked by pulumi pid {lock.pid} (since {lock.timestamp}), which is no longer running on "
               f"this machine (a run killed or interrupted): remove the lock with\n"
               f"    pulumi cancel --stack {stack} --yes\n"
               f"then run the command again; it goes on from where the stack is")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    backend = os.environ.get("PULUMI_BACKEND_URL", "")
    if not backend.startswith("file://"):
        return 0
    for path in repair_attributes(args.stack, backend):
        print(f"removed {path}: empty, left by a run killed while writing it", file=sys.stderr)
    code, text = advice(args.stack, locks(args.stack, backend))
    if text:
        print(text, file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
