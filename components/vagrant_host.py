"""One machine of the Vagrantfile, brought up and destroyed with the vagrant CLI."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import pulumi
import pulumi_command as command

from components import host_keys
from components.host import Host, SshEndpoint
from components.names import vagrant_environment
from components.config import HostSettings, VagrantSettings

VAGRANT_DIR = str(Path(__file__).resolve().parent.parent)


def parse_ssh_config(text: str) -> dict[str, str]:
    """`vagrant ssh-config NAME` prints `Key value` lines; keep HostName, Port, User, IdentityFile."""
    fields = {}
    for line in text.splitlines():
        match = re.match(r"\s*(HostName|Port|User|IdentityFile)\s+(.+?)\s*$", line)
        if match:
            fields[match.group(1)] = match.group(2).strip('"')
    return fields


class VagrantHost(Host):
    """`vagrant up --provider=P NAME` on create, `vagrant destroy -f NAME` on delete. SSH goes
    through what `vagrant ssh-config` says; the cluster uses the private network address on eth1.
    The Vagrantfile reads the machines of the stack named by MULTIHOST_STACK, set here, and Vagrant
    keeps them in the stack's own VAGRANT_DOTFILE_PATH."""

    def __init__(self, settings: HostSettings, vagrant: VagrantSettings, stack_id: pulumi.Input[str],
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:VagrantHost", settings.name, settings.address,
                         settings.advertise_interface, stack_id, opts)
        environment = vagrant_environment(pulumi.get_stack())
        machine = command.local.Command(
            f"{settings.name}-vagrant-up",
            create=f"vagrant up --provider={vagrant.provider} {settings.name}",
            # Machines destroyed together share the private network, and the docker provider's
            # destroy can fail removing it after another machine's removed it: gone is gone.
            delete=(f"vagrant destroy -f {settings.name} || vagrant status {settings.name} --machine-readable"
                    f" | grep -q ',{settings.name},state,not_created'"),
            dir=VAGRANT_DIR,
            environment=environment,
            opts=pulumi.ResourceOptions(parent=self),
        )
        ssh_config = command.local.Command(
            f"{settings.name}-vagrant-ssh-config",
            create=f"vagrant ssh-config {settings.name}",
            dir=VAGRANT_DIR,
            environment=environment,
            triggers=[machine.id],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[machine]),
        )
        fields = ssh_config.stdout.apply(parse_ssh_config)
        key_file = fields.apply(lambda f: f["IdentityFile"])
        self.machine = machine
        self.ssh = SshEndpoint(
            address=fields.apply(lambda f: f["HostName"]),
            port=fields.apply(lambda f: int(f["Port"])),
            user=fields.apply(lambda f: f["User"]),
            private_key=pulumi.Output.secret(key_file.apply(lambda path: Path(path).read_text())),
            private_key_file=key_file,
        )
        # Trust on first use: the key the new machine serves, kept in the state from then on.
        scan = command.local.Command(
            f"{settings.name}-host-key",
            create=pulumi.Output.all(self.ssh.address, self.ssh.port).apply(
                lambda at: host_keys.keyscan_command(at[0], at[1])),
            triggers=[machine.id],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[ssh_config]),
        )
        self.host_key = host_keys.verified(settings.name, scan.stdout, self.ssh.address, self.ssh.port)
        self.register_outputs({"address": self.address})
