"""Turn the text a ping printed into one result of the ping report."""
from __future__ import annotations

import json
import sys

import pingparsing

_PARSER = pingparsing.PingParsing()


def parse_ping(output: str, source: str, destination: str, target: str) -> dict:
    """Parse iputils or busybox ping output into one entry of the `pingResults` stack output:
    from, to, target, transmitted, received, loss_pct, rtt_min_ms/avg/max (None without replies),
    reachable (any reply), and error (why there are no statistics at all, e.g. an unknown host).
    Unknown hosts and lost packets are results, never exceptions."""
    stats = _PARSER.parse(output or "")
    if stats.packet_transmit is None:
        lines = [line.strip() for line in (output or "").splitlines() if line.strip()]
        return no_result(source, destination, target, lines[-1] if lines else "ping printed nothing")
    received = stats.packet_receive or 0
    return {
        "from": source, "to": destination, "target": target,
        "transmitted": stats.packet_transmit,
        "received": received,
        "loss_pct": round(float(stats.packet_loss_rate or 0.0), 1),
        "rtt_min_ms": stats.rtt_min,
        "rtt_avg_ms": stats.rtt_avg,
        "rtt_max_ms": stats.rtt_max,
        "reachable": received > 0,
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


def main() -> int:
    """`python -m multihost.ping OUTPUTS_JSON`: the ping report of `pulumi stack output --json`."""
    outputs = json.load(open(sys.argv[1]))
    if "consulUiUrl" in outputs:
        print("Consul UI:", outputs["consulUiUrl"])
    else:
        print("Swarm manager:", outputs.get("swarmManager"))
    print("ping results (pingResults):")
    for result in outputs["pingResults"]:
        print(" ", describe(result))
    print("allReachable:", outputs["allReachable"])
    return 0 if outputs["allReachable"] else 1


if __name__ == "__main__":
    sys.exit(main())
