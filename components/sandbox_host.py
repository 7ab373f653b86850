"""A host that is a container on the local Docker engine, running its own Docker engine inside."""
from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_docker as docker

from components.host import Host, SshEndpoint
from components.sandbox_underlay import SandboxUnderlay
from multihost.config import HostSettings, SandboxSettings

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
# (remounted, writable) devices cgroup, and the overlay ran here without one. The docker
# provider that can be built here does not know `deviceCgroupRules` either.


class SandboxHost(Host):
    """Its own hostname, an address on the underlay bridge, sshd published on 127.0.0.1 (which also
    works where the bridge is not routable from this machine, as with Docker Desktop), and its
    engine's data on a volume of its own (a nested overlay2 cannot sit on the container's overlayfs)."""

    def __init__(self, settings: HostSettings, index: int, sandbox: SandboxSettings,
                 underlay: SandboxUnderlay, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:SandboxHost", settings.name, settings.address,
                         settings.advertise_interface, opts)
        stack = pulumi.get_stack()
        ssh_port = sandbox.ssh_port_base + index
        volume = docker.Volume(
            f"{settings.name}-engine-data",
            name=f"multihost-{stack}-{settings.name}",
            labels=[docker.VolumeLabelArgs(label="multihost.stack", value=stack)],
            opts=pulumi.ResourceOptions(parent=self),
        )
        explicit = not sandbox.privileged
        # The first host carries the control plane (Consul, or the swarm manager) that every other
        # step waits on: its engine starts at boot (see images/host/host-init), and while the hosts
        # compete for this machine's CPU it gets a larger share.
        control_plane_host = index == 0
        container = docker.Container(
            settings.name,
            name=f"multihost-{stack}-{settings.name}",
            image=sandbox.host_image,
            hostname=settings.name,
            envs=[underlay.public_key.apply(lambda key: f"AUTHORIZED_KEYS={key.strip()}"),
                  *(["START_ENGINE=1"] if control_plane_host else [])],
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(
                name=underlay.network.name, ipv4_address=settings.address)],
            ports=[docker.ContainerPortArgs(internal=22, external=ssh_port, ip="127.0.0.1")],
            volumes=[docker.ContainerVolumeArgs(volume_name=volume.name, container_path="/var/lib/docker")],
            tmpfs={"/run": "rw,exec"},
            privileged=sandbox.privileged,
            capabilities=docker.ContainerCapabilitiesArgs(adds=CAPABILITIES_ADDED, drops=CAPABILITIES_DROPPED)
            if explicit else None,
            security_opts=EXPLICIT_SECURITY_OPTS if explicit else None,
            cgroupns_mode="private",
            cpu_shares=CONTROL_PLANE_CPU_SHARES if control_plane_host else None,
            labels=[docker.ContainerLabelArgs(label="multihost.stack", value=stack)],
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
        self.register_outputs({"address": self.address})
