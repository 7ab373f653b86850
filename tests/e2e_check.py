"""Checks a running sandbox stack from its outputs and its keystore, for `make e2e`.

    python tests/e2e_check.py OUTPUTS_JSON   (from `pulumi stack output --json --show-secrets`)
Exits 1 with the reasons when anything is missing; prints the ping summary either way.
"""
from __future__ import annotations

import json
import sys
from itertools import permutations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from multihost.inspect_keystore import client_for, read_keystore  # noqa: E402
from multihost.ping import describe  # noqa: E402


def check(outputs: dict) -> list[str]:
    problems = []
    results = outputs.get("pingResults") or []
    probes = outputs.get("probeAddresses") or {}
    hosts = sorted(probes)
    for source, destination in permutations(hosts, 2):
        for kind in ("address", "name"):
            expected_target = probes[destination] if kind == "address" else f"probe-{destination}"
            matches = [r for r in results if r["from"] == source and r["to"] == destination and r["target"] == expected_target]
            if not matches:
                problems.append(f"no ping from {source} to {destination} by {kind} ({expected_target})")
            for r in matches:
                if not (r["reachable"] and r["loss_pct"] == 0 and r["received"] == r["transmitted"] > 0):
                    problems.append(f"{source} -> {destination} by {kind}: {r['received']}/{r['transmitted']} replies, "
                                    f"{r['loss_pct']}% loss{', ' + r['error'] if r.get('error') else ''}")
    if len(hosts) < 2:
        problems.append(f"fewer than two probes: {probes}")
    if outputs.get("allReachable") is not True:
        problems.append(f"allReachable is {outputs.get('allReachable')!r}")

    keystore = read_keystore(client_for(outputs["consulUrl"]))
    host_addresses = outputs.get("hostAddresses") or {}
    for host in hosts:
        node = f"{host_addresses[host]}:2376"
        if node not in keystore["engines"]:
            problems.append(f"engine {host} ({node}) is not registered in Consul: {keystore['engines']}")
    overlays = [n for n in keystore["networks"] if n["driver"] == "overlay"]
    if not overlays:
        problems.append(f"no overlay network in Consul: {keystore['networks']}")
    return problems


def main() -> int:
    outputs = json.loads(Path(sys.argv[1]).read_text())
    print("ping results:")
    for result in outputs.get("pingResults") or []:
        print(f"  {describe(result)}")
    problems = check(outputs)
    for problem in problems:
        print(f"e2e check FAILED: {problem}", file=sys.stderr)
    if not problems:
        print(f"e2e check passed: {len(outputs['pingResults'])} pings, all replies, 0% loss; engines registered and overlay in Consul")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
