"""Host-side commands: the shell scripts beside this file, rendered with their settings.

Each rendered command is `common.sh` plus one script, preceded by its settings as shell
assignments, so that what Pulumi runs over SSH is exactly what a reader can run by hand.
"""
from __future__ import annotations

import shlex
from pathlib import Path
from typing import Mapping

import pulumi

SCRIPT_DIR = Path(__file__).resolve().parent


def _assignments(settings: Mapping[str, str]) -> str:
    return "".join(f"{name}={shlex.quote(str(value))}\n" for name, value in settings.items())


def render(script: str, settings: Mapping[str, str] | None = None) -> str:
    """The command text for <script>.sh with the given (plain) settings."""
    common = (SCRIPT_DIR / "common.sh").read_text()
    body = (SCRIPT_DIR / f"{script}.sh").read_text()
    return _assignments(settings or {}) + common + body


def as_root(user: str, command_text: str) -> str:
    """Host scripts need root; a non-root SSH user (Vagrant's `vagrant`) has password-less sudo."""
    return command_text if user == "root" else f"sudo -n {command_text}"


def stdin_command(script: str) -> str:
    """The command that runs a script sent on stdin; it names the script for whoever reads an error."""
    return f"sh -s # docker-multihost {script}.sh"


def render_output(script: str, settings: Mapping[str, pulumi.Input[str]]) -> pulumi.Output[str]:
    """Like render, for settings that are Pulumi outputs."""
    return pulumi.Output.all(**settings).apply(lambda resolved: render(script, resolved))
