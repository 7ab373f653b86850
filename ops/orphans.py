"""What a killed run made on the local engine but never wrote into the stack's state: a create that
was under way when `pulumi up` died stays a pending operation, and the next `up` fails on the name
it holds ("already exists"). This removes exactly such objects: named by a pending create of the
stack, labelled as the stack's own (multihost.stack), and not a resource of its state.

    python -m ops.orphans --stack sandbox
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

from components.names import STACK_LABEL

# Pulumi's docker resource types, and the docker CLI object kind each is.
KINDS = {"docker:index/network:Network": "network", "docker:index/container:Container": "container",
         "docker:index/volume:Volume": "volume"}


def labelled_as(inputs: dict, stack: str) -> bool:
    return any(label.get("label") == STACK_LABEL and label.get("value") == stack for label in inputs.get("labels") or [])


def orphans(deployment: dict, stack: str) -> list[tuple[str, str]]:
    """(kind, name) of each pending create of the stack's own local-engine objects."""
    found = []
    for operation in deployment.get("pending_operations") or []:
        resource = operation.get("resource") or {}
        kind, inputs = KINDS.get(resource.get("type", "")), resource.get("inputs") or {}
        if kind and operation.get("type") == "creating" and inputs.get("name") and labelled_as(inputs, stack):
            found.append((kind, inputs["name"]))
    return found


def in_state(deployment: dict) -> set[str]:
    return {resource.get("id") for resource in deployment.get("resources") or [] if resource.get("id")}


def docker_object(kind: str, name: str) -> tuple[str, str] | None:
    """(id, the stack label's value) of the local engine's object KIND NAME, or None."""
    done = subprocess.run(["docker", kind, "inspect", "--format", f'{{{{.Id}}}} {{{{index .{"Config." if kind == "container" else ""}Labels "{STACK_LABEL}"}}}}', name],
                          capture_output=True, text=True)
    if done.returncode != 0:
        return None
    object_id, _, label = done.stdout.strip().partition(" ")
    return object_id, label


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    exported = subprocess.run(["pulumi", "stack", "export", "--stack", args.stack], capture_output=True, text=True)
    if exported.returncode != 0:
        return 0  # no stack yet: nothing can be pending
    deployment = json.loads(exported.stdout or "{}").get("deployment") or {}
    known = in_state(deployment)
    for kind, name in orphans(deployment, args.stack):
        found = docker_object(kind, name)
        if found is None or found[1] != args.stack or found[0] in known:
            continue
        subprocess.run(["docker", kind, "rm", *(["-f"] if kind == "container" else []), name],
                       capture_output=True, text=True, check=True)
        print(f"removed {kind} {name}: a killed run made it, the stack's state never had it", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
