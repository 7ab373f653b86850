"""Host-side commands: the shell scripts beside this file, rendered with their settings.

Each rendered command is the part of the libraries in lib/ that one script uses plus that script,
preceded by its settings as shell assignments, so that what Pulumi runs over SSH is exactly what a
reader can run by hand (with all of the libraries). Scripts
that always run one after the other on a host can go as one command (one SSH session instead of
several): each step then runs in a subshell of its own, in order, and the first that fails stops
the rest.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Mapping, Sequence, Union

import pulumi

SCRIPT_DIR = Path(__file__).resolve().parent


def _assignments(settings: Mapping[str, str]) -> str:
    return "".join(f"{name}={shlex.quote(str(value))}\n" for name, value in settings.items())


Scripts = Union[str, Sequence[str]]
"""One script's name (`ensure-engine` for ensure-engine.sh), or the names of steps run in order."""


def _steps(scripts: Scripts) -> list[str]:
    return [scripts] if isinstance(scripts, str) else list(scripts)


def _code(script: str) -> str:
    """A script without its comment lines: a command's text is kept twice per resource in the stack's
    state, which Pulumi writes out whole after every step (the comments are in the files)."""
    lines = (SCRIPT_DIR / f"{script}.sh").read_text().splitlines(keepends=True)
    return "".join(line for line in lines if not line.lstrip().startswith("#"))


# The shared shell code, in lib/: its files in the order their text is taken.
_LIBRARIES = ("base", "waits", "engine-api", "engine", "versions", "firewall", "containers", "gossip", "kv-join")

# A function definition in a library: `name() { ...; }` on one line, or `name() {` up to a line `}`.
_FUNCTION = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\(\) \{")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _common_parts() -> tuple[str, dict[str, str]]:
    """The libraries without comments: their top-level lines, and their functions by name in order."""
    top_level: list[str] = []
    functions: dict[str, str] = {}
    inside = None
    for line in "".join(_code(f"lib/{name}") for name in _LIBRARIES).splitlines(keepends=True):
        if inside is not None:
            functions[inside] += line
            inside = None if line.rstrip() == "}" else inside
        elif match := _FUNCTION.match(line):
            functions[match.group(1)] = line
            inside = match.group(1) if line.rstrip().endswith("{") else None
        elif line.strip():
            top_level.append(line)
    return "".join(top_level), functions


def _common_for(code: str) -> str:
    """The top-level lines of the libraries and the functions `code` calls, and those they call in
    turn. All of the shared code went with every command: with 8 engines its copies (a command's text is kept
    twice per resource, its delete's too) made up most of a 1 MB state that Pulumi writes out
    whole after every step."""
    top_level, functions = _common_parts()
    wanted: set[str] = set()
    pending = set(_WORD.findall(code)) & functions.keys()
    while pending:
        name = pending.pop()
        wanted.add(name)
        pending |= (set(_WORD.findall(functions[name])) & functions.keys()) - wanted
    return top_level + "".join(body for name, body in functions.items() if name in wanted)


def render(scripts: Scripts, settings: Mapping[str, str] | None = None) -> str:
    """The command text for <script>.sh (or for several, in order) with the given (plain) settings."""
    steps = _steps(scripts)
    common = _common_for("".join(_code(step) for step in steps))
    if len(steps) == 1:
        return _assignments(settings or {}) + common + _code(steps[0])
    # A subshell per step: a step's own `exit` or `set` stays in it. What the command prints on
    # stdout is its last step's (what the others print goes to stderr).
    bodies = [f"# {step}.sh\n(\n{_code(step)})" + (" >&2" if i < len(steps) - 1 else "")
              for i, step in enumerate(steps)]
    return _assignments(settings or {}) + common + "\n".join(bodies) + "\n"


def as_root(user: str, command_text: str) -> str:
    """Host scripts need root; a non-root SSH user (Vagrant's `vagrant`) has password-less sudo."""
    return command_text if user == "root" else f"sudo -n {command_text}"


def stdin_command(scripts: Scripts) -> str:
    """The command that runs a script sent on stdin; it names the scripts for whoever reads an error."""
    return "sh -s # docker-multihost " + " ".join(f"{step}.sh" for step in _steps(scripts))


def render_output(scripts: Scripts, settings: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[str]:
    """Like render, for settings that are Pulumi outputs."""
    return pulumi.Output.all(**settings).apply(lambda resolved: render(scripts, resolved))
