"""Getting an image onto a host's engine: pulled by pulumi-docker, or loaded from a `docker save`
archive the host has (machines without a container registry, air-gapped sites)."""
from __future__ import annotations

from typing import Optional, Sequence

import pulumi
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
    # Only the host is needed for the archive to get there: it goes while the engine starts.
    remote_path, archive_ready = host.file_on_host(f"{resource_prefix}-image-archive", archive, parent)
    return host.run(f"{resource_prefix}-image-load", "load-image",
                    {"IMAGE": image, "ARCHIVE": remote_path}, parent=parent, depends_on=[*archive_ready, *depends_on])
