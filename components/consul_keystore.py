"""The Consul server the engines use as their cluster store (the classic `mh-keystore`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_docker as docker

from components.host import Host
from components.images import ensure_image

CONSUL_PORT = 8500


def consul_server_command(address: str) -> list[str]:
    """Arguments of the Consul image: a single server that elects itself, with the UI, bound to
    the host's underlay address (host networking), answering clients on every interface. Raft at
    its production timing (multiplier 1 instead of the default 5): a single server then elects
    itself in about a second rather than eight."""
    return ["agent", "-server", "-bootstrap", "-ui", "-client=0.0.0.0", f"-bind={address}", "-data-dir=/consul/data",
            "-hcl=performance { raft_multiplier = 1 }"]


@dataclass
class ConsulKeystoreArgs:
    host: Host
    """The machine that runs Consul; it gets a Docker engine if it has none."""
    image: str
    """Consul server image (pinned by default)."""
    image_archive: Optional[str]
    """`docker save` archive to load instead of pulling `image`."""
    engine_line: str
    """Docker Engine line to install when the host has none."""


class ConsulKeystore(pulumi.ComponentResource):
    url: pulumi.Output[str]
    """`consul://ADDRESS:8500`, the engines' cluster store, once Consul has a leader."""
    http_url: pulumi.Output[str]
    ui_url: pulumi.Output[str]
    server: docker.Container
    """The Consul server: what lives in the cluster store goes with it."""

    def __init__(self, name: str, args: ConsulKeystoreArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:ConsulKeystore", name, None, opts)
        host = args.host
        engine = host.run(f"{name}-engine", "ensure-engine",
                          {"HOST_NAME": host.name, "ENGINE_LINE": args.engine_line, "CONTROL_PLANE": "kv"},
                          parent=self, depends_on=[host])
        provider = host.docker_provider(f"{name}-docker", parent=self, depends_on=[engine])
        image = ensure_image(name, host, provider, args.image, args.image_archive,
                             parent=self, depends_on=[engine])
        server = self.server = docker.Container(
            f"{name}-consul",
            name="consul",
            image=args.image,
            hostname=host.name,
            network_mode="host",
            command=consul_server_command(host.address),
            restart="unless-stopped",
            must_run=True,
            opts=host.on_host(self, [image], provider),
        )
        http_url = f"http://{host.address}:{CONSUL_PORT}"
        leader = host.run(f"{name}-leader", "wait-consul-leader", {"CONSUL_HTTP": http_url},
                          parent=self, depends_on=[server])
        # The URLs resolve once Consul has a leader, so whatever uses them waits for that.
        self.url = leader.stdout.apply(lambda _: f"consul://{host.address}:{CONSUL_PORT}")
        self.http_url = leader.stdout.apply(lambda _: http_url)
        self.ui_url = leader.stdout.apply(lambda _: f"{http_url}/ui/")
        self.register_outputs({"url": self.url, "uiUrl": self.ui_url})
