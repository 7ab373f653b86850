"""Every host's SSH host key is pinned, and every connection checks it (components/host_keys.py)."""
from __future__ import annotations

import subprocess

import pytest

from components import host_keys
from components.config import ConfigError, parse_settings
from conftest import FAKE_PUBLIC_KEY, OTHER_HOST_KEY, ROOT, stack_config


def remote_commands(run) -> list:
    return [r for r in run.monitor.registrations if r.type.startswith("command:remote:")]


def test_the_fingerprint_is_the_one_ssh_keygen_prints(tmp_path):
    (tmp_path / "key.pub").write_text(FAKE_PUBLIC_KEY + "\n")
    printed = subprocess.run(["ssh-keygen", "-lf", str(tmp_path / "key.pub")], capture_output=True, text=True).stdout
    assert printed.split()[1] == host_keys.fingerprint(FAKE_PUBLIC_KEY)


@pytest.mark.parametrize("line", [FAKE_PUBLIC_KEY, "[127.0.0.1]:2201 " + FAKE_PUBLIC_KEY, "host.example " + FAKE_PUBLIC_KEY])
def test_a_key_line_from_known_hosts_or_keyscan_is_read_as_type_and_key(line):
    assert host_keys.key_of(line) == " ".join(FAKE_PUBLIC_KEY.split()[:2])


@pytest.mark.parametrize("stack", ["sandbox", "sandbox-swarm", "dev"])
def test_every_connection_checks_the_pinned_host_key(run_program, stack):
    run = run_program(stack_config(stack))
    keys = {run.mocks.inputs[r.name]["connection"]["value"].get("hostKey") for r in remote_commands(run)}
    assert keys == {host_keys.key_of(FAKE_PUBLIC_KEY)}


def test_the_tools_get_each_hosts_pinned_key(committed_stack):
    access = committed_stack("sandbox").outputs["hostAccess"]
    assert {entry["hostKey"] for entry in access.values()} == {host_keys.key_of(FAKE_PUBLIC_KEY)}


def test_each_host_is_asked_for_the_key_it_serves(run_program):
    run_program(stack_config("sandbox"))
    assert sorted(port for _, port in run_program.asked_keys) == [2205, 2206, 2207]


def test_a_host_serving_another_key_stops_the_run_naming_it_and_both_fingerprints(run_program):
    with pytest.raises(Exception) as err:
        run_program(stack_config("sandbox"), served_keys={2206: host_keys.key_of(OTHER_HOST_KEY)})
    assert (f"host mhs-demo0 (127.0.0.1:2206) serves SSH host key {host_keys.fingerprint(OTHER_HOST_KEY)}, "
            f"but the stack pinned {host_keys.fingerprint(FAKE_PUBLIC_KEY)}") in str(err.value)


def test_nothing_runs_on_a_host_serving_another_key(run_program):
    with pytest.raises(Exception):
        run_program(stack_config("sandbox"), served_keys={2206: host_keys.key_of(OTHER_HOST_KEY)})
    ran = [r.name for r in run_program.monitors[-1].registrations
           if r.type == "command:remote:Command" and r.name.startswith(("mhs-demo0", "probe-mhs-demo0"))]
    assert not ran


def ssh_kind(tmp_path, **ssh):
    key = tmp_path / "id"
    key.write_text("key")
    access = {"user": "admin", "privateKeyFile": str(key), **ssh}
    return stack_config("dev", hostKind="ssh", keystore={"name": "ks", "address": "172.28.128.5", "ssh": access},
                        engines=[{"name": f"e{i}", "address": f"172.28.128.{6 + i}", "ssh": access} for i in range(2)])


def test_an_ssh_kind_host_key_given_in_config_is_the_one_pinned(run_program, tmp_path):
    run = run_program(ssh_kind(tmp_path, hostKey="e0.example " + OTHER_HOST_KEY),
                      served_keys={22: host_keys.key_of(OTHER_HOST_KEY)})
    assert {entry["hostKey"] for entry in run.outputs["hostAccess"].values()} == {host_keys.key_of(OTHER_HOST_KEY)}


def test_an_ssh_kind_host_key_given_in_config_needs_no_scan_at_the_first_up(run_program, tmp_path):
    run = run_program(ssh_kind(tmp_path, hostKey=OTHER_HOST_KEY), served_keys={22: host_keys.key_of(OTHER_HOST_KEY)})
    assert not [r for r in run.monitor.of_type("command:local:Command") if r.name.endswith("-host-key")]


def test_without_a_host_key_in_config_the_first_seen_is_pinned(run_program, tmp_path):
    run = run_program(ssh_kind(tmp_path))
    scans = [r.name for r in run.monitor.of_type("command:local:Command") if r.name.endswith("-host-key")]
    assert sorted(scans) == ["e0-host-key", "e1-host-key", "ks-host-key"]


@pytest.mark.parametrize("value", ["not a key", "ssh-ed25519", FAKE_PUBLIC_KEY + "\n" + OTHER_HOST_KEY, 42])
def test_a_host_key_that_is_no_key_line_is_refused(tmp_path, value):
    with pytest.raises(ConfigError) as err:
        parse_settings(ssh_kind(tmp_path, hostKey=value), str(ROOT), "test")
    assert err.value.key == "keystore.ssh.hostKey"


def connections(run) -> list[dict]:
    return [run.mocks.inputs[r.name]["connection"]["value"] for r in remote_commands(run)]


def test_through_ssh_agent_no_private_key_goes_into_any_connection(run_program, tmp_path, monkeypatch):
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))
    run = run_program(ssh_kind(tmp_path))
    assert connections(run) and not any(c.get("privateKey") for c in connections(run))


def test_through_ssh_agent_no_key_file_is_needed(run_program, tmp_path, monkeypatch):
    monkeypatch.setenv("SSH_AUTH_SOCK", str(tmp_path / "agent.sock"))
    values = ssh_kind(tmp_path)
    for host in [values["keystore"], *values["engines"]]:
        host["ssh"] = {k: v for k, v in host["ssh"].items() if k != "privateKeyFile"}
    assert all(entry["privateKeyFile"] is None for entry in run_program(values).outputs["hostAccess"].values())


def test_ssh_agent_asked_for_without_one_running_is_refused(tmp_path):
    with pytest.raises(ConfigError) as err:
        parse_settings(ssh_kind(tmp_path, agent=True), str(ROOT), "test", env={})
    assert err.value.key == "keystore.ssh.agent" and "SSH_AUTH_SOCK is not set" in str(err.value)


def test_a_key_file_under_an_empty_passphrase_is_refused_saying_how_to_set_one(tmp_path):
    with pytest.raises(ConfigError) as err:
        parse_settings(ssh_kind(tmp_path), str(ROOT), "test", env={"PULUMI_CONFIG_PASSPHRASE": ""})
    assert err.value.key == "keystore.ssh.privateKeyFile" and "PULUMI_CONFIG_PASSPHRASE_FILE" in str(err.value)


def test_a_key_file_under_an_empty_passphrase_makes_nothing(run_program, tmp_path, monkeypatch):
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "")
    with pytest.raises(ConfigError):
        run_program(ssh_kind(tmp_path))
    assert run_program.monitors[-1].registrations == []


def test_sandbox_hosts_keep_the_empty_passphrase_default(run_program, monkeypatch):
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE")
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "")
    assert run_program(stack_config("sandbox")).outputs["allReachable"] is True
