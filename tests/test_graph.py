"""The resource graph of each stack, and the dependency edges between its layers: one property
per test, each on a program run of its own."""
from __future__ import annotations

from collections import Counter

import pytest

from conftest import all_dependencies, dependency_names, plain, stack_config

T = "multihost:index:"


def component_counts(run) -> Counter:
    return Counter(r.type for r in run.monitor.registrations if r.type.startswith(T))


@pytest.fixture
def sandbox(committed_stack):
    """The sandbox stack as committed: its one read-only run (committed_stack)."""
    return committed_stack("sandbox")


@pytest.fixture
def dev(committed_stack):
    return committed_stack("dev")


def host_containers(run) -> list:
    return [r for r in run.monitor.of_type("docker:index/container:Container") if r.parent_type == f"{T}SandboxHost"]


# The sandbox stack's components.

def test_sandbox_stack_has_one_component_per_step_of_the_classic_setup(sandbox):
    assert component_counts(sandbox) == Counter({
        f"{T}StackIdentity": 1, f"{T}SandboxUnderlay": 1, f"{T}SandboxHost": 3, f"{T}ConsulKeystore": 1,
        f"{T}ClusteredEngine": 2, f"{T}OverlayNetwork": 1, f"{T}ProbeContainer": 2, f"{T}PingReport": 1,
        f"{T}ConsulTls": 1, f"{T}PeersFirewall": 3,
    })


def test_sandbox_hosts_are_named_as_configured(sandbox):
    assert {r.name for r in sandbox.monitor.of_type(f"{T}SandboxHost")} == {"mh-keystore", "mhs-demo0", "mhs-demo1"}


def test_every_resource_below_the_top_has_a_component_of_the_program_as_parent(sandbox):
    orphans = [f"{r.type} {r.name}" for r in sandbox.monitor.registrations
               if not r.type.startswith(T) and not r.parent_type.startswith(T)]
    assert not orphans


def test_consul_runs_inside_the_keystore_component(sandbox):
    assert sandbox.monitor.named("keystore-consul").parent_type == f"{T}ConsulKeystore"


def test_the_network_command_lives_in_the_overlay_component(sandbox):
    assert sandbox.monitor.named("overlay-network").parent_type == f"{T}OverlayNetwork"


# The sandbox stack's use of the local engine.

def test_sandbox_hosts_are_three_containers(sandbox):
    assert len(host_containers(sandbox)) == 3


def test_a_sandbox_hosts_engine_data_is_a_tmpfs_of_its_container(sandbox):
    assert [sandbox.mocks.inputs[h.name]["tmpfs"]["/var/lib/docker"] for h in host_containers(sandbox)] == \
        ["rw,exec,dev,suid"] * 3


def test_sandbox_hosts_make_no_volume_to_leave_behind(sandbox):
    assert not sandbox.monitor.of_type("docker:index/volume:Volume")


def test_no_docker_provider_per_engine(sandbox):
    """What lives on the hosts' engines is made by host scripts over SSH."""
    assert not sandbox.monitor.of_type("pulumi:providers:docker")


def test_the_only_docker_resources_are_the_hosts_and_their_underlay(sandbox):
    assert {r.parent_type for r in sandbox.monitor.registrations if r.type.startswith("docker:")} == {
        f"{T}SandboxHost", f"{T}SandboxUnderlay"}


def test_sandbox_hosts_share_the_image_folder_read_only(sandbox):
    volumes = [sandbox.mocks.inputs[h.name]["volumes"] for h in host_containers(sandbox)]
    assert all(len(v) == 1 and v[0]["hostPath"].endswith("images") and v[0]["readOnly"] is True for v in volumes)


def test_sandbox_hosts_copy_no_image_archive(sandbox):
    assert not sandbox.monitor.of_type("command:remote:CopyToRemote")


def test_sandbox_probes_load_their_image_from_the_shared_folder(sandbox):
    (shared,) = sandbox.mocks.inputs[host_containers(sandbox)[0].name]["volumes"]
    assert f"ARCHIVE={shared['containerPath']}/probe.tar\n" in sandbox.mocks.inputs["probe-mhs-demo0-container"]["stdin"]


# The dev stacks: Vagrant machines.

def test_dev_stack_has_vagrant_hosts_and_no_sandbox_host(dev):
    counts = component_counts(dev)
    assert (counts[f"{T}VagrantHost"], counts[f"{T}SandboxHost"]) == (3, 0)


def test_dev_stack_has_two_engines_with_a_probe_each(dev):
    counts = component_counts(dev)
    assert (counts[f"{T}ClusteredEngine"], counts[f"{T}ProbeContainer"]) == (2, 2)


def test_a_vagrant_host_is_made_by_vagrant_up_with_the_stacks_provider(dev):
    assert dev.mocks.inputs["mhs-demo0-vagrant-up"]["create"] == "vagrant up --provider=virtualbox mhs-demo0"


def test_a_vagrant_host_is_removed_by_vagrant_destroy(dev):
    assert dev.mocks.inputs["mhs-demo0-vagrant-up"]["delete"].startswith("vagrant destroy -f mhs-demo0 || ")


def test_a_vagrant_destroy_that_failed_after_the_machine_went_counts_as_done(dev):
    assert dev.mocks.inputs["mhs-demo0-vagrant-up"]["delete"].endswith(
        "|| vagrant status mhs-demo0 --machine-readable | grep -q ',mhs-demo0,state,not_created'")


@pytest.mark.parametrize("command", ["mhs-demo0-vagrant-up", "mhs-demo0-vagrant-ssh-config"])
def test_the_vagrantfile_reads_the_machines_of_the_stack_being_run(dev, command):
    assert dev.mocks.inputs[command]["environment"]["MULTIHOST_STACK"] == "test"


@pytest.mark.parametrize("name", ["keystore-consul", "probe-mhs-demo0-container", "probe-mhs-demo1-container"])
def test_without_image_archives_the_hosts_pull_the_images(dev, name):
    stdin = plain(dev.mocks.inputs[name]["stdin"])
    assert "ARCHIVE=''\n" in stdin and 'docker pull "$IMAGE"' in stdin


def test_dev_docker_stack_has_three_vagrant_hosts(committed_stack):
    assert component_counts(committed_stack("dev-docker"))[f"{T}VagrantHost"] == 3


@pytest.mark.parametrize("host", ["mh-keystore", "mhs-demo0", "mhs-demo1"])
def test_dev_docker_machines_come_up_through_vagrants_docker_provider(committed_stack, host):
    run = committed_stack("dev-docker")
    assert run.mocks.inputs[f"{host}-vagrant-up"]["create"] == f"vagrant up --provider=docker {host}"


@pytest.mark.parametrize("name", ["keystore-consul", "probe-mhs-demo0-container"])
def test_dev_docker_images_come_from_archives_copied_to_the_hosts(committed_stack, name):
    run = committed_stack("dev-docker")
    assert "ARCHIVE=/var/tmp/multihost-" in plain(run.mocks.inputs[name]["stdin"])


# Any number of engines.

def four_engines(run_program):
    engines = [{"name": f"node{i}", "address": f"172.28.128.{10 + i}"} for i in range(4)]
    return run_program(stack_config("sandbox", engines=engines))


def test_each_engine_gets_a_clustered_engine_and_a_probe(run_program):
    counts = component_counts(four_engines(run_program))
    assert (counts[f"{T}ClusteredEngine"], counts[f"{T}ProbeContainer"]) == (4, 4)


def test_one_ping_command_per_probe_host_whatever_the_number_of_hosts(run_program):
    run = four_engines(run_program)
    assert len([r for r in run.monitor.of_type("command:remote:Command") if r.parent_type == f"{T}PingReport"]) == 4


def test_the_report_has_every_ordered_pair_of_hosts_by_address_and_by_name(run_program):
    assert len(four_engines(run_program).outputs["pingResults"]) == 4 * 3 * 2


# Dependency edges between the layers.

@pytest.mark.parametrize("engine", ["mhs-demo0", "mhs-demo1"])
def test_an_engine_joins_once_consul_has_a_leader(sandbox, engine):
    configure = sandbox.monitor.named(f"{engine}-engine")
    assert configure.depends_on_type(f"{T}ConsulKeystore") and "keystore-consul" in dependency_names(configure)


def test_the_network_is_made_once_the_first_engine_has_joined(sandbox):
    assert "mhs-demo0-engine" in dependency_names(sandbox.monitor.named("overlay-network"))


def test_the_network_does_not_wait_for_the_other_engines(sandbox):
    assert "mhs-demo1-engine" not in dependency_names(sandbox.monitor.named("overlay-network"))


def test_the_waits_before_a_probe_are_no_commands_of_their_own(sandbox):
    assert not [r.name for r in sandbox.monitor.of_type("command:remote:Command") if r.name.startswith("overlay-on-")]


@pytest.mark.parametrize("engine", ["mhs-demo0", "mhs-demo1"])
def test_a_probe_runs_once_the_network_exists(sandbox, engine):
    assert "overlay-network" in dependency_names(sandbox.monitor.named(f"probe-{engine}-container"))


@pytest.mark.parametrize("engine", ["mhs-demo0", "mhs-demo1"])
def test_a_probe_runs_once_its_own_engine_has_joined(sandbox, engine):
    assert f"{engine}-engine" in dependency_names(sandbox.monitor.named(f"probe-{engine}-container"))


@pytest.mark.parametrize("engine, other", [("mhs-demo0", "mhs-demo1"), ("mhs-demo1", "mhs-demo0")])
def test_a_probe_does_not_wait_for_the_other_engines(sandbox, engine, other):
    assert f"{other}-engine" not in dependency_names(sandbox.monitor.named(f"probe-{engine}-container"))


@pytest.mark.parametrize("engine", ["mhs-demo0", "mhs-demo1"])
def test_a_probe_first_waits_for_its_engine_to_gossip_and_see_the_network_in_the_same_session(sandbox, engine):
    stdin = sandbox.mocks.inputs[f"probe-{engine}-container"]["stdin"]
    steps = [line[2:] for line in stdin.splitlines() if line.startswith("# ") and line.endswith(".sh")]
    assert steps == ["load-image.sh", "wait-gossip.sh", "wait-network-visible.sh", "run-probe.sh"], steps


@pytest.mark.parametrize("engine", ["mhs-demo0", "mhs-demo1"])
def test_a_probes_gossip_wait_knows_the_network_scope_and_the_engines(sandbox, engine):
    stdin = sandbox.mocks.inputs[f"probe-{engine}-container"]["stdin"]
    assert "SCOPE=global\n" in stdin and "ENGINES='mhs-demo0 mhs-demo1'\n" in stdin, stdin[:400]


@pytest.mark.parametrize("probe", ["probe-mhs-demo0-container", "probe-mhs-demo1-container"])
def test_pings_wait_for_every_probe(sandbox, probe):
    assert probe in dependency_names(sandbox.monitor.named("pings-from-mhs-demo0"))


def test_kv_pings_wait_for_no_network_peers_listing(sandbox):
    """serf meets the whole cluster when an engine joins: the probes' own gossip wait covers it."""
    assert not [r.name for r in sandbox.monitor.registrations if r.name.startswith("pings-peers-on-")]


def test_layers_above_a_host_reach_it_only_after_the_host_exists(sandbox):
    assert sandbox.monitor.named("keystore-consul").depends_on_type(f"{T}SandboxHost")


def sandbox_hosts(sandbox) -> dict:
    return {r.name: r for r in sandbox.monitor.of_type(f"{T}SandboxHost")}


def test_the_control_plane_host_is_made_first_and_alone(sandbox):
    assert not sandbox_hosts(sandbox)["mh-keystore"].dependencies


@pytest.mark.parametrize("engine", ["mhs-demo0", "mhs-demo1"])
def test_the_other_hosts_are_made_once_the_control_plane_host_exists(sandbox, engine):
    assert [d.rsplit("::", 1)[1] for d in sandbox_hosts(sandbox)[engine].dependencies] == ["mh-keystore"]


def test_deleting_host_containers_is_not_ordered_by_the_control_plane_host(sandbox):
    containers = sandbox.monitor.of_type("docker:index/container:Container")
    assert not any(d.endswith("::mh-keystore") for c in containers for d in c.dependencies)


# What lives on the hosts: host scripts over SSH.

def connection(inputs: dict) -> dict:
    """A command's SSH connection: a secret as a whole, since it holds the private key."""
    assert inputs["connection"].get("value"), "the connection is not kept as a secret"
    return inputs["connection"]["value"]


MADE_ON_HOSTS = {"keystore-consul": ("mh-keystore", "run-consul.sh", "remove-container", "NAME=consul"),
                 "overlay-network": ("mhs-demo0", "create-network.sh", "remove-network", "NETWORK=my-net"),
                 "probe-mhs-demo1-container": ("mhs-demo1", "run-probe.sh", "remove-container", "NAME=probe-mhs-demo1")}
SSH_PORTS = {"mh-keystore": 2205, "mhs-demo0": 2206, "mhs-demo1": 2207}


@pytest.mark.parametrize("name", sorted(MADE_ON_HOSTS))
def test_a_command_reaches_its_host_on_that_hosts_ssh_port(sandbox, name):
    assert connection(sandbox.mocks.inputs[name])["port"] == SSH_PORTS[MADE_ON_HOSTS[name][0]]


@pytest.mark.parametrize("name", sorted(MADE_ON_HOSTS))
def test_a_command_authenticates_with_the_stacks_key(sandbox, name):
    assert connection(sandbox.mocks.inputs[name])["privateKey"].startswith("ssh-ed25519")


@pytest.mark.parametrize("name", sorted(MADE_ON_HOSTS))
def test_a_command_runs_its_host_script(sandbox, name):
    assert MADE_ON_HOSTS[name][1] in sandbox.mocks.inputs[name]["create"]


@pytest.mark.parametrize("name", sorted(MADE_ON_HOSTS))
def test_a_delete_carries_its_own_settings_and_removes_exactly_what_the_create_made(sandbox, name):
    delete = sandbox.mocks.inputs[name]["delete"]
    assert MADE_ON_HOSTS[name][3] in delete and "rm" in delete


@pytest.mark.parametrize("name", [*sorted(MADE_ON_HOSTS), "mhs-demo0-engine"])
def test_a_replaced_command_undoes_the_old_one_first(sandbox, name):
    """Same name on the host: the other way round, the old one's delete would remove the new one."""
    assert sandbox.monitor.named(name).delete_before_replace


def test_a_probes_image_is_loaded_in_the_same_session_before_it_starts(sandbox):
    assert sandbox.mocks.inputs["probe-mhs-demo1-container"]["create"].endswith(
        "load-image.sh wait-gossip.sh wait-network-visible.sh run-probe.sh")


def secret_printers(run) -> list:
    return [r for r in run.monitor.registrations if r.type.startswith("command:") and "stdout" in r.secret_outputs]


def test_only_the_key_making_commands_print_a_secret(sandbox):
    # No TLS key is among them: each host makes its own, the CA's stays in a file of this machine.
    assert sorted(r.name for r in secret_printers(sandbox)) == ["sandbox-ssh-private-key"]


def test_commands_that_print_a_secret_do_not_stream_it(sandbox):
    """pulumi-command streams stdout into the `pulumi up` display unless told not to
    (additional_secret_outputs only protects the state)."""
    assert {sandbox.mocks.inputs[r.name]["logging"] for r in secret_printers(sandbox)} == {"none"}


@pytest.mark.parametrize("host", ["mh-keystore", "mhs-demo0", "mhs-demo1"])
def test_sandbox_hosts_drop_capabilities_as_docker_reads_them_back(sandbox, host):
    """`pulumi refresh` reads capabilities back with the CAP_ prefix; written without it, every
    refresh planned a replacement of all hosts."""
    drops = sandbox.mocks.inputs[host]["capabilities"]["drops"]
    assert drops and all(cap.startswith("CAP_") for cap in drops), drops


@pytest.mark.parametrize("host", ["mh-keystore", "mhs-demo0", "mhs-demo1"])
def test_sandbox_hosts_have_no_device_cgroup_rules(sandbox, host):
    """The docker provider that can be built here rejects the key."""
    assert "deviceCgroupRules" not in sandbox.mocks.inputs[host]


# What goes with what on destroy.

def on_a_host(registration) -> bool:
    """Lives on a host: everything there is made by a remote command."""
    return registration.type.startswith("command:remote:")


def living_on_hosts(run) -> list:
    return [r for r in run.monitor.registrations if on_a_host(r) and r.name != "overlay-network"]


def machines(run) -> dict:
    return {r.name: r.urn for r in host_containers(run)}


def test_what_lives_on_the_sandbox_hosts_is_consul_per_host_its_firewall_and_tls_key_and_per_engine_its_engine_probe_and_pings(
        sandbox):
    assert len(living_on_hosts(sandbox)) == 13, [r.name for r in living_on_hosts(sandbox)]


def test_what_lives_on_a_host_the_stack_made_goes_with_a_host_machine(sandbox):
    """So a destroy never needs to reach a host that is gone: Pulumi skips the deletes."""
    assert {r.deleted_with for r in living_on_hosts(sandbox)} <= set(machines(sandbox).values())


@pytest.mark.parametrize("name, host", [("keystore-consul", "mh-keystore"), ("probe-mhs-demo1-container", "mhs-demo1"),
                                        ("pings-from-mhs-demo0", "mhs-demo0")])
def test_what_lives_on_a_host_goes_with_its_own_machine(sandbox, name, host):
    assert sandbox.monitor.named(name).deleted_with == machines(sandbox)[host]


def test_the_overlay_lives_in_the_cluster_store_and_goes_with_the_consul_server(sandbox):
    assert sandbox.monitor.named("overlay-network").deleted_with == sandbox.monitor.named("keystore-consul").urn


@pytest.mark.parametrize("name", ["mhs-demo0-engine", "probe-mhs-demo0-container"])
def test_dev_hosts_take_their_contents_with_the_vagrant_machine(dev, name):
    assert dev.monitor.named(name).deleted_with == dev.monitor.named("mhs-demo0-vagrant-up").urn


@pytest.fixture
def ssh_kind(run_program, tmp_path):
    key = tmp_path / "id"
    key.write_text("key")
    ssh = {"user": "admin", "privateKeyFile": str(key)}
    return run_program(stack_config("dev", hostKind="ssh",
                                    keystore={"name": "ks", "address": "172.28.128.5", "ssh": ssh},
                                    engines=[{"name": f"e{i}", "address": f"172.28.128.{6 + i}", "ssh": ssh} for i in range(2)]))


def test_ssh_kind_machines_are_not_the_stacks_to_delete_with(ssh_kind):
    living = living_on_hosts(ssh_kind)
    assert living and all(r.deleted_with == "" for r in living)


def test_ssh_kind_overlay_goes_with_the_consul_server(ssh_kind):
    assert ssh_kind.monitor.named("overlay-network").deleted_with == ssh_kind.monitor.named("keystore-consul").urn


def test_every_host_command_carries_the_stacks_identity(sandbox):
    commands = sandbox.monitor.of_type("command:remote:Command")
    assert commands and all("\nSTACK_ID=0123456789ab\n" in plain(sandbox.mocks.inputs[c.name]["stdin"]) for c in commands)


def test_every_host_delete_carries_the_stacks_identity(sandbox):
    deletes = [sandbox.mocks.inputs[c.name]["delete"] for c in sandbox.monitor.of_type("command:remote:Command")
               if sandbox.mocks.inputs[c.name].get("delete")]
    assert deletes and all("STACK_ID=0123456789ab" in delete for delete in deletes)


@pytest.mark.parametrize("command", ["mhs-demo0-vagrant-up", "mhs-demo0-vagrant-ssh-config"])
def test_vagrant_keeps_each_stacks_machines_apart(dev, command):
    """dev and dev-docker both have a machine mhs-demo0: each stack has its own Vagrant state."""
    assert dev.mocks.inputs[command]["environment"]["VAGRANT_DOTFILE_PATH"] == ".vagrant/stacks/test"


def test_host_commands_show_only_their_notes_while_they_run(sandbox):
    """Their stdout is their output, shown whole in the error should they fail; their notes
    (stderr) are for the person running the stack."""
    remote = sandbox.monitor.of_type("command:remote:Command")
    assert {sandbox.mocks.inputs[r.name]["logging"] for r in remote} == {"stderr"}
