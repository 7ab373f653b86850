"""The resource graph of each stack, and the dependency edges between its layers."""
from __future__ import annotations

from collections import Counter

from conftest import stack_config

T = "multihost:index:"


def component_counts(run) -> Counter:
    return Counter(r.type for r in run.monitor.registrations if r.type.startswith(T))


def test_sandbox_graph_types_counts_and_parents(run_program):
    run = run_program(stack_config("sandbox"))
    assert component_counts(run) == Counter({
        f"{T}SandboxUnderlay": 1, f"{T}SandboxHost": 3, f"{T}ConsulKeystore": 1,
        f"{T}ClusteredEngine": 2, f"{T}OverlayNetwork": 1, f"{T}ProbeContainer": 2, f"{T}PingReport": 1,
    })
    monitor = run.monitor
    assert {r.name for r in monitor.of_type(f"{T}SandboxHost")} == {"mh-keystore", "mhs-demo0", "mhs-demo1"}
    # Every resource but the top-level components has a component of this program as parent.
    for r in monitor.registrations:
        if not r.type.startswith(T):
            assert r.parent_type.startswith(T), f"{r.type} {r.name} has no component parent"
    # A host's engine data is a tmpfs of its container: no volume to make or leave behind.
    assert not monitor.of_type("docker:index/volume:Volume")
    host_containers = [r for r in monitor.of_type("docker:index/container:Container") if r.parent_type == f"{T}SandboxHost"]
    assert len(host_containers) == 3
    for host in host_containers:
        assert run.mocks.inputs[host.name]["tmpfs"]["/var/lib/docker"] == "rw,exec,dev,suid"
    consul = monitor.named("keystore-consul")
    assert consul.parent_type == f"{T}ConsulKeystore"
    assert monitor.named("overlay-network").parent_type == f"{T}OverlayNetwork"
    # The only Docker resources are this machine's: the hosts and their underlay. What lives on the
    # hosts' engines is made by host scripts over SSH, no Docker provider per engine.
    assert not monitor.of_type("pulumi:providers:docker")
    assert {r.parent_type for r in monitor.registrations if r.type.startswith("docker:")} == {
        f"{T}SandboxHost", f"{T}SandboxUnderlay"}
    # Images come from files on the sandbox stack: the hosts share their folder read-only (nothing
    # to copy) and load them; never pulled.
    assert not monitor.of_type("command:remote:CopyToRemote")
    for host in host_containers:
        (shared,) = run.mocks.inputs[host.name]["volumes"]
        assert shared["hostPath"].endswith("images") and shared["readOnly"] is True
    load = run.mocks.inputs["probe-mhs-demo0-container"]["stdin"]
    assert f"ARCHIVE={shared['containerPath']}/probe.tar\n" in load


def test_dev_graph_uses_vagrant_hosts_and_pulls_images(run_program):
    run = run_program(stack_config("dev"))
    counts = component_counts(run)
    assert counts[f"{T}VagrantHost"] == 3 and counts[f"{T}SandboxHost"] == 0
    assert counts[f"{T}ClusteredEngine"] == 2 and counts[f"{T}ProbeContainer"] == 2
    up = run.monitor.named("mhs-demo0-vagrant-up")
    assert run.mocks.inputs[up.name]["create"] == "vagrant up --provider=virtualbox mhs-demo0"
    assert run.mocks.inputs[up.name]["delete"] == "vagrant destroy -f mhs-demo0"
    # The Vagrantfile reads the machines of the stack being run.
    assert run.mocks.inputs[up.name]["environment"] == {"MULTIHOST_STACK": "test"}
    assert run.mocks.inputs["mhs-demo0-vagrant-ssh-config"]["environment"] == {"MULTIHOST_STACK": "test"}
    # Without image archives, the hosts pull the images.
    for name in ("keystore-consul", "probe-mhs-demo0-container", "probe-mhs-demo1-container"):
        assert "ARCHIVE=''\n" in run.mocks.inputs[name]["stdin"]
        assert 'docker pull "$IMAGE"' in run.mocks.inputs[name]["stdin"]


def test_dev_docker_graph_brings_machines_up_with_the_docker_provider(run_program):
    run = run_program(stack_config("dev-docker"))
    assert component_counts(run)[f"{T}VagrantHost"] == 3
    for host in ("mh-keystore", "mhs-demo0", "mhs-demo1"):
        assert run.mocks.inputs[f"{host}-vagrant-up"]["create"] == f"vagrant up --provider=docker {host}"
    # Images come from files, as on the sandbox: no registry.
    for name in ("keystore-consul", "probe-mhs-demo0-container"):
        assert "ARCHIVE=/var/tmp/multihost-" in run.mocks.inputs[name]["stdin"]


def test_any_number_of_engines_from_two_up(run_program):
    engines = [{"name": f"node{i}", "address": f"172.28.128.{10 + i}"} for i in range(4)]
    run = run_program(stack_config("sandbox", engines=engines))
    counts = component_counts(run)
    assert counts[f"{T}ClusteredEngine"] == 4 and counts[f"{T}ProbeContainer"] == 4
    pings = [r for r in run.monitor.of_type("command:remote:Command") if r.parent_type == f"{T}PingReport"]
    assert len(pings) == 4  # one command per probe host, whatever the number of hosts
    assert len(run.outputs["pingResults"]) == 4 * 3 * 2  # ordered pairs of distinct hosts, by address and by name


def test_dependency_edges_between_layers(run_program):
    run = run_program(stack_config("sandbox"))
    monitor = run.monitor
    # Engines are configured for the store, started and waited on to register (one command) once
    # Consul has a leader.
    for engine in ("mhs-demo0", "mhs-demo1"):
        configure = monitor.named(f"{engine}-engine")
        assert configure.depends_on_type(f"{T}ConsulKeystore"), configure.dependencies
        assert any(d.endswith("::keystore-consul") for d in configure.dependencies)
    # The network is made once the first engine has joined, not waiting for the others.
    network = monitor.named("overlay-network")
    deps = {d.rsplit("::", 1)[1] for d in network.dependencies}
    assert "mhs-demo0-engine" in deps and "mhs-demo1-engine" not in deps, deps
    # Each probe runs once the network exists and its own engine has joined, not waiting for the
    # other engines; in the same SSH session, it first waits for its engine to gossip and to see
    # the network (no command of their own).
    assert not [r.name for r in monitor.of_type("command:remote:Command") if r.name.startswith("overlay-on-")]
    for engine, other in (("mhs-demo0", "mhs-demo1"), ("mhs-demo1", "mhs-demo0")):
        probe = monitor.named(f"probe-{engine}-container")
        deps = set(probe.dependencies) | {d for ds in probe.property_dependencies.values() for d in ds}
        assert any(d.endswith("::overlay-network") for d in deps), deps
        assert any(d.endswith(f"::{engine}-engine") for d in deps), deps
        assert not any(d.endswith(f"::{other}-engine") for d in deps), deps
        stdin = run.mocks.inputs[probe.name]["stdin"]
        steps = [line[2:] for line in stdin.splitlines() if line.startswith("# ") and line.endswith(".sh")]
        assert steps == ["load-image.sh", "wait-gossip.sh", "wait-network-visible.sh", "run-probe.sh"], steps
        assert "SCOPE=global\n" in stdin and "ENGINES='mhs-demo0 mhs-demo1'\n" in stdin, stdin[:400]
    # Pings wait for both probes.
    ping = monitor.named("pings-from-mhs-demo0")
    assert any("::probe-mhs-demo0-container" in d for d in ping.dependencies)
    assert any("::probe-mhs-demo1-container" in d for d in ping.dependencies)
    # Layers above a host reach it only after the host exists.
    assert monitor.named("keystore-consul").depends_on_type(f"{T}SandboxHost")


def test_the_control_plane_host_is_made_first_and_alone(run_program):
    monitor = run_program(stack_config("sandbox")).monitor
    hosts = {r.name: r for r in monitor.of_type(f"{T}SandboxHost")}
    assert set(hosts) == {"mh-keystore", "mhs-demo0", "mhs-demo1"}
    assert not hosts["mh-keystore"].dependencies
    # The other hosts register, and so make their containers, once the first host's container
    # exists. Only the hosts (components) depend on it, not their containers: deleting the
    # containers is not ordered by it.
    for engine in ("mhs-demo0", "mhs-demo1"):
        assert [d.rsplit("::", 1)[1] for d in hosts[engine].dependencies] == ["mh-keystore"], hosts[engine].dependencies
    containers = {r.name: r for r in monitor.of_type("docker:index/container:Container")}
    assert not any(d.endswith("::mh-keystore") for c in containers.values() for d in c.dependencies)


def connection(inputs: dict) -> dict:
    """A command's SSH connection: a secret as a whole, since it holds the private key."""
    assert inputs["connection"].get("value"), "the connection is not kept as a secret"
    return inputs["connection"]["value"]


def test_what_lives_on_an_engine_is_made_and_removed_over_ssh_by_host_scripts(run_program):
    run = run_program(stack_config("sandbox"))
    ports = {"mh-keystore": 2200, "mhs-demo0": 2201, "mhs-demo1": 2202}
    made = {"keystore-consul": ("mh-keystore", "run-consul.sh", "remove-container", "NAME=consul"),
            "overlay-network": ("mhs-demo0", "create-network.sh", "remove-network", "NETWORK=my-net"),
            "probe-mhs-demo1-container": ("mhs-demo1", "run-probe.sh", "remove-container", "NAME=probe-mhs-demo1")}
    for name, (host, script, removal, removal_setting) in made.items():
        inputs = run.mocks.inputs[name]
        assert connection(inputs)["port"] == ports[host], name
        assert connection(inputs)["privateKey"].startswith("ssh-ed25519"), name
        assert script in inputs["create"], name
        # The delete carries its own settings: it removes exactly what the create made.
        assert removal_setting in inputs["delete"] and "rm" in inputs["delete"], name
    # Replaced (`pulumi up --replace`), the old one goes first: same name, so the other way round
    # its delete would remove the new one.
    for name in (*made, "mhs-demo0-engine"):
        assert run.monitor.named(name).delete_before_replace, name
    # The image is loaded in the same SSH session, before the container starts.
    assert run.mocks.inputs["probe-mhs-demo1-container"]["create"].endswith(
        "load-image.sh wait-gossip.sh wait-network-visible.sh run-probe.sh")


def test_commands_that_print_a_secret_do_not_stream_it(run_program):
    """pulumi-command streams stdout into the `pulumi up` display unless told not to: a command
    whose output is secret must not log it (additional_secret_outputs only protects the state)."""
    run = run_program(stack_config("sandbox"))
    secret_printers = [r for r in run.monitor.registrations
                       if r.type.startswith("command:") and "stdout" in r.secret_outputs]
    assert [r.name for r in secret_printers] == ["sandbox-ssh-private-key"]
    for registration in secret_printers:
        assert run.mocks.inputs[registration.name]["logging"] == "none"


def test_sandbox_hosts_are_written_as_docker_reads_them_back(run_program):
    """`pulumi refresh` reads capabilities back with the CAP_ prefix; written without it, every
    refresh planned a replacement of all hosts. And no deviceCgroupRules: the docker provider
    that can be built here rejects the key."""
    run = run_program(stack_config("sandbox"))
    hosts = [run.mocks.inputs[name] for name in ("mh-keystore", "mhs-demo0", "mhs-demo1")]
    for host in hosts:
        drops = host["capabilities"]["drops"]
        assert drops and all(cap.startswith("CAP_") for cap in drops), drops
        assert "deviceCgroupRules" not in host


def on_a_host(registration) -> bool:
    """Lives on a host: everything there is made by a remote command."""
    return registration.type.startswith("command:remote:")


def test_what_lives_on_a_host_the_stack_made_goes_with_that_host(run_program):
    """So a destroy never needs to reach a host that is gone: Pulumi skips the deletes."""
    run = run_program(stack_config("sandbox"))
    machines = {r.name: r.urn for r in run.monitor.of_type("docker:index/container:Container")
                if r.parent_type == f"{T}SandboxHost"}
    living = [r for r in run.monitor.registrations if on_a_host(r) and r.name != "overlay-network"]
    assert len(living) == 7, [r.name for r in living]  # Consul; per engine: the engine, its probe, its pings
    for registration in living:
        assert registration.deleted_with in machines.values(), (registration.name, registration.deleted_with)
    # Each on its own machine: the keystore's Consul with the keystore container.
    assert run.monitor.named("keystore-consul").deleted_with == machines["mh-keystore"]
    assert run.monitor.named("probe-mhs-demo1-container").deleted_with == machines["mhs-demo1"]
    assert run.monitor.named("pings-from-mhs-demo0").deleted_with == machines["mhs-demo0"]
    # The overlay is global: it lives in the cluster store and goes with the Consul server.
    assert run.monitor.named("overlay-network").deleted_with == run.monitor.named("keystore-consul").urn


def test_dev_hosts_take_their_contents_with_the_vagrant_machine(run_program):
    run = run_program(stack_config("dev"))
    machine = run.monitor.named("mhs-demo0-vagrant-up").urn
    assert run.monitor.named("mhs-demo0-engine").deleted_with == machine
    assert run.monitor.named("probe-mhs-demo0-container").deleted_with == machine


def test_ssh_kind_machines_are_not_the_stacks_to_delete_with(run_program, tmp_path):
    key = tmp_path / "id"
    key.write_text("key")
    ssh = {"user": "admin", "privateKeyFile": str(key)}
    run = run_program(stack_config("dev", hostKind="ssh",
                                   keystore={"name": "ks", "address": "172.28.128.5", "ssh": ssh},
                                   engines=[{"name": f"e{i}", "address": f"172.28.128.{6 + i}", "ssh": ssh} for i in range(2)]))
    living = [r for r in run.monitor.registrations if on_a_host(r) and r.name != "overlay-network"]
    assert living and all(r.deleted_with == "" for r in living)
    assert run.monitor.named("overlay-network").deleted_with == run.monitor.named("keystore-consul").urn
