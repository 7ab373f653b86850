"""make contexts (ops/contexts.py): a docker context per host of a running stack, dialling an ssh
alias that the stack's own ssh_config defines and ~/.ssh/config includes; --remove takes away
exactly what was added. The docker CLI is faked by a table of contexts; `ssh -G` reads the made
files back (it connects nowhere)."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import fake_outputs
from ops import contexts, stack as ops_stack
from ops.stack import ToolError

needs_ssh = pytest.mark.skipif(not shutil.which("ssh"), reason="no OpenSSH client")
STACK = "sandbox"


class FakeDocker:
    """`docker context ls|create|update|rm` over a table name -> (description, host)."""

    def __init__(self, existing: dict[str, tuple[str, str]] | None = None):
        self.table = dict(existing or {})

    def __call__(self, *args: str) -> subprocess.CompletedProcess:
        assert args[0] == "context", args
        verb, rest = args[1], list(args[2:])
        if verb == "ls":
            out = "".join(json.dumps({"Name": name, "Description": said}) + "\n" for name, (said, _) in self.table.items())
            return subprocess.CompletedProcess(args, 0, out, "")
        if verb in ("create", "update"):
            name = rest[0]
            if (verb == "create") == (name in self.table):
                return subprocess.CompletedProcess(args, 1, "", f"context {name}: wrong verb {verb}")
            options = dict(zip(rest[1::2], rest[2::2]))
            self.table[name] = (options["--description"], options["--docker"].removeprefix("host="))
            return subprocess.CompletedProcess(args, 0, name + "\n", "")
        if verb == "rm":
            for name in (word for word in rest if not word.startswith("-")):
                del self.table[name]
            return subprocess.CompletedProcess(args, 0, "", "")
        raise AssertionError(f"unexpected docker {args}")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A user's ~/.ssh/config under tmp_path, and the stack's folder beside it."""
    monkeypatch.setattr(ops_stack, "STATE_DIR", tmp_path / "state")
    config = tmp_path / "home" / ".ssh" / "config"
    config.parent.parent.mkdir()
    monkeypatch.setattr(contexts, "user_ssh_config", lambda: config)
    monkeypatch.setattr(contexts, "stack_outputs", lambda stack: fake_outputs(tmp_path=tmp_path / "state" / stack))
    return config


@pytest.fixture
def docker(monkeypatch) -> FakeDocker:
    fake = FakeDocker({"default": ("Current DOCKER_HOST based configuration", "unix:///var/run/docker.sock")})
    monkeypatch.setattr(contexts, "docker", fake)
    return fake


def test_each_host_gets_a_context_dialling_its_stack_alias(home, docker):
    contexts.create(STACK, fake_outputs())
    ours = {name: host for name, (said, host) in docker.table.items() if said == contexts.description(STACK)}
    assert ours == {name: f"ssh://docker-multihost-sandbox-{name}" for name in ("mh-keystore", "mhs-demo0", "mhs-demo1")}


def test_the_include_line_goes_first_and_the_users_lines_stay_as_they_were(home, docker):
    home.parent.mkdir()
    home.write_text("Host work\n  User me\n")
    contexts.main(["--stack", STACK])
    lines = home.read_text().splitlines()
    assert (lines[1], lines[2:]) == (f"Include {ops_stack.stack_dir(STACK) / 'contexts.ssh_config'}",
                                      ["Host work", "  User me"])


def test_making_the_contexts_twice_adds_the_include_once(home, docker):
    contexts.main(["--stack", STACK])
    contexts.main(["--stack", STACK])
    assert sum(line.startswith("Include ") for line in home.read_text().splitlines()) == 1


def test_remove_gives_back_the_users_ssh_config_byte_for_byte(home, docker):
    home.parent.mkdir()
    original = b"# mine\nHost work\n  User me\n\n"
    home.write_bytes(original)
    contexts.main(["--stack", STACK])
    contexts.main(["--stack", STACK, "--remove"])
    assert home.read_bytes() == original


def test_remove_deletes_an_ssh_config_the_tool_made(home, docker):
    contexts.main(["--stack", STACK])
    contexts.main(["--stack", STACK, "--remove"])
    assert not home.exists()


def test_remove_leaves_only_contexts_that_are_not_the_stacks(home, docker):
    contexts.main(["--stack", STACK])
    contexts.main(["--stack", STACK, "--remove"])
    assert list(docker.table) == ["default"]


def test_remove_leaves_a_context_someone_has_pointed_elsewhere(home, docker):
    contexts.main(["--stack", STACK])
    docker.table["mhs-demo1"] = ("my own engine", "ssh://me@elsewhere")
    contexts.main(["--stack", STACK, "--remove"])
    assert sorted(docker.table) == ["default", "mhs-demo1"]


def test_remove_leaves_nothing_of_the_stack_in_its_folder(home, docker):
    contexts.main(["--stack", STACK])
    contexts.main(["--stack", STACK, "--remove"])
    assert sorted(path.name for path in ops_stack.stack_dir(STACK).iterdir()) == []


def test_a_name_taken_by_another_context_is_refused_naming_it(home, docker):
    docker.table["mhs-demo0"] = ("my laptop's engine", "unix:///run/me.sock")
    with pytest.raises(ToolError, match=r"^docker contexts named mhs-demo0 \(my laptop's engine\) exist and are not "
                                        r"stack sandbox's: nothing changed"):
        contexts.create(STACK, fake_outputs())


def test_a_refused_name_writes_nothing(home, docker):
    docker.table["mhs-demo0"] = ("my laptop's engine", "unix:///run/me.sock")
    assert contexts.main(["--stack", STACK]) == 1
    assert (sorted(docker.table), home.exists(), list(ops_stack.stack_dir(STACK).iterdir())) == \
        (["default", "mhs-demo0"], False, [])


def test_a_stack_without_host_access_is_refused_in_one_line(home, docker):
    outputs = fake_outputs()
    del outputs["hostAccess"]
    with pytest.raises(ToolError, match=r"^stack 'sandbox' has no hostAccess output: make up STACK=sandbox writes it$"):
        contexts.create(STACK, outputs)


def test_a_user_who_is_not_root_is_told_what_they_need_on_the_host(home, docker, monkeypatch, capsys):
    outputs = fake_outputs()
    outputs["hostAccess"]["mhs-demo1"]["user"] = "vagrant"
    monkeypatch.setattr(contexts, "stack_outputs", lambda stack: outputs)
    contexts.main(["--stack", STACK])
    assert "contexts: on mhs-demo1, vagrant needs the engine's socket (the host's docker group)" in capsys.readouterr().out


@needs_ssh
def test_ssh_reaches_a_contexts_host_through_the_include_with_only_the_pinned_key(home, docker, tmp_path):
    contexts.main(["--stack", STACK])
    done = subprocess.run(["ssh", "-G", "-F", str(home), "docker-multihost-sandbox-mhs-demo1"], capture_output=True,
                          text=True, timeout=10, stdin=subprocess.DEVNULL)
    read = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    state = tmp_path / "state" / STACK
    assert {key: read[key] for key in ("hostname", "port", "user", "identityfile", "userknownhostsfile",
                                       "stricthostkeychecking", "batchmode")} == \
        {"hostname": "127.0.0.1", "port": "2202", "user": "root", "identityfile": str(state / "id_ed25519"),
         "userknownhostsfile": str(state / "known_hosts"), "stricthostkeychecking": "true", "batchmode": "yes"}
