"""Configuration is validated before any resource exists: each mistake is one error naming its key."""
from __future__ import annotations

import pytest

from conftest import ROOT, stack_config
from components.config import ConfigError, parse_settings


def parse(**overrides):
    return parse_settings(stack_config("dev", **overrides), str(ROOT), "test")


def two_engines(first: dict, second: dict | None = None) -> list[dict]:
    return [first, second or {"name": "mhs-demo1", "address": "172.28.128.7"}]


def test_dev_stack_is_the_classic_topology():
    settings = parse()
    assert settings.host_kind == "vagrant"
    assert (settings.keystore.name, settings.keystore.address) == ("mh-keystore", "172.28.128.5")
    assert [(e.name, e.address) for e in settings.engines] == [("mhs-demo0", "172.28.128.6"), ("mhs-demo1", "172.28.128.7")]
    assert all(h.advertise_interface == "eth1" for h in settings.hosts)  # Vagrant's eth0 is NAT
    assert (settings.network.name, settings.network.subnet) == ("my-net", "10.0.4.0/24")
    assert settings.engine_line == "20.10"


@pytest.mark.parametrize("overrides, key, words", [
    ({"hostNetwork": "172.28.128.0/33"}, "hostNetwork", "not an IPv4 CIDR"),
    ({"hostNetwork": "172.28.128.1/24"}, "hostNetwork", "not an IPv4 CIDR"),
    ({"network": {"name": "my-net", "subnet": "10.0.4.0/nope"}}, "network.subnet", "not an IPv4 CIDR"),
    ({"network": {"name": "my-net", "subnet": "172.28.0.0/16"}}, "network.subnet", "overlaps hostNetwork"),
    ({"network": {"name": "-bad", "subnet": "10.0.4.0/24"}}, "network.name", "not a Docker network name"),
    ({"engines": two_engines({"name": "mh-keystore", "address": "172.28.128.6"})}, "engines[0].name", "also used by keystore"),
    ({"engines": two_engines({"name": "mhs-demo0", "address": "172.28.128.7"})}, "engines[1].address", "also used by engines[0]"),
    ({"engines": [{"name": "mhs-demo0", "address": "172.28.128.6"}]}, "engines", "at least two"),
    ({"engines": two_engines({"name": "mhs-demo0", "address": "10.9.9.9"})}, "engines[0].address", "not a host address of hostNetwork"),
    ({"engines": two_engines({"name": "Bad_Name", "address": "172.28.128.6"})}, "engines[0].name", "not a valid hostname"),
    ({"engineLine": "23.0"}, "engineLine", "23.0 removed --cluster-store"),
    ({"engineLine": "24.0.7"}, "engineLine", "23.0 removed --cluster-store"),
    ({"engineLine": "19.03"}, "engineLine", "outside the pinned 20.10 line"),
    ({"engineLine": "latest"}, "engineLine", "not a Docker Engine version"),
    ({"hostKind": "virtualbox"}, "hostKind", "not one of vagrant, sandbox, ssh"),
    ({"pingCount": 0}, "pingCount", "whole number"),
    ({"images": {"loadFrom": "does-not-exist"}}, "images.loadFrom", "does not exist"),
    ({"sandbox": {"privileged": "yes"}}, "sandbox.privileged", "not true or false"),
    ({"images": {"probe": ""}}, "images.probe", "not a Docker image reference"),
    ({"images": {"consul": "Hashicorp/Consul"}}, "images.consul", "not a Docker image reference"),
    ({"sandbox": {"hostImage": "multihost/host:"}}, "sandbox.hostImage", "not a Docker image reference"),
    ({"vagrant": {"provider": "libvirt"}}, "vagrant.provider", "not one of virtualbox, docker"),
    ({"vagrant": {"provider": "docker", "dockerImage": "Bad Image"}}, "vagrant.dockerImage", "not a Docker image reference"),
])
def test_each_mistake_is_one_error_naming_the_key(overrides, key, words):
    with pytest.raises(ConfigError) as err:
        parse(**overrides)
    assert err.value.key == key
    assert str(err.value).startswith(f"docker-multihost:{key}: ")
    assert words in str(err.value)


@pytest.mark.parametrize("image", ["busybox:1.36.1", "hashicorp/consul:1.8.7", "multihost/host:bullseye",
                                   "localhost:5000/team/probe:v2", "busybox@sha256:" + "a" * 64])
def test_image_references_are_accepted(image):
    assert parse(images={"probe": image}).images.probe == image


def test_ssh_kind_hosts_need_a_readable_key(tmp_path):
    key = tmp_path / "id"
    key.write_text("k")
    hosts = lambda key_file: {
        "hostKind": "ssh",
        "keystore": {"name": "ks", "address": "172.28.128.5", "ssh": {"address": "ks.example", "privateKeyFile": key_file}},
        "engines": [{"name": f"e{i}", "address": f"172.28.128.{6 + i}",
                     "ssh": {"address": f"e{i}.example", "user": "admin", "port": 2222, "privateKeyFile": str(key)}}
                    for i in range(2)],
    }
    settings = parse(**hosts(str(key)))
    assert settings.keystore.ssh.address == "ks.example" and settings.keystore.ssh.user == "root"
    assert settings.engines[1].ssh.port == 2222 and settings.engines[1].advertise_interface == "eth0"
    with pytest.raises(ConfigError) as err:
        parse(**hosts(str(tmp_path / "missing")))
    assert err.value.key == "keystore.ssh.privateKeyFile"


def test_bad_config_creates_nothing(run_program):
    with pytest.raises(ConfigError):
        run_program(stack_config("sandbox", engineLine="24.0"))
    # The error comes from reading config, before the first registration.
    assert run_program.monitors[-1].registrations == []
    run_program(stack_config("sandbox"))
    assert run_program.monitors[-1].registrations


def old_engine_key(**overrides):
    values = stack_config("dev", **overrides)
    values["engineVersion"] = values.pop("engineLine")
    return parse_settings(values, str(ROOT), "test")


def test_the_old_engine_version_key_still_sets_the_engine_line():
    assert old_engine_key(engineLine="20.10.5").engine_line == "20.10.5"


def test_the_old_engine_version_key_comes_with_a_deprecation_naming_the_new_key():
    (deprecation,) = old_engine_key().deprecations
    assert "engineVersion is now called engineLine" in deprecation


def test_the_old_engine_version_key_is_checked_under_its_own_name():
    with pytest.raises(ConfigError) as err:
        old_engine_key(engineLine="23.0")
    assert err.value.key == "engineVersion"


def test_both_engine_keys_at_once_is_refused():
    with pytest.raises(ConfigError) as err:
        parse(engineVersion="20.10")
    assert err.value.key == "engineVersion" and "give only engineLine" in str(err.value)


def test_the_current_keys_come_with_no_deprecation():
    assert parse().deprecations == ()
