"""Throwaway program for the measurements in docs/dynamic-read-research.md: COUNT things, each a
file under DIR, made either by the dynamic ShellStatus resource (KIND=dynamic) or by a
pulumi-command local.Command (KIND=command), or by a
local.Command whose triggers take the id of a Watch that reads it (KIND=sidecar). Every status run appends a line to DIR/reads.log
(after sleeping DELAY seconds, if set). `check_in_diff: true`: diff runs the status too.

Config `inline: true` defines the provider in __main__ (dill then carries its code by value in every
resource, as in Pulumi's examples) instead of importing it from status_provider.py (dill then
records only `status_provider.ShellStatusProvider`, a reference the provider process imports);
`secret: true` keeps the SDK's default of encrypting the serialized provider."""
import os
import shlex

import pulumi
import pulumi_command as command

from status_provider import ShellStatus, ShellStatusProvider, Watch

config = pulumi.Config()
kind = config.get("kind") or "dynamic"
count = config.get_int("count") or 0
folder = config.get("dir") or "/tmp/dynthings"
check_in_diff = config.get_bool("check_in_diff") or False
delay = config.get("delay")  # seconds each status run sleeps first, as an SSH round trip would take

if config.get_bool("inline"):
    source = os.path.join(os.path.dirname(os.path.abspath(__file__)), "status_provider.py")
    exec(compile(open(source).read(), source, "exec"), globals())
if config.get_bool("secret"):
    ShellStatusProvider.serialize_as_secret_always = True  # noqa: F821 (from the exec or below)

for i in range(count):
    path = shlex.quote(os.path.join(folder, f"thing-{i}"))
    create = f"mkdir -p {shlex.quote(folder)} && echo v1 > {path}"
    delete = f"rm -f {path}"
    if kind == "dynamic":
        thing = ShellStatus(f"thing-{i}", create=create, delete=delete, want="v1", check_in_diff=check_in_diff,
                            status=(f"sleep {float(delay)}; " if delay else "")
                            + f"echo read >> {shlex.quote(folder)}/reads.log; [ -e {path} ] || exit 3; cat {path}")
        pulumi.export(f"thing-{i}", thing.observed)
    elif kind == "sidecar":  # pulumi-command does the work, a Watch beside it reads
        watch = Watch(f"thing-{i}-watch", want="v1", status=f"[ -e {path} ] || exit 3; cat {path}")
        command.local.Command(f"thing-{i}", create=create, delete=delete, triggers=[watch.id],
                              opts=pulumi.ResourceOptions(delete_before_replace=True))
    else:
        command.local.Command(f"thing-{i}", create=create, delete=delete)
