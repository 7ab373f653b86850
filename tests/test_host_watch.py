"""The watch beside each host command that makes a thing: what a refresh reads, and what it plans."""
from __future__ import annotations

import subprocess

import pytest

from components import host_watch
from components.host_watch import HostWatchProvider
from conftest import stack_config

WANT = "true 0123456789ab"
CONNECTION = {"host": "127.0.0.1", "port": 2201, "user": "root", "host_key": "ssh-ed25519 AAAA",
              "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret\n", "command": "sh -s"}
PROPS = {"connection": CONNECTION, "status": "status script", "want": WANT, "what": "container probe-a on mhs-demo0"}


@pytest.fixture
def host_answers(monkeypatch):
    """The host's answer to the status script: set `answer.returncode` and `answer.stdout`."""
    answer = subprocess.CompletedProcess([], 0, WANT + "\n", "")
    monkeypatch.setattr(host_watch, "ssh_status", lambda connection, status: answer)
    return answer


def test_the_provider_is_imported_from_a_module_that_never_moves():
    """The state names it; a stack whose watches name a module that is gone can neither be
    refreshed nor destroyed."""
    assert (HostWatchProvider.__module__, HostWatchProvider.__qualname__) == ("components.host_watch", "HostWatchProvider")


def test_the_provider_is_kept_unencrypted_by_reference():
    assert HostWatchProvider.serialize_as_secret_always is False


def test_a_refresh_reads_what_the_host_prints(host_answers):
    assert HostWatchProvider().read("id", PROPS).outs["observed"] == WANT


def test_a_refresh_that_finds_the_thing_gone_drops_the_watch(host_answers):
    host_answers.returncode = host_watch.GONE
    assert HostWatchProvider().read("id", PROPS).id == ""


def test_a_host_that_cannot_tell_for_now_keeps_what_the_watch_saw_before(host_answers):
    host_answers.returncode, host_answers.stdout = host_watch.CANNOT_TELL, ""
    assert HostWatchProvider().read("id", {**PROPS, "observed": "false 0123456789ab"}).outs["observed"] == "false 0123456789ab"


def test_a_host_that_cannot_be_asked_fails_the_refresh_naming_the_thing_and_not_the_key(host_answers):
    host_answers.returncode, host_answers.stderr = 255, "ssh: connect to host 127.0.0.1 port 2201: Connection refused"
    with pytest.raises(RuntimeError) as raised:
        HostWatchProvider().read("id", PROPS)
    assert str(raised.value).startswith("container probe-a on mhs-demo0: its status could not be read (exit 255)")
    assert "secret" not in str(raised.value)


def test_a_thing_as_wanted_plans_no_change():
    assert not HostWatchProvider().diff("id", {**PROPS, "observed": WANT}, PROPS).changes


def test_a_thing_a_refresh_found_changed_is_made_again():
    diff = HostWatchProvider().diff("id", {**PROPS, "observed": f"false {WANT[5:]}"}, PROPS)
    assert (diff.changes, diff.replaces) == (True, ["want"])


def test_a_new_way_to_reach_the_host_is_no_reason_to_make_the_thing_again():
    diff = HostWatchProvider().diff("id", {**PROPS, "observed": WANT}, {**PROPS, "connection": {**CONNECTION, "port": 2202}})
    assert (diff.changes, diff.replaces) == (True, [])


def test_another_host_asked_for_the_same_thing_is_no_reason_to_make_it_again():
    """The network is asked of the first engine: removing that engine changes the host, not the network."""
    diff = HostWatchProvider().diff("id", {**PROPS, "observed": WANT}, {**PROPS, "what": "network my-net on mhs-demo2"})
    assert (diff.changes, diff.replaces) == (True, [])


def test_a_watch_is_made_as_wanted_without_asking_the_host(monkeypatch):
    monkeypatch.setattr(host_watch, "ssh_status", lambda *_: pytest.fail("create asked the host"))
    assert HostWatchProvider().create(PROPS).outs["observed"] == WANT


@pytest.mark.parametrize("command, watch", [
    ("probe-mhs-demo0-container", "probe-mhs-demo0-container-watch"), ("keystore-consul", "keystore-consul-watch"),
    ("overlay-network", "overlay-network-watch"), ("mhs-demo1-engine", "mhs-demo1-engine-watch")])
def test_what_a_command_makes_is_watched_and_the_command_runs_again_when_the_watch_is_new(committed_stack, command, watch):
    run = committed_stack("sandbox")
    assert run.mocks.inputs[command]["triggers"][0] == f"{watch}-id"


@pytest.mark.parametrize("stack", ["sandbox", "sandbox-swarm"])
def test_a_probe_is_made_again_when_its_network_is(run_program, stack):
    run = run_program(stack_config(stack))
    assert run.mocks.inputs["probe-mhs-demo1-container"]["triggers"] == \
        ["probe-mhs-demo1-container-watch-id", "overlay-network-id"]


def test_a_swarm_workers_membership_is_watched(committed_stack):
    run = committed_stack("sandbox-swarm")
    assert run.mocks.inputs["mhs-demo1-swarm-join-watch"]["want"] == "active"


def test_a_watch_goes_with_its_hosts_machine(committed_stack):
    run = committed_stack("sandbox")
    machine = run.monitor.named("mhs-demo1-engine").deleted_with
    assert machine and run.monitor.named("probe-mhs-demo1-container-watch").deleted_with == machine


def test_a_probes_watch_does_not_wait_on_the_network_command(committed_stack):
    """While the network's command changes (its host removed), its output is unknown: a probe
    watch that took the network's name from it would plan every probe's replacement."""
    run = committed_stack("sandbox")
    watch = run.monitor.named("probe-mhs-demo0-container-watch")
    assert not any("overlay-network" in urn for urns in watch.property_dependencies.values() for urn in urns)
