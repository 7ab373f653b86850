"""An engine's daemon.json is merged, never replaced, and its undo takes back exactly what the stack
wrote (components/host_scripts/lib/daemon-json.sh): run with a real `sh` on files in a temporary
folder, with jq, and on a host that has python3 but no jq."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from components import host_scripts

STORE, ADVERTISE, TLS_DIR = "consul://172.28.128.5:8501", "eth1:2376", "/var/lib/docker-multihost/0123456789ab/tls-engine"
OWNERS = {"data-root": "/srv/docker", "log-driver": "json-file", "log-opts": {"max-size": "10m", "max-file": "3"},
          "registry-mirrors": ["https://mirror.example"], "live-restore": True}
# What a host without jq has on its PATH: the tools the library uses, and python3.
NO_JQ_TOOLS = ("sh", "cat", "mkdir", "chmod", "stat", "mv", "rm", "rmdir")


@pytest.fixture(params=["jq", "python3"])
def host(request, tmp_path, monkeypatch) -> dict:
    """The environment of a host with jq, or with python3 and no jq; its files in tmp_path. Its
    scripts folder holds the real libraries, for the calls below."""
    shutil.copytree(host_scripts.SCRIPT_DIR / "lib", tmp_path / "scripts" / "lib")
    monkeypatch.setattr(host_scripts, "SCRIPT_DIR", tmp_path / "scripts")
    (tmp_path / "etc").mkdir()
    env = {**os.environ, "DAEMON_JSON": str(tmp_path / "etc" / "daemon.json"), "RECORD_ROOT": str(tmp_path / "records")}
    if request.param == "python3":
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        for tool in NO_JQ_TOOLS:
            (bin_dir / tool).symlink_to(shutil.which(tool))
        (bin_dir / "python3").symlink_to(os.path.realpath(sys.executable))
        env["PATH"] = str(bin_dir)
    return env


def run(env: dict, call: str) -> subprocess.CompletedProcess:
    """`call` in a script that needs the daemon.json library, as the stack 0123456789ab runs it."""
    (host_scripts.SCRIPT_DIR / "call.sh").write_text(f"# needs: base record daemon-json\n{call}\n")
    text = host_scripts.render("call", {"STACK_ID": "0123456789ab"})
    return subprocess.run(["sh", "-c", text], capture_output=True, text=True, env=env, timeout=30)


def daemon_json(env: dict) -> dict:
    return json.loads(Path(env["DAEMON_JSON"]).read_text())


def write(env: dict, config: dict) -> None:
    Path(env["DAEMON_JSON"]).write_text(json.dumps(config))


def merge(env: dict) -> subprocess.CompletedProcess:
    return run(env, f"merge_daemon_json {STORE} {ADVERTISE} {TLS_DIR}")


def undo(env: dict) -> subprocess.CompletedProcess:
    return run(env, "undo_daemon_json")


def test_the_owners_keys_stay_as_they_were(host):
    write(host, OWNERS)
    assert merge(host).stdout == "yes\n"
    assert {k: v for k, v in daemon_json(host).items() if k in OWNERS} == OWNERS


def test_the_stacks_keys_are_added(host):
    write(host, OWNERS)
    merge(host)
    config = daemon_json(host)
    assert (config["cluster-store"], config["cluster-advertise"], config["cluster-store-opts"]["discovery.ttl"]) == \
        (STORE, ADVERTISE, "20")


def test_the_engine_reaches_its_store_with_the_stacks_tls_files(host):
    merge(host)
    options = daemon_json(host)["cluster-store-opts"]
    assert (options["kv.cacertfile"], options["kv.certfile"], options["kv.keyfile"]) == \
        (f"{TLS_DIR}/ca.pem", f"{TLS_DIR}/cert.pem", f"{TLS_DIR}/key.pem")


def test_a_merge_again_changes_nothing(host):
    write(host, OWNERS)
    merge(host)
    before = Path(host["DAEMON_JSON"]).read_text()
    assert merge(host).stdout == "no\n" and Path(host["DAEMON_JSON"]).read_text() == before


def test_the_undo_leaves_the_file_as_it_was_found(host):
    write(host, OWNERS)
    merge(host)
    assert undo(host).stdout == "yes\n" and daemon_json(host) == OWNERS


def test_the_owners_own_cluster_store_options_come_back(host):
    write(host, {**OWNERS, "cluster-store-opts": {"kv.path": "mine"}})
    merge(host)
    undo(host)
    assert daemon_json(host) == {**OWNERS, "cluster-store-opts": {"kv.path": "mine"}}


def test_an_edit_made_in_between_stays_after_the_undo(host):
    write(host, OWNERS)
    merge(host)
    write(host, {**daemon_json(host), "cluster-advertise": "eth9:2376", "debug": True})
    undo(host)
    assert daemon_json(host) == {**OWNERS, "cluster-advertise": "eth9:2376", "debug": True}


def test_a_file_the_stack_made_goes_again(host):
    assert merge(host).returncode == 0
    undo(host)
    assert not Path(host["DAEMON_JSON"]).exists()


def test_an_engine_on_another_cluster_store_is_refused(host):
    write(host, {**OWNERS, "cluster-store": "etcd://10.9.9.9:2379"})
    refused = merge(host)
    assert refused.returncode == 1 and "another cluster store (etcd://10.9.9.9:2379" in refused.stderr


def test_a_refused_engine_keeps_its_file(host):
    write(host, {**OWNERS, "cluster-store": "etcd://10.9.9.9:2379"})
    merge(host)
    assert daemon_json(host) == {**OWNERS, "cluster-store": "etcd://10.9.9.9:2379"}


def test_the_stack_may_move_its_own_store(host):
    merge(host)
    moved = run(host, f"merge_daemon_json consul://172.28.128.50:8501 {ADVERTISE} {TLS_DIR}")
    assert moved.returncode == 0 and daemon_json(host)["cluster-store"] == "consul://172.28.128.50:8501"


def test_the_file_keeps_its_mode(host):
    write(host, OWNERS)
    Path(host["DAEMON_JSON"]).chmod(0o600)
    merge(host)
    assert Path(host["DAEMON_JSON"]).stat().st_mode & 0o777 == 0o600


def test_nothing_of_the_stack_is_left_in_the_records_after_the_undo(host):
    write(host, OWNERS)
    merge(host)
    undo(host)
    assert not Path(host["RECORD_ROOT"]).exists()


def test_an_undo_with_nothing_recorded_changes_nothing(host):
    write(host, OWNERS)
    assert undo(host).stdout == "no\n" and daemon_json(host) == OWNERS
