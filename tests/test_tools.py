"""The tools beside the program (make check, make destroy's advice) against a stand-in `pulumi` that
answers with a stack's outputs, and hosts that do not answer (loopback ports with nothing
listening). `make faults` runs them against real hosts."""
from __future__ import annotations

import json
import socket

import pytest

from multihost import check, reach


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def stack(tmp_path, monkeypatch):
    """A stand-in `pulumi` on PATH whose stack has two engines and a keystore on dead ports."""
    key = tmp_path / "id"
    key.write_text("not a key")
    key.chmod(0o600)
    access = {name: {"address": "127.0.0.1", "port": free_port(), "user": "admin", "privateKeyFile": str(key)}
              for name in ("ks", "e0", "e1")}
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


def test_destroy_advice_names_each_lost_existing_machine_and_the_command(stack, capsys):
    assert reach.main(["--stack", "st"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 3
    e1 = next(line for line in lines if line.startswith("destroy: host e1 "))
    assert f"(admin@127.0.0.1:{stack['e1']['port']})" in e1
    assert e1.endswith("run: pulumi state delete --stack st --yes --target-dependents "
                       "'urn:pulumi:st::docker-multihost::multihost:index:ExistingHost::e1' && make destroy STACK=st")
