"""A long-running container on one engine's host, attached to the overlay, to ping from and to."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_docker as docker

from components.engine import Engine
from components.host import Host
from components.images import ensure_image
from components.overlay_network import OverlayNetwork


# The probe only has to stay up; pings run in it with `docker exec`.
PROBE_COMMAND = ["sleep", "2147483647"]


@dataclass
class ProbeContainerArgs:
    engine: Engine
    network: OverlayNetwork
    image: str
    """An image with `ping` and `sleep` (pinned by default)."""
    image_archive: Optional[str]
    """`docker save` archive to load instead of pulling `image`."""


class ProbeContainer(pulumi.ComponentResource):
    host: Host
    """The host the probe runs on."""
    container_name: pulumi.Output[str]
    address: pulumi.Output[str]
    """The probe's address on the overlay network."""

    def __init__(self, name: str, args: ProbeContainerArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:ProbeContainer", name, None, opts)
        engine = args.engine
        self.host = engine.host
        image = ensure_image(name, engine.host, engine.provider, args.image, args.image_archive,
                             parent=self, depends_on=[engine.ready])
        container = docker.Container(
            f"{name}-container",
            name=name,
            image=args.image,
            hostname=name,
            command=PROBE_COMMAND,
            # Once its own engine sees the network: not held up by the engines that join after it.
            networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=args.network.name_on(engine))],
            must_run=True,
            opts=engine.host.on_host(self, [image], engine.provider),
        )
        self.container_name = container.name
        self.address = pulumi.Output.all(container.network_datas, args.network.name_on(engine)).apply(
            lambda v: next(entry["ip_address"] for entry in v[0] if entry["network_name"] == v[1]))
        self.register_outputs({"name": self.container_name, "address": self.address})
