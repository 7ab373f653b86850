"""make graph: a running stack's topology as a picture, .sandbox/STACK/topology.svg and .png (and the
DOT text they are drawn from, topology.dot): the hosts with their engines and the keystore or the
swarm manager on top, the overlay network below with the probes on it, and the pings between
them as edges, green where every ping had every reply at `up`, red where any was lost.

    python -m ops.graph --stack sandbox
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Optional

from components.names import probe_name
from components.ping import PairSummary, pair_summaries
from ops.stack import ToolError, host_roles, shown, stack_dir, stack_outputs

GREEN, RED, GREY = "#2e7d32", "#c62828", "#757575"
FORMATS = ("svg", "png")
RENDER_TIMEOUT_S = 60
# Above this many engines the edges of pairs with every reply carry no times: their labels would
# cover the picture (make up's ping matrix has every time).
MAX_ENGINES_WITH_TIMES = 4


def quoted(text: str) -> str:
    """A DOT string of any text; line breaks become DOT's centred \\n."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def attributes(**values: str) -> str:
    return "[" + ", ".join(f"{key}={quoted(value)}" for key, value in values.items()) + "]"


def engine_node(host: str) -> str:
    return quoted(f"engine {host}")


def probe_node(host: str) -> str:
    return quoted(f"probe {host}")


KEYSTORE_NODE = quoted("keystore")
LEGEND = "arrows between probes: their pings at up (green: every reply, red: loss)"


def colour_of(summary: Optional[PairSummary]) -> str:
    return GREY if summary is None else GREEN if summary.passed else RED


def result_text(summary: Optional[PairSummary], engines: int) -> str:
    """What the pings one way said: their loss, or their time while the picture has room for it."""
    if summary is None:
        return ""
    if not summary.passed:
        return f"{summary.loss_pct:g}% loss"
    if summary.rtt_avg_ms is None or engines > MAX_ENGINES_WITH_TIMES:
        return ""
    return f"{summary.rtt_avg_ms:.2f} ms"


def ping_edge(left: str, right: str, to_right: Optional[PairSummary], to_left: Optional[PairSummary],
              engines: int) -> str:
    """The edge between two probes, drawn from the left one to the right one. Each half of it,
    arrowhead included, is in the colour of the pings to the probe at its end; in the label, →
    is the pings to the right, ← those to the left, and one time alone is both ways' mean."""
    at_left, at_right = colour_of(to_left), colour_of(to_right)
    if at_left == at_right == GREEN:
        rtts = [summary.rtt_avg_ms for summary in (to_right, to_left) if summary.rtt_avg_ms is not None]
        label = result_text(PairSummary(True, sum(rtts) / len(rtts) if rtts else None, 0.0), engines)
    else:
        label = "\n".join(f"{arrow} {text}" for arrow, text in (("→", result_text(to_right, engines)),
                                                                ("←", result_text(to_left, engines))) if text)
    return (f"{probe_node(left)} -> {probe_node(right)} "
            + attributes(label=label, color=at_left if at_left == at_right else f"{at_left};0.5:{at_right}",
                         fontcolor=RED if RED in (at_left, at_right) else at_left, penwidth="1.5",
                         dir="both" if to_right and to_left else "forward" if to_right else "back",
                         # No constraint on ranks: the probes keep their row.
                         constraint="false") + ";")


def ping_edges(results: list[dict], order: list[str]) -> list[str]:
    """One edge per two probes that pinged each other, each drawn left to right in the row's
    `order`: the edges then keep the probes in that order too."""
    summaries = pair_summaries(results)
    order = order + [host for pair in summaries for host in pair if host not in order]
    position = {host: index for index, host in enumerate(order)}
    pairs = sorted({tuple(sorted(pair, key=position.__getitem__)) for pair in summaries},
                   key=lambda pair: (position[pair[0]], position[pair[1]]))
    return [ping_edge(left, right, summaries.get((left, right)), summaries.get((right, left)), len(order))
            for left, right in pairs]


def host_cluster(host: str, role: str, outputs: dict) -> list[str]:
    """A host as a box around what runs on it: Consul, or its engine."""
    address = (outputs.get("hostAddresses") or {})[host]
    if role == "keystore":
        inside = f"{KEYSTORE_NODE} " + attributes(label=f"Consul (keystore)\n{outputs.get('consulUrl', '')}",
                                                  fillcolor="#fff3e0")
    else:
        label = "Docker engine" + (f"\nswarm {role}" if outputs.get("controlPlane") == "swarm" else "")
        inside = f"{engine_node(host)} " + attributes(label=label, fillcolor="#e3f2fd")
    return [f"  subgraph {quoted(f'cluster host {host}')} {{",
            "    graph " + attributes(label=f"{host}\n{address}", style="rounded", color=GREY) + ";",
            f"    {inside};",
            "  }"]


def overlay_cluster(outputs: dict) -> list[str]:
    """The overlay as a box around the probes, in one row in the hosts' order, and their pings."""
    network, probes = outputs.get("overlayNetwork") or {}, outputs.get("probeAddresses") or {}
    label = " ".join(["overlay", *filter(None, (network.get("name"), network.get("subnet")))])
    lines = [f"  subgraph {quoted('cluster overlay')} {{",
             "    graph " + attributes(label=label + (", encrypted" if network.get("encrypted") else ""), labelloc="b",
                                       style="rounded,filled", color="#b39ddb", fillcolor="#f3effa") + ";"]
    lines += [f"    {probe_node(host)} " + attributes(label=f"{probe_name(host)}\n{address}", fillcolor="#e8f5e9") + ";"
              for host, address in probes.items()]
    if len(probes) > 1:
        lines.append("    { rank=same; " + " -> ".join(map(probe_node, probes)) + " [style=invis]; }")
    lines += ["    " + edge for edge in ping_edges(outputs.get("pingResults") or [], list(probes))]
    return lines + ["  }"]


def dot(stack: str, outputs: dict) -> str:
    """The DOT text of the stack's topology, from its outputs."""
    roles = host_roles(outputs)
    plane = outputs.get("controlPlane", "kv")
    lines = [
        f"digraph {quoted(stack)} {{",
        "  graph " + attributes(label=f"stack {stack} ({plane})\n{LEGEND}", labelloc="t", fontname="Helvetica",
                                nodesep="0.4", ranksep="0.6", compound="true") + ";",
        "  node " + attributes(fontname="Helvetica", fontsize="11", shape="box", style="rounded,filled",
                               fillcolor="#f5f5f5") + ";",
        "  edge " + attributes(fontname="Helvetica", fontsize="9", color=GREY) + ";",
    ]
    for host, role in roles.items():
        lines += host_cluster(host, role, outputs)
    lines += overlay_cluster(outputs)
    # Each edge points back at the control plane: the keystore ranks above the engines, a swarm's
    # manager stays in their row. A store's edge ends at the hosts' boxes, clear of their labels.
    for host, role in roles.items():
        if role == "engine":
            lines.append(f"  {KEYSTORE_NODE} -> {engine_node(host)} "
                         + attributes(label="cluster-store", dir="back", style="dashed",
                                      ltail=f"cluster host {outputs.get('keystoreHost', '')}",
                                      lhead=f"cluster host {host}") + ";")
        elif role == "worker":
            lines.append(f"  {engine_node(outputs.get('swarmManager', ''))} -> {engine_node(host)} "
                         + attributes(label="joins", dir="back", style="dashed", constraint="false") + ";")
    lines += [f"  {engine_node(host)} -> {probe_node(host)} " + attributes(label="runs") + ";"
              for host in outputs.get("probeAddresses") or {}]
    return "\n".join(lines + ["}"]) + "\n"


def render(text: str, folder: Path) -> list[Path]:
    """topology.dot, and the pictures `dot` draws from it."""
    source = folder / "topology.dot"
    source.write_text(text)
    if not shutil.which("dot"):
        raise ToolError(f"no `dot` on PATH to draw {source}: install graphviz (apt-get install graphviz)")
    written = []
    for fmt in FORMATS:
        target = folder / f"topology.{fmt}"
        try:
            done = subprocess.run(["dot", f"-T{fmt}", "-o", str(target), str(source)], capture_output=True, text=True,
                                  timeout=RENDER_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise ToolError(f"dot did not draw {target} within {RENDER_TIMEOUT_S} s") from None
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
            raise ToolError(f"dot could not draw {target} from {source}: {reason}")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    try:
        outputs = stack_outputs(args.stack)
        written = render(dot(args.stack, outputs), stack_dir(args.stack))
    except ToolError as err:
        print(f"graph: {err}", file=sys.stderr)
        return 1
    print("graph: wrote " + " and ".join(map(shown, written)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
