"""A long-running container on one engine's host, attached to the overlay, to ping from and to."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_command as command

from components.engine import Engine
from components.host import Host, Watched
from components.images import image_source
from components.overlay_network import OverlayNetwork


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
    """The probe's name (and hostname), once it runs."""
    address: pulumi.Output[str]
    """The probe's address on the overlay network."""
    container: command.remote.Command
    """The command that runs it: what must run again once it is made anew is made again with it."""

    def __init__(self, name: str, args: ProbeContainerArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:ProbeContainer", name, None, opts)
        engine = args.engine
        self.host = engine.host
        image = image_source(name, engine.host, args.image, args.image_archive, parent=self)
        # One command, one SSH session: the image, then the container, `docker run` on the overlay
        # once its own engine sees the network (not held up by the engines that join after it).
        attachment = args.network.attachment_on(engine)
        container = engine.host.run(
            f"{name}-container", ["load-image", *attachment.steps, "run-probe"],
            {**image.settings, **attachment.settings, "PROBE": name},
            parent=self, depends_on=[engine.ready, *image.ready],
            delete_script="remove-container", delete_settings={"NAME": name},
            # A network made again (its store gone with Consul's container, say) is another
            # network: the probe on the old one is made again on it.
            made_again_with=[args.network.network],
            # Running, and still on the network: a swarm worker that left its swarm keeps the
            # container, without its attachment.
            watched=Watched(f"container {name}", "status-container",
                            {"NAME": name, "NETWORK": attachment.network_name},
                            pulumi.Output.concat("true ", engine.host.stack_id, " ", attachment.network_name)))
        self.container = container
        self.container_name = container.stdout.apply(lambda _: name)
        self.address = container.stdout.apply(lambda out: out.strip())
        self.register_outputs({"name": self.container_name, "address": self.address})
