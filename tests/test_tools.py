"""The tools beside the program (make check, make destroy's advice) against a stand-in `pulumi` that
answers with a stack's outputs, and hosts that do not answer (loopback ports with nothing
listening). `make faults` runs them against real hosts."""
from __future__ import annotations

import json
import socket

import pytest

from components import host_keys
from conftest import FAKE_PUBLIC_KEY, OTHER_HOST_KEY
from ops import check, reach, stack as ops_stack
from ops.stack import ToolError, ssh_argv, stack_outputs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stack(tmp_path, monkeypatch):
    """A stand-in `pulumi` on PATH whose stack has two engines and a keystore on dead ports; the
    tools keep its known_hosts under tmp_path."""
    monkeypatch.setattr(ops_stack, "STATE_DIR", tmp_path / "state")
    key = tmp_path / "id"
    key.write_text("not a key")
    key.chmod(0o600)
    access = {name: {"address": "127.0.0.1", "port": free_port(), "user": "admin", "privateKeyFile": str(key),
                     "hostKey": host_keys.key_of(FAKE_PUBLIC_KEY)} for name in ("ks", "e0", "e1")}
    outputs = {"hostAccess": access, "probeAddresses": {"e0": "10.0.4.2", "e1": "10.0.4.3"},
               "consulUrl": "consul://127.0.0.1:1"}
    (tmp_path / "outputs.json").write_text(json.dumps(outputs))
    pulumi = tmp_path / "pulumi"
    pulumi.write_text("#!/bin/sh\n"
                      f"case \"$*\" in\n  'stack output'*) cat {tmp_path / 'outputs.json'} ;;\n"
                      "  'config get'*) echo ssh ;;\n  *) exit 1 ;;\nesac\n")
    pulumi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    return access


def test_check_marks_the_rows_of_a_host_it_cannot_reach(stack, capsys):
    assert check.main(["--stack", "st"]) == 1
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith(("ok", "FAIL"))]
    assert len(rows) == 4  # e0 -> e1 and e1 -> e0, by address and by name
    assert all(row.startswith("FAIL") and "unreachable over SSH (admin@127.0.0.1:" in row for row in rows)
    assert out.strip().endswith("check: 0 passed, 4 failed (st)")


def test_destroy_advice_names_each_lost_ssh_kind_machine_and_the_command(stack, capsys):
    assert reach.main(["--stack", "st"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3
    e1 = next(line for line in lines if line.startswith("destroy: host e1 "))
    assert f"(admin@127.0.0.1:{stack['e1']['port']})" in e1
    assert e1.endswith("run: make forget-host STACK=st HOST=e1 && make destroy STACK=st")


def test_forgetting_a_host_drops_exactly_what_lives_on_it():
    """Its remote commands (by connection), its Docker provider and what was made through it; what
    stays loses only its references to them."""
    secret = lambda value: {reach.SPECIAL_SIGNATURE: reach.SECRET, "plaintext": json.dumps(value)}
    asset = {reach.SPECIAL_SIGNATURE: "c44067f5952c0a294b673a41bacd8c17", "path": "probe.tar", "hash": "ab"}
    e1 = {"address": "127.0.0.1", "port": 2262, "user": "admin", "privateKeyFile": "k"}
    u = lambda name: f"urn:pulumi:st::p::t::{name}"
    resources = [
        {"urn": u("e1-engine"), "type": "command:remote:Command", "inputs": {"connection": secret({"host": "127.0.0.1", "port": 2262})}},
        {"urn": u("e1-copy"), "type": "command:remote:CopyToRemote",
         "inputs": {"connection": secret({"host": "127.0.0.1", "port": 2262}), "source": asset}},
        {"urn": u("e0-engine"), "type": "command:remote:Command", "inputs": {"connection": secret({"host": "127.0.0.1", "port": 2261})}},
        {"urn": u("e1-docker"), "type": "pulumi:providers:docker", "inputs": {"host": "ssh://admin@127.0.0.1:2262"}},
        {"urn": u("e0-docker"), "type": "pulumi:providers:docker", "inputs": {"host": "ssh://admin@127.0.0.1:2261"}},
        {"urn": u("probe-e1"), "type": "docker:index/container:Container", "provider": u("e1-docker") + "::id1",
         "dependencies": [u("e1-engine")]},
        {"urn": u("overlay"), "type": "docker:index/network:Network", "provider": u("e0-docker") + "::id0",
         "dependencies": [u("e0-engine"), u("e1-engine")], "propertyDependencies": {"name": [u("e1-engine")]}},
    ]
    on_e1 = reach.resources_on(resources, e1)
    assert on_e1 == {u("e1-engine"), u("e1-copy"), u("e1-docker"), u("probe-e1")}
    kept = reach.forget({"resources": resources}, on_e1)["resources"]
    assert [r["urn"] for r in kept] == [u("e0-engine"), u("e0-docker"), u("overlay")]
    assert kept[2]["dependencies"] == [u("e0-engine")] and kept[2]["propertyDependencies"] == {"name": []}


ACCESS = {"address": "e1.example", "port": 2262, "user": "admin", "privateKeyFile": "/keys/id",
          "knownHostsFile": "/state/st/known_hosts"}
# Values config validation refuses; ssh_argv must be safe with them all the same.
HOSTILE = {"address": "-oProxyCommand=touch /tmp/a", "port": 22, "user": "-oProxyCommand=touch /tmp/u",
           "privateKeyFile": "-oLocalCommand=touch /tmp/k", "knownHostsFile": "/state/st/known_hosts"}
# The ssh options ssh_argv uses: each takes the argument after it.
FLAGS_WITH_ARGUMENTS = ("-o", "-i", "-l", "-p")


def options(argv: list[str]) -> list[str]:
    """What ssh reads as options: between `ssh` and `--`."""
    return argv[1:argv.index("--")]


def test_ssh_argv_gives_the_user_as_the_argument_of_l():
    argv = ssh_argv(ACCESS, "true")
    assert argv[argv.index("-l") + 1] == "admin"


def test_ssh_argv_gives_the_port_as_the_argument_of_p():
    argv = ssh_argv(ACCESS, "true")
    assert argv[argv.index("-p") + 1] == "2262"


def test_ssh_argv_ends_the_options_right_before_the_address():
    argv = ssh_argv(ACCESS, "true")
    assert argv[argv.index("--") + 1] == "e1.example"


def test_ssh_argv_puts_the_remote_command_after_the_address():
    assert ssh_argv(ACCESS, "sh -s")[-3:] == ["--", "e1.example", "sh -s"]


def test_ssh_argv_never_joins_user_and_address():
    assert not any("@" in arg for arg in ssh_argv(ACCESS, "true"))


def test_ssh_argv_options_are_flags_each_with_its_argument():
    given = options(ssh_argv(HOSTILE, "true"))
    assert len(given) % 2 == 0 and set(given[::2]) <= set(FLAGS_WITH_ARGUMENTS)


def test_ssh_argv_passes_hostile_values_only_as_arguments_of_their_flags():
    pairs = options(ssh_argv(HOSTILE, "true"))
    given = {flag: argument for flag, argument in zip(pairs[::2], pairs[1::2]) if flag != "-o"}
    assert given == {"-i": HOSTILE["privateKeyFile"], "-l": HOSTILE["user"], "-p": "22"}


def test_ssh_argv_keeps_a_hostile_address_out_of_the_options():
    argv = ssh_argv(HOSTILE, "true")
    assert HOSTILE["address"] not in options(argv) and argv[argv.index("--") + 1] == HOSTILE["address"]


def test_the_tools_trust_only_the_stacks_pinned_host_keys():
    argv = options(ssh_argv(ACCESS, "true"))
    assert "StrictHostKeyChecking=yes" in argv and "UserKnownHostsFile=/state/st/known_hosts" in argv


def test_the_stacks_known_hosts_holds_each_pinned_key_for_its_endpoint(stack, tmp_path):
    stack_outputs("st")
    lines = (tmp_path / "state" / "st" / "known_hosts").read_text().splitlines()
    assert sorted(lines) == sorted(f"[127.0.0.1]:{entry['port']} {entry['hostKey']}" for entry in stack.values())


def test_the_stacks_known_hosts_is_for_its_user_only(stack, tmp_path):
    stack_outputs("st")
    assert (tmp_path / "state" / "st" / "known_hosts").stat().st_mode & 0o777 == 0o600


def test_a_stack_that_pins_no_host_key_is_refused(stack, tmp_path):
    outputs = json.loads((tmp_path / "outputs.json").read_text())
    del outputs["hostAccess"]["e1"]["hostKey"]
    (tmp_path / "outputs.json").write_text(json.dumps(outputs))
    with pytest.raises(ToolError, match="pins no SSH host key for e1"):
        stack_outputs("st")


def test_check_refuses_a_host_that_serves_another_key_naming_it_and_both_fingerprints(stack, monkeypatch, capsys):
    async def served(address: str, port: int):
        return host_keys.key_of(OTHER_HOST_KEY) if port == stack["e1"]["port"] else None
    monkeypatch.setattr(host_keys, "served_key", served)
    check.main(["--stack", "st"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL") and " e1 -> " in line]
    assert rows and all(f"host e1 (127.0.0.1:{stack['e1']['port']}) serves SSH host key "
                        f"{host_keys.fingerprint(OTHER_HOST_KEY)}, but the stack pinned "
                        f"{host_keys.fingerprint(FAKE_PUBLIC_KEY)}" in row for row in rows)
