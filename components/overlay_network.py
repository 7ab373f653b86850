"""The overlay network across the clustered engines (`docker network create --driver overlay`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_docker as docker

from components.clustered_engine import ClusteredEngine


@dataclass
class OverlayNetworkArgs:
    engines: Sequence[ClusteredEngine]
    """All engines; the network is created on the first and must be seen by every one."""
    network_name: str
    subnet: str
    store: pulumi.Resource
    """The cluster store the network lives in (it is global-scoped there): on destroy the network
    goes with the store, so a destroy never waits on endpoints of a host that is gone."""


class OverlayNetwork(pulumi.ComponentResource):
    name: pulumi.Output[str]
    """The network's name, resolved once every engine sees it."""

    def __init__(self, name: str, args: OverlayNetworkArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:OverlayNetwork", name, None, opts)
        network = docker.Network(
            f"{name}-network",
            name=args.network_name,
            driver="overlay",
            attachable=True,
            ipam_configs=[docker.NetworkIpamConfigArgs(subnet=args.subnet)],
            opts=pulumi.ResourceOptions(parent=self, provider=args.engines[0].provider, depends_on=list(args.engines),
                                        deleted_with=args.store),
        )
        visible = [
            engine.host.run(f"{name}-on-{engine.host.name}", "wait-network-visible",
                            {"NETWORK": network.name}, parent=self, depends_on=[network])
            for engine in args.engines
        ]
        self.name = pulumi.Output.all(network.name, *[check.stdout for check in visible]).apply(lambda v: v[0])
        self.register_outputs({"name": self.name, "subnet": args.subnet})
