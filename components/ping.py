"""Turn the text a ping printed into one result of the ping report."""
from __future__ import annotations

import re
from typing import Mapping, NamedTuple, Optional, TypeVar

from components.names import probe_name

# Seconds between echo requests: 0.2 is the shortest iputils allows a non-root user, and busybox
# (the probe image) takes it too.
PING_INTERVAL_S = "0.2"

Address = TypeVar("Address")


def ping_targets(source: str, probes: Mapping[str, Address]) -> list[tuple[str, Address | str]]:
    """(destination host, target) for every probe not on `source`, by its overlay address and then by
    its name: the pairs of `pingResults`, in its order. `probes` maps each host to its probe's
    address (a string, or a Pulumi output while the program runs)."""
    return [(destination, target) for destination, address in probes.items() if destination != source
            for target in (address, probe_name(destination))]


class Summary(NamedTuple):
    """The statistics a ping prints at its end; rtt_* are None without replies."""
    transmitted: int
    received: int
    rtt_min: Optional[float]
    rtt_avg: Optional[float]
    rtt_max: Optional[float]


# The two summary lines of the pings ping-probes.sh runs, iputils and busybox (tests/data/ping has
# both, captured):
#   3 packets transmitted, 3 received, 0% packet loss, time 2048ms | rtt min/avg/max/mdev = a/b/c/d ms
#   3 packets transmitted, 3 packets received, 0% packet loss      | round-trip min/avg/max = a/b/c ms
# Read here because pingparsing builds its grammars again on every call, and the report parses
# N×(N-1)×2 outputs on every `up` (docs/performance.md). Anything else goes to pingparsing.
_COUNTS = re.compile(r"^(\d+) packets transmitted, (\d+) (?:packets )?received, [\d.]+% packet loss(?:, time \d+ms)?$")
_RTT = re.compile(r"^(?:rtt min/avg/max/mdev|round-trip min/avg/max) = ([\d.]+)/([\d.]+)/([\d.]+)(?:/[\d.]+)? ms$")


def read_summary(output: str) -> Optional[Summary]:
    """The summary of an iputils or busybox ping, or None when the output has another shape."""
    counts = rtt = None
    for line in output.splitlines():
        counts = counts or _COUNTS.match(line)
        rtt = rtt or _RTT.match(line)
    if counts is None:
        return None
    transmitted, received = int(counts[1]), int(counts[2])
    if (received > 0) != (rtt is not None):
        return None
    rtts = (float(rtt[1]), float(rtt[2]), float(rtt[3])) if rtt else (None, None, None)
    return Summary(transmitted, received, *rtts)


def parse_with_pingparsing(output: str) -> Optional[Summary]:
    """The summary pingparsing reads, or None when there is none (no statistics at all)."""
    import pingparsing  # Imported only here: it is slow to import, and most runs never need it.

    stats = pingparsing.PingParsing().parse(output)
    if stats.packet_transmit is None:
        return None
    return Summary(stats.packet_transmit, stats.packet_receive or 0, stats.rtt_min, stats.rtt_avg, stats.rtt_max)


def parse_ping(output: str, source: str, destination: str, target: str) -> dict:
    """Parse iputils or busybox ping output into one entry of the `pingResults` stack output:
    from, to, target, transmitted, received, loss_pct, rtt_min_ms/avg/max (None without replies),
    reachable (any reply), and error (why there are no statistics at all, e.g. an unknown host).
    Unknown hosts and lost packets are results, never exceptions."""
    output = output or ""
    summary = read_summary(output) or parse_with_pingparsing(output)
    if summary is None:
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        return no_result(source, destination, target, lines[-1] if lines else "ping printed nothing")
    lost = summary.transmitted - summary.received
    return {
        "from": source, "to": destination, "target": target,
        "transmitted": summary.transmitted,
        "received": summary.received,
        # As pingparsing gives it: lost over transmitted.
        "loss_pct": round(100.0 * lost / summary.transmitted, 1) if summary.transmitted else 0.0,
        "rtt_min_ms": summary.rtt_min,
        "rtt_avg_ms": summary.rtt_avg,
        "rtt_max_ms": summary.rtt_max,
        "reachable": summary.received > 0,
        "error": None,
    }


def no_result(source: str, destination: str, target: str, error: str) -> dict:
    """A report entry for a ping that gave no statistics at all, and why."""
    return {
        "from": source, "to": destination, "target": target,
        "transmitted": 0, "received": 0, "loss_pct": 100.0,
        "rtt_min_ms": None, "rtt_avg_ms": None, "rtt_max_ms": None,
        "reachable": False,
        "error": error,
    }


def split_outputs(text: str) -> dict[str, str]:
    """The output of ping-probes.sh, per target: each of its lines is `TARGET <a line ping printed>`
    (the pings run at once, so their lines interleave). A format of our own script, so parsed here:
    pingparsing reads one ping's output at a time."""
    outputs: dict[str, list[str]] = {}
    for line in (text or "").splitlines():
        target, _, rest = line.partition(" ")
        if target:
            outputs.setdefault(target, []).append(rest)
    return {target: "\n".join(lines) for target, lines in outputs.items()}


def parse_ping_probes(text: str, source: str, targets: list[tuple[str, str]]) -> list[dict]:
    """One report entry per (destination host, target) from what ping-probes.sh printed on `source`."""
    outputs = split_outputs(text)
    return [parse_ping(outputs.get(target, ""), source, destination, target) for destination, target in targets]


def describe(result: dict) -> str:
    """One line for a person: who pinged what, replies, loss and round-trip times or the error."""
    if result["rtt_avg_ms"] is not None:
        detail = f"rtt min/avg/max {result['rtt_min_ms']}/{result['rtt_avg_ms']}/{result['rtt_max_ms']} ms"
    else:
        detail = result["error"] or "no reply"
    return (f"{result['from']:>10} -> {result['to']:<10} {result['target']:<16} "
            f"{result['received']}/{result['transmitted']} received, {result['loss_pct']:g}% loss, {detail}")


def passed(result: dict) -> bool:
    """Every echo request of the ping had its reply."""
    return result["transmitted"] > 0 and result["received"] == result["transmitted"]


class PairSummary(NamedTuple):
    """What the pings from one host's probe to another's said, by address and by name together."""
    passed: bool
    """Every ping of the pair had every reply."""
    rtt_avg_ms: Optional[float]
    """The mean of the pings' average round-trip times; None without any reply."""
    loss_pct: float
    """The worst loss among the pair's pings."""


def pair_summaries(results: list[dict]) -> dict[tuple[str, str], PairSummary]:
    """One summary per ordered (from, to) pair of `pingResults`, in its order: one cell of the ping
    matrix, or one edge of the topology picture."""
    pairs: dict[tuple[str, str], list[dict]] = {}
    for result in results:
        pairs.setdefault((result["from"], result["to"]), []).append(result)
    summaries = {}
    for pair, pings in pairs.items():
        rtts = [ping["rtt_avg_ms"] for ping in pings if ping["rtt_avg_ms"] is not None]
        summaries[pair] = PairSummary(passed=all(map(passed, pings)),
                                      rtt_avg_ms=round(sum(rtts) / len(rtts), 3) if rtts else None,
                                      loss_pct=max(ping["loss_pct"] for ping in pings))
    return summaries
