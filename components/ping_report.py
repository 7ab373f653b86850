"""Pings between the probes over the overlay, by address and by name, parsed into the report."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi

from components.probe_container import ProbeContainer
from multihost.ping import parse_ping


@dataclass
class PingReportArgs:
    probes: Sequence[ProbeContainer]
    count: int
    """Echo requests per ping."""


class PingReport(pulumi.ComponentResource):
    results: pulumi.Output[list]
    """One entry per ordered pair of probes on different hosts and per target kind (address, name)."""
    all_reachable: pulumi.Output[bool]

    def __init__(self, name: str, args: PingReportArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:PingReport", name, None, opts)
        results = []
        for source in args.probes:
            for destination in args.probes:
                if source.host.name == destination.host.name:
                    continue
                for kind, target in (("address", destination.address), ("name", destination.container_name)):
                    ping = source.host.run(
                        f"{name}-{source.host.name}-to-{destination.host.name}-by-{kind}", "ping-probe",
                        {"PROBE": source.container_name, "TARGET": target, "COUNT": str(args.count)},
                        parent=self, depends_on=[source, destination])
                    results.append(pulumi.Output.all(ping.stdout, target).apply(
                        lambda v, s=source.host.name, d=destination.host.name: parse_ping(v[0], s, d, v[1])))
        self.results = pulumi.Output.all(*results)
        self.all_reachable = self.results.apply(lambda rs: bool(rs) and all(r["reachable"] for r in rs))
        self.register_outputs({"results": self.results, "allReachable": self.all_reachable})
