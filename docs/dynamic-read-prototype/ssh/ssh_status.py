"""A prototype (issue 26), not imported by the program: a dynamic resource for one thing on a host,
whose create, read (status), diff and delete each run a script over SSH with the system `ssh`
client, checking the pinned host key, as pulumi-command's remote.Command does.

Inputs: `connection` {host, port, user, private_key (a secret, or None: ssh-agent), host_key
(`TYPE BASE64`), proxy_command (tests only: reach a "host" over a pipe)}; `create`, `status`,
`delete`: script texts sent on the stdin of `sh -s`; `want`: what `status` prints when the thing is
as the program wants it ("" when present is enough).
`status` exits 0 and prints a line when the thing is there, 3 when it is gone. Any other exit, and
ssh's own 255 (host unreachable, key refused, host key changed), fails the read: an unreachable
host must never read as "gone".
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import uuid

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

GONE = 3
_SCRIPTS = ("create", "status", "delete", "want")


def _ssh(connection: dict, script: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run SCRIPT with `sh -s` on the host, as pulumi-command would: the key and the pinned host
    key live in a private temporary folder for the length of the call only."""
    with tempfile.TemporaryDirectory(prefix="ssh-status-") as folder:
        host, port = connection["host"], int(connection.get("port") or 22)
        known_hosts = os.path.join(folder, "known_hosts")
        alias = host if port == 22 else f"[{host}]:{port}"
        with open(known_hosts, "w") as out:
            out.write(f"{alias} {connection['host_key']}\n")
        args = ["ssh", "-F", "none", "-p", str(port), "-l", connection["user"],
                "-o", f"UserKnownHostsFile={known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
                "-o", "ConnectionAttempts=3", "-o", "LogLevel=ERROR"]
        if connection.get("private_key"):
            key_file = os.path.join(folder, "key")
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(connection["private_key"].rstrip("\n") + "\n")
            args += ["-i", key_file, "-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none"]
        if connection.get("proxy_command"):
            args += ["-o", f"ProxyCommand={connection['proxy_command']}"]
        return subprocess.run([*args, host, "sh -s"], input=script, capture_output=True, text=True, timeout=timeout)


def _checked(what: str, done: subprocess.CompletedProcess) -> str:
    if done.returncode != 0:
        # One line for the user, not a traceback: the provider host prints the exception's text.
        raise RuntimeError(f"{what} exited {done.returncode}: {done.stderr.strip()[-500:] or '(no stderr)'}")
    return done.stdout.strip()


def _status(props: dict) -> str | None:
    done = _ssh(props["connection"], props["status"], timeout=60)
    return None if done.returncode == GONE else _checked("status", done)


class SshStatusProvider(ResourceProvider):
    serialize_as_secret_always = False  # the provider object holds nothing secret

    def _outs(self, props: dict, observed: str) -> dict:
        return {"connection": props["connection"], **{k: props[k] for k in _SCRIPTS}, "observed": observed}

    def create(self, props):
        _checked("create", _ssh(props["connection"], props["create"]))
        return CreateResult(uuid.uuid4().hex[:16], self._outs(props, _status(props) or ""))

    def read(self, id_, props):
        observed = _status(props)
        if observed is None:
            return ReadResult("", {})
        return ReadResult(id_, self._outs(props, observed))

    def diff(self, id_, olds, news):
        changed = [k for k in ("create", "status", "want") if olds.get(k) != news.get(k)]
        if news.get("want") and olds.get("observed") != news["want"] and "want" not in changed:
            changed.append("want")
        # A new address, user or key reaches the same thing: an update, not a replacement.
        updates = [k for k in ("connection", "delete") if olds.get(k) != news.get(k)]
        return DiffResult(changes=bool(changed or updates), replaces=changed, delete_before_replace=True)

    def update(self, id_, olds, news):
        return UpdateResult(self._outs(news, olds.get("observed", "")))

    def delete(self, id_, props):
        _checked("delete", _ssh(props["connection"], props["delete"]))


class SshStatus(Resource, module="multihost", name="SshStatus"):
    observed: pulumi.Output[str]

    def __init__(self, name: str, connection: dict, create: str, status: str, delete: str, want: str = "",
                 opts: pulumi.ResourceOptions | None = None):
        super().__init__(SshStatusProvider(), name,
                         {"connection": connection, "create": create, "status": status, "delete": delete,
                          "want": want, "observed": None}, opts)
