"""`make inspect` for a swarm-mode stack: the engines in the swarm and its overlay networks, as
the manager reports them (what `make inspect` shows of Consul for a kv stack)."""
from __future__ import annotations

import json
import subprocess

from ops.stack import ToolError, run_host_script

MANAGER_TIMEOUT_S = 30


def parse_swarm(text: str) -> dict:
    """The lines of show-swarm.sh as {"engines": [...], "networks": [...]}."""
    result: dict = {"engines": [], "networks": []}
    for line in text.splitlines():
        kind, _, payload = line.partition(" ")
        if kind == "node":
            node = json.loads(payload)
            result["engines"].append({"name": node["Hostname"], "role": "manager" if node["ManagerStatus"] else "worker",
                                      "status": node["Status"], "version": node["EngineVersion"]})
        elif kind == "network":
            network = json.loads(payload)
            result["networks"].append({
                "id": network["Id"], "name": network["Name"], "driver": network["Driver"],
                "subnets": [pool.get("Subnet") for pool in (network.get("IPAM") or {}).get("Config") or []],
                "encrypted": "encrypted" in (network.get("Options") or {}),
            })
    return result


def read_swarm(manager: str, access: dict) -> dict:
    """Run show-swarm.sh on the manager over SSH (its hostAccess entry)."""
    try:
        done = run_host_script(access, "show-swarm", None, timeout=MANAGER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise ToolError(f"the swarm manager {manager} does not answer within {MANAGER_TIMEOUT_S}s") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise ToolError(f"the swarm manager {manager} ({access['address']}:{access['port']}) does not answer ({reason})")
    return parse_swarm(done.stdout)


def describe_swarm(manager: str, contents: dict) -> list[str]:
    lines = [f"Engines in the swarm of {manager} ({len(contents['engines'])}):"]
    lines += [f"  {e['name']:<16} {e['role']:<8} {e['status']:<8} {e['version']}" for e in contents["engines"]]
    lines.append(f"Networks ({len(contents['networks'])}):")
    lines += [f"  {n['name']:<16} {n['driver']:<8} {', '.join(filter(None, n['subnets']))}"
              f"{'  encrypted' if n['encrypted'] else ''}  {n['id'][:12]}" for n in contents["networks"]]
    return lines
