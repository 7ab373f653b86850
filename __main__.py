"""docker-multihost, Docker engines on several hosts, an overlay network across them, and probes
that ping each other over it. The overlay's control plane is a Consul keystore the engines cluster
through (`kv`, the classic setup) or the engines' own swarm (`swarm`); only the kind of host
differs by stack. The wiring is components/topology.py."""
import pulumi

from components import topology
from components.config import load_settings

settings = load_settings()
hosts = topology.make_hosts(settings)
firewalls = topology.make_firewalls(settings, hosts)
plane = topology.make_control_plane(settings, hosts)
network = topology.make_overlay(settings, plane)
probes = topology.make_probes(settings, plane, network)
report = topology.make_report(settings, network, probes)
for name, value in topology.stack_outputs(settings, hosts, plane, probes, report).items():
    pulumi.export(name, value)
