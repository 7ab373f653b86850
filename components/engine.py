"""What an engine of either control plane (ClusteredEngine, SwarmEngine) gives the layers above
it: the overlay network, probes and the ping report are the same code for both."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import pulumi

from components.host import Host


class Engine(Protocol):
    host: Host
    """What lives on the engine (the network, a probe) runs as host scripts on this host."""
    ready: pulumi.Resource
    """After this the engine runs in its control plane (registered in the store, or in the swarm)."""


@dataclass
class ControlPlane:
    """Where the overlay network's state lives."""

    engines: list[Engine]
    """Every engine, the one to create networks on first."""
    store: pulumi.Resource
    """What the network lives in (the Consul server, the swarm): on destroy, the network goes with it."""
    network_scope: str
    """The scope engines report for the network: `global` (cluster store) or `swarm`."""
    engines_listing_networks: list[Engine]
    """Engines that list the network as soon as it exists (swarm workers see it only once a
    container of theirs is attached)."""
    outputs: dict[str, Any] = field(default_factory=dict)
    """The stack outputs it adds: where a person looks at it (the Consul UI, the swarm manager)."""
