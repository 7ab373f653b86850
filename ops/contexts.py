"""make contexts: one `docker context` per host of a running stack, named after the host, so the
classic tutorial's by-hand steps work again:

    docker --context mhs-demo1 run --rm -it --network my-net multihost/probe:busybox sh

Each context's endpoint is `ssh://docker-multihost-STACK-HOST`, a `Host` of
.sandbox/STACK/contexts.ssh_config with the stack's endpoint, key and pinned host key. The docker
CLI's ssh reads that file through one `Include` line this tool puts at the top of ~/.ssh/config
(the CLI takes no ssh options of its own). `--remove` (make destroy runs it) takes away exactly the
contexts and the lines it added, and ~/.ssh/config too where it made that file.

    python -m ops.contexts --stack sandbox [--remove]
"""
from __future__ import annotations

import argparse
import json
import os
import pwd
import subprocess
import sys
from pathlib import Path

from ops.inventory import ssh_config_value, ssh_host_blocks
from ops.stack import ToolError, shown, stack_dir, stack_outputs

RECORD = "contexts.json"
"""What `make contexts` changed outside the repository, in .sandbox/STACK: the contexts, and
whether it made ~/.ssh/config."""


def included_config(stack: str) -> Path:
    """The stack's ssh settings for its contexts, which ~/.ssh/config includes."""
    return stack_dir(stack) / "contexts.ssh_config"


def alias(stack: str, name: str) -> str:
    """The ssh Host a context dials: unique per stack, so it never shadows a name of the user's."""
    return f"docker-multihost-{stack}-{name}"


def description(stack: str) -> str:
    """A context's description, which also tells the stack's own contexts from anyone else's."""
    return f"docker-multihost stack {stack}"


def contexts_ssh_config(stack: str, outputs: dict) -> str:
    """A `Host` block per host under its alias, never prompting (the docker CLI cannot answer)."""
    header = [f"# Stack {stack}, written by `make contexts STACK={stack}`; ~/.ssh/config includes it.",
              "", "Host " + alias(stack, "*"), "  BatchMode yes"]
    return "\n".join(header + ssh_host_blocks(outputs, lambda name: alias(stack, name))) + "\n"


def include_lines(stack: str, included: Path) -> list[str]:
    """The two lines at the top of ~/.ssh/config; the first names what added them."""
    return [f"# docker-multihost stack {stack}: added by `make contexts`, removed by `make destroy`",
            f"Include {ssh_config_value(included)}"]


def user_ssh_config() -> Path:
    """The file ssh reads first: under the user's home in the password database, whatever $HOME says."""
    return Path(pwd.getpwuid(os.getuid()).pw_dir) / ".ssh" / "config"


def add_include(stack: str, included: Path) -> bool:
    """The Include lines put first in ~/.ssh/config (ssh applies an Include after a Host line to
    that host only); True where this made the file. Nothing is done where they are there already."""
    path, lines = user_ssh_config(), include_lines(stack, included)
    made = not path.exists()
    text = "" if made else path.read_text()
    if lines[1] in text.splitlines():
        return False
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + text)
    if made:
        os.chmod(path, 0o600)
    return made


def remove_include(stack: str, included: Path, made: bool) -> None:
    """Exactly the Include lines out of ~/.ssh/config; the file removed where this tool made it and
    nothing else is in it."""
    path = user_ssh_config()
    if not path.exists():
        return
    ours = include_lines(stack, included)
    kept = [line for line in path.read_text().splitlines() if line not in ours]
    if made and not any(line.strip() for line in kept):
        path.unlink()
    else:
        path.write_text("".join(line + "\n" for line in kept))


def docker(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], capture_output=True, text=True)


def existing_contexts() -> dict[str, str]:
    """Every docker context of this user: name -> description."""
    listed = docker("context", "ls", "--format", "{{json .}}")
    if listed.returncode != 0:
        raise ToolError(f"docker context ls failed: {listed.stderr.strip() or listed.stdout.strip()}")
    rows = [json.loads(line) for line in listed.stdout.splitlines() if line.strip()]
    return {row["Name"]: row.get("Description", "") for row in rows}


def create(stack: str, outputs: dict) -> list[str]:
    """The stack's contexts made (or pointed again at its hosts): their names. Refused, before
    anything is written, where a context of one of those names is not this stack's."""
    if not outputs.get("hostAccess"):
        raise ToolError(f"stack {stack!r} has no hostAccess output: make up STACK={stack} writes it")
    names = list(outputs["hostAccess"])
    existing = existing_contexts()
    taken = [f"{name} ({existing[name] or 'no description'})" for name in names
             if name in existing and existing[name] != description(stack)]
    if taken:
        raise ToolError(f"docker contexts named {', '.join(taken)} exist and are not stack {stack}'s: "
                        f"nothing changed (`docker context rm NAME` frees a name you no longer need)")
    folder = stack_dir(stack)
    included = included_config(stack)
    included.write_text(contexts_ssh_config(stack, outputs))
    record = folder / RECORD
    made = json.loads(record.read_text())["madeSshConfig"] if record.exists() else False
    made = add_include(stack, included) or made
    record.write_text(json.dumps({"contexts": names, "madeSshConfig": made}) + "\n")
    for name in names:
        verb = "update" if name in existing else "create"
        done = docker("context", verb, name, "--description", description(stack),
                      "--docker", f"host=ssh://{alias(stack, name)}")
        if done.returncode != 0:
            raise ToolError(f"docker context {verb} {name} failed: {done.stderr.strip()}")
    return names


def remove(stack: str) -> list[str]:
    """The stack's contexts and Include lines gone, as the record says: the contexts removed."""
    folder = stack_dir(stack)
    record = folder / RECORD
    if not record.exists():
        return []
    recorded = json.loads(record.read_text())
    existing = existing_contexts()
    # A context of the same name that someone has since pointed elsewhere is theirs now.
    removed = [name for name in recorded["contexts"] if existing.get(name) == description(stack)]
    for name in removed:
        done = docker("context", "rm", "--force", name)
        if done.returncode != 0:
            raise ToolError(f"docker context rm {name} failed: {done.stderr.strip()}")
    remove_include(stack, included_config(stack), recorded["madeSshConfig"])
    included_config(stack).unlink(missing_ok=True)
    record.unlink()
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--remove", action="store_true", help="remove the stack's contexts and Include lines")
    args = parser.parse_args(argv)
    try:
        if args.remove:
            removed = remove(args.stack)
            if removed:
                print(f"contexts: removed {', '.join(removed)} and their Include in {shown(user_ssh_config())}")
            return 0
        outputs = stack_outputs(args.stack)
        names = create(args.stack, outputs)
    except ToolError as err:
        print(f"contexts: {err}", file=sys.stderr)
        return 1
    for name, access in outputs["hostAccess"].items():
        if access["user"] != "root":
            print(f"contexts: on {name}, {access['user']} needs the engine's socket (the host's docker group)")
    print(f"contexts: {', '.join(names)} (ssh settings in {shown(included_config(args.stack))}, "
          f"included from {shown(user_ssh_config())}); try: docker --context {names[-1]} ps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
