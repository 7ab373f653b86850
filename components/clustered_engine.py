"""A Docker engine of the 20.10 line clustered through the Consul keystore (`cluster-store`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_docker as docker

from components.consul_keystore import ConsulKeystore
from components.host import Host

# The port in `cluster-advertise=<iface>:2376`, as docker-machine set it up.
ADVERTISE_PORT = 2376


@dataclass
class ClusteredEngineArgs:
    host: Host
    keystore: ConsulKeystore
    engine_line: str
    """Docker Engine line to install or keep (20.10: 23.0 removed the cluster store)."""
    starts_after: Optional[Host] = None
    """The host whose engine starts before this one: this engine starts once that one is
    registered in the store, so that the engines' gossip is one (see `wait_for_turn` in
    common.sh). None for the first engine."""


class ClusteredEngine(pulumi.ComponentResource):
    """Points the engine at the keystore, installs or keeps it and sets the hostname (in that order,
    so the engine starts once, already clustered, in its turn after the engine before it), waits
    until it is registered under `docker/nodes/` (the three in one command), and offers a Docker
    provider for it over SSH."""

    host: Host
    provider: docker.Provider
    """For the layers above: resources on this engine."""
    ready: pulumi.Resource
    """The engine is registered in the store."""

    def __init__(self, name: str, args: ClusteredEngineArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:ClusteredEngine", name, None, opts)
        host = self.host = args.host
        advertise = f"{host.advertise_interface}:{ADVERTISE_PORT}"
        # One command, one SSH session, three steps a reader can run by hand: point the engine at
        # the store before it first starts (so it starts once, already clustered), install or keep
        # and start it, then wait until it is registered. It runs once Consul has a leader: an
        # engine started before Consul answered registered, but at times never joined the others'
        # gossip (in 3 of 7 benchmark runs with 4 engines, one engine's probe lost every ping).
        # The engines take turns only to start (in the host script, through the store): configuring
        # and installing run on every host at once.
        settings = {"CLUSTER_STORE": args.keystore.url, "CLUSTER_ADVERTISE": advertise,
                    "ENGINE_LINE": args.engine_line, "HOST_NAME": host.name, "CONTROL_PLANE": "kv",
                    "CONSUL_HTTP": args.keystore.http_url, "NODE": f"{host.address}:{ADVERTISE_PORT}"}
        if args.starts_after is not None:
            settings["START_AFTER"] = f"{args.starts_after.address}:{ADVERTISE_PORT}"
        registered = host.run(f"{name}-engine", ["configure-engine", "ensure-engine", "wait-engine-registered"],
                              settings, parent=self, depends_on=[host, args.keystore],
                              delete_script="deconfigure-engine")
        self.ready = registered
        self.provider = host.docker_provider(f"{name}-docker", parent=self, depends_on=[registered])
        self.register_outputs({"clusterAdvertise": advertise})
