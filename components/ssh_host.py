"""A machine that already exists, reached over SSH (what docker-machine's generic driver was for)."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pulumi

import pulumi_command as command

from components import host_keys
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
            # Through ssh-agent (pulumi-command finds SSH_AUTH_SOCK itself): no key in the state.
            private_key=None if settings.ssh.agent else pulumi.Output.secret(Path(settings.ssh.private_key_file).read_text()),
            private_key_file=settings.ssh.private_key_file,
        )
        pinned: pulumi.Input[str] = settings.ssh.host_key or ""
        if not settings.ssh.host_key:
            # Trust on first use: the key seen at the first `up`, kept in the state and required from
            # then on (ssh.hostKey pins one instead).
            pinned = command.local.Command(
                f"{settings.name}-host-key",
                create=host_keys.keyscan_command(settings.ssh.address, settings.ssh.port),
                opts=pulumi.ResourceOptions(parent=self),
            ).stdout
        self.host_key = host_keys.verified(settings.name, pinned, settings.ssh.address, settings.ssh.port)
        self.register_outputs({"address": self.address})
