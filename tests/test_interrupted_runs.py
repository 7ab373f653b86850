"""After a killed run: the stale lock is named with the command that removes it, a live one is
never offered for removal (ops/lock.py), and what a pending create made on the local engine is
found by name and label (ops/orphans.py)."""
from __future__ import annotations

import json
import os
import socket

from components.names import STACK_LABEL
from ops import lock, orphans


def write_lock(tmp_path, pid: int, hostname: str = socket.gethostname()) -> str:
    backend = f"file://{tmp_path}"
    folder = lock.locks_dir("sandbox", backend)
    folder.mkdir(parents=True)
    (folder / "0a97fcfe.json").write_text(json.dumps({"pid": pid, "username": "root", "hostname": hostname,
                                                      "timestamp": "2026-12-02T14:00:36Z"}))
    return backend


def test_no_lock_needs_nothing(tmp_path):
    assert lock.advice("sandbox", lock.locks("sandbox", f"file://{tmp_path}")) == (0, "")


def test_a_lock_whose_process_is_gone_is_named_with_the_command_that_removes_it(tmp_path):
    backend = write_lock(tmp_path, pid=2 ** 22 + 1)  # above the kernel's pid_max default: no such process
    code, text = lock.advice("sandbox", lock.locks("sandbox", backend))
    assert code == 2 and "pulumi cancel --stack sandbox --yes" in text


def test_a_lock_a_live_pulumi_holds_is_never_offered_for_removal(tmp_path, monkeypatch):
    backend = write_lock(tmp_path, pid=os.getpid())
    monkeypatch.setattr(lock.Lock, "alive", property(lambda self: True))
    code, text = lock.advice("sandbox", lock.locks("sandbox", backend))
    assert code == 1 and "pulumi cancel" not in text and "wait for it to end" in text


def test_a_live_process_that_is_not_pulumi_does_not_hold_the_lock(tmp_path):
    # This test's own pid runs python, not pulumi: the pid was reused.
    backend = write_lock(tmp_path, pid=os.getpid())
    assert lock.locks("sandbox", backend)[0].alive is False


def test_another_machines_lock_counts_as_live(tmp_path):
    backend = write_lock(tmp_path, pid=2 ** 22 + 1, hostname="elsewhere")
    assert lock.advice("sandbox", lock.locks("sandbox", backend))[0] == 1


def test_an_empty_attributes_file_left_by_a_killed_run_is_removed(tmp_path):
    stacks = tmp_path / ".pulumi" / "stacks" / "docker-multihost"
    stacks.mkdir(parents=True)
    (stacks / "sandbox.json.attrs").write_text("")
    (stacks / "sandbox.json.bak.attrs").write_text('{"md5": "x"}')
    assert [p.name for p in lock.repair_attributes("sandbox", f"file://{tmp_path}")] == ["sandbox.json.attrs"]
    assert (stacks / "sandbox.json.bak.attrs").exists()


def pending(kind: str, name: str, stack: str = "sandbox", operation: str = "creating") -> dict:
    return {"type": operation, "resource": {"type": kind, "inputs": {
        "name": name, "labels": [{"label": STACK_LABEL, "value": stack}]}}}


def test_a_pending_create_of_the_stacks_own_network_is_an_orphan():
    deployment = {"pending_operations": [pending("docker:index/network:Network", "multihost-sandbox-underlay")]}
    assert orphans.orphans(deployment, "sandbox") == [("network", "multihost-sandbox-underlay")]


def test_another_stacks_pending_create_is_not_this_stacks_orphan():
    deployment = {"pending_operations": [pending("docker:index/container:Container", "x", stack="other")]}
    assert orphans.orphans(deployment, "sandbox") == []


def test_a_pending_delete_leaves_nothing_to_remove():
    deployment = {"pending_operations": [pending("docker:index/volume:Volume", "v", operation="deleting")]}
    assert orphans.orphans(deployment, "sandbox") == []
