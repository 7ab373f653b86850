"""A Docker engine of the 20.10 line clustered through the Consul keystore (`cluster-store`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi

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
    """The host whose engine joins the store before this one: this engine joins once that one is
    in the engines' gossip, so that the gossip is one (see `wait_for_turn` in common.sh). None for
    the first engine."""


class ClusteredEngine(pulumi.ComponentResource):
    """Installs or keeps the engine and sets the hostname, points the running engine at the keystore
    in its turn, waits until it is registered under `docker/nodes/` and in the engines' gossip (the
    three in one command)."""

    host: Host
    ready: pulumi.Resource
    """The engine is registered in the store and in the gossip."""

    def __init__(self, name: str, args: ClusteredEngineArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:ClusteredEngine", name, None, opts)
        host = self.host = args.host
        advertise = f"{host.advertise_interface}:{ADVERTISE_PORT}"
        # One command, one SSH session, steps a reader can run by hand. It runs once Consul has a
        # leader: an engine that joined before Consul answered registered, but at times never met
        # the others' gossip (in 3 of 7 benchmark runs with 4 engines, one engine's probe lost every
        # ping). Installing and starting run on every host at once (a sandbox host's engine is up
        # from boot, as on a machine with Docker installed); the engines take turns only to join
        # the store, by a configuration reload that takes milliseconds.
        settings = {"CLUSTER_STORE": args.keystore.url, "CLUSTER_ADVERTISE": advertise,
                    "ENGINE_LINE": args.engine_line, "HOST_NAME": host.name, "CONTROL_PLANE": "kv",
                    "CONSUL_HTTP": args.keystore.http_url, "NODE": f"{host.address}:{ADVERTISE_PORT}"}
        if args.starts_after is not None:
            settings["START_AFTER"] = f"{args.starts_after.address}:{ADVERTISE_PORT}"
        joined = host.run(f"{name}-engine", ["ensure-engine", "configure-engine", "wait-engine-joined"], settings,
                          parent=self, depends_on=[host, args.keystore], delete_script="deconfigure-engine")
        self.ready = joined
        self.register_outputs({"clusterAdvertise": advertise})
