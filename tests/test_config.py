"""Configuration is validated before any resource exists: each mistake is one error naming its key."""
from __future__ import annotations

import copy
import re

import pytest

from conftest import ROOT, stack_config
from components.config import ConfigError, parse_settings


def parse(**overrides):
    return parse_settings(stack_config("dev", **overrides), str(ROOT), "test")


def two_engines(first: dict, second: dict | None = None) -> list[dict]:
    return [first, second or {"name": "mhs-demo1", "address": "172.28.128.7"}]


def engines(count: int) -> list[dict]:
    return [{"name": f"mhs-demo{i}", "address": f"172.28.128.{6 + i}"} for i in range(count)]


@pytest.fixture
def key_file(tmp_path) -> str:
    key = tmp_path / "id"
    key.write_text("k")
    return str(key)


def ssh_kind(key_file: str, **first_engine_ssh) -> dict:
    """Overrides for the dev topology on existing machines; `first_engine_ssh` goes to engines[0]."""
    return {
        "hostKind": "ssh",
        "keystore": {"name": "ks", "address": "172.28.128.5", "ssh": {"address": "ks.example", "privateKeyFile": key_file}},
        "engines": [{"name": f"e{i}", "address": f"172.28.128.{6 + i}",
                     "ssh": {"address": f"e{i}.example", "user": "admin", "privateKeyFile": key_file,
                             **(first_engine_ssh if i == 0 else {})}}
                    for i in range(2)],
    }


def with_value(values: dict, key: str, value) -> dict:
    """A copy of `values` with the setting `key` (`engines[0].ssh.user`, `images.probe`) set."""
    values = copy.deepcopy(values)
    *path, last = re.findall(r"[^.\[\]]+|\[\d+\]", key)
    node = values
    for step in path:
        node = node[int(step[1:-1])] if step.startswith("[") else node.setdefault(step, {})
    node[last] = value
    return values


def refused(values: dict) -> ConfigError:
    with pytest.raises(ConfigError) as err:
        parse_settings(values, str(ROOT), "test")
    return err.value


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


@pytest.mark.parametrize("user", ["root", "admin", "_svc", "deploy-bot", "smb$", "a1", "a" * 32])
def test_ssh_users_that_are_posix_names_are_accepted(key_file, user):
    assert parse(**ssh_kind(key_file, user=user)).engines[0].ssh.user == user


@pytest.mark.parametrize("user", ["-oProxyCommand=touch /tmp/x", "-admin", "ad min", "admin@evil.example", "Admin",
                                  "1admin", "ad$min", "$", "", "a" * 33, 0])
def test_an_ssh_user_that_is_not_a_posix_name_is_refused(key_file, user):
    err = refused(stack_config("dev", **ssh_kind(key_file, user=user)))
    assert err.key == "engines[0].ssh.user" and "is not a user name" in str(err)


def test_a_hostile_ssh_user_registers_nothing(run_program, key_file):
    with pytest.raises(ConfigError):
        run_program(stack_config("dev", **ssh_kind(key_file, user="-oProxyCommand=touch /tmp/x")))
    assert run_program.monitors[-1].registrations == []


@pytest.mark.parametrize("address", ["e0.example", "E0.Example.Org", "localhost", "xn--bcher-kva.example",
                                     "10.1.0.6", "::1", "2001:db8::6", "fe80::1%eth0",
                                     "a" * 63 + ".example", ("a" * 63 + ".") * 3 + "a" * 61])
def test_ssh_addresses_that_are_dns_names_or_ip_addresses_are_accepted(key_file, address):
    assert parse(**ssh_kind(key_file, address=address)).engines[0].ssh.address == address


@pytest.mark.parametrize("address", ["-oProxyCommand=touch /tmp/x", "-e0.example", "e0-.example", "e0 .example",
                                     "admin@e0.example", "e0.example:22", "[::1]", "fe80::1%a b", "e0..example",
                                     "e0.example.", "a" * 64 + ".example", ("a" * 63 + ".") * 3 + "a" * 62,
                                     "10.1.0.256", "1234", "", 42])
def test_an_ssh_address_that_is_neither_a_dns_name_nor_an_ip_address_is_refused(key_file, address):
    err = refused(stack_config("dev", **ssh_kind(key_file, address=address)))
    assert err.key == "engines[0].ssh.address" and "is not a DNS name" in str(err) and "or an IP address" in str(err)


def test_the_ssh_address_defaults_to_the_underlay_address(key_file):
    values = stack_config("dev", **ssh_kind(key_file))
    del values["engines"][0]["ssh"]["address"]
    assert parse_settings(values, str(ROOT), "test").engines[0].ssh.address == "172.28.128.6"


def test_an_ssh_port_of_true_is_refused(key_file):
    assert refused(stack_config("dev", **ssh_kind(key_file, port=True))).key == "engines[0].ssh.port"


# One valid value per string setting; the same value with a trailing newline must be refused.
STRING_SETTINGS = [
    ("hostKind", "ssh"),
    ("controlPlane", "kv"),
    ("hostNetwork", "172.28.128.0/24"),
    ("keystore.name", "ks"),
    ("engines[0].name", "e0"),
    ("engines[0].address", "172.28.128.6"),
    ("engines[0].advertiseInterface", "eth0"),
    ("engines[0].ssh.user", "admin"),
    ("engines[0].ssh.address", "e0.example"),
    ("engines[1].ssh.address", "10.1.0.7"),
    ("engineLine", "20.10"),
    ("network.name", "my-net"),
    ("network.subnet", "10.0.4.0/24"),
    ("images.consul", "hashicorp/consul:1.8.7"),
    ("images.probe", "busybox:1.36.1"),
    ("sandbox.hostImage", "multihost/host:bullseye"),
    ("vagrant.provider", "virtualbox"),
    ("vagrant.dockerImage", "multihost/host:bullseye"),
]


@pytest.mark.parametrize("key, value", STRING_SETTINGS)
def test_each_string_setting_accepts_its_value(key_file, key, value):
    parse_settings(with_value(stack_config("dev", **ssh_kind(key_file)), key, value), str(ROOT), "test")


@pytest.mark.parametrize("key, value", STRING_SETTINGS)
def test_each_string_setting_refuses_its_value_with_a_trailing_newline(key_file, key, value):
    assert refused(with_value(stack_config("dev", **ssh_kind(key_file)), key, value + "\n")).key == key


@pytest.mark.parametrize("key", ["images.consul", "images.probe", "sandbox.hostImage", "vagrant.dockerImage"])
def test_an_image_that_would_read_as_a_docker_run_option_is_refused(key):
    err = refused(with_value(stack_config("dev"), key, "-v/etc"))
    assert err.key == key and "not a Docker image reference" in str(err)


@pytest.mark.parametrize("image", ["-registry.example:5000/probe", "registry.-x/probe", "registry.example/-v",
                                   "registry.example/team/-v:1", "busybox:-v"])
def test_an_image_with_a_component_starting_with_a_dash_is_refused(image):
    assert refused(stack_config("dev", images={"probe": image})).key == "images.probe"


@pytest.mark.parametrize("image", ["my-registry.example.com:5000/team/probe:v2", "registry.example/team_a/probe__x"])
def test_registries_with_dashes_inside_are_accepted(image):
    assert parse(images={"probe": image}).images.probe == image


@pytest.mark.parametrize("subnet, count, has, needs", [
    ("10.0.4.0/30", 3, 2, 4),
    ("10.0.4.0/29", 6, 6, 7),
    ("10.0.4.0/31", 2, 0, 3),
    ("10.0.4.0/32", 2, 0, 3),
])
def test_a_subnet_without_room_for_the_gateway_and_every_probe_is_refused(subnet, count, has, needs):
    err = refused(stack_config("dev", engines=engines(count), network={"name": "my-net", "subnet": subnet}))
    assert err.key == "network.subnet"
    assert f"{subnet} has {has} usable addresses; the overlay needs {needs}: its gateway and one per probe" in str(err)


def swarm_settings(count: int, subnet: str):
    values = stack_config("sandbox-swarm", hostNetwork="172.28.128.0/24", engines=engines(count), images={},
                          network={"name": "my-net", "subnet": subnet})
    return parse_settings(values, str(ROOT), "test")


def test_a_swarm_subnet_needs_room_for_each_engines_load_balancer_too():
    # A /29 has 6 usable addresses: the gateway, 3 probes and 3 load-balancer endpoints need 7.
    with pytest.raises(ConfigError) as err:
        swarm_settings(3, "10.0.4.0/29")
    assert "needs 7: its gateway and one per probe and one per engine's load balancer" in str(err.value)


def test_a_swarm_subnet_with_room_for_probes_and_load_balancers_is_accepted():
    assert swarm_settings(2, "10.0.4.0/29").network.subnet == "10.0.4.0/29"


def test_a_subnet_with_exactly_room_for_the_gateway_and_every_probe_is_accepted():
    # A /29 has 6 usable addresses: the gateway and 5 probes.
    assert parse(engines=engines(5), network={"name": "my-net", "subnet": "10.0.4.0/29"}).network.subnet == "10.0.4.0/29"


@pytest.mark.parametrize("base", [1024, 65528])  # the dev stack's hosts at .5 … .7: 65535 at the top
def test_an_ssh_port_range_within_1024_to_65535_is_accepted(base):
    assert parse(sandbox={"sshPortBase": base}).sandbox.ssh_port_base == base


@pytest.mark.parametrize("base", [1023, 65529, True, "2200"])
def test_an_ssh_port_range_reaching_outside_1024_to_65535_is_refused(base):
    err = refused(stack_config("dev", sandbox={"sshPortBase": base}))
    assert err.key == "sandbox.sshPortBase" and "must lie in 1024–65535" in str(err)


def test_a_sandbox_hosts_ssh_port_follows_its_address_not_its_place_in_the_list():
    settings = parse(sandbox={"sshPortBase": 2200})
    assert [settings.sandbox.ssh_port(h.address) for h in settings.hosts] == [2205, 2206, 2207]
