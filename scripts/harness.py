"""What the end-to-end, fault and benchmark runs share: stack files derived from a committed one,
and what a stack left on the local engine.

    python scripts/harness.py leftovers STACK   prints what is left, exits 1 if anything is
    python scripts/harness.py host-kind STACK   prints the stack's host kind (vagrant-PROVIDER for vagrant)
    python scripts/harness.py vagrant-dotfile STACK   prints where Vagrant keeps the stack's machines
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from components.names import PROJECT, STACK_LABEL, vagrant_dotfile_path  # noqa: E402


def write_stack_file(stack: str, base: str, settings: dict[str, Any], drop: tuple[str, ...] = ()) -> Path:
    """Pulumi.<stack>.yaml: the configuration of Pulumi.<base>.yaml with `settings` (keys without the
    project's namespace) set and the keys in `drop` removed."""
    config = yaml.safe_load((ROOT / f"Pulumi.{base}.yaml").read_text())["config"]
    config.update({f"{PROJECT}:{key}": value for key, value in settings.items()})
    for key in drop:
        config.pop(f"{PROJECT}:{key}", None)
    path = ROOT / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump({"config": config}, sort_keys=False))
    return path


def stack_setting(stack: str, key: str) -> Any:
    """A setting of Pulumi.<stack>.yaml (key without the namespace), or None."""
    return yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"].get(f"{PROJECT}:{key}")


def leftovers(stack: str) -> list[str]:
    """`KIND ID` of every container, network and volume on the local engine labelled as the stack's."""
    found = []
    for kind in ("container", "network", "volume"):
        listing = ["ps", "-a"] if kind == "container" else [kind, "ls"]
        ids = subprocess.run(["docker", *listing, "-q", "--filter", f"label={STACK_LABEL}={stack}"],
                             capture_output=True, text=True, check=True).stdout.split()
        found += [f"{kind} {id_}" for id_ in ids]
    return found


def host_kind(stack: str) -> str:
    """The stack's host kind as Pulumi.<stack>.yaml sets it; for vagrant, with its provider."""
    kind = stack_setting(stack, "hostKind") or "vagrant"
    provider = (stack_setting(stack, "vagrant") or {}).get("provider", "virtualbox")
    return f"{kind}-{provider}" if kind == "vagrant" else kind


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("leftovers", "host-kind", "vagrant-dotfile"):
        print("\n".join(__doc__.strip().splitlines()[-3:]), file=sys.stderr)
        return 2
    if argv[0] == "host-kind":
        print(host_kind(argv[1]))
        return 0
    if argv[0] == "vagrant-dotfile":
        print(vagrant_dotfile_path(argv[1]))
        return 0
    left = leftovers(argv[1])
    for item in left:
        print(item)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
