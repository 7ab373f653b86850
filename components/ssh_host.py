"""A machine that already exists, reached over SSH (what docker-machine's generic driver was for)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pulumi

from components.host import Host, SshEndpoint
from components.config import HostSettings


class SshHost(Host):
    """Creates and destroys nothing on the machine itself: it only tells the layers above how to
    reach it."""

    def __init__(self, settings: HostSettings, stack_id: pulumi.Input[str],
                 opts: Optional[pulumi.ResourceOptions] = None):
        # Stacks made before the rename know it as ExistingHost: the same resource, not a new one.
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(
            aliases=[pulumi.Alias(type_="multihost:index:ExistingHost")]))
        super().__init__("multihost:index:SshHost", settings.name, settings.address,
                         settings.advertise_interface, stack_id, opts)
        assert settings.ssh is not None, "config validation requires ssh settings for the ssh host kind"
        self.ssh = SshEndpoint(
            address=settings.ssh.address,
            port=settings.ssh.port,
            user=settings.ssh.user,
            private_key=pulumi.Output.secret(Path(settings.ssh.private_key_file).read_text()),
            private_key_file=settings.ssh.private_key_file,
        )
        self.register_outputs({"address": self.address})
