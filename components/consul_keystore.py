"""The Consul server the engines use as their cluster store (the classic `mh-keystore`)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_command as command

from components.consul_tls import ConsulTls
from components.host import Host, Watched
from components.images import image_source
from components.names import CONSUL_CONTAINER

CONSUL_PORT = 8501
"""Consul's HTTPS port, the only one it answers on the underlay (mutual TLS)."""
CONSUL_LOCAL_PORT = 8500
"""Consul's plain HTTP, on the keystore host's loopback only: its own scripts, and a person's SSH tunnel."""
CONSUL_LOCAL_HTTP = f"http://127.0.0.1:{CONSUL_LOCAL_PORT}"


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
    tls: ConsulTls
    """The stack's CA and Consul's server certificate."""


class ConsulKeystore(pulumi.ComponentResource):
    url: pulumi.Output[str]
    """`consul://ADDRESS:8501`, the engines' cluster store, once Consul has a leader."""
    https_url: pulumi.Output[str]
    """`https://ADDRESS:8501`, where the engines' scripts ask Consul (with their client certificate)."""
    ui_url: pulumi.Output[str]
    """The UI, for a client certificate of the stack's CA (or through `make consul-ui`'s SSH tunnel)."""
    server: command.remote.Command
    """The Consul server: what lives in the cluster store goes with it."""

    def __init__(self, name: str, args: ConsulKeystoreArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:ConsulKeystore", name, None, opts)
        host = args.host
        image = image_source(name, host, args.image, args.image_archive, parent=self)
        https_url = f"https://{host.address}:{CONSUL_PORT}"
        # One command, one SSH session: the engine if the host has none, the image, the server,
        # then a wait until it has elected itself leader. Removing the server removes the store.
        server = self.server = host.run(
            f"{name}-consul", ["ensure-engine", "load-image", "run-consul", "wait-consul-leader"],
            {"HOST_NAME": host.name, "ENGINE_LINE": args.engine_line, "CONTROL_PLANE": "kv",
             **image.settings, "NAME": CONSUL_CONTAINER, "ADDRESS": host.address, "CONSUL_HTTP": CONSUL_LOCAL_HTTP,
             "TLS_CA": args.tls.ca_cert, "TLS_CERT": args.tls.server_cert},
            parent=self, depends_on=[host, *image.ready],
            delete_script=["remove-container", "restore-host"],
            delete_settings={"NAME": CONSUL_CONTAINER, "HOST_NAME": host.name},
            watched=Watched(f"container {CONSUL_CONTAINER}", "status-container", {"NAME": CONSUL_CONTAINER},
                            pulumi.Output.concat("true ", host.stack_id)))
        # The URLs resolve once Consul has a leader, so whatever uses them waits for that.
        self.url = server.stdout.apply(lambda _: f"consul://{host.address}:{CONSUL_PORT}")
        self.https_url = server.stdout.apply(lambda _: https_url)
        self.ui_url = server.stdout.apply(lambda _: f"{https_url}/ui/")
        self.register_outputs({"url": self.url, "uiUrl": self.ui_url})
