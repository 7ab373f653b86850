"""A prototype (issue 26), not imported by the program: a Pulumi dynamic resource whose create,
read, diff and delete each run a shell command, so that `pulumi refresh` sees what the create made
is gone (read answers with an empty id) or changed (read reports a different `observed`), and the
next `pulumi up` makes exactly that again.

Inputs (all strings): `create`, `status`, `delete` (shell text run with `sh -c`), `want` (what
`status` prints when the thing is as the program wants it; "" for "present is enough").
`status` exits 0 and prints one line when the thing is there, exits 3 when it is gone; any other
exit is an error (an unreachable host must not read as "gone": refresh would then drop the
resource and `up` would make it again next to the live one).
Outputs: the inputs plus `observed`, what `status` printed last.
`check_in_diff` (bool input): diff runs `status` too, so that `pulumi preview`/`up` see a thing that
is gone or changed without a refresh first (one more status run per resource per preview and up).
"""
from __future__ import annotations

import subprocess
import uuid

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

GONE = 3
_INPUTS = ("create", "status", "delete", "want", "check_in_diff")


def _sh(text: str) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", text], capture_output=True, text=True, timeout=120)


def _status(props: dict) -> str | None:
    """What `status` prints (None: the thing is gone); raises on any other failure."""
    done = _sh(props["status"])
    if done.returncode == GONE:
        return None
    if done.returncode != 0:
        raise RuntimeError(f"status exited {done.returncode}: {done.stderr.strip()[-500:]}")
    return done.stdout.strip()


class ShellStatusProvider(ResourceProvider):
    # The provider holds no secret: no need to encrypt its serialized form in every resource.
    serialize_as_secret_always = False

    def create(self, props):
        done = _sh(props["create"])
        if done.returncode != 0:
            raise RuntimeError(f"create exited {done.returncode}: {done.stderr.strip()[-500:]}")
        observed = _status(props)
        return CreateResult(uuid.uuid4().hex[:16], {**{k: props.get(k) for k in _INPUTS}, "observed": observed or ""})

    def read(self, id_, props):
        observed = _status(props)
        if observed is None:
            return ReadResult("", {})  # gone: refresh drops it from the state, `up` makes it again
        return ReadResult(id_, {**{k: props.get(k) for k in _INPUTS}, "observed": observed})

    def diff(self, id_, olds, news):
        changed = [k for k in _INPUTS if olds.get(k) != news.get(k)]
        # Drift that refresh wrote into `observed`: the thing is not what the program wants.
        if news.get("want") and olds.get("observed") != news["want"] and "want" not in changed:
            changed.append("want")
        if news.get("check_in_diff") and not changed:
            observed = _status(olds)
            if observed is None or (news.get("want") and observed != news["want"]):
                changed.append("want")  # gone or not as wanted: made again
        replaces = [k for k in changed if k not in ("delete", "check_in_diff")]
        return DiffResult(changes=bool(changed), replaces=replaces, delete_before_replace=True)

    def update(self, id_, olds, news):  # only `delete` changed: nothing to run
        return UpdateResult({**{k: news.get(k) for k in _INPUTS}, "observed": olds.get("observed", "")})

    def delete(self, id_, props):
        done = _sh(props["delete"])
        if done.returncode != 0:
            raise RuntimeError(f"delete exited {done.returncode}: {done.stderr.strip()[-500:]}")


class ShellStatus(Resource, module="multihost", name="ShellStatus"):
    observed: pulumi.Output[str]

    def __init__(self, name: str, create: str, status: str, delete: str, want: str = "",
                 check_in_diff: bool = False, opts: pulumi.ResourceOptions | None = None):
        super().__init__(ShellStatusProvider(), name,
                         {"create": create, "status": status, "delete": delete, "want": want,
                          "check_in_diff": check_in_diff, "observed": None},
                         opts)


class WatchProvider(ResourceProvider):
    """The read-only half: a resource that makes nothing and only reads what another resource (a
    pulumi-command Command, which keeps doing the work) made. That command takes this one's id in
    its `triggers`: when a refresh finds the thing gone, this resource leaves the state, the next
    `up` makes it again with a new id, and the command is replaced (its delete, then its create).
    Inputs: `status`, `want` (as above). Its create runs nothing: the thing is not made yet."""

    serialize_as_secret_always = False

    def create(self, props):
        return CreateResult(uuid.uuid4().hex[:16], {"status": props["status"], "want": props.get("want", ""),
                                                    "observed": props.get("want", "")})

    def read(self, id_, props):
        observed = _status(props)
        if observed is None:
            return ReadResult("", {})
        return ReadResult(id_, {"status": props["status"], "want": props.get("want", ""), "observed": observed})

    def diff(self, id_, olds, news):
        changed = [k for k in ("status", "want") if olds.get(k) != news.get(k)]
        if news.get("want") and olds.get("observed") != news["want"] and "want" not in changed:
            changed.append("want")
        return DiffResult(changes=bool(changed), replaces=changed, delete_before_replace=True)

    def delete(self, id_, props):
        pass


class Watch(Resource, module="multihost", name="Watch"):
    observed: pulumi.Output[str]

    def __init__(self, name: str, status: str, want: str = "", opts: pulumi.ResourceOptions | None = None):
        super().__init__(WatchProvider(), name, {"status": status, "want": want, "observed": None}, opts)
