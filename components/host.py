"""What every kind of host gives the layers above it, and how those layers use it: host scripts
run over SSH (pulumi-command), one SSH session per command."""
from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from typing import Mapping, Optional, Sequence

import pulumi
import pulumi_command as command

from components import host_scripts
from components.host_watch import HostWatch
from components.names import archive_on_host

# Every SSH dial is retried, so a host that is still booting is waited for, within a bound.
_DIAL_ATTEMPTS = 30
_DIAL_TIMEOUT_S = 5


@dataclass
class SshEndpoint:
    """How the program reaches a host's sshd; the address need not be the underlay address."""

    address: pulumi.Input[str]
    port: pulumi.Input[int]
    user: pulumi.Input[str]
    private_key: Optional[pulumi.Input[str]]
    """The private key itself, as a Pulumi secret (for pulumi-command); None: through ssh-agent."""
    private_key_file: Optional[pulumi.Input[str]]
    """The same key as a file on this machine, for `ssh -i` (`make check` reaches the hosts again)."""


@dataclass
class Watched:
    """What `pulumi refresh` asks of the thing a host command makes (components/host_watch.py)."""

    what: str
    """The thing, for messages (`container probe-mhs-demo0`)."""
    script: str
    """Its status script (host_scripts/status-*.sh)."""
    settings: Mapping[str, pulumi.Input[str]]
    want: pulumi.Input[str]
    """What the status script prints when the thing is as the program wants it."""


class Host(pulumi.ComponentResource):
    """Base of the host kinds. Subclasses set `ssh` and call `register_outputs` last."""

    name: str
    """The machine's name and hostname."""
    address: str
    """Underlay address, where the other hosts reach this one."""
    advertise_interface: str
    stack_id: pulumi.Input[str]
    """The stack's identity (StackIdentity), which every command gets as STACK_ID: what the stack
    makes on the host carries it, and what it records there lives under it."""
    ssh: SshEndpoint
    host_key: pulumi.Input[str]
    """The host's SSH host key (`TYPE BASE64`), pinned (components/host_keys.py): every connection
    checks it."""
    machine: Optional[pulumi.Resource] = None
    """The machine itself, where this stack made it (a sandbox container, a Vagrant VM): whatever
    lives on the host goes with it on destroy, so a host that is gone cannot block a destroy."""

    def __init__(self, type_name: str, name: str, address: str, advertise_interface: str,
                 stack_id: pulumi.Input[str], opts: Optional[pulumi.ResourceOptions]):
        super().__init__(type_name, name, None, opts)
        self.name = name
        self.address = address
        self.advertise_interface = advertise_interface
        self.stack_id = stack_id

    def on_host(self, parent: pulumi.Resource, depends_on: Sequence[pulumi.Resource] = ()) -> pulumi.ResourceOptions:
        """Options for a resource that lives on this host."""
        return pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on), deleted_with=self.machine)

    def file_on_host(self, resource_name: str, local_path: str,
                     parent: pulumi.Resource) -> tuple[str, list[pulumi.Resource]]:
        """Where a file of this machine (an image archive) is on the host, and what to wait for
        before it is there: copied over SSH, as soon as the host answers. Host kinds that can
        share the folder instead (the sandbox) override this."""
        remote_path = archive_on_host(os.path.basename(local_path))
        copy = command.remote.CopyToRemote(
            resource_name,
            connection=self.connection(),
            source=pulumi.FileAsset(local_path),
            remote_path=remote_path,
            opts=self.on_host(parent, [self]),
        )
        # A copy has no delete of its own: this command's takes the file away again.
        copied = self.run(f"{resource_name}-on-host", "file-copied", {"FILE": remote_path}, parent=parent,
                          depends_on=[copy], delete_script="remove-file", delete_settings={"FILE": remote_path})
        return remote_path, [copied]

    def connection(self) -> command.remote.ConnectionArgs:
        return command.remote.ConnectionArgs(
            host=self.ssh.address,
            port=self.ssh.port,
            user=self.ssh.user,
            private_key=self.ssh.private_key,
            host_key=self.host_key,
            dial_error_limit=_DIAL_ATTEMPTS,
            per_dial_timeout=_DIAL_TIMEOUT_S,
        )

    def _as_root(self, command_text: str) -> pulumi.Output[str]:
        return pulumi.Output.from_input(self.ssh.user).apply(lambda user: host_scripts.as_root(user, command_text))

    def run(self, resource_name: str, script: host_scripts.Scripts, settings: Mapping[str, pulumi.Input[str]],
            parent: pulumi.Resource, depends_on: Sequence[pulumi.Resource] = (),
            delete_script: Optional[host_scripts.Scripts] = None, delete_settings: Optional[Mapping[str, str]] = None,
            deleted_with: Optional[pulumi.Resource] = None, secret_stdout: bool = False,
            watched: Optional[Watched] = None, made_again_with: Sequence[pulumi.Resource] = ()) -> command.remote.Command:
        """Run components/host_scripts/<script>.sh (or several, in order, in one SSH session) on
        this host when created or when its settings change. The script goes on stdin, so the
        command (and any error) reads `sh -s # <script>.sh` and then the script's own stderr, not
        the whole script text. `delete_script` runs on destroy, with `delete_settings` (plain
        values, written into the command), unless `deleted_with` (by default the machine) goes too.
        `secret_stdout`: what the script prints is a secret, kept encrypted in the state and never
        shown while it runs. `watched`: a refresh asks the host about what the command made; gone
        or changed, the next `up` runs the command again (its delete first); so does the replacement
        of any of `made_again_with` (what the thing is made on, as a container on its network)."""
        opts = self.on_host(parent, depends_on)
        if deleted_with is not None:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(deleted_with=deleted_with))
        if delete_script:
            # What a command makes has one name on its host (a container, the network, the engine's
            # store): a replacement must undo the old before it runs the new. Pulumi's default, new
            # first, would have the old one's delete remove what the new one just made.
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))
        if secret_stdout:
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["stdout"]))
        identity = {"STACK_ID": self.stack_id}
        triggers: Optional[list[pulumi.Input[str]]] = [made.id for made in made_again_with] or None
        if watched is not None:
            watch = HostWatch(f"{resource_name}-watch", connection=self._watch_connection(),
                              status=host_scripts.render_output(watched.script, {**watched.settings, **identity}),
                              want=watched.want, what=f"{watched.what} on {self.name}",
                              opts=pulumi.ResourceOptions(parent=parent, deleted_with=opts.deleted_with))
            triggers = [watch.id, *(triggers or [])]
        return command.remote.Command(
            resource_name,
            connection=self.connection(),
            create=self._as_root(host_scripts.stdin_command(script)),
            stdin=host_scripts.render_output(script, {**settings, **identity}),
            # A delete command gets the create's stdin, so it carries its script inline.
            delete=host_scripts.render_output(delete_script, {**(delete_settings or {}), **identity}).apply(
                lambda text: self._as_root(f"sh -c {shlex.quote(text)}")) if delete_script else None,
            # Not PULUMI_COMMAND_STDOUT/STDERR in the delete's environment: the scripts do not use
            # them, and most sshd configurations refuse them with a warning (no AcceptEnv).
            add_previous_output_in_env=False,
            # Only the scripts' notes (stderr) in the progress display: stdout is the command's
            # output (a secret, for secret_stdout), shown whole in the error should it fail.
            logging=command.remote.Logging.STDERR,
            triggers=triggers,
            opts=opts,
        )

    def _watch_connection(self) -> dict:
        """How a HostWatch reaches this host: as the commands do, with the system ssh client."""
        return {"host": self.ssh.address, "port": self.ssh.port, "user": self.ssh.user, "host_key": self.host_key,
                "private_key": self.ssh.private_key, "command": self._as_root("sh -s")}
