"""The wiring: which components a stack's settings make, and how they depend on each other. The
graph reads top to bottom in __main__.py; tests import this module under Pulumi's mocks.

hosts (each with its peers-only firewall) -> control plane (a Consul keystore, its TLS, and engines
clustered through it; or a swarm) -> overlay network -> one probe per engine -> the ping report."""
from __future__ import annotations

import os
from typing import Any

import pulumi

from components.clustered_engine import ClusteredEngine, ClusteredEngineArgs
from components.config import StackSettings
from components.consul_keystore import CONSUL_PORT, ConsulKeystore, ConsulKeystoreArgs
from components.consul_tls import ConsulTls, ConsulTlsArgs
from components.engine import ControlPlane
from components.host import Host
from components.names import probe_name
from components.overlay_network import OverlayNetwork, OverlayNetworkArgs
from components.peers_firewall import PeersFirewall, PeersFirewallArgs, overlay_ports
from components.ping_report import PingReport, PingReportArgs
from components.probe_container import ProbeContainer, ProbeContainerArgs
from components.sandbox_host import SandboxHost
from components.sandbox_underlay import SandboxUnderlay
from components.ssh_host import SshHost
from components.stack_identity import StackIdentity
from components.swarm_engine import SwarmEngine, SwarmEngineArgs
from components.vagrant_host import VagrantHost


def make_hosts(settings: StackSettings) -> list[Host]:
    """The stack's machines, of its one host kind; the control plane's host first."""
    stack_id = StackIdentity("stack").id
    if settings.host_kind == "sandbox":
        underlay = SandboxUnderlay("sandbox", settings)
        control_plane_host, *others = settings.hosts
        first = SandboxHost(control_plane_host, True, settings.sandbox, underlay, settings.images.load_from, stack_id)
        # The control plane's host is made first, alone: every later step waits on the control plane,
        # and the local engine makes one container faster alone than beside many others. Only the
        # other host components depend on it: their containers do not, so deleting is not held up.
        after_first = pulumi.ResourceOptions(depends_on=[first.machine])
        return [first, *(SandboxHost(h, False, settings.sandbox, underlay, settings.images.load_from, stack_id, after_first)
                         for h in others)]
    if settings.host_kind == "vagrant":
        return [VagrantHost(h, settings.vagrant, stack_id) for h in settings.hosts]
    return [SshHost(h, stack_id) for h in settings.hosts]


def make_firewalls(settings: StackSettings, hosts: list[Host]) -> list[PeersFirewall]:
    """Peers only (`firewall: true`): each host's overlay ports accept only the stack's hosts."""
    if not settings.firewall:
        return []
    ports = overlay_ports(settings.control_plane, CONSUL_PORT, settings.network.encrypted)
    peers = [host.address for host in hosts]
    return [PeersFirewall(f"{host.name}-firewall", PeersFirewallArgs(host=host, peers=peers, ports=ports))
            for host in hosts]


def consul_control_plane(settings: StackSettings, hosts: list[Host]) -> ControlPlane:
    """The classic setup: Consul on the first host, the other engines clustered through it. How they
    join (the first engine alone, the others through it): see ClusteredEngineArgs.first_engine."""
    keystore_host, *engine_hosts = hosts
    # The tools reach Consul through an SSH tunnel to the keystore host: at 127.0.0.1 there.
    tls = ConsulTls("consul-tls", ConsulTlsArgs(
        folder=os.path.join(settings.state_dir, "tls"), server=keystore_host,
        server_addresses=[keystore_host.address, "127.0.0.1"], clients=engine_hosts))
    keystore = ConsulKeystore("keystore", ConsulKeystoreArgs(
        host=keystore_host, image=settings.images.consul, image_archive=settings.images.consul_archive,
        engine_line=settings.engine_line, tls=tls))
    first_engine = engine_hosts[0]
    engines = [
        ClusteredEngine(host.name, ClusteredEngineArgs(
            host=host, keystore=keystore, engine_line=settings.engine_line,
            client_certificate=tls.client_certs[host.name], ca_cert=tls.ca_cert,
            first_engine=first_engine if host is not first_engine else None,
            peers=[other.address for other in engine_hosts[1:] if other is not host]))
        for host in engine_hosts
    ]
    return ControlPlane(engines=engines, store=keystore.server, network_scope="global", engines_listing_networks=engines,
                        outputs={"consulUrl": keystore.url, "consulUiUrl": keystore.ui_url,
                                 "keystoreHost": keystore_host.name,
                                 # What `make inspect` presents to Consul: files on this machine.
                                 "consulToolsTlsFiles": tls.tools_files})


def swarm_control_plane(settings: StackSettings, hosts: list[Host]) -> ControlPlane:
    """Swarm mode: the first engine inits the swarm and is its manager; the others join as workers."""
    manager_host, *worker_hosts = hosts
    encrypted = settings.network.encrypted
    manager = SwarmEngine(manager_host.name, SwarmEngineArgs(host=manager_host, engine_line=settings.engine_line,
                                                             encrypted=encrypted))
    workers = [SwarmEngine(host.name, SwarmEngineArgs(host=host, engine_line=settings.engine_line, manager=manager,
                                                      encrypted=encrypted))
               for host in worker_hosts]
    return ControlPlane(engines=[manager, *workers], store=manager.membership, network_scope="swarm",
                        engines_listing_networks=[manager], outputs={"swarmManager": manager_host.name})


def make_control_plane(settings: StackSettings, hosts: list[Host]) -> ControlPlane:
    return (consul_control_plane if settings.control_plane == "kv" else swarm_control_plane)(settings, hosts)


def make_overlay(settings: StackSettings, plane: ControlPlane) -> OverlayNetwork:
    return OverlayNetwork("overlay", OverlayNetworkArgs(
        control_plane=plane, network_name=settings.network.name, subnet=settings.network.subnet,
        gateway=settings.network.gateway, encrypted=settings.network.encrypted))


def make_probes(settings: StackSettings, plane: ControlPlane, network: OverlayNetwork) -> list[ProbeContainer]:
    """One probe per engine, on the overlay."""
    return [ProbeContainer(probe_name(engine.host.name), ProbeContainerArgs(
                engine=engine, network=network, image=settings.images.probe, image_archive=settings.images.probe_archive))
            for engine in plane.engines]


def make_report(settings: StackSettings, network: OverlayNetwork, probes: list[ProbeContainer]) -> PingReport:
    return PingReport("pings", PingReportArgs(probes=probes, network=network, count=settings.ping_count))


def stack_outputs(settings: StackSettings, hosts: list[Host], plane: ControlPlane, probes: list[ProbeContainer],
                  report: PingReport) -> dict[str, Any]:
    """What `pulumi stack output` shows, and what `make check`/`make inspect` read back."""
    return {
        **plane.outputs,
        "controlPlane": settings.control_plane,
        "pingResults": report.results,
        "allReachable": report.all_reachable,
        "hostAddresses": {host.name: host.address for host in hosts},
        "probeAddresses": {probe.host.name: probe.address for probe in probes},
        "overlayNetwork": {"name": settings.network.name, "subnet": settings.network.subnet,
                           "encrypted": settings.network.encrypted},
        # How `make check` reaches the hosts again: the SSH endpoints the program used (a key's path,
        # never the key).
        "hostAccess": {host.name: {"address": host.ssh.address, "port": host.ssh.port, "user": host.ssh.user,
                                   "privateKeyFile": host.ssh.private_key_file, "hostKey": host.host_key}
                       for host in hosts},
    }
