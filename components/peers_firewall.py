"""Peers only: a host's overlay ports accept only the stack's own hosts (`firewall: true`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi

from components.host import Host

GOSSIP_AND_VXLAN = ("tcp:7946", "udp:7946", "udp:4789")
"""The engines' gossip (serf) and the overlay's VXLAN, in both control planes."""
SWARM_MANAGEMENT = "tcp:2377"
ESP = "esp"
"""IPsec, which carries an encrypted overlay."""


def overlay_ports(control_plane: str, consul_port: int, encrypted: bool) -> tuple[str, ...]:
    """What the overlay's hosts send each other: in kv mode Consul's HTTPS too, in swarm mode the
    swarm's management port (and ESP for an encrypted overlay)."""
    if control_plane == "kv":
        return (f"tcp:{consul_port}", *GOSSIP_AND_VXLAN)
    return (SWARM_MANAGEMENT, *GOSSIP_AND_VXLAN, *((ESP,) if encrypted else ()))


@dataclass
class PeersFirewallArgs:
    host: Host
    peers: Sequence[str]
    """The underlay addresses of every host of the stack (this one too)."""
    ports: Sequence[str]
    """`PROTOCOL:PORT` or `esp`, as overlay_ports gives them."""


class PeersFirewall(pulumi.ComponentResource):
    """One chain of rules on the host, added and removed exactly (host_scripts/limit-ports.sh): what
    the stack's hosts send goes on to the host's own rules, anyone else's is dropped. Written anew
    when the stack's hosts change; it runs beside the control plane, which needs nothing from it."""

    def __init__(self, name: str, args: PeersFirewallArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:PeersFirewall", name, None, opts)
        host = args.host
        host.run(f"{name}-rules", "limit-ports", {"PEERS": " ".join(args.peers), "PORTS": " ".join(args.ports)},
                 parent=self, depends_on=[host], delete_script="unlimit-ports")
        self.register_outputs({"ports": list(args.ports)})
