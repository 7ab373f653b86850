"""Host-side commands: the shell scripts beside this file, rendered with their settings.

The shared shell code is in named libraries in lib/ (lib/README lists them). The first line of
every script and of every library names the libraries it needs, in the order they are joined:

    # needs: base waits engine-api engine

It lists every library the file needs, also those its libraries need, each after the libraries it
needs itself (tests/test_script_libraries.py checks that every function a file calls is defined by
a library it names). A rendered command is the script's settings as shell assignments, the
libraries its first line names, then the script, all without their comment and blank lines: a
command's text is kept twice per resource in the stack's state, which Pulumi writes out whole
after every step (the comments are in the files). The renderer reads the `# needs:` lines only,
never the functions.

Scripts that always run one after the other on a host can go as one command (one SSH session
instead of several): each step then runs in a subshell of its own, in order, and the first that
fails stops the rest; only the last step's stdout is kept. Such a command carries the libraries of
all its steps once each, in the order they are first named (the first step's, then those the next
steps add): each first line lists a library after those it needs, so this order has them too.

What the program sends is what a reader can run by hand:

    python3 -m components.host_scripts ensure-engine HOST_NAME=x ENGINE_LINE=20.10

prints the command text for ensure-engine.sh with those settings (several scripts: the steps of one
command), to read, or to run on a host as root: `… | ssh root@HOST sh -s`.
"""
from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Mapping, Sequence, Union

if TYPE_CHECKING:
    import pulumi

SCRIPT_DIR = Path(__file__).resolve().parent


def _assignments(settings: Mapping[str, str]) -> str:
    return "".join(f"{name}={shlex.quote(str(value))}\n" for name, value in settings.items())


Scripts = Union[str, Sequence[str]]
"""One script's name (`ensure-engine` for ensure-engine.sh), or the names of steps run in order."""


def _steps(scripts: Scripts) -> list[str]:
    return [scripts] if isinstance(scripts, str) else list(scripts)


def _path(name: str) -> Path:
    """The file of a script (`ensure-engine`) or of a library (`lib/engine`)."""
    return SCRIPT_DIR / f"{name}.sh"


def _code(name: str) -> str:
    """A script or library without its comment lines and blank lines."""
    lines = _path(name).read_text().splitlines(keepends=True)
    return "".join(line for line in lines if line.strip() and not line.lstrip().startswith("#"))


_NEEDS = re.compile(r"# needs:((?: [a-z0-9-]+)*)")


def needs(name: str) -> list[str]:
    """The libraries that a script (`ensure-engine`) or a library (`lib/engine`) names on its first
    line, `# needs: base waits …`, in order."""
    path = _path(name)
    first_line = path.read_text().split("\n", 1)[0]
    match = _NEEDS.fullmatch(first_line)
    if match is None:
        raise ValueError(f"{path}: the first line must name the libraries it needs, "
                         f"`# needs: LIBRARY …` (`# needs:` for none), not {first_line!r}")
    return match.group(1).split()


def libraries(scripts: Scripts) -> list[str]:
    """The libraries a command carries: those its steps name, each once, in the order first named."""
    joined: list[str] = []
    for step in _steps(scripts):
        joined += [library for library in needs(step) if library not in joined]
    return joined


def render(scripts: Scripts, settings: Mapping[str, str] | None = None) -> str:
    """The command text for <script>.sh (or for several, in order) with the given (plain) settings."""
    steps = _steps(scripts)
    head = _assignments(settings or {}) + "".join(_code(f"lib/{library}") for library in libraries(steps))
    if len(steps) == 1:
        return head + _code(steps[0])
    # A subshell per step: a step's own `exit` or `set` stays in it. What the command prints on
    # stdout is its last step's (what the others print goes to stderr).
    bodies = [f"# {step}.sh\n(\n{_code(step)})" + (" >&2" if i < len(steps) - 1 else "")
              for i, step in enumerate(steps)]
    return head + "\n".join(bodies) + "\n"


def as_root(user: str, command_text: str) -> str:
    """Host scripts need root; a non-root SSH user (Vagrant's `vagrant`) has password-less sudo."""
    return command_text if user == "root" else f"sudo -n {command_text}"


def stdin_command(scripts: Scripts) -> str:
    """The command that runs a script sent on stdin; it names the scripts for whoever reads an error."""
    return "sh -s # docker-multihost " + " ".join(f"{step}.sh" for step in _steps(scripts))


def render_output(scripts: Scripts, settings: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[str]:
    """Like render, for settings that are Pulumi outputs."""
    import pulumi  # here, not above: the command line (`python3 -m components.host_scripts`) needs no Pulumi

    return pulumi.Output.all(**settings).apply(lambda resolved: render(scripts, resolved))
