"""make check: the whole ping matrix again, now, on a running stack: every probe pings every other
probe by overlay address and by name, over the same SSH endpoints and host script as `pulumi up`.
Prints one row per ping and exits 1 if any ping lost a packet (usable from cron or CI). A host or
engine that cannot be reached makes its rows say why; it does not stop the others.

    python -m ops.check --stack sandbox
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from components.names import probe_name
from components.ping import PING_INTERVAL_S, describe, no_result, parse_ping_probes, passed, ping_targets
from ops.stack import ToolError, run_host_script, stack_outputs

HOST_TIMEOUT_S = 60


def pings_from(source: str, access: dict, probes: dict[str, str], count: int) -> list[dict]:
    """Run ping-probes.sh on the source host over SSH; one result per target."""
    targets = ping_targets(source, probes)
    settings = {"PROBE": probe_name(source), "COUNT": str(count), "INTERVAL": PING_INTERVAL_S,
                "TARGETS": " ".join(target for _, target in targets)}
    where = f"{access['user']}@{access['address']}:{access['port']}"
    try:
        done = run_host_script(access, "ping-probes", settings, timeout=HOST_TIMEOUT_S)
        last_error = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        error = (None if done.returncode == 0 else
                 f"host {source} unreachable over SSH ({where}): {last_error}" if done.returncode == 255 else
                 f"ping-probes.sh failed on {source}: {last_error}")
    except subprocess.TimeoutExpired:
        error = f"host {source} did not answer within {HOST_TIMEOUT_S} s ({where})"
    except ToolError as err:  # it serves another host key than the pinned one
        error = str(err)
    if error:
        return [no_result(source, destination, target, error) for destination, target in targets]
    return parse_ping_probes(done.stdout, source, targets)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--count", type=int, default=3, help="echo requests per ping (default 3)")
    args = parser.parse_args(argv)
    try:
        outputs = stack_outputs(args.stack)
    except ToolError as err:
        print(f"check: {err}", file=sys.stderr)
        return 1
    probes, access = outputs["probeAddresses"], outputs["hostAccess"]
    with ThreadPoolExecutor(max_workers=len(probes)) as pool:
        per_source = pool.map(lambda source: pings_from(source, access[source], probes, args.count), probes)
        results = [result for results in per_source for result in results]
    for result in results:
        print(("ok    " if passed(result) else "FAIL  ") + describe(result))
    failed = [r for r in results if not passed(r)]
    print(f"check: {len(results) - len(failed)} passed, {len(failed)} failed ({args.stack})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
