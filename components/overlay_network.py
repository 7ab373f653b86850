"""The overlay network across the engines (`docker network create --driver overlay`), through
either control plane."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi

from components.engine import ControlPlane, Engine


@dataclass
class OverlayNetworkArgs:
    control_plane: ControlPlane
    """The engines and where the network lives; created on the first engine."""
    network_name: str
    subnet: str
    gateway: str
    encrypted: bool = False
    """IPsec between hosts (`--opt encrypted`, swarm mode). Every host's kernel is checked for it
    first: without it the network would come up and lose every packet."""


class OverlayNetwork(pulumi.ComponentResource):
    name: pulumi.Output[str]
    """The network's name, resolved once the engines that list networks see it."""
    _created_name: pulumi.Output[str]
    _name_on: dict[str, pulumi.Output[str]]
    """Per engine that lists networks (by host name): the name, once that engine lists it."""

    def __init__(self, name: str, args: OverlayNetworkArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:OverlayNetwork", name, None, opts)
        plane = args.control_plane
        first = plane.engines[0]
        # As soon as each host answers, before its engine is set up: a refusal comes early.
        ipsec_checks = [
            engine.host.run(f"{name}-ipsec-on-{engine.host.name}", "check-ipsec", {}, parent=self,
                            depends_on=[engine.host])
            for engine in plane.engines
        ] if args.encrypted else []
        # Made as soon as the first engine is in its control plane: the others see it from the
        # store (or the swarm) when they join, and each probe starts once its own engine sees it,
        # while later engines are still joining. It lives in the store: it goes with it.
        network = first.host.run(
            f"{name}-network", "create-network",
            {"NETWORK": args.network_name, "SUBNET": args.subnet, "GATEWAY": args.gateway,
             "ENCRYPTED": "1" if args.encrypted else "0"},
            parent=self, depends_on=[first.ready, *ipsec_checks],
            delete_script="remove-network", delete_settings={"NETWORK": args.network_name},
            deleted_with=plane.store)
        created_name = network.stdout.apply(lambda out: out.strip())
        # On each engine that lists networks: the network is there, and with a key-value store
        # the engine's gossip has met another engine (one left alone is restarted once).
        steps: list[str] = ["wait-network-visible"]
        settings: dict[str, pulumi.Input[str]] = {"NETWORK": created_name, "SCOPE": plane.network_scope}
        if plane.network_scope == "global":
            steps.insert(0, "wait-gossip")
            settings["ENGINES"] = " ".join(engine.host.name for engine in plane.engines)
        visible = {
            engine.host.name: engine.host.run(f"{name}-on-{engine.host.name}", steps, settings, parent=self,
                                              depends_on=[network, engine.ready])
            for engine in plane.engines_listing_networks
        }
        self._name_on = {host_name: pulumi.Output.all(created_name, check.stdout).apply(lambda v: v[0])
                         for host_name, check in visible.items()}
        self._created_name = created_name
        self.name = pulumi.Output.all(created_name, *[check.stdout for check in visible.values()]).apply(lambda v: v[0])
        self.register_outputs({"name": self.name, "subnet": args.subnet})

    def name_on(self, engine: Engine) -> pulumi.Output[str]:
        """The network's name, once containers on `engine` can attach to it: once the engine lists
        it, for an engine that lists networks; else (a swarm worker) once it exists."""
        return self._name_on.get(engine.host.name, self._created_name)
