"""docker-multihost: Docker engines on several hosts, an overlay network across them, and probes
that ping each other over it. The overlay's control plane is a Consul keystore the engines cluster
through (`kv`, the classic setup) or the engines' own swarm (`swarm`); only the kind of host
differs by stack."""
import pulumi

from components.clustered_engine import ClusteredEngine, ClusteredEngineArgs
from components.consul_keystore import ConsulKeystore, ConsulKeystoreArgs
from components.engine import ControlPlane
from components.existing_host import ExistingHost
from components.host import Host
from components.overlay_network import OverlayNetwork, OverlayNetworkArgs
from components.ping_report import PingReport, PingReportArgs
from components.probe_container import ProbeContainer, ProbeContainerArgs
from components.sandbox_host import SandboxHost
from components.sandbox_underlay import SandboxUnderlay
from components.swarm_engine import SwarmEngine, SwarmEngineArgs
from components.vagrant_host import VagrantHost
from components.config import StackSettings, load_settings


def make_hosts(settings: StackSettings) -> list[Host]:
    if settings.host_kind == "sandbox":
        underlay = SandboxUnderlay("sandbox", settings)
        control_plane_host, *others = settings.hosts
        first = SandboxHost(control_plane_host, 0, settings.sandbox, underlay, settings.images.load_from)
        # The control plane's host is made first, alone: every later step waits on the control plane,
        # and the local engine made its container in 1 s alone but in up to 4 s beside eight others.
        # The other hosts (components) depend on it, and so make their containers once it exists;
        # their containers do not, so deleting them is not held up by it.
        after_first = pulumi.ResourceOptions(depends_on=[first])
        return [first, *(SandboxHost(h, i, settings.sandbox, underlay, settings.images.load_from, after_first)
                         for i, h in enumerate(others, start=1))]
    if settings.host_kind == "vagrant":
        return [VagrantHost(h, settings.vagrant) for h in settings.hosts]
    return [ExistingHost(h) for h in settings.hosts]


def consul_control_plane(settings: StackSettings, hosts: list[Host]) -> ControlPlane:
    """The classic setup: Consul on the first host, the other engines clustered through it."""
    keystore_host, *engine_hosts = hosts
    keystore = ConsulKeystore("keystore", ConsulKeystoreArgs(
        host=keystore_host, image=settings.images.consul, image_archive=settings.images.consul_archive,
        engine_line=settings.engine_version))
    # The first engine joins first; the others join through it, all at once (one gossip: see
    # ClusteredEngineArgs).
    first_engine = engine_hosts[0]
    engines = [
        ClusteredEngine(host.name, ClusteredEngineArgs(host=host, keystore=keystore, engine_line=settings.engine_version,
                                                       first_engine=first_engine if host is not first_engine else None))
        for host in engine_hosts
    ]
    pulumi.export("consulUrl", keystore.url)
    pulumi.export("consulUiUrl", keystore.ui_url)
    return ControlPlane(engines=engines, store=keystore.server, network_scope="global", engines_listing_networks=engines)


def swarm_control_plane(settings: StackSettings, hosts: list[Host]) -> ControlPlane:
    """Swarm mode: the first engine inits the swarm and is its manager; the others join as workers."""
    manager_host, *worker_hosts = hosts
    manager = SwarmEngine(manager_host.name, SwarmEngineArgs(host=manager_host, engine_line=settings.engine_version))
    workers = [SwarmEngine(host.name, SwarmEngineArgs(host=host, engine_line=settings.engine_version, manager=manager))
               for host in worker_hosts]
    pulumi.export("swarmManager", manager_host.name)
    return ControlPlane(engines=[manager, *workers], store=manager.membership, network_scope="swarm",
                        engines_listing_networks=[manager])


settings = load_settings()
hosts = make_hosts(settings)
make_control_plane = consul_control_plane if settings.control_plane == "kv" else swarm_control_plane
plane = make_control_plane(settings, hosts)
network = OverlayNetwork("overlay", OverlayNetworkArgs(
    control_plane=plane, network_name=settings.network.name, subnet=settings.network.subnet,
    gateway=settings.network.gateway, encrypted=settings.network.encrypted))
probes = [
    ProbeContainer(f"probe-{engine.host.name}", ProbeContainerArgs(
        engine=engine, network=network, image=settings.images.probe, image_archive=settings.images.probe_archive))
    for engine in plane.engines
]
report = PingReport("pings", PingReportArgs(probes=probes, count=settings.ping_count))

pulumi.export("controlPlane", settings.control_plane)
pulumi.export("pingResults", report.results)
pulumi.export("allReachable", report.all_reachable)
pulumi.export("hostAddresses", {host.name: host.address for host in hosts})
pulumi.export("probeAddresses", {probe.host.name: probe.address for probe in probes})
# How `make check` reaches the hosts again: the same SSH endpoints the program used (a key's path,
# never the key).
pulumi.export("hostAccess", {host.name: {"address": host.ssh.address, "port": host.ssh.port, "user": host.ssh.user,
                                         "privateKeyFile": host.ssh.private_key_file} for host in hosts})
