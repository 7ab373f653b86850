"""Getting an image onto a host's engine: loaded from a `docker save` archive the host has
(machines without a container registry, air-gapped sites), or pulled. It is the `load-image` step
of the command that runs the container, in the same SSH session."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import pulumi

from components.host import Host


@dataclass
class ImageSource:
    """The `load-image` step's settings, and what must be done before it can run."""

    settings: dict[str, str]
    """IMAGE, and ARCHIVE: the archive's path on the host (empty: pull IMAGE)."""
    ready: list[pulumi.Resource] = field(default_factory=list)
    """The archive's copy to the host, where it has to be copied."""


def image_source(resource_prefix: str, host: Host, image: str, archive: Optional[str],
                 parent: pulumi.Resource) -> ImageSource:
    """Where `host` gets `image` from. Only the host is needed for an archive to get there: it is
    copied while the engine starts."""
    if archive is None:
        return ImageSource({"IMAGE": image, "ARCHIVE": ""})
    remote_path, archive_ready = host.file_on_host(f"{resource_prefix}-image-archive", archive, parent)
    return ImageSource({"IMAGE": image, "ARCHIVE": remote_path}, archive_ready)
