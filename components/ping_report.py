"""Pings between the probes over the overlay, by address and by name, parsed into the report."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi

from components.overlay_network import OverlayNetwork
from components.ping import PING_INTERVAL_S, parse_ping_probes, ping_targets
from components.probe_container import ProbeContainer


@dataclass
class PingReportArgs:
    probes: Sequence[ProbeContainer]
    network: OverlayNetwork
    """The overlay the probes are on: what its engines wait for before the pings."""
    count: int
    """Echo requests per ping."""


class PingReport(pulumi.ComponentResource):
    results: pulumi.Output[list]
    """One entry per ordered pair of probes on different hosts and per target kind (address, name)."""
    all_reachable: pulumi.Output[bool]

    def __init__(self, name: str, args: PingReportArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:PingReport", name, None, opts)
        per_source = []
        addresses = {probe.host.name: probe.address for probe in args.probes}
        # On every probe's engine, once all probes are attached (again, when one is made anew); the
        # pings after all of them, as a probe the others' engines do not know yet loses its pings
        # from them and to them.
        wait = args.network.peers_wait
        peers_known = [] if wait is None else [
            probe.host.run(f"{name}-peers-on-{probe.host.name}", wait.script, wait.settings,
                           parent=self, depends_on=list(args.probes),
                           made_again_with=[p.container for p in args.probes])
            for probe in args.probes]
        for source in args.probes:
            targets = ping_targets(source.host.name, addresses)
            # One command per source host pings all its targets at once: N commands, not N².
            ping = source.host.run(
                f"{name}-from-{source.host.name}", "ping-probes",
                {"PROBE": source.container_name, "COUNT": str(args.count), "INTERVAL": PING_INTERVAL_S,
                 "TARGETS": pulumi.Output.all(*[t for _, t in targets]).apply(" ".join)},
                parent=self, depends_on=[*args.probes, *peers_known])
            per_source.append(pulumi.Output.all(ping.stdout, *[t for _, t in targets]).apply(
                lambda v, s=source.host.name, d=[d for d, _ in targets]: parse_ping_probes(v[0], s, list(zip(d, v[1:])))))
        self.results = pulumi.Output.all(*per_source).apply(lambda lists: [r for rs in lists for r in rs])
        self.all_reachable = self.results.apply(lambda rs: bool(rs) and all(r["reachable"] for r in rs))
        self.register_outputs({"results": self.results, "allReachable": self.all_reachable})
