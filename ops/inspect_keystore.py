"""Print what the cluster store holds: the engines registered and the overlay networks with their
subnets (the classic tutorial's look at the Consul UI, as text). Works on any stack; for a
swarm-mode stack, what its manager holds (ops.inspect_swarm).

    python -m ops.inspect_keystore consul://172.28.128.5:8500
    python -m ops.inspect_keystore --stack sandbox      (the stack's consulUrl)
"""
from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import urlparse

import consul
import requests

from ops import inspect_swarm
from ops.stack import ToolError, stack_outputs

NODES_PREFIX = "docker/nodes/"
NETWORKS_PREFIX = "docker/network/v1.0/network/"


def client_for(url: str) -> consul.Consul:
    """A py-consul client for a cluster store URL such as consul://172.28.128.5:8500."""
    parsed = urlparse(url)
    if parsed.scheme not in ("consul", "http") or not parsed.hostname:
        raise ValueError(f"{url!r} is not consul://HOST:PORT")
    return consul.Consul(host=parsed.hostname, port=parsed.port or 8500)


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


def show_swarm(outputs: dict, as_json: bool) -> int:
    """A swarm-mode stack has no keystore: show what its manager holds instead."""
    manager = outputs["swarmManager"]
    contents = inspect_swarm.read_swarm(manager, outputs["hostAccess"][manager])
    print(json.dumps(contents, indent=2) if as_json else "\n".join(inspect_swarm.describe_swarm(manager, contents)))
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
        client = client_for(url)
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
