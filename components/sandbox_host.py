"""A host that is a container on the local Docker engine, running its own Docker engine inside."""
from __future__ import annotations

import os
from typing import Optional

import pulumi
import pulumi_docker as docker

import pulumi_command as command

from components import host_keys
from components.host import Host, SshEndpoint
from components.names import STACK_LABEL, host_container_name
from components.sandbox_underlay import SandboxUnderlay
from components.config import HostSettings, SandboxSettings

# For engines that cannot grant every capability (--privileged fails where the engine itself lacks
# CAP_SYS_RESOURCE): all the others, with seccomp and AppArmor off, is what a nested engine needs.
# Spelled as Docker reports them back, so that `pulumi refresh` finds no difference (it reads
# `CAP_SYS_RESOURCE`; writing `SYS_RESOURCE` made every refresh plan a replacement of the hosts).
CAPABILITIES_ADDED = ["ALL"]
CAPABILITIES_DROPPED = ["CAP_SYS_RESOURCE"]
EXPLICIT_SECURITY_OPTS = ["seccomp=unconfined", "apparmor=unconfined"]
# Four times the default weight (1024).
CONTROL_PLANE_CPU_SHARES = 4096
# No device cgroup rule: the nested engine creates its containers' devices through its own
# (remounted, writable) devices cgroup. The pinned docker provider does not know
# `deviceCgroupRules` either.


# The folder of image archives (images.loadFrom), shared read-only with every host: nothing to copy.
SHARED_IMAGES_PATH = "/var/tmp/multihost-images"
# The nested engine's data: a nested overlay2 cannot sit on the container's own overlayfs. A tmpfs
# goes with the container (no volume to make or leave behind) and spares the disk: a host's
# engine holds a few images.
ENGINE_DATA_TMPFS = {"/run": "rw,exec", "/var/lib/docker": "rw,exec,dev,suid"}


class SandboxHost(Host):
    """Its own hostname, an address on the underlay bridge, sshd published on 127.0.0.1 (which also
    works where the bridge is not routable from this machine, as with Docker Desktop), its engine's
    data on a tmpfs, and the folder of image archives shared read-only."""

    def __init__(self, settings: HostSettings, control_plane_host: bool, sandbox: SandboxSettings,
                 underlay: SandboxUnderlay, images_dir: Optional[str], stack_id: pulumi.Input[str],
                 opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:SandboxHost", settings.name, settings.address,
                         settings.advertise_interface, stack_id, opts)
        stack = pulumi.get_stack()
        ssh_port = sandbox.ssh_port(settings.address)
        self.images_dir = images_dir
        explicit = not sandbox.privileged
        # Every host's engine starts at boot (see images/host/host-init), as on a machine with
        # Docker installed, while the control plane comes up; the engines join it later, by a
        # reload. The first host carries the control plane (Consul, or the swarm manager) that every
        # other step waits on: while the hosts compete for this machine's CPU it gets a larger share.
        container = docker.Container(
            settings.name,
            name=host_container_name(stack, settings.name),
            image=sandbox.host_image,
            hostname=settings.name,
            envs=[underlay.public_key.apply(lambda key: f"AUTHORIZED_KEYS={key.strip()}"), "START_ENGINE=1"],
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(
                name=underlay.network.name, ipv4_address=settings.address)],
            ports=[docker.ContainerPortArgs(internal=22, external=ssh_port, ip="127.0.0.1")],
            volumes=[docker.ContainerVolumeArgs(host_path=images_dir, container_path=SHARED_IMAGES_PATH, read_only=True)]
            if images_dir else None,
            tmpfs=ENGINE_DATA_TMPFS,
            privileged=sandbox.privileged,
            capabilities=docker.ContainerCapabilitiesArgs(adds=CAPABILITIES_ADDED, drops=CAPABILITIES_DROPPED)
            if explicit else None,
            security_opts=EXPLICIT_SECURITY_OPTS if explicit else None,
            cgroupns_mode="private",
            cpu_shares=CONTROL_PLANE_CPU_SHARES if control_plane_host else None,
            labels=[docker.ContainerLabelArgs(label=STACK_LABEL, value=stack)],
            must_run=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.machine = container
        self.ssh = SshEndpoint(
            # Known once the container exists, so that every command over SSH waits for it.
            address=container.id.apply(lambda _: "127.0.0.1"),
            port=ssh_port,
            user="root",
            private_key=underlay.private_key,
            private_key_file=underlay.private_key_file,
        )
        # The machine's own host key, read through the local engine (not over the network), once
        # host-init has made it.
        key_file = f"/etc/ssh/ssh_host_{host_keys.KEY_TYPE}_key.pub"
        read_key = command.local.Command(
            f"{settings.name}-host-key",
            create=container.name.apply(lambda name: (
                f"for i in $(seq 100); do docker exec {name} cat {key_file} 2>/dev/null | cut -d' ' -f1,2 | grep . "
                f"&& exit 0; sleep 0.1; done; echo 'no {key_file} in {name}' >&2; exit 1")),
            triggers=[container.id],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[container]),
        )
        self.host_key = host_keys.verified(settings.name, read_key.stdout, self.ssh.address, ssh_port)
        self.register_outputs({"address": self.address})

    def file_on_host(self, resource_name: str, local_path: str,
                     parent: pulumi.Resource) -> tuple[str, list[pulumi.Resource]]:
        """An archive in the shared folder is already on the host: no copy, nothing to wait for."""
        if self.images_dir and os.path.dirname(os.path.abspath(local_path)) == os.path.abspath(self.images_dir):
            return f"{SHARED_IMAGES_PATH}/{os.path.basename(local_path)}", []
        return super().file_on_host(resource_name, local_path, parent)
