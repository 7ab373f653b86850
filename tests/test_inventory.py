"""make inventory (ops/inventory.py): the Ansible inventory and the ssh_config of a stack's hosts,
from its outputs, faked; read back by `ansible-inventory` and `ssh -G` where they are installed
(neither connects anywhere)."""
from __future__ import annotations

import configparser
import json
import os
import shlex
import shutil
import subprocess

import pytest

from conftest import fake_outputs
from ops import inventory, stack as ops_stack
from ops.inventory import inventory_ini, ssh_config
from ops.stack import ToolError

needs_ansible = pytest.mark.skipif(not shutil.which("ansible-inventory"), reason="ansible is not installed")
needs_ssh = pytest.mark.skipif(not shutil.which("ssh"), reason="no OpenSSH client")


def sections(text: str) -> dict[str, list[str]]:
    """Each [section] of the INI inventory with its lines."""
    parser = configparser.ConfigParser(allow_no_value=True, delimiters=("\0",), interpolation=None)
    parser.optionxform = str
    parser.read_string(text)
    return {name: list(parser[name]) for name in parser.sections()}


def host_line(text: str, name: str) -> dict[str, str]:
    (line,) = [line for line in text.splitlines() if line.startswith(f"{name} ")]
    return dict(word.split("=", 1) for word in line.split()[1:])


def test_a_kv_stack_has_a_keystore_group_and_an_engines_group():
    groups = {name: [line.split()[0] for line in lines]
              for name, lines in sections(inventory_ini("sandbox", fake_outputs())).items() if name != "all:vars"}
    assert groups == {"keystore": ["mh-keystore"], "engines": ["mhs-demo0", "mhs-demo1"]}


def test_a_swarm_stack_has_a_manager_group_and_a_workers_group():
    groups = {name: [line.split()[0] for line in lines]
              for name, lines in sections(inventory_ini("st", fake_outputs(3, "swarm"))).items() if name != "all:vars"}
    assert groups == {"manager": ["mhs-demo0"], "workers": ["mhs-demo1", "mhs-demo2"]}


def test_each_host_is_reached_at_its_ssh_endpoint_as_its_user_with_its_key():
    assert host_line(inventory_ini("sandbox", fake_outputs()), "mhs-demo1") == {
        "ansible_host": "127.0.0.1", "ansible_port": "2202", "ansible_user": "root",
        "ansible_ssh_private_key_file": "/state/sandbox/id_ed25519"}


def test_a_host_reached_through_ssh_agent_names_no_key_file():
    outputs = fake_outputs()
    outputs["hostAccess"]["mhs-demo0"]["privateKeyFile"] = None
    assert "ansible_ssh_private_key_file" not in host_line(inventory_ini("sandbox", outputs), "mhs-demo0")


def test_ansible_trusts_only_the_stacks_known_hosts():
    (line,) = sections(inventory_ini("sandbox", fake_outputs()))["all:vars"]
    assert line == ("ansible_ssh_common_args=-o UserKnownHostsFile=/state/sandbox/known_hosts "
                    "-o StrictHostKeyChecking=yes")


@pytest.fixture(scope="module")
def ansible_reads(tmp_path_factory) -> dict:
    """What `ansible-inventory --list` makes of the inventory of a kv stack kept in a folder with a
    space in its name (one run for the tests below: ansible takes about a second to start)."""
    folder = tmp_path_factory.mktemp("a stack")
    path = folder / "inventory.ini"
    path.write_text(inventory_ini("sandbox", fake_outputs(tmp_path=folder)))
    done = subprocess.run(["ansible-inventory", "-i", str(path), "--list"], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HOME": str(folder), "ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
    assert done.returncode == 0, done.stderr
    return {"folder": folder, "inventory": json.loads(done.stdout)}


@needs_ansible
def test_ansible_reads_a_group_per_role(ansible_reads):
    found = ansible_reads["inventory"]
    assert (found["keystore"]["hosts"], found["engines"]["hosts"]) == (["mh-keystore"], ["mhs-demo0", "mhs-demo1"])


@needs_ansible
def test_ansible_reads_each_hosts_endpoint_and_a_key_path_with_a_space(ansible_reads):
    variables = ansible_reads["inventory"]["_meta"]["hostvars"]["mhs-demo0"]
    assert {key: variables[key] for key in ("ansible_host", "ansible_port", "ansible_user", "ansible_ssh_private_key_file")} == \
        {"ansible_host": "127.0.0.1", "ansible_port": 2201, "ansible_user": "root",
         "ansible_ssh_private_key_file": str(ansible_reads["folder"] / "id_ed25519")}


@needs_ansible
def test_ansible_gives_ssh_the_known_hosts_as_one_argument(ansible_reads):
    args = ansible_reads["inventory"]["_meta"]["hostvars"]["mh-keystore"]["ansible_ssh_common_args"]
    assert shlex.split(args) == ["-o", f"UserKnownHostsFile={ansible_reads['folder'] / 'known_hosts'}",
                                 "-o", "StrictHostKeyChecking=yes"]


def test_the_ssh_config_has_a_host_block_per_host():
    hosts = [line.split()[1] for line in ssh_config("sandbox", fake_outputs()).splitlines() if line.startswith("Host ")]
    assert hosts == ["mh-keystore", "mhs-demo0", "mhs-demo1"]


def ssh_reads(tmp_path, outputs: dict, host: str) -> dict[str, str]:
    """What `ssh -G` (no connection) makes of the host's block: its options, lower-cased."""
    path = tmp_path / "ssh_config"
    path.write_text(ssh_config("sandbox", outputs))
    done = subprocess.run(["ssh", "-G", "-F", str(path), host], capture_output=True, text=True, timeout=10,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    return dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)


@needs_ssh
def test_ssh_reaches_a_host_at_its_endpoint_as_its_user(tmp_path):
    read = ssh_reads(tmp_path, fake_outputs(), "mhs-demo1")
    assert (read["hostname"], read["port"], read["user"]) == ("127.0.0.1", "2202", "root")


@needs_ssh
def test_ssh_trusts_only_the_stacks_known_hosts(tmp_path):
    read = ssh_reads(tmp_path, fake_outputs(tmp_path=tmp_path / "a b"), "mhs-demo0")
    assert (read["userknownhostsfile"], read["stricthostkeychecking"]) == (str(tmp_path / "a b" / "known_hosts"), "true")


@needs_ssh
def test_a_percent_sign_in_a_path_stays_literal_for_ssh(tmp_path):
    read = ssh_reads(tmp_path, fake_outputs(tmp_path=tmp_path / "100%"), "mhs-demo0")
    assert read["userknownhostsfile"] == str(tmp_path / "100%" / "known_hosts")


def test_a_host_reached_through_ssh_agent_has_no_identity_file():
    outputs = fake_outputs()
    for access in outputs["hostAccess"].values():
        access["privateKeyFile"] = None
    assert "IdentityFile" not in ssh_config("sandbox", outputs)


def test_make_inventory_writes_both_files_into_the_stacks_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(ops_stack, "STATE_DIR", tmp_path)
    monkeypatch.setattr(inventory, "stack_outputs", lambda stack: fake_outputs())
    assert inventory.main(["--stack", "st"]) == 0
    assert sorted(path.name for path in (tmp_path / "st").iterdir()) == ["inventory.ini", "ssh_config"]


def test_a_stack_without_host_access_is_refused_in_one_line():
    outputs = fake_outputs()
    del outputs["hostAccess"]
    with pytest.raises(ToolError, match=r"^stack 'st' has no hostAccess output: make up STACK=st writes it$"):
        inventory.write("st", outputs)
