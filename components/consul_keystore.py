"""The Consul server the engines use as their cluster store (the classic `mh-keystore`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_command as command

from components.host import Host
from components.images import image_source
from components.names import CONSUL_CONTAINER

CONSUL_PORT = 8500


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
    server: command.remote.Command
    """The Consul server: what lives in the cluster store goes with it."""

    def __init__(self, name: str, args: ConsulKeystoreArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:ConsulKeystore", name, None, opts)
        host = args.host
        image = image_source(name, host, args.image, args.image_archive, parent=self)
        http_url = f"http://{host.address}:{CONSUL_PORT}"
        # One command, one SSH session: the engine if the host has none, the image, the server,
        # then a wait until it has elected itself leader. Removing the server removes the store.
        server = self.server = host.run(
            f"{name}-consul", ["ensure-engine", "load-image", "run-consul", "wait-consul-leader"],
            {"HOST_NAME": host.name, "ENGINE_LINE": args.engine_line, "CONTROL_PLANE": "kv",
             **image.settings, "NAME": CONSUL_CONTAINER, "ADDRESS": host.address, "CONSUL_HTTP": http_url},
            parent=self, depends_on=[host, *image.ready],
            delete_script=["remove-container", "restore-host"],
            delete_settings={"NAME": CONSUL_CONTAINER, "HOST_NAME": host.name})
        # The URLs resolve once Consul has a leader, so whatever uses them waits for that.
        self.url = server.stdout.apply(lambda _: f"consul://{host.address}:{CONSUL_PORT}")
        self.http_url = server.stdout.apply(lambda _: http_url)
        self.ui_url = server.stdout.apply(lambda _: f"{http_url}/ui/")
        self.register_outputs({"url": self.url, "uiUrl": self.ui_url})
