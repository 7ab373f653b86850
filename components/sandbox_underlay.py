"""What the sandbox hosts share on the local engine: the bridge that plays the underlay network,
and the SSH key the program uses to reach them."""
from __future__ import annotations

import os
from typing import Optional

import pulumi
import pulumi_command as command
import pulumi_docker as docker

from components.config import StackSettings
from components.names import STACK_LABEL, underlay_network_name


class SandboxUnderlay(pulumi.ComponentResource):
    def __init__(self, name: str, settings: StackSettings, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:SandboxUnderlay", name, None, opts)
        stack_label = [docker.NetworkLabelArgs(label=STACK_LABEL, value=pulumi.get_stack())]
        self.network = docker.Network(
            f"{name}-network",
            name=underlay_network_name(pulumi.get_stack()),
            driver="bridge",
            ipam_configs=[docker.NetworkIpamConfigArgs(subnet=settings.host_network)],
            labels=stack_label,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # A key pair made on this machine, kept in the stack's state folder: the private half is
        # also a file because the Docker CLI's SSH helper takes a path.
        self.private_key_file = os.path.join(settings.state_dir, "id_ed25519")
        key = command.local.Command(
            f"{name}-ssh-key",
            create=(f"mkdir -p {settings.state_dir} && rm -f {self.private_key_file} {self.private_key_file}.pub"
                    f" && ssh-keygen -q -t ed25519 -N '' -C multihost-sandbox -f {self.private_key_file}"
                    f" && cat {self.private_key_file}.pub"),
            delete=f"rm -f {self.private_key_file} {self.private_key_file}.pub",
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.public_key = key.stdout
        private_key = command.local.Command(
            f"{name}-ssh-private-key",
            create=f"cat {self.private_key_file}",
            triggers=[key.stdout],
            # additional_secret_outputs protects only the state: without this, the key would be
            # streamed line by line into the `pulumi up` display and every CI log.
            logging=command.local.Logging.NONE,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[key], additional_secret_outputs=["stdout"]),
        )
        self.private_key = pulumi.Output.secret(private_key.stdout)
        self.register_outputs({"network": self.network.name})
