"""The overlay network across the engines (`docker network create --driver overlay`), through
either control plane."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_command as command

from components.engine import ControlPlane, Engine
from components.host import Watched


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


@dataclass
class NetworkAttachment:
    """What a host command that attaches a container to the network runs first, and its settings."""

    steps: list[str]
    """Host scripts that wait until the engine can attach a container (none: it can once the
    network exists)."""
    settings: dict[str, pulumi.Input[str]]
    """NETWORK (the network's name, known once it is made), and what the steps need."""
    network_name: str
    """The network's name as configured: known at once, also while the network's command changes
    (what a watch of the attached container asks for)."""


@dataclass
class PeersWait:
    """What each engine runs once every engine has a container on the network, before any of them
    pings: it knows every engine on the network, and that engine's container there (swarm mode)."""

    script: str
    settings: dict[str, pulumi.Input[str]]


class OverlayNetwork(pulumi.ComponentResource):
    name: pulumi.Output[str]
    """The network's name, once it is made."""
    network: command.remote.Command
    """The command that makes the network: what is attached to it is made again with it."""
    peers_wait: Optional[PeersWait]
    """None where an engine's gossip knows every engine once its container attaches (kv: serf
    meets the whole cluster at join)."""

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
        # store (or the swarm) when they join, and each probe starts once its own engine sees it
        # (`attachment_on`), while later engines are still joining. It lives in the store: it goes
        # with it.
        network = first.host.run(
            f"{name}-network", "create-network",
            {"NETWORK": args.network_name, "SUBNET": args.subnet, "GATEWAY": args.gateway,
             "ENCRYPTED": "1" if args.encrypted else "0"},
            parent=self, depends_on=[first.ready, *ipsec_checks],
            delete_script="remove-network", delete_settings={"NETWORK": args.network_name},
            deleted_with=plane.store,
            watched=Watched(f"network {args.network_name}", "status-network",
                            {"NETWORK": args.network_name, "SCOPE": plane.network_scope},
                            pulumi.Output.concat(first.host.stack_id, " ", args.subnet)))
        self.network = network
        self.name = network.stdout.apply(lambda out: out.strip())
        # Before a container attaches on an engine that lists networks, in the same SSH session as
        # its `docker run` (no command, nor SSH session, of its own): the network is there, and with
        # a key-value store the engine's gossip has met another engine (one left alone, or one with a
        # thread stranded in a removed network namespace, is restarted once).
        steps: list[str] = ["wait-network-visible"]
        settings: dict[str, pulumi.Input[str]] = {"NETWORK": self.name, "SCOPE": plane.network_scope}
        if plane.network_scope == "global":
            steps.insert(0, "wait-gossip")
            settings["ENGINES"] = " ".join(engine.host.name for engine in plane.engines)
        self._checked_attachment = NetworkAttachment(steps, settings, args.network_name)
        # A swarm's engines hear of each other on the network by gossip, after they attach: one not
        # heard of yet is cut off from the others both ways (host_scripts/wait-network-peers.sh).
        self.peers_wait = PeersWait("wait-network-peers", {
            "NETWORK": self.name, "PEERS": " ".join(engine.host.address for engine in plane.engines),
        }) if plane.network_scope == "swarm" else None
        self._network_name = args.network_name
        self._scope = plane.network_scope
        self._engines_listing = {engine.host.name for engine in plane.engines_listing_networks}
        self.register_outputs({"name": self.name, "subnet": args.subnet})

    def attachment_on(self, engine: Engine) -> NetworkAttachment:
        """How a command attaches a container to the network on `engine`: on an engine that lists
        networks, once it lists this one (and gossips); else (a swarm worker) once it exists."""
        if engine.host.name in self._engines_listing:
            return self._checked_attachment
        return NetworkAttachment([], {"NETWORK": self.name, "SCOPE": self._scope}, self._network_name)
