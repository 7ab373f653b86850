"""What an engine of either control plane (ClusteredEngine, SwarmEngine) gives the layers above
it: the overlay network, probes and the ping report are the same code for both."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import pulumi
import pulumi_docker as docker

from components.host import Host


class Engine(Protocol):
    host: Host
    provider: docker.Provider
    """A Docker provider for this engine, over SSH."""
    ready: pulumi.Resource
    """After this the engine runs in its control plane (registered in the store, or in the swarm).
    What needs only that depends on it, not on the whole engine: Pulumi starts the engines'
    Docker providers one after the other (0.15 s each here), which would otherwise hold up
    everything above every engine."""


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
