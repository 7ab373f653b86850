"""After a failed destroy: which hosts of the stack cannot be reached over SSH, and how to finish.

    python -m ops.reach --stack STACK                the advice (after `pulumi destroy` failed)
    python -m ops.reach --stack STACK --forget HOST  `make forget-host`: the stack forgets what
                                                           lives on HOST (it stays there)

For each unreachable host, one line naming it and where it was reached; for an existing machine
(`ssh` kind), which the stack does not own, the exact commands that finish the destroy without it.
Hosts the stack made (sandbox containers, Vagrant VMs) never block a destroy: what lives on them
is deleted with them.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import sys
from concurrent.futures import ThreadPoolExecutor

from components.names import PROJECT
from ops.stack import SSH_CONNECT_TIMEOUT_S, ToolError, ssh_argv, stack_outputs


def unreachable_reason(access: dict) -> str | None:
    """None if `ssh … true` works, else the last line ssh said."""
    done = subprocess.run(ssh_argv(access, "true"), capture_output=True, text=True, timeout=SSH_CONNECT_TIMEOUT_S * 4)
    return None if done.returncode == 0 else (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]


# How Pulumi marks a special value (secret, asset, archive…) in an exported deployment, and a secret.
SPECIAL_SIGNATURE = "4dabf18193072939515e22adb298388d"
SECRET = "1b47061264138c4ac30d75fd1eb44270"


SHORTEST_SECRET_LINE = 16
"""Shorter lines of a secret (a PEM block's last line, `}`) are too common to look for."""


def secret_lines(node) -> set[str]:
    """Every line of every secret plaintext in an exported deployment (`--show-secrets`): what must
    appear in no output, log or archive."""
    found: set[str] = set()
    if isinstance(node, dict):
        if node.get(SPECIAL_SIGNATURE) == SECRET and "plaintext" in node:
            value = json.loads(node["plaintext"])
            text = value if isinstance(value, str) else json.dumps(value)
            found |= {line.strip() for line in text.splitlines() if len(line.strip()) >= SHORTEST_SECRET_LINE}
        for child in node.values():
            found |= secret_lines(child)
    elif isinstance(node, list):
        for child in node:
            found |= secret_lines(child)
    return found


def plain(value):
    """An exported (`--show-secrets`) value with its secrets unwrapped."""
    if isinstance(value, dict):
        if value.get(SPECIAL_SIGNATURE) == SECRET and "plaintext" in value:
            return plain(json.loads(value["plaintext"]))
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def resources_on(resources: list[dict], access: dict) -> set[str]:
    """URNs of what lives on the host reached at `access`: its remote commands, its Docker provider
    and every resource made through that provider."""
    endpoint = (access["address"], int(access["port"]))
    docker_url = f"ssh://{access['user']}@{access['address']}:{access['port']}"
    on_host, providers = set(), set()
    for resource in resources:
        inputs = plain(resource.get("inputs") or {})
        connection = inputs.get("connection") or {}
        if resource["type"].startswith("command:remote:") and (connection.get("host"), int(connection.get("port") or 22)) == endpoint:
            on_host.add(resource["urn"])
        if resource["type"] == "pulumi:providers:docker" and inputs.get("host") == docker_url:
            on_host.add(resource["urn"])
            providers.add(resource["urn"])
    # A resource names its provider as `<provider URN>::<provider id>`.
    on_host |= {r["urn"] for r in resources if r.get("provider", "").rsplit("::", 1)[0] in providers}
    return on_host


def forget(deployment: dict, urns: set[str]) -> dict:
    """The deployment without `urns`, and without references to them from what stays."""
    kept = []
    for resource in deployment["resources"]:
        if resource["urn"] in urns:
            continue
        resource["dependencies"] = [d for d in resource.get("dependencies") or [] if d not in urns]
        if resource.get("propertyDependencies"):
            resource["propertyDependencies"] = {key: [d for d in deps if d not in urns]
                                                for key, deps in resource["propertyDependencies"].items()}
        if resource.get("deletedWith") in urns:
            del resource["deletedWith"]
        kept.append(resource)
    return {**deployment, "resources": kept}


def forget_host(stack: str, host: str, access: dict) -> int:
    exported = subprocess.run(["pulumi", "stack", "export", "--stack", stack], capture_output=True, text=True)
    secrets = subprocess.run(["pulumi", "stack", "export", "--stack", stack, "--show-secrets"],
                             capture_output=True, text=True)
    if exported.returncode or secrets.returncode:
        print(f"forget-host: cannot export stack {stack}: {(exported.stderr or secrets.stderr).strip()}", file=sys.stderr)
        return 1
    # Which resources: read with the secrets (connections are secret); what is imported keeps them encrypted.
    urns = resources_on(json.loads(secrets.stdout)["deployment"]["resources"], access)
    if not urns:
        print(f"forget-host: nothing of stack {stack} lives on {host}", file=sys.stderr)
        return 0
    state = json.loads(exported.stdout)
    state["deployment"] = forget(state["deployment"], urns)
    with tempfile.NamedTemporaryFile("w", suffix=".json") as edited:
        json.dump(state, edited)
        edited.flush()
        imported = subprocess.run(["pulumi", "stack", "import", "--stack", stack, "--file", edited.name],
                                  capture_output=True, text=True)
    if imported.returncode:
        print(f"forget-host: pulumi stack import failed: {imported.stderr.strip()}", file=sys.stderr)
        return 1
    print(f"forget-host: stack {stack} no longer tracks the {len(urns)} resources on {host} (they stay there)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--forget", metavar="HOST", help="forget what lives on HOST (make forget-host)")
    args = parser.parse_args(argv)
    try:
        outputs = stack_outputs(args.stack)
        kind = subprocess.run(["pulumi", "config", "get", f"{PROJECT}:hostKind", "--stack", args.stack],
                              capture_output=True, text=True).stdout.strip()
    except ToolError as err:
        print(f"destroy: {err}", file=sys.stderr)
        return 1
    access = outputs.get("hostAccess") or {}
    if args.forget:
        if args.forget not in access:
            print(f"forget-host: stack {args.stack} has no host {args.forget!r} (hosts: {', '.join(access)})", file=sys.stderr)
            return 1
        return forget_host(args.stack, args.forget, access[args.forget])
    with ThreadPoolExecutor(max_workers=max(1, len(access))) as pool:
        reasons = dict(zip(access, pool.map(unreachable_reason, access.values())))
    lost = {name: reason for name, reason in reasons.items() if reason}
    for name, reason in lost.items():
        where = f"{access[name]['user']}@{access[name]['address']}:{access[name]['port']}"
        if kind == "ssh":
            print(f"destroy: host {name} ({where}) cannot be reached over SSH ({reason}). It is an existing machine, "
                  f"not the stack's to remove; to finish the destroy without it (what runs on it stays there), "
                  f"run: make forget-host STACK={args.stack} HOST={name} && make destroy STACK={args.stack}",
                  file=sys.stderr)
        else:
            print(f"destroy: host {name} ({where}) cannot be reached over SSH ({reason})", file=sys.stderr)
    if not lost:
        print("destroy: every host answers over SSH; the error above is not about reaching a host", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
