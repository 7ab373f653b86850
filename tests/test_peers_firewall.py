"""Peers only: each host's overlay ports accept only the stack's own hosts (`firewall: true`, the
default), in a chain of the stack's own that destroy takes out again."""
from __future__ import annotations

import subprocess

import pytest

from conftest import StubBin, plain, setting, stack_config
from components import host_scripts
from components.config import ConfigError, parse_settings

KV_HOSTS = ("172.28.128.5", "172.28.128.6", "172.28.128.7")


def firewall_stdin(run, host: str) -> str:
    return plain(run.mocks.inputs[f"{host}-firewall-rules"]["stdin"])


@pytest.mark.parametrize("host", ["mh-keystore", "mhs-demo0", "mhs-demo1"])
def test_every_host_lets_in_every_host_of_the_stack(committed_stack, host):
    assert setting(firewall_stdin(committed_stack("dev"), host), "PEERS") == " ".join(KV_HOSTS)


def test_kv_hosts_limit_consuls_https_the_gossip_and_vxlan(committed_stack):
    ports = setting(firewall_stdin(committed_stack("dev"), "mhs-demo0"), "PORTS")
    assert ports == "tcp:8501 tcp:7946 udp:7946 udp:4789"


def test_swarm_hosts_limit_the_management_port_the_gossip_and_vxlan(committed_stack):
    ports = setting(firewall_stdin(committed_stack("sandbox-swarm"), "mhs-demo0"), "PORTS")
    assert ports == "tcp:2377 tcp:7946 udp:7946 udp:4789"


def test_an_encrypted_overlay_limits_esp_too(run_program):
    run = run_program(stack_config("sandbox-swarm", engineLine="26.1", network={"encrypted": True}))
    assert setting(firewall_stdin(run, "mhs-demo1"), "PORTS").endswith(" esp")


def test_the_rules_go_on_destroy(committed_stack):
    delete = committed_stack("dev").mocks.inputs["mhs-demo0-firewall-rules"]["delete"]
    assert 'firewall -X "$chain"' in delete


def test_firewall_false_adds_no_rules(run_program):
    run = run_program(stack_config("dev", firewall=False))
    assert not [name for name in run.mocks.inputs if name.endswith("-firewall-rules")]


def test_firewall_must_be_true_or_false(tmp_path):
    with pytest.raises(ConfigError, match="firewall"):
        parse_settings({**stack_config("dev"), "firewall": "yes"}, str(tmp_path), "dev")


FAKE_IPTABLES = 'case " $* " in *" -N "*) exit 1 ;; *" -C "*) exit 1 ;; esac\n'
"""A stand-in iptables: the chain is there already (-N fails, so it is flushed), INPUT does not
jump to it yet (-C fails)."""


def limit_ports(stub_bin: StubBin, tmp_path, **settings) -> subprocess.CompletedProcess:
    stub_bin.add("iptables", FAKE_IPTABLES, record=True)
    text = host_scripts.render("limit-ports", {"STACK_ID": "0123456789ab", "RECORD_ROOT": str(tmp_path / "records"),
                                              **settings})
    return subprocess.run(["sh", "-c", text], capture_output=True, text=True, env=stub_bin.env, timeout=30)


def rules(stub_bin: StubBin) -> list[str]:
    return [line.removeprefix("iptables -w 30 ") for line in stub_bin.recorded()]


def test_a_peer_returns_to_the_hosts_own_rules_and_anyone_else_is_dropped(stub_bin, tmp_path):
    limit_ports(stub_bin, tmp_path, PEERS="10.0.0.1 10.0.0.2", PORTS="udp:4789")
    assert [r for r in rules(stub_bin) if r.startswith("-A")] == [
        "-A MULTIHOST-0123456789ab -i lo -j RETURN",
        "-A MULTIHOST-0123456789ab -p udp --dport 4789 -s 10.0.0.1 -j RETURN",
        "-A MULTIHOST-0123456789ab -p udp --dport 4789 -s 10.0.0.2 -j RETURN",
        "-A MULTIHOST-0123456789ab -p udp --dport 4789 -j DROP"]


def test_the_chain_is_written_anew_when_run_again(stub_bin, tmp_path):
    limit_ports(stub_bin, tmp_path, PEERS="10.0.0.1", PORTS="esp")
    assert "-F MULTIHOST-0123456789ab" in rules(stub_bin)


def test_input_jumps_to_the_chain_first(stub_bin, tmp_path):
    limit_ports(stub_bin, tmp_path, PEERS="10.0.0.1", PORTS="esp")
    assert rules(stub_bin)[-1] == "-I INPUT -j MULTIHOST-0123456789ab"


def test_the_chain_is_recorded_for_its_undo(stub_bin, tmp_path):
    limit_ports(stub_bin, tmp_path, PEERS="10.0.0.1", PORTS="tcp:7946")
    assert (tmp_path / "records" / "0123456789ab" / "peers-chain").read_text() == "MULTIHOST-0123456789ab\n"


def test_a_port_that_is_not_protocol_and_number_is_refused(stub_bin, tmp_path):
    done = limit_ports(stub_bin, tmp_path, PEERS="10.0.0.1", PORTS="4789")
    assert done.returncode == 1 and "PORTS: '4789' is not PROTOCOL:PORT or esp" in done.stderr


def test_the_undo_takes_out_only_a_chain_the_stack_recorded(stub_bin, tmp_path):
    stub_bin.add("iptables", "exit 0\n", record=True)
    text = host_scripts.render("unlimit-ports", {"STACK_ID": "0123456789ab", "RECORD_ROOT": str(tmp_path / "records")})
    subprocess.run(["sh", "-c", text], capture_output=True, text=True, env=stub_bin.env, timeout=30)
    assert stub_bin.recorded() == []
