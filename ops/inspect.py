"""make inspect: what holds the overlay's state, as text. For a kv stack, what the cluster store
holds: the engines registered and the overlay networks with their subnets (the classic tutorial's
look at the Consul UI). For a swarm-mode stack, what its manager reports: the engines in the swarm
and its overlay networks.

    python -m ops.inspect --stack sandbox      (the stack's Consul, or its swarm manager)
    python -m ops.inspect consul://HOST:8500   (a Consul of your own, plain HTTP)

A stack's Consul answers only clients with a certificate of the stack's CA, on its underlay
address: the tools reach it through an SSH tunnel to the keystore host, with their own certificate
(output consulToolsTlsFiles: files `pulumi up` made on this machine).
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import urlparse

import consul
import requests

from ops.stack import ToolError, run_host_script, stack_outputs, tools_tls_files, tunnel

NODES_PREFIX = "docker/nodes/"
NETWORKS_PREFIX = "docker/network/v1.0/network/"


def client_for(url: str) -> consul.Consul:
    """A py-consul client for a cluster store URL such as consul://172.28.128.5:8500."""
    parsed = urlparse(url)
    if parsed.scheme not in ("consul", "http") or not parsed.hostname:
        raise ValueError(f"{url!r} is not consul://HOST:PORT")
    return consul.Consul(host=parsed.hostname, port=parsed.port or 8500)


@contextmanager
def stack_keystore(stack: str, outputs: dict) -> Iterator[consul.Consul]:
    """A py-consul client for a kv stack's Consul: through an SSH
    tunnel to the keystore host, presenting the tools' certificate."""
    parsed = urlparse(outputs["consulUrl"])
    access = outputs["hostAccess"][outputs["keystoreHost"]]
    ca, cert, key = tools_tls_files(stack, outputs["consulToolsTlsFiles"])
    with tunnel(access, parsed.hostname, parsed.port) as port:
        # Consul's certificate names 127.0.0.1 too, where the tunnel reaches it from.
        yield consul.Consul(host="127.0.0.1", port=port, scheme="https", verify=ca, cert=(cert, key))


def read_keystore(client: consul.Consul) -> dict:
    """Engines registered under docker/nodes/ and overlay networks under docker/network/."""
    _, nodes = client.kv.get(NODES_PREFIX, recurse=True)
    _, networks = client.kv.get(NETWORKS_PREFIX, recurse=True)
    result = {"engines": sorted(entry["Key"][len(NODES_PREFIX):] for entry in nodes or [] if entry["Value"]),
              "networks": []}
    for entry in networks or []:
        if not entry["Value"]:  # the folder key itself
            continue
        value = json.loads(entry["Value"])
        # libnetwork keeps the IPAM configuration as a JSON string inside the network's JSON.
        ipam = json.loads(value.get("ipamV4Config") or "[]")
        result["networks"].append({
            "id": entry["Key"][len(NETWORKS_PREFIX):].strip("/"),
            "name": value.get("name"),
            "driver": value.get("networkType"),
            "subnets": [pool.get("PreferredPool") for pool in ipam],
        })
    return result


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


def show_swarm(outputs: dict, as_json: bool) -> int:
    """A swarm-mode stack has no keystore: show what its manager holds instead."""
    manager = outputs["swarmManager"]
    contents = read_swarm(manager, outputs["hostAccess"][manager])
    print(json.dumps(contents, indent=2) if as_json else "\n".join(describe_swarm(manager, contents)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", help="the cluster store, consul://HOST:PORT (stack output consulUrl)")
    parser.add_argument("--stack", help="read the URL from this stack's outputs instead")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    if bool(args.url) == bool(args.stack):
        parser.error("give either a consul:// URL or --stack STACK")
    try:
        outputs = stack_outputs(args.stack) if args.stack else {}
        if outputs.get("controlPlane") == "swarm":
            return show_swarm(outputs, args.json)
        url = args.url or outputs["consulUrl"]
        if args.url:
            contents = read_keystore(client_for(url))
        else:
            with stack_keystore(args.stack, outputs) as client:
                contents = read_keystore(client)
    except ValueError as err:
        parser.error(str(err))
    except ToolError as err:
        print(f"inspect: {err}", file=sys.stderr)
        return 1
    except (requests.exceptions.RequestException, consul.ConsulException) as err:
        reason = str(err).splitlines()[0][:200]
        print(f"inspect: the keystore at {url} does not answer ({type(err).__name__}: {reason})", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(contents, indent=2))
        return 0
    print(f"Engines registered in {url} ({len(contents['engines'])}):")
    for node in contents["engines"]:
        print(f"  {node}")
    print(f"Networks ({len(contents['networks'])}):")
    for network in contents["networks"]:
        print(f"  {network['name']:<16} {network['driver']:<8} {', '.join(filter(None, network['subnets']))}  {network['id'][:12]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
