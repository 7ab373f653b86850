"""What tells this stack's things from anyone else's on a machine: a random ID made once per stack
and kept in its state. Every container and network the stack makes on a host carries it in a
label, and what it records on a host lives under it."""
from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_command as command

# Twelve hex digits from the kernel's random source: POSIX tools only, on any machine running Pulumi.
_RANDOM_ID = "od -An -N6 -tx1 /dev/urandom | tr -d ' \\n'"


class StackIdentity(pulumi.ComponentResource):
    id: pulumi.Output[str]
    """The stack's ID, the same for the stack's whole life (a new stack gets a new one)."""

    def __init__(self, name: str, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("multihost:index:StackIdentity", name, None, opts)
        made = command.local.Command(f"{name}-id", create=_RANDOM_ID, opts=pulumi.ResourceOptions(parent=self))
        self.id = made.stdout.apply(lambda out: out.strip())
        self.register_outputs({"id": self.id})
