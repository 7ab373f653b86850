"""Getting an image onto a host's engine: pulled by pulumi-docker, or loaded from a `docker save`
archive copied over SSH (machines without a container registry, air-gapped sites)."""
from __future__ import annotations

import os
from typing import Optional, Sequence

import pulumi
import pulumi_command as command
import pulumi_docker as docker

from components.host import Host


def ensure_image(resource_prefix: str, host: Host, provider: docker.Provider, image: str,
                 archive: Optional[str], parent: pulumi.Resource,
                 depends_on: Sequence[pulumi.Resource]) -> pulumi.Resource:
    """The resource after which `image` is on the host's engine."""
    if archive is None:
        return docker.RemoteImage(
            f"{resource_prefix}-image",
            name=image,
            keep_locally=True,
            opts=host.on_host(parent, depends_on, provider),
        )
    remote_path = f"/var/tmp/multihost-{os.path.basename(archive)}"
    copy = command.remote.CopyToRemote(
        f"{resource_prefix}-image-archive",
        connection=host.connection(),
        source=pulumi.FileAsset(archive),
        remote_path=remote_path,
        # Only the host is needed for the copy: it goes while the engine starts.
        opts=host.on_host(parent, [host]),
    )
    return host.run(f"{resource_prefix}-image-load", "load-image",
                    {"IMAGE": image, "ARCHIVE": remote_path}, parent=parent, depends_on=[copy, *depends_on])
