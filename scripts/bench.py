"""make bench: the sandbox topology with 2, 4 and 8 engines, timed, and the overlay against the
underlay between two hosts. Writes docs/benchmark.md (the table) and docs/benchmark.png (the
chart) and prints the table. Tears down what it made, also when it fails.

Run through make (it sets the Pulumi environment). Settings: BENCH_ENGINES (default "2 4 8"),
BENCH_ROUNDS (default 3): each round stands every engine count up in turn, and the table gives
each figure's median over the rounds with its range (one run varies by a second or more here).
With the times it gives the CPU the whole machine used during each first `up`: over the cores,
that bounds how short the `up` can be however its steps overlap.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from components.names import host_container_name, probe_name  # noqa: E402
from components.ping import describe  # noqa: E402
from ops.stack import ToolError, stack_outputs  # noqa: E402
from scripts.harness import leftovers, write_stack_file  # noqa: E402

DOCS = ROOT / "docs"
BASE_STACK = "sandbox"
IPERF_SECONDS = 5
RTT_PINGS = 20


@dataclass
class Run:
    engines: int
    first_up_s: float
    second_up_s: float
    destroy_s: float
    resources: int
    pings: int
    all_reachable: bool
    # The whole machine's CPU time while the first `up` ran (every process: Pulumi, the program, the
    # local engine, the hosts' engines), from /proc/stat; None where there is none.
    first_up_cpu_s: Optional[float] = None


def sh(*args: str, check: bool = True) -> str:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    if check and done.returncode != 0:
        # Pulumi's diagnostics say which resource failed and why; the whole output goes to a file.
        log = ROOT / ".state" / "bench-failed.log"
        log.write_text(done.stdout + done.stderr)
        diagnostics = done.stdout.partition("Diagnostics:")[2].partition("\nResources:")[0]
        raise RuntimeError(f"`{' '.join(args)}` failed (exit {done.returncode}); whole output in {log}:\n"
                           f"{(diagnostics or done.stdout)[-3000:]}{done.stderr[-1000:]}")
    return done.stdout


def timed(*args: str) -> float:
    started = time.monotonic()
    sh(*args)
    return time.monotonic() - started


def machine_cpu_s() -> Optional[float]:
    """CPU time the machine has spent busy since boot (all but idle and iowait), in seconds."""
    try:
        ticks = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return None
    return (sum(ticks[:8]) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def timed_with_cpu(*args: str) -> tuple[float, Optional[float]]:
    """Wall time of the command, and the machine's CPU time meanwhile."""
    cpu_before = machine_cpu_s()
    wall = timed(*args)
    cpu_after = machine_cpu_s()
    return wall, (cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None)


def ping_rtt_ms(container: str, *inner: str, target: str) -> float:
    """Average RTT of RTT_PINGS echo requests, from a host container (or a probe inside it)."""
    out = sh("docker", "exec", container, *inner, "ping", "-c", str(RTT_PINGS), "-i", "0.2", target)
    return float(re.search(r"= [\d.]+/([\d.]+)/", out).group(1))


def iperf_gbits(server: str, server_netns: str, client: str, client_netns: str, target: str) -> float:
    """TCP throughput from client to server, iperf3 run by each host (in a probe's network
    namespace for the overlay: the busybox probe image has no iperf3)."""
    def in_netns(probe: str, command: str) -> str:
        if not probe:
            return command
        return f"nsenter -t $(docker inspect -f '{{{{.State.Pid}}}}' {probe}) -n {command}"

    sh("docker", "exec", server, "sh", "-c", in_netns(server_netns, "iperf3 -s -1 -D"))
    # iperf3 -D returns before the server listens: wait for its port, at most 10 s.
    listening = in_netns(server_netns, "ss -Hltn 'sport = :5201'")
    sh("docker", "exec", server, "sh", "-c",
       f"for i in $(seq 50); do [ -n \"$({listening})\" ] && exit 0; sleep 0.2; done; "
       f"echo 'iperf3 server did not listen within 10 s' >&2; exit 1")
    out = sh("docker", "exec", client, "sh", "-c", in_netns(client_netns, f"iperf3 -c {target} -t {IPERF_SECONDS} -J"))
    return json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9


def overlay_versus_underlay(stack: str, outputs: dict) -> dict:
    first, second = "mhs-demo0", "mhs-demo1"
    a, b = host_container_name(stack, first), host_container_name(stack, second)
    underlay_b = outputs["hostAddresses"][second]
    overlay_b = outputs["probeAddresses"][second]
    return {
        "underlay_rtt_ms": ping_rtt_ms(a, target=underlay_b),
        "overlay_rtt_ms": ping_rtt_ms(a, "docker", "exec", probe_name(first), target=overlay_b),
        "underlay_gbits": iperf_gbits(b, "", a, "", underlay_b),
        "overlay_gbits": iperf_gbits(b, probe_name(second), a, probe_name(first), overlay_b),
    }


def bench(engines: int, measure_paths: bool) -> tuple[Run, dict]:
    stack = f"bench-{engines}"
    config = write_stack_file(stack, BASE_STACK, {"engines": [{"name": f"mhs-demo{i}", "address": f"172.28.128.{6 + i}"}
                                                              for i in range(engines)]})
    sh("pulumi", "stack", "select", "--create", stack)
    paths: dict = {}
    try:
        print(f"bench: {engines} engines: first up", file=sys.stderr, flush=True)
        first, first_cpu = timed_with_cpu("pulumi", "up", "--stack", stack, "--yes", "--skip-preview")
        outputs = stack_outputs(stack)
        # A failed ping is a result of the run: say which, so that it can be looked into.
        for result in outputs["pingResults"]:
            if not result["reachable"] or result["loss_pct"] > 0:
                print(f"bench: {engines} engines: ping FAILED: {describe(result)}", file=sys.stderr, flush=True)
        resources = len(json.loads(sh("pulumi", "stack", "export", "--stack", stack))["deployment"]["resources"])
        print(f"bench: {engines} engines: second up", file=sys.stderr, flush=True)
        second = timed("pulumi", "up", "--stack", stack, "--yes", "--skip-preview", "--expect-no-changes")
        if measure_paths:
            print("bench: overlay versus underlay (ping, iperf3)", file=sys.stderr, flush=True)
            paths = overlay_versus_underlay(stack, outputs)
    finally:
        print(f"bench: {engines} engines: destroy", file=sys.stderr, flush=True)
        destroy = timed("pulumi", "destroy", "--stack", stack, "--yes", "--skip-preview")
        sh("pulumi", "stack", "rm", "--stack", stack, "--yes", "--force")
        config.unlink(missing_ok=True)
    left = leftovers(stack)
    if left:
        raise RuntimeError(f"{engines} engines: left on the local engine after destroy: {', '.join(left)}")
    return Run(engines, first, second, destroy, resources, len(outputs["pingResults"]),
               outputs["allReachable"], first_cpu), paths


def median_range(values: list[float]) -> str:
    """Median, and the range when there is more than one value: `19.6 (18.9–20.3)`."""
    median = f"{statistics.median(values):.1f}"
    return median if len(values) == 1 else f"{median} ({min(values):.1f}–{max(values):.1f})"


def table(rounds: list[list[Run]], paths: dict, cores: Optional[int] = os.cpu_count()) -> str:
    """One row per engine count: each time as the median over the rounds (and range)."""
    per_count = [list(runs) for runs in zip(*rounds)]  # [count][round]

    def cpu(runs: list[Run]) -> str:
        values = [r.first_up_cpu_s for r in runs]
        return "–" if None in values else median_range(values)

    lines = [f"Rounds: {len(rounds)}; each time is the median of the rounds, the range in brackets.", "",
             "| engines | first `up` (s) | second `up` (s) | destroy (s) | CPU of the first `up` (s) | resources | pings | all reachable |",
             "|---:|---:|---:|---:|---:|---:|---:|:---:|"]
    lines += [f"| {runs[0].engines} | {median_range([r.first_up_s for r in runs])} | {median_range([r.second_up_s for r in runs])} | "
              f"{median_range([r.destroy_s for r in runs])} | {cpu(runs)} | {runs[0].resources} | {runs[0].pings} | "
              f"{'yes' if all(r.all_reachable for r in runs) else 'NO'} |" for runs in per_count]
    if len(per_count) > 1:
        smallest, largest = per_count[0], per_count[-1]
        smallest_median = statistics.median(r.first_up_s for r in smallest)
        median_ratio = statistics.median(r.first_up_s for r in largest) / smallest_median
        per_round = ", ".join(f"{big.first_up_s / small.first_up_s:.2f}x" for small, big in zip(smallest, largest))
        lines += ["", f"First `up` with {largest[0].engines} engines is {median_ratio:.2f}x the "
                      f"{smallest[0].engines}-engine one (medians; per round: {per_round})."]
        largest_cpu = [r.first_up_cpu_s for r in largest]
        if cores and None not in largest_cpu:
            # However well its steps overlap, an `up` cannot take less than its CPU time over the cores.
            cpu_median = statistics.median(largest_cpu)
            floor = cpu_median / cores
            lines += ["", f"CPU: the {largest[0].engines}-engine first `up` used {cpu_median:.1f} s of "
                          f"this machine's CPU (median); on {cores} cores no overlap of its steps makes it shorter than "
                          f"{floor:.1f} s, {floor / smallest_median:.2f}x the {smallest[0].engines}-engine first `up`."]
    if paths:
        lines += ["", "| path (two engines) | RTT avg (ms) | TCP throughput (Gbit/s) |", "|---|---:|---:|",
                  f"| host to host (underlay) | {paths['underlay_rtt_ms']:.3f} | {paths['underlay_gbits']:.2f} |",
                  f"| probe to probe (overlay) | {paths['overlay_rtt_ms']:.3f} | {paths['overlay_gbits']:.2f} |",
                  f"| overlay / underlay | {paths['overlay_rtt_ms'] / paths['underlay_rtt_ms']:.2f}x | "
                  f"{paths['overlay_gbits'] / paths['underlay_gbits']:.2f}x |"]
    return "\n".join(lines) + "\n"


def chart(rounds: list[list[Run]], path: Path) -> None:
    """Medians against engines, the bars spanning the rounds' range."""
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib import pyplot

    per_count = [list(runs) for runs in zip(*rounds)]
    engines = [runs[0].engines for runs in per_count]
    plot, axes = pyplot.subplots(figsize=(6, 3.6), dpi=100)
    for label, field in (("first up", "first_up_s"), ("second up", "second_up_s"), ("destroy", "destroy_s")):
        values = [[getattr(r, field) for r in runs] for runs in per_count]
        medians = [statistics.median(v) for v in values]
        below = [m - min(v) for m, v in zip(medians, values)]
        above = [max(v) - m for m, v in zip(medians, values)]
        axes.errorbar(engines, medians, yerr=[below, above], marker="o", capsize=3, label=label)
    axes.set_xlabel("engines")
    axes.set_ylabel("seconds")
    axes.set_xticks(engines)
    axes.set_ylim(bottom=0)
    axes.set_title(f"sandbox stack: time against engines (median of {len(rounds)} rounds)")
    axes.grid(alpha=0.3)
    axes.legend()
    plot.tight_layout()
    plot.savefig(path)


def main() -> int:
    counts = [int(n) for n in os.environ.get("BENCH_ENGINES", "2 4 8").split()]
    rounds_wanted = int(os.environ.get("BENCH_ROUNDS", "3"))
    if not counts or rounds_wanted < 1:
        print("bench: BENCH_ENGINES needs at least one engine count and BENCH_ROUNDS at least 1", file=sys.stderr)
        return 2
    rounds: list[list[Run]] = []
    paths: dict = {}
    try:
        for number in range(1, rounds_wanted + 1):
            print(f"bench: round {number} of {rounds_wanted}", file=sys.stderr, flush=True)
            runs = []
            for n in counts:
                run, measured = bench(n, measure_paths=(n == counts[0] and not paths))
                runs.append(run)
                paths = paths or measured
            rounds.append(runs)
    except (RuntimeError, ToolError) as error:
        print(f"bench: FAILED: {error}", file=sys.stderr)
        return 1
    DOCS.mkdir(exist_ok=True)
    text = table(rounds, paths)
    (DOCS / "benchmark.md").write_text(f"# Benchmark (`make bench`, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores)\n\n{text}")
    chart(rounds, DOCS / "benchmark.png")
    print(text)
    print(f"bench: wrote {DOCS / 'benchmark.md'} and {DOCS / 'benchmark.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
