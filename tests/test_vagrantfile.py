"""The Vagrantfile and the dev stack describe the same machines."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from conftest import ROOT

VAGRANTFILE = ROOT / "Vagrantfile"


def dev_hosts() -> list[dict]:
    config = yaml.safe_load((ROOT / "Pulumi.dev.yaml").read_text())["config"]
    return [config["docker-multihost:keystore"], *config["docker-multihost:engines"]]


def test_vagrantfile_reads_its_hosts_from_the_dev_stack():
    text = VAGRANTFILE.read_text()
    assert 'File.join(__dir__, "Pulumi.dev.yaml")' in text
    assert 'settings.fetch("docker-multihost:keystore")' in text and 'settings.fetch("docker-multihost:engines")' in text
    assert 'machine.vm.hostname = host.fetch("name")' in text
    assert re.search(r'private_network", ip: host.fetch\("address"\)', text)
    # No second list of hosts to drift out of step.
    for host in dev_hosts():
        assert host["address"] not in text and host["name"] not in text


@pytest.mark.skipif(shutil.which("ruby") is None, reason="ruby is not installed")
def test_vagrantfile_is_valid_ruby_and_defines_the_dev_hosts():
    # Evaluate the Vagrantfile with a tiny stand-in for Vagrant's configuration object that records
    # each machine's name, hostname and private address.
    recorder = r'''
    Rec = Struct.new(:log) do
      def method_missing(name, *args, &blk)
        if name == :define then m = Rec.new(log); log << ["define", args[0]]; blk.call(m)
        elsif name == :network then log << ["network", args[0], args[1][:ip]]
        elsif name.to_s.end_with?("=") then log << [name.to_s.chomp("="), args[0]]
        elsif name == :provider then blk.call(Rec.new([]))
        else Rec.new(log) end
      end
    end
    module Vagrant; def self.configure(_v); c = Rec.new([]); yield c; puts c.log.map { |e| e.join(" ") }; end; end
    load ARGV[0]
    '''
    out = subprocess.run(["ruby", "-e", recorder, str(VAGRANTFILE)], capture_output=True, text=True, check=True).stdout
    for host in dev_hosts():
        assert f"define {host['name']}" in out
        assert f"hostname {host['name']}" in out
        assert f"network private_network {host['address']}" in out
