"""A read for what a host command made: `pulumi refresh` asks the host whether it is still there
and as the program wants it (pulumi-command's commands have no read). The command that makes the
thing takes the watch's id in its `triggers`: when a refresh finds the thing gone, the watch leaves
the state; when changed, the watch is planned anew; either way the next `up` makes the watch again
with a new id, and the command is replaced: its delete script, then its create. Why a watch
beside the command and not a provider doing the work: docs/dynamic-read-research.md.

Pulumi's Python dynamic provider process imports this module by its name: it must never move or
be renamed, or no stack that has watches can be refreshed or destroyed again
(tests/test_host_watch.py pins it)."""
from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from typing import Optional

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

GONE = 3
"""What a status script exits with when the thing is gone; any other failure is an error, never
"gone" (an unreachable host must not have the thing made again beside a live one)."""
CANNOT_TELL = 4
"""What a status script exits with when the host cannot tell for now (an engine off its store does
not list the store's networks): the watch keeps what it saw before; the engine's own watch shows
the engine's drift."""
STATUS_TIMEOUT_S = 60
_CONNECT_TIMEOUT_S = 5
_CONNECT_ATTEMPTS = 3


def ssh_status(connection: dict, status: str) -> subprocess.CompletedProcess:
    """Run the status script (`sh -s`, as root) on the host with the system ssh client, checking
    the pinned host key: the key (if any; else ssh-agent) and the known_hosts line live in a
    private temporary folder for the length of the call only."""
    with tempfile.TemporaryDirectory(prefix="multihost-watch-") as folder:
        host, port = connection["host"], int(connection["port"])
        known_hosts = os.path.join(folder, "known_hosts")
        with open(known_hosts, "w") as out:
            out.write(f"{host if port == 22 else f'[{host}]:{port}'} {connection['host_key']}\n")
        args = ["ssh", "-F", "none", "-o", f"UserKnownHostsFile={known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", f"ConnectTimeout={_CONNECT_TIMEOUT_S}",
                "-o", f"ConnectionAttempts={_CONNECT_ATTEMPTS}", "-o", "LogLevel=ERROR"]
        if connection.get("private_key"):
            key_file = os.path.join(folder, "key")
            with os.fdopen(os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(connection["private_key"].rstrip("\n") + "\n")
            args += ["-i", key_file, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none"]
        args += ["-l", str(connection["user"]), "-p", str(port), "--", host, connection["command"]]
        return subprocess.run(args, input=status, capture_output=True, text=True, timeout=STATUS_TIMEOUT_S)


def observe(props: dict) -> Optional[str]:
    """What the status script prints (None: the thing is gone); an error for anything else."""
    done = ssh_status(props["connection"], props["status"])
    if done.returncode == GONE:
        return None
    if done.returncode == CANNOT_TELL:
        return props.get("observed") or props["want"]
    if done.returncode != 0:
        # One line, without the connection (it holds the key).
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise RuntimeError(f"{props['what']}: its status could not be read (exit {done.returncode}): {reason}")
    return done.stdout.strip()


class HostWatchProvider(ResourceProvider):
    # The provider object holds nothing secret: serialized by reference, not encrypted (78
    # characters a copy in the state, against about 10 KB by value).
    serialize_as_secret_always = False

    def create(self, props):
        # Makes nothing: the command beside it does, right after.
        return CreateResult(uuid.uuid4().hex[:16], {**props, "observed": props["want"]})

    def read(self, id_, props):
        observed = observe(props)
        if observed is None:
            return ReadResult("", {})  # gone: refresh drops the watch; `up` makes the thing again
        return ReadResult(id_, {**props, "observed": observed})

    def diff(self, id_, olds, news):
        changed = [key for key in ("status", "want") if olds.get(key) != news.get(key)]
        # Drift a refresh found: the thing is not as the program wants it.
        if olds.get("observed") != news["want"] and "want" not in changed:
            changed.append("want")
        # A new connection (a key, a port, another host asked) or name in messages is only how to
        # ask: not a reason to make the thing again.
        return DiffResult(changes=bool(changed) or any(olds.get(key) != news.get(key) for key in ("connection", "what")),
                          replaces=changed, delete_before_replace=True)

    def update(self, id_, olds, news):
        return UpdateResult({**news, "observed": olds.get("observed", news["want"])})


class HostWatch(Resource, module="multihost", name="HostWatch"):
    """Watches one thing a host command made (a container, the network, the engine's store)."""

    observed: pulumi.Output[str]
    """What its status script printed at the last refresh (`want` until then)."""

    def __init__(self, name: str, connection: pulumi.Input[dict], status: pulumi.Input[str], want: pulumi.Input[str],
                 what: str, opts: Optional[pulumi.ResourceOptions] = None):
        """`connection`: host, port, user, host_key, private_key (None: ssh-agent), command (the
        remote command line that runs a script on stdin as root). `status`: the status script,
        which prints `want` when the thing is as the program wants it and exits 3 when it is gone.
        `what`: the thing, for an error message."""
        super().__init__(HostWatchProvider(), name,
                         {"connection": connection, "status": status, "want": want, "what": what, "observed": None},
                         opts)
