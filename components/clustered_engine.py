"""A Docker engine of the 20.10 line clustered through the Consul keystore (`cluster-store`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi

from components.consul_keystore import ConsulKeystore
from components.host import Host, Watched

# The port in `cluster-advertise=<iface>:2376`, as docker-machine set it up.
ADVERTISE_PORT = 2376


@dataclass
class ClusteredEngineArgs:
    host: Host
    keystore: ConsulKeystore
    engine_line: str
    """Docker Engine line to install or keep (20.10: 23.0 removed the cluster store)."""
    client_certificate: pulumi.Input[str]
    """What the engine presents to Consul (mutual TLS), for the key its host made (ConsulTls)."""
    ca_cert: pulumi.Input[str]
    """The stack's CA, which Consul's certificate is checked against."""
    first_engine: Optional[Host] = None
    """The host of the first engine, None on that one: this engine joins the store once that one is
    in the engines' gossip, and its gossip joins through it, so that the gossip is one (how engines
    join: the header of components/host_scripts/lib/kv-join.sh)."""
    peers: Sequence[str] = ()
    """The underlay addresses of the other engines but the first: the only serf joins its host sends
    to the first engine instead, while it joins."""


class ClusteredEngine(pulumi.ComponentResource):
    """Installs or keeps the engine and sets the hostname, points the running engine at the keystore
    (after the first engine), waits until it is registered under `docker/nodes/` and in the engines' gossip (the
    three in one command)."""

    host: Host
    ready: pulumi.Resource
    """The engine is registered in the store and in the gossip."""

    def __init__(self, name: str, args: ClusteredEngineArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:ClusteredEngine", name, None, opts)
        host = self.host = args.host
        advertise = f"{host.advertise_interface}:{ADVERTISE_PORT}"
        # One command, one SSH session, steps a reader can run by hand. It runs once Consul has a
        # leader (the keystore's URL resolves then). Installing and starting run on every host at
        # once (a sandbox host's engine is up from boot, as on a machine with Docker installed);
        # only joining the store (a configuration reload) waits for the first engine. How engines
        # join, and why: the header of components/host_scripts/lib/kv-join.sh.
        settings = {"CLUSTER_STORE": args.keystore.url, "CLUSTER_ADVERTISE": advertise,
                    "ENGINE_LINE": args.engine_line, "HOST_NAME": host.name, "CONTROL_PLANE": "kv",
                    "CONSUL_HTTP": args.keystore.https_url, "NODE": f"{host.address}:{ADVERTISE_PORT}",
                    "TLS_CA": args.ca_cert, "TLS_CERT": args.client_certificate}
        if args.first_engine is not None:
            settings["JOIN_THROUGH"] = f"{args.first_engine.address}:{ADVERTISE_PORT}"
            settings["PEERS"] = " ".join(args.peers)
        joined = host.run(f"{name}-engine", ["ensure-engine", "configure-engine", "wait-engine-joined"], settings,
                          parent=self, depends_on=[host, args.keystore],
                          delete_script=["deconfigure-engine", "restore-host"], delete_settings={"HOST_NAME": host.name},
                          watched=Watched("the engine's cluster store", "status-engine", {}, args.keystore.url))
        self.ready = joined
        self.register_outputs({"clusterAdvertise": advertise})
