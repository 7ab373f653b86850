"""Throwaway program: COUNT files on a "host" reached over SSH, each an SshStatus resource.
Config: host_dir (the fake host's folder: hostkey.pub, userkey, sshd-inetd), count, agent (true:
no key in the inputs, ssh-agent instead), secret_observed (true: additional_secret_outputs)."""
import os

import pulumi

from ssh_status import SshStatus

config = pulumi.Config()
host_dir = config.require("host_dir")
count = config.get_int("count") or 1
host_key = " ".join(open(os.path.join(host_dir, "hostkey.pub")).read().split()[:2])
connection = {
    "host": "fakehost", "port": 22, "user": "root", "host_key": host_key,
    "private_key": None if config.get_bool("agent") else pulumi.Output.secret(open(os.path.join(host_dir, "userkey")).read()),
    "proxy_command": os.path.join(host_dir, "sshd-inetd"),
}
opts = pulumi.ResourceOptions(additional_secret_outputs=["observed"]) if config.get_bool("secret_observed") else None
for i in range(count):
    path = f"/tmp/fakehost/files/thing-{i}"
    thing = SshStatus(f"file-{i}", connection,
                      create=f"mkdir -p /tmp/fakehost/files && echo v1 > {path}\n",
                      status=f"[ -e {path} ] || exit 3\ncat {path}\n",
                      delete=f"rm -f {path}\n", want="v1", opts=opts)
    pulumi.export(f"file-{i}", thing.observed)
