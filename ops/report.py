"""make up's summary of the stack it just stood up, for a person, on one screen: the hosts and
their addresses, the control plane, the overlay network and the ping matrix.

    python -m ops.report --stack sandbox
"""
from __future__ import annotations

import argparse
import sys
from typing import Optional

from components.ping import PairSummary, describe, pair_summaries, passed
from ops.stack import ToolError, host_roles, stack_outputs

PASS, FAIL, SELF, UNKNOWN = "✓", "✗", "·", "?"
# Failed pings spelled out under the matrix; `make check` lists every ping.
MAX_FAILURES = 10
# Room in a cell for "✓ 123.45" or "✗ 100%".
CELL_WIDTH = 8


def cell(summary: Optional[PairSummary]) -> str:
    """One pair in the matrix: ✓ and the average round-trip time, ✗ and the worst loss."""
    if summary is None:  # the outputs hold no ping of the pair
        return UNKNOWN
    if not summary.passed:
        return f"{FAIL} {summary.loss_pct:g}%"
    return PASS if summary.rtt_avg_ms is None else f"{PASS} {summary.rtt_avg_ms:.2f}"


def engines_of(outputs: dict) -> list[str]:
    """The hosts with a probe, in the outputs' order: the rows and columns of the matrix."""
    names = list(outputs.get("probeAddresses") or {})
    for result in outputs["pingResults"]:
        names += [name for name in (result["from"], result["to"]) if name not in names]
    return names


def ping_matrix(outputs: dict) -> list[str]:
    """From each row's host to each column's host, by address and by name together."""
    engines, summaries = engines_of(outputs), pair_summaries(outputs["pingResults"])
    corner = "from \\ to"
    first = max(len(corner), *map(len, engines))
    width = max(CELL_WIDTH, *map(len, engines))
    rows = [f"  {corner:<{first}}  " + "  ".join(f"{name:<{width}}" for name in engines)]
    for source in engines:
        cells = [SELF if source == destination else cell(summaries.get((source, destination)))
                 for destination in engines]
        rows.append(f"  {source:<{first}}  " + "  ".join(f"{text:<{width}}" for text in cells))
    return [line.rstrip() for line in rows]


def host_lines(outputs: dict) -> list[str]:
    addresses, probes = outputs.get("hostAddresses") or {}, outputs.get("probeAddresses") or {}
    roles = host_roles(outputs)
    name_width = max(map(len, addresses), default=0)
    address_width = max(map(len, addresses.values()), default=0)
    return [(f"  {name:<{name_width}}  {address:<{address_width}}  {roles[name]:<8}"
             + (f"  probe {probes[name]}" if name in probes else "")).rstrip()
            for name, address in addresses.items()]


def control_plane_line(outputs: dict) -> str:
    if outputs.get("controlPlane") == "swarm":
        manager = outputs.get("swarmManager")
        address = (outputs.get("hostAddresses") or {}).get(manager)
        return f"Swarm manager: {manager}" + (f" ({address})" if address else "")
    # Consul asks for a client certificate of the stack's CA; make consul-ui needs none (SSH).
    return f"Consul UI: {outputs.get('consulUiUrl')} (client certificate), or `make consul-ui` (SSH tunnel)"


def overlay_line(outputs: dict) -> Optional[str]:
    """None for a stack made before the output existed."""
    network = outputs.get("overlayNetwork")
    if not network:
        return None
    encrypted = ", encrypted (IPsec)" if network.get("encrypted") else ""
    return f"Overlay network: {network['name']} {network['subnet']}{encrypted}"


def failure_lines(stack: str, results: list[dict]) -> list[str]:
    failed = [result for result in results if not passed(result)]
    if not failed:
        return []
    lines = [f"Failed pings ({len(failed)}):"] + [f"  {describe(result).strip()}" for result in failed[:MAX_FAILURES]]
    if len(failed) > MAX_FAILURES:
        lines.append(f"  … and {len(failed) - MAX_FAILURES} more: make check STACK={stack}")
    return lines


def summary(stack: str, outputs: dict) -> list[str]:
    """The report's lines."""
    overlay = overlay_line(outputs)
    return [
        f"Stack {stack} (control plane {outputs.get('controlPlane', 'kv')})",
        f"Hosts ({len(outputs.get('hostAddresses') or {})}):",
        *host_lines(outputs),
        control_plane_line(outputs),
        *([overlay] if overlay else []),
        f"Pings from each row to each column, by address and by name ({PASS} average RTT in ms, {FAIL} loss):",
        *ping_matrix(outputs),
        *failure_lines(stack, outputs["pingResults"]),
        f"allReachable: {'true' if outputs['allReachable'] else 'false'}",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    try:
        outputs = stack_outputs(args.stack)
    except ToolError as err:
        print(f"report: {err}", file=sys.stderr)
        return 1
    print("\n".join(summary(args.stack, outputs)))
    return 0 if outputs["allReachable"] else 1


if __name__ == "__main__":
    sys.exit(main())
