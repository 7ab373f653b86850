"""docker-multihost: a Consul keystore, Docker engines clustered through it, an overlay network
across them, and probes that ping each other over it. Only the kind of host differs by stack."""
import pulumi

from components.clustered_engine import ClusteredEngine, ClusteredEngineArgs
from components.consul_keystore import ConsulKeystore, ConsulKeystoreArgs
from components.existing_host import ExistingHost
from components.host import Host
from components.overlay_network import OverlayNetwork, OverlayNetworkArgs
from components.ping_report import PingReport, PingReportArgs
from components.probe_container import ProbeContainer, ProbeContainerArgs
from components.sandbox_host import SandboxHost
from components.sandbox_underlay import SandboxUnderlay
from components.vagrant_host import VagrantHost
from multihost.config import StackSettings, load_settings


def make_hosts(settings: StackSettings) -> list[Host]:
    if settings.host_kind == "sandbox":
        underlay = SandboxUnderlay("sandbox", settings)
        return [SandboxHost(h, i, settings.sandbox, underlay) for i, h in enumerate(settings.hosts)]
    if settings.host_kind == "vagrant":
        return [VagrantHost(h) for h in settings.hosts]
    return [ExistingHost(h) for h in settings.hosts]


settings = load_settings()
images = settings.images

hosts = make_hosts(settings)
keystore_host, *engine_hosts = hosts
keystore = ConsulKeystore("keystore", ConsulKeystoreArgs(
    host=keystore_host, image=images.consul, image_archive=images.consul_archive,
    engine_line=settings.engine_version))
engines = [
    ClusteredEngine(host.name, ClusteredEngineArgs(host=host, keystore=keystore, engine_line=settings.engine_version))
    for host in engine_hosts
]
network = OverlayNetwork("overlay", OverlayNetworkArgs(
    engines=engines, network_name=settings.network.name, subnet=settings.network.subnet, store=keystore.server))
probes = [
    ProbeContainer(f"probe-{engine.host.name}", ProbeContainerArgs(
        engine=engine, network=network, image=images.probe, image_archive=images.probe_archive))
    for engine in engines
]
report = PingReport("pings", PingReportArgs(probes=probes, count=settings.ping_count))

pulumi.export("pingResults", report.results)
pulumi.export("allReachable", report.all_reachable)
pulumi.export("consulUrl", keystore.url)
pulumi.export("consulUiUrl", keystore.ui_url)
pulumi.export("hostAddresses", {host.name: host.address for host in hosts})
pulumi.export("probeAddresses", {probe.host.name: probe.address for probe in probes})
# How `make check` reaches the hosts again: the same SSH endpoints the program used (a key's path,
# never the key).
pulumi.export("hostAccess", {host.name: {"address": host.ssh.address, "port": host.ssh.port, "user": host.ssh.user,
                                         "privateKeyFile": host.ssh.private_key_file} for host in hosts})
