"""The Vagrantfile and the Vagrant stacks describe the same machines, for both providers."""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT

VAGRANTFILE = ROOT / "Vagrantfile"


def stack_hosts(stack: str) -> list[dict]:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return [config["docker-multihost:keystore"], *config["docker-multihost:engines"]]


def test_vagrantfile_reads_its_hosts_from_the_stack_file():
    text = VAGRANTFILE.read_text()
    assert 'ENV.fetch("MULTIHOST_STACK", "dev")' in text
    assert 'File.join(__dir__, "Pulumi.#{stack}.yaml")' in text
    assert 'settings.fetch("docker-multihost:keystore")' in text and 'settings.fetch("docker-multihost:engines")' in text
    assert 'machine.vm.hostname = host.fetch("name")' in text
    assert re.search(r'private_network", ip: host.fetch\("address"\)', text)
    # No second list of hosts to drift out of step.
    for host in stack_hosts("dev") + stack_hosts("dev-docker"):
        assert host["address"] not in text and host["name"] not in text


# Evaluates the Vagrantfile with a tiny stand-in for Vagrant's configuration object that records
# each machine's name, hostname, private address and, per provider, what is set on it.
RECORDER = r'''
Rec = Struct.new(:log, :prefix) do
  def method_missing(name, *args, &blk)
    if name == :define then m = Rec.new(log, ""); log << ["define", args[0]]; blk.call(m)
    elsif name == :network then log << ["network", args[0], args[1][:ip]]
    elsif name == :provider then blk.call(Rec.new(log, "#{args[0]}."), Rec.new([], ""))
    elsif name.to_s.end_with?("=") then log << ["#{prefix}#{name.to_s.chomp("=")}", args[0].inspect]
    else Rec.new(log, prefix) end
  end
end
module Vagrant
  def self.source_root; ENV.fetch("FAKE_VAGRANT_ROOT"); end
  def self.configure(_v); c = Rec.new([], ""); yield c; puts c.log.map { |e| e.join(" ") }; end
end
load ARGV[0]
'''


def evaluate(stack: str, tmp_path) -> str:
    (tmp_path / "keys").mkdir(exist_ok=True)
    (tmp_path / "keys" / "vagrant.pub").write_text("ssh-rsa AAAAinsecure vagrant\n")
    env = {**os.environ, "MULTIHOST_STACK": stack, "FAKE_VAGRANT_ROOT": str(tmp_path)}
    return subprocess.run(["ruby", "-e", RECORDER, str(VAGRANTFILE)], capture_output=True, text=True,
                          check=True, env=env).stdout


@pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is not installed")
@pytest.mark.parametrize("stack", ["dev", "dev-docker"])
def test_vagrantfile_defines_the_stacks_hosts_for_virtualbox_and_docker(stack, tmp_path):
    out = evaluate(stack, tmp_path)
    for host in stack_hosts(stack):
        assert f"define {host['name']}" in out
        assert f"hostname \"{host['name']}\"" in out
        assert f"network private_network {host['address']}" in out
    # The VirtualBox form of the classic setup is still there, for real VMs.
    assert "virtualbox.memory 1024" in out and 'box "ubuntu/focal64"' in out
    # The docker provider: the host image, sshd, a sudo user with Vagrant's key, the nested
    # engine's capability set, and the stack's label.
    assert 'docker.image "multihost/host:bullseye"' in out and "docker.has_ssh true" in out
    assert '"LOGIN_USER"=>"vagrant"' in out and '"AUTHORIZED_KEYS"=>"ssh-rsa AAAAinsecure vagrant"' in out
    create_args = next(line for line in out.splitlines() if line.startswith("docker.create_args "))
    for arg in ("--cap-add=ALL", "--cap-drop=SYS_RESOURCE", "--security-opt=seccomp=unconfined",
                "--cgroupns=private", "--volume=/var/lib/docker", f"--label=multihost.stack={stack}"):
        assert arg in create_args


@pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is not installed")
def test_a_docker_provider_machine_is_given_longer_to_stop_than_its_engine_needs(tmp_path):
    stop_timeout = int(re.search(r"^docker\.stop_timeout (\d+)$", evaluate("dev-docker", tmp_path), re.M).group(1))
    host_init = (ROOT / "images" / "host" / "host-init").read_text()
    engine_stop = int(re.search(r"ENGINE_STOP_S=\$\{ENGINE_STOP_S:-(\d+)\}", host_init).group(1))
    assert stop_timeout > engine_stop
