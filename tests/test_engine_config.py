"""What the engines are told: cluster store, advertise interface, version pin, hostname."""
from __future__ import annotations

import socket
import subprocess

import pytest

from conftest import FAKE_CERTIFICATE, FAKE_CERTIFICATE_REQUEST, StubBin, plain, stack_config
from components import host_scripts


def create_text(run, name: str) -> str:
    """The host script a command sends (on its stdin; a secret where it carries a key)."""
    return plain(run.mocks.inputs[name]["stdin"])


@pytest.mark.parametrize("stack, interface", [("dev", "eth1"), ("sandbox", "eth0")])
def test_cluster_store_points_at_the_keystore_and_advertises_the_hosts_interface(run_program, stack, interface):
    run = run_program(stack_config(stack))
    for engine in ("mhs-demo0", "mhs-demo1"):
        # One command: ensure (installed, running), then point it at the store, then wait until it
        # has joined, in that order.
        text = create_text(run, f"{engine}-engine")
        assert "CLUSTER_STORE=consul://172.28.128.5:8501\n" in text
        assert f"CLUSTER_ADVERTISE={interface}:2376\n" in text
        assert "CONSUL_HTTP=https://172.28.128.5:8501\n" in text
        assert f"NODE={'172.28.128.6' if engine == 'mhs-demo0' else '172.28.128.7'}:2376\n" in text
        assert f"HOST_NAME={engine}\n" in text and "ENGINE_LINE=20.10\n" in text
        steps = [text.index(f"# {step}.sh\n(") for step in ("ensure-engine", "configure-engine", "wait-engine-joined")]
        assert steps == sorted(steps)
        assert "deconfigure-engine" not in text and run.mocks.inputs[f"{engine}-engine"]["delete"]
    # Not on destroy: the first engine may be gone by then.
    assert "JOIN_THROUGH=" not in run.mocks.inputs["mhs-demo1-engine"]["delete"]


def test_every_engine_but_the_first_joins_through_the_first(run_program):
    # One gossip, no islands: the first engine joins alone; every other one once the first is in
    # the gossip, through it, and not through the engine listed before it.
    engines = [{"name": f"mhs-demo{i}", "address": f"172.28.128.{6 + i}"} for i in range(3)]
    run = run_program(stack_config("sandbox", engines=engines))
    assert "JOIN_THROUGH=" not in create_text(run, "mhs-demo0-engine")
    for engine in ("mhs-demo1", "mhs-demo2"):
        assert "JOIN_THROUGH=172.28.128.6:2376\n" in create_text(run, f"{engine}-engine")


def test_vagrant_commands_run_as_root_through_sudo(committed_stack):
    run = committed_stack("dev")
    configure = run.mocks.inputs["mhs-demo0-engine"]
    steps = "ensure-engine.sh configure-engine.sh wait-engine-joined.sh"
    assert configure["create"] == f"sudo -n sh -s # docker-multihost {steps}"
    assert configure["delete"].startswith("sudo -n sh -c ") and "daemon.json.multihost-orig" in configure["delete"]
    sandbox = committed_stack("sandbox").mocks.inputs["mhs-demo0-engine"]
    assert sandbox["create"] == f"sh -s # docker-multihost {steps}"
    assert plain(sandbox["stdin"]).startswith("CLUSTER_STORE=")


def test_host_commands_are_short_and_ask_for_no_environment(committed_stack):
    """The script travels on stdin, so a failing command's error names the script, not its text;
    no PULUMI_COMMAND_STDOUT in the environment, which sshd refuses with a warning."""
    run = committed_stack("sandbox")
    remote = [r for r in run.monitor.of_type("command:remote:Command")]
    # Consul, the network; per host its firewall and its TLS key's request (but the keystore's
    # host: Consul's); per engine: engine, probe, pings.
    assert len(remote) == 14, [r.name for r in remote]
    for registration in remote:
        inputs = run.mocks.inputs[registration.name]
        assert len(inputs["create"]) < 100 and "\n" not in inputs["create"], inputs["create"]
        assert inputs["addPreviousOutputInEnv"] is False


def test_consul_server_runs_on_the_keystore_with_the_pinned_image(committed_stack):
    run = committed_stack("dev")
    consul = create_text(run, "keystore-consul")
    assert "IMAGE=hashicorp/consul:1.8.7\n" in consul and "ADDRESS=172.28.128.5\n" in consul
    assert "--network host" in consul
    assert all(flag in consul for flag in ("-server", "-bootstrap", "-ui", "-client=127.0.0.1"))
    # Consul has a leader before the consulUrl (what the engines wait on) resolves.
    assert run.mocks.inputs["keystore-consul"]["create"].endswith("run-consul.sh wait-consul-leader.sh")


def test_consul_is_reached_over_https_on_the_underlay(committed_stack):
    run = committed_stack("dev")
    assert (run.outputs["consulUrl"], run.outputs["consulUiUrl"]) == \
        ("consul://172.28.128.5:8501", "https://172.28.128.5:8501/ui/")


def test_consul_answers_https_only_to_client_certificates(committed_stack):
    consul = create_text(committed_stack("dev"), "keystore-consul")
    assert "-hcl='verify_incoming_https = true'" in consul and "-hcl='ports { https = 8501 }'" in consul


def test_the_keystores_own_scripts_ask_consul_on_its_loopback(committed_stack):
    assert "CONSUL_HTTP=http://127.0.0.1:8500\n" in create_text(committed_stack("dev"), "keystore-consul")


def test_consuls_host_makes_its_own_key_and_asks_for_a_certificate(committed_stack):
    run = committed_stack("dev")
    assert run.mocks.inputs["consul-tls-consul-request"]["create"].endswith("# docker-multihost request-certificate.sh")
    assert "ROLE=consul\nNAME=consul\n" in create_text(run, "consul-tls-consul-request")


def test_each_engines_host_makes_its_own_key_and_asks_for_a_certificate(committed_stack):
    text = create_text(committed_stack("dev"), "consul-tls-client-mhs-demo0-request")
    assert "ROLE=engine\n" in text and "NAME=mhs-demo0\n" in text


def test_the_stacks_ca_signs_a_hosts_own_request(committed_stack):
    text = create_text(committed_stack("dev"), "consul-tls-client-mhs-demo0")
    assert f"REQUEST='{FAKE_CERTIFICATE_REQUEST}'" in text and "NAME=mhs-demo0\n" in text


def test_consuls_certificate_names_its_underlay_address_and_loopback(committed_stack):
    text = create_text(committed_stack("dev"), "consul-tls-consul")
    assert "SAN=IP:172.28.128.5,IP:127.0.0.1\n" in text and "USAGE=serverAuth\n" in text


def test_each_engine_is_given_the_certificate_signed_for_its_host(committed_stack):
    run = committed_stack("dev")
    # Every signing prints FAKE_CERTIFICATE under the mocks: what tells them apart is the edge.
    assert f"TLS_CERT='{FAKE_CERTIFICATE}'" in create_text(run, "mhs-demo0-engine")
    assert run.monitor.named("consul-tls-client-mhs-demo0").urn in \
        run.monitor.named("mhs-demo0-engine").property_dependencies["stdin"]


def test_the_cas_key_stays_in_the_stacks_folder_on_this_machine(committed_stack):
    text = create_text(committed_stack("dev"), "consul-tls-ca")
    assert "/.sandbox/test/tls/ca-key.pem\n" in text


def test_the_tools_certificate_is_named_by_its_files(committed_stack):
    files = committed_stack("dev").outputs["consulToolsTlsFiles"]
    assert {name: path.rsplit("/", 1)[-1] for name, path in files.items()} == \
        {"ca": "ca.pem", "cert": "tools.pem", "key": "tools-key.pem"}


def test_no_private_key_is_in_a_commands_arguments(committed_stack):
    run = committed_stack("dev")
    assert not [name for name, inputs in run.mocks.inputs.items()
                if "PRIVATE KEY" in str(inputs.get("create", "")) + str(inputs.get("delete", ""))]


def run_ensure_engine(stub_bin: StubBin, running: str | None, installed: str,
                      clustered: bool = True) -> subprocess.CompletedProcess:
    """Run the real ensure-engine script against stand-ins: `curl` (the engine's API, which answers
    with version `running`, or not at all when it is None), `dockerd` (which says it is
    `installed`) and `iptables` (this machine's firewall is left alone; its calls are recorded)."""
    stub_bin.add("dockerd", f"echo 'Docker version {installed}, build x'\n")
    api = (f"for url; do :; done\ncase $url in */version) echo '{{\"Version\":\"{running}\",\"ApiVersion\":\"1.41\"}}' ;; esac\n"
           if running else "exit 7\n")
    stub_bin.add("curl", api)
    stub_bin.add("iptables", 'case " $* " in *" -C "*) exit 1 ;; esac\n', record=True)  # no rule there yet
    settings = {"HOST_NAME": socket.gethostname(), "ENGINE_LINE": "20.10", "STACK_ID": "0123456789ab",
                "RECORD_ROOT": str(stub_bin.path.parent / "records")}
    if clustered:
        settings["CLUSTER_STORE"] = "consul://172.28.128.5:8501"
    script = host_scripts.render("ensure-engine", settings)
    return subprocess.run(["sh", "-c", script], capture_output=True, text=True, env=stub_bin.env, timeout=30)


@pytest.mark.parametrize("version, accepted, words", [
    ("20.10.5+dfsg1", True, "Docker Engine 20.10.5 on"),
    ("20.10.24", True, "Docker Engine 20.10.24 on"),
    ("23.0.1", False, "23.0 or newer, which removed --cluster-store"),
    ("26.1.5+dfsg1", False, "23.0 or newer, which removed --cluster-store"),
    ("19.03.8", False, "outside the pinned 20.10 line"),
])
def test_a_running_engine_is_kept_only_in_the_20_10_line(stub_bin, version, accepted, words):
    # The running engine's version is the one checked (from its API): the installed dockerd would
    # say 9.9, outside the line, if it were asked.
    result = run_ensure_engine(stub_bin, running=version, installed="9.9.0")
    assert (result.returncode == 0) == accepted, result.stderr
    assert words in (result.stdout + result.stderr)
    if accepted:
        # Before the engine would start: the serf port's resets are dropped (see lib/kv-join.sh).
        assert "OUTPUT -p tcp --sport 7946 --tcp-flags RST RST -j DROP" in stub_bin.calls.read_text()


def test_the_keystores_engine_gets_no_serf_rule(stub_bin):
    """The keystore's engine joins no cluster store, and so has no gossip whose resets to drop."""
    result = run_ensure_engine(stub_bin, running="20.10.5", installed="20.10.5", clustered=False)
    assert result.returncode == 0 and not stub_bin.recorded()


def test_the_serf_rule_the_stack_put_in_is_recorded_for_its_undo(stub_bin):
    run_ensure_engine(stub_bin, running="20.10.5", installed="20.10.5")
    assert (stub_bin.path.parent / "records" / "0123456789ab" / "serf-reset-rule").exists()


@pytest.mark.parametrize("version, words", [
    ("23.0.1", "23.0 or newer, which removed --cluster-store"),
    ("19.03.8", "outside the pinned 20.10 line"),
])
def test_an_installed_engine_outside_the_line_is_refused_before_it_starts(stub_bin, version, words):
    result = run_ensure_engine(stub_bin, running=None, installed=version)
    assert result.returncode == 1 and words in result.stderr, result.stderr
    assert f"Docker Engine {version} on" in result.stderr


def test_cluster_store_follows_the_keystore_wherever_it_is(run_program):
    keystore = {"name": "consul-box", "address": "172.28.128.40"}
    run = run_program(stack_config("dev", keystore=keystore))
    for engine in ("mhs-demo0", "mhs-demo1"):
        assert "CLUSTER_STORE=consul://172.28.128.40:8501\n" in create_text(run, f"{engine}-engine")
        assert "CONSUL_HTTP=https://172.28.128.40:8501\n" in create_text(run, f"{engine}-engine")
    assert "ADDRESS=172.28.128.40\n" in create_text(run, "keystore-consul")
