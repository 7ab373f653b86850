"""Swarm mode (`controlPlane: swarm`): its validation, its resource graph, the join token as a
secret, and the encrypted overlay's preflight. The layers above the engines are the kv mode's."""
from __future__ import annotations

from collections import Counter

import pytest

from conftest import FAKE_JOIN_TOKEN, ROOT, dependency_names, secret_value, setting, stack_config
from components.config import ConfigError, parse_settings

T = "multihost:index:"


def parse(stack: str, **overrides):
    # Images from the registry: the archives `make images` writes need not exist for these tests.
    overrides.setdefault("images", {"probe": "multihost/probe:busybox"})
    return parse_settings(stack_config(stack, **overrides), str(ROOT), "test")


def test_sandbox_swarm_stack_has_no_keystore_and_a_current_engine():
    settings = parse("sandbox-swarm")
    assert settings.control_plane == "swarm" and settings.keystore is None
    assert [h.name for h in settings.hosts] == ["mhs-demo0", "mhs-demo1"]
    assert settings.engine_line == "26.1" and settings.sandbox.host_image == "multihost/host:trixie"
    assert settings.network.encrypted is False and settings.network.gateway == "10.0.4.1"


def test_kv_is_the_default_and_keeps_its_pinned_line():
    settings = parse("dev")
    assert settings.control_plane == "kv" and settings.keystore.name == "mh-keystore"
    assert settings.engine_line == "20.10"


@pytest.mark.parametrize("stack, overrides, key, words", [
    ("dev", {"controlPlane": "raft"}, "controlPlane", "not one of kv, swarm"),
    ("dev", {"engineLine": "26.1"}, "engineLine", "or controlPlane swarm"),
    ("sandbox-swarm", {"engineLine": "19.03"}, "engineLine", "too old for controlPlane swarm"),
    ("sandbox-swarm", {"engineLine": "new"}, "engineLine", "not a Docker Engine version"),
    ("sandbox-swarm", {"keystore": {"name": "mh-keystore", "address": "172.28.160.5"}}, "keystore",
     "controlPlane swarm has no key-value store"),
    ("dev", {"network": {"name": "my-net", "subnet": "10.0.4.0/24", "encrypted": True}}, "network.encrypted",
     "needs controlPlane swarm"),
    ("sandbox-swarm", {"network": {"name": "my-net", "subnet": "10.0.4.0/24", "encrypted": "yes"}},
     "network.encrypted", "not true or false"),
])
def test_each_mode_refuses_what_it_cannot_do_naming_the_key(stack, overrides, key, words):
    with pytest.raises(ConfigError) as err:
        parse(stack, **overrides)
    assert err.value.key == key and words in str(err.value)


@pytest.mark.parametrize("version", ["20.10", "20.10.5", "23.0", "26.1", "27.3.1"])
def test_swarm_mode_takes_engines_from_20_10_on(version):
    assert parse("sandbox-swarm", engineLine=version).engine_line == version


def test_swarm_graph_has_engines_and_no_consul(committed_stack):
    run = committed_stack("sandbox-swarm")
    counts = Counter(r.type for r in run.monitor.registrations if r.type.startswith(T))
    assert counts == Counter({f"{T}StackIdentity": 1, f"{T}SandboxUnderlay": 1, f"{T}SandboxHost": 2, f"{T}SwarmEngine": 2,
                              f"{T}OverlayNetwork": 1, f"{T}ProbeContainer": 2, f"{T}PingReport": 1,
                              f"{T}PeersFirewall": 2})
    assert run.outputs["controlPlane"] == "swarm" and run.outputs["swarmManager"] == "mhs-demo0"
    assert "consulUrl" not in run.outputs
    # The same report as in kv mode: every ordered pair, by address and by name.
    assert len(run.outputs["pingResults"]) == 4 and run.outputs["allReachable"] is True
    ensure = run.mocks.inputs["mhs-demo1-engine"]["stdin"]
    assert "CONTROL_PLANE=swarm" in ensure and "ENGINE_LINE=26.1" in ensure


@pytest.mark.parametrize("host", ["mhs-demo0", "mhs-demo1"])
def test_each_swarm_probe_is_told_its_network_is_a_swarms(committed_stack, host):
    run = committed_stack("sandbox-swarm")
    assert setting(run.mocks.inputs[f"probe-{host}-container"]["stdin"], "SCOPE") == "swarm"


def test_swarm_edges_manager_first_then_workers_then_network(committed_stack):
    run = committed_stack("sandbox-swarm")
    monitor = run.monitor
    init, join = monitor.named("mhs-demo0-swarm-init"), monitor.named("mhs-demo1-swarm-join")
    assert any(d.endswith("::mhs-demo0-engine") for d in init.dependencies)
    assert any(d.endswith("::mhs-demo0-swarm-init") for d in join.dependencies)
    assert any(d.endswith("::mhs-demo1-engine") for d in join.dependencies)
    assert "MANAGER=172.28.160.6:2377\n" in secret_value(run.mocks.inputs[join.name]["stdin"])
    # Each engine leaves the swarm on destroy; workers go before the manager (they depend on it).
    for command in (init, join):
        assert "swarm-leave" not in run.mocks.inputs[command.name]["create"]
        assert "docker swarm leave" in run.mocks.inputs[command.name]["delete"]
    # The network is made through the manager once the swarm is there (workers attach to it as they
    # join), and lives in it.
    network = monitor.named("overlay-network")
    assert secret_value(run.mocks.inputs[network.name]["connection"])["port"] == 2286  # the manager's host (sandbox.sshPortBase)
    network_deps = {d.rsplit("::", 1)[1] for d in network.dependencies}
    assert "mhs-demo0-swarm-init" in network_deps and "mhs-demo1-swarm-join" not in network_deps
    assert network.deleted_with == init.urn
    # Only the manager lists a swarm network before a container uses it: its probe waits to see it
    # (in its own SSH session); a worker's does not.
    manager_probe = run.mocks.inputs["probe-mhs-demo0-container"]["stdin"]
    assert "# wait-network-visible.sh\n" in manager_probe and "SCOPE=swarm\n" in manager_probe
    assert "# wait-gossip.sh\n" not in manager_probe  # the gossip is a key-value store's
    assert "wait-network-visible" not in run.mocks.inputs["probe-mhs-demo1-container"]["stdin"]
    # Probes run on their own host and wait for the network: a worker's, for the network itself (it
    # lists it only once a container of its own is attached) and its own engine.
    probe = monitor.named("probe-mhs-demo1-container")
    assert secret_value(run.mocks.inputs[probe.name]["connection"])["port"] == 2287
    deps = {d.rsplit("::", 1)[1] for d in set(probe.dependencies) | {d for ds in probe.property_dependencies.values() for d in ds}}
    assert "overlay-network" in deps and "mhs-demo0-swarm-init" not in deps, deps
    # A worker's engine is ready once the manager sees the joined node ready: a check on the
    # manager's host, after the join.
    assert "mhs-demo1-swarm-ready" in deps
    ready = monitor.named("mhs-demo1-swarm-ready")
    assert any(d.endswith("::mhs-demo1-swarm-join") for d in ready.dependencies)
    assert secret_value(run.mocks.inputs[ready.name]["connection"])["port"] == 2286
    assert "NODE=mhs-demo1\n" in run.mocks.inputs[ready.name]["stdin"]


@pytest.fixture
def swarm(committed_stack):
    """The sandbox-swarm stack as committed: its one read-only run (committed_stack)."""
    return committed_stack("sandbox-swarm")


@pytest.mark.parametrize("probe", ["probe-mhs-demo0-container", "probe-mhs-demo1-container"])
def test_a_swarm_engine_asks_its_gossip_for_the_network_peers_once_every_probe_is_attached(swarm, probe):
    assert probe in dependency_names(swarm.monitor.named("pings-peers-on-mhs-demo1"))


@pytest.mark.parametrize("engine", ["mhs-demo0", "mhs-demo1"])
def test_swarm_pings_start_once_every_engine_lists_every_engine_on_the_network(swarm, engine):
    assert f"pings-peers-on-{engine}" in dependency_names(swarm.monitor.named("pings-from-mhs-demo0"))


def test_a_swarm_engine_waits_for_every_engines_advertise_address_among_the_network_peers(swarm):
    assert setting(swarm.mocks.inputs["pings-peers-on-mhs-demo0"]["stdin"], "PEERS") == "172.28.160.6 172.28.160.7"


def test_a_swarm_engines_peers_wait_runs_again_when_any_probe_is_made_anew(swarm):
    assert swarm.mocks.inputs["pings-peers-on-mhs-demo0"]["triggers"] == [
        "probe-mhs-demo0-container-id", "probe-mhs-demo1-container-id"]


def test_the_join_token_is_a_secret_never_shown(committed_stack):
    run = committed_stack("sandbox-swarm")
    init = run.monitor.named("mhs-demo0-swarm-init")
    assert "stdout" in init.secret_outputs
    assert run.mocks.inputs[init.name]["logging"] == "stderr"  # its stdout is the token
    join = run.mocks.inputs["mhs-demo1-swarm-join"]
    # The token reaches the worker on stdin, a secret, never in the command line a failure would print.
    assert f"JOIN_TOKEN={FAKE_JOIN_TOKEN}\n" in secret_value(join["stdin"])
    assert FAKE_JOIN_TOKEN not in join["create"] and FAKE_JOIN_TOKEN not in str(run.outputs)


def test_encrypted_overlay_checks_every_host_first(run_program):
    config = stack_config("sandbox-swarm", network={"name": "my-net", "subnet": "10.0.4.0/24", "encrypted": True})
    run = run_program(config)
    network = run.monitor.named("overlay-network")
    assert "ENCRYPTED=1\n" in run.mocks.inputs[network.name]["stdin"]
    checks = {f"overlay-ipsec-on-{h}" for h in ("mhs-demo0", "mhs-demo1")}
    assert checks <= {d.rsplit("::", 1)[1] for d in network.dependencies}
    for name in checks:
        check = run.monitor.named(name)
        # Right after the host answers: before its engine, so a refusal comes before anything is set up.
        host = name.rsplit("-on-", 1)[1]
        assert any(d.endswith(f"SandboxHost$docker:index/container:Container::{host}") for d in check.dependencies)
        assert not [d for d in check.dependencies if "SwarmEngine" in d]
        assert "rfc4106(gcm(aes))" in run.mocks.inputs[name]["stdin"]


def test_unencrypted_overlay_has_no_ipsec_check(committed_stack):
    run = committed_stack("sandbox-swarm")
    assert not [r for r in run.monitor.registrations if "-ipsec-" in r.name]
    assert "ENCRYPTED=0\n" in run.mocks.inputs["overlay-network"]["stdin"]


@pytest.mark.parametrize("line", ["20.10.5", "20.10.23", "23.0.2"])
def test_an_encrypted_overlay_refuses_engine_releases_that_can_fail_open(line):
    with pytest.raises(ConfigError) as err:
        parse("sandbox-swarm", engineLine=line, network={"name": "my-net", "subnet": "10.0.4.0/24", "encrypted": True})
    assert err.value.key == "engineLine" and "CVE-2023-28840" in str(err.value)


@pytest.mark.parametrize("line", ["20.10", "20.10.24", "23.0.3", "26.1"])
def test_an_encrypted_overlay_takes_releases_that_cannot_fail_open(line):
    network = {"name": "my-net", "subnet": "10.0.4.0/24", "encrypted": True}
    assert parse("sandbox-swarm", engineLine=line, network=network).network.encrypted
