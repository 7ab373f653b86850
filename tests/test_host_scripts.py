"""The host scripts as the program sends them: steps composed into one command, and the gossip
check that restarts an engine left alone. Run with a real `sh`, the engine's parts faked."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from components import host_scripts
from conftest import StubBin


# The first line of a test's script that calls the functions of lib/kv-join.sh.
KV_JOIN_NEEDS = "# needs: base record waits engine-api engine firewall tls kv-join"


def run_sh(text: str) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", "-c", text], capture_output=True, text=True, timeout=60)


@pytest.fixture
def scripts(tmp_path, monkeypatch) -> Path:
    """A folder of scripts in place of components/host_scripts, with the real libraries (lib/)."""
    shutil.copytree(host_scripts.SCRIPT_DIR / "lib", tmp_path / "lib")
    monkeypatch.setattr(host_scripts, "SCRIPT_DIR", tmp_path)
    return tmp_path


def test_steps_run_in_order_and_only_the_last_one_prints_on_stdout(scripts):
    (scripts / "first.sh").write_text("# needs: base\n# a comment line\necho \"first $SETTING\"\nexit 0\n")
    (scripts / "second.sh").write_text("# needs: base\necho second\n")
    done = run_sh(host_scripts.render(["first", "second"], {"SETTING": "x"}))
    assert done.returncode == 0
    assert done.stdout == "second\n"
    # A step's own `exit 0` ends that step, not the command.
    assert done.stderr == "first x\n"
    assert host_scripts.stdin_command(["first", "second"]) == "sh -s # docker-multihost first.sh second.sh"


def test_a_failing_step_stops_the_steps_after_it(scripts):
    (scripts / "first.sh").write_text("# needs: base\nfail \"no engine\"\n")
    (scripts / "second.sh").write_text("# needs: base\necho second\n")
    done = run_sh(host_scripts.render(["first", "second"]))
    assert done.returncode == 1
    assert done.stdout == "" and "error: no engine" in done.stderr


def test_commands_carry_the_scripts_without_their_comment_lines():
    for script in sorted(host_scripts.SCRIPT_DIR.glob("*.sh")):
        text = host_scripts.render(script.stem)
        assert not [line for line in text.splitlines() if line.lstrip().startswith("#")], script.name
        assert subprocess.run(["sh", "-n", "-c", text]).returncode == 0, script.name


def gossip_check(log_before: Path, log_after: Path, **waits: str) -> str:
    """wait-gossip.sh for engine b of a, b, c, with the engine's log and restart faked: the log reads
    `log_before` until the engine is restarted, then `log_after`. `waits`: more wait settings."""
    fakes = (f'engine_log() {{ if [ -e "{log_before.parent}/restarted" ]; then cat "{log_after}"; '
             f'else cat "{log_before}"; fi; }}\n'
             f'restart_engine() {{ touch "{log_before.parent}/restarted"; echo restarted >&2; }}\n')
    # No wait (a bound of 0 asks once): the logs here do not change while it waits.
    settings = {"ENGINES": "a b c", "GOSSIP_WAIT_S": "0", **waits}
    common, script = host_scripts.render("wait-gossip", settings).split("\n: \"${ENGINES:?}\"", 1)
    return common + "\nhostname() { echo b; }\n" + fakes + ': "${ENGINES:?}"' + script


def serf_log(*members: str) -> str:
    return "".join(f'time="t" level=info msg="2026/11/28 [INFO] serf: EventMemberJoin: {m} 172.28.128.{i}\\n"\n'
                   for i, m in enumerate(members))


def test_an_engine_that_met_another_engine_is_left_running(tmp_path):
    (tmp_path / "log").write_text(serf_log("b", "c"))
    done = run_sh(gossip_check(tmp_path / "log", tmp_path / "log"))
    assert done.returncode == 0, done.stderr
    assert "restarted" not in done.stderr and "b gossips with the other engines" in done.stdout


def test_an_engine_left_alone_is_restarted_once_and_then_meets_the_others(tmp_path):
    (tmp_path / "alone").write_text(serf_log("b") + 'level=error msg="joining serf neighbor c failed"\n')
    (tmp_path / "joined").write_text(serf_log("b", "a", "c"))
    done = run_sh(gossip_check(tmp_path / "alone", tmp_path / "joined"))
    assert done.returncode == 0, done.stderr
    assert "b has met no other engine: restarting its engine" in done.stderr
    assert done.stderr.count("restarted") == 1


def test_an_engine_still_alone_after_its_restart_fails(tmp_path):
    # Another stack's engine in the log is no company.
    (tmp_path / "alone").write_text(serf_log("b", "other-stack-engine"))
    done = run_sh(gossip_check(tmp_path / "alone", tmp_path / "alone", GOSSIP_RESTART_WAIT_S="0"))
    assert done.returncode == 1
    assert "to meet another engine after a restart" in done.stderr


def first_engine_check(scripts: Path, stub_bin: StubBin, settings: dict, curl_answers: bool) -> subprocess.CompletedProcess:
    """wait_for_first_engine (lib/kv-join.sh) with a stand-in `curl` that records what it asked and
    answers as Consul does: the key, or not found with the store's index."""
    answer = "HTTP/1.1 200 OK\\r\\n" if curl_answers else "HTTP/1.1 404 Not Found\\r\\nX-Consul-Index: 42\\r\\n"
    stub_bin.add("curl", f'printf "{answer}"\n', record=True)
    # A clock a second on at each look: Consul's blocking query holds a second, no test waits.
    clock = stub_bin.path / "clock"
    stub_bin.add("date", f'n=$(( $(cat "{clock}" 2>/dev/null || echo 1000) + 1 )); echo $n >"{clock}"; echo $n\n')
    (scripts / "turn.sh").write_text(f"{KV_JOIN_NEEDS}\nwait_for_first_engine\necho started\n")
    # 3 s: two asks (the first, then one on the store's index) before the time is out.
    text = host_scripts.render("turn", {**settings, "FIRST_ENGINE_WAIT_S": "3", "STACK_ID": "0123456789ab"})
    return subprocess.run(["sh", "-c", text], capture_output=True, text=True, timeout=30, env=stub_bin.env)


def test_the_first_engine_starts_at_once(scripts, stub_bin):
    done = first_engine_check(scripts, stub_bin, {"CONSUL_HTTP": "http://consul:8500"}, curl_answers=False)
    assert done.returncode == 0 and done.stdout == "started\n"
    assert not stub_bin.calls.exists()


def test_an_engine_starts_once_the_first_engine_is_in_the_gossip(scripts, stub_bin):
    settings = {"CONSUL_HTTP": "http://consul:8500", "JOIN_THROUGH": "172.28.128.6:2376"}
    done = first_engine_check(scripts, stub_bin, settings, curl_answers=True)
    assert done.returncode == 0 and done.stdout == "started\n"
    assert "http://consul:8500/v1/kv/multihost/in-gossip/172.28.128.6:2376?index=0&wait=" in stub_bin.calls.read_text()


def test_an_engine_whose_first_engine_never_joins_fails_naming_it(scripts, stub_bin):
    settings = {"CONSUL_HTTP": "http://consul:8500", "JOIN_THROUGH": "172.28.128.6:2376"}
    done = first_engine_check(scripts, stub_bin, settings, curl_answers=False)
    assert done.returncode != 0 and "started" not in done.stdout
    assert "timed out after 3s waiting for the first engine (172.28.128.6:2376), through which the one on" in done.stderr
    # After the first answer it waits on Consul's index instead of asking again at once.
    assert "in-gossip/172.28.128.6:2376?index=42&wait=" in stub_bin.calls.read_text()


def join_check(scripts: Path, stub_bin: StubBin, tmp_path: Path, running_store: str, daemon_json_changed: str,
               reload_takes: bool = True, peers: str = "172.28.128.8 172.28.128.9") -> subprocess.CompletedProcess:
    """join_store (lib/kv-join.sh) against a faked engine: `engine_cluster_store` reads a file that the
    faked reload rewrites (or not), and reload and restart only say they ran. A stand-in `curl`
    answers every question (the first engine is in the gossip); a stand-in `iptables` records the
    rules asked for (and never finds one)."""
    stub_bin.add("curl", 'echo "HTTP/1.1 200 OK"\n', record=True)
    stub_bin.add("iptables", 'case " $* " in *" -C "*) exit 1 ;; esac\n', record=True)
    store = tmp_path / "store"
    store.write_text(running_store)
    wanted = "consul://172.28.128.5:8500"
    fakes = (f'engine_cluster_store() {{ cat "{store}"; }}\n'
             f'reload_engine() {{ echo reloaded >&2; {"echo " + wanted + " >" + str(store) if reload_takes else ":"}; }}\n'
             'restart_clustered_engine() { echo restarted >&2; }\n'
             'engine_log() { echo "a line of the engine\'s log"; }\n')
    (scripts / "join.sh").write_text(f"{KV_JOIN_NEEDS}\n" + fakes + f'join_store {daemon_json_changed}\necho done\n')
    settings = {"CLUSTER_STORE": wanted, "CONSUL_HTTP": "http://consul:8500", "NODE": "172.28.128.7:2376",
                "JOIN_THROUGH": "172.28.128.6:2376", "PEERS": peers, "STACK_ID": "0123456789ab"}
    text = host_scripts.render("join", {**settings, "STORE_RELOAD_WAIT_S": "0"})
    return subprocess.run(["sh", "-c", text], capture_output=True, text=True, timeout=30, env=stub_bin.env)


def test_an_engine_without_a_store_joins_by_a_reload_through_the_first_engine(scripts, stub_bin, tmp_path):
    done = join_check(scripts, stub_bin, tmp_path, running_store="", daemon_json_changed="yes")
    assert done.returncode == 0 and done.stdout == "done\n", done.stderr
    assert done.stderr == "reloaded\n"
    asked = stub_bin.recorded()
    # It first withdraws its own word that it is in the gossip, then waits for the first engine,
    # then sends its gossip's joins to the first engine, and only then reloads.
    assert asked[0].endswith("-X DELETE http://consul:8500/v1/kv/multihost/in-gossip/172.28.128.7:2376")
    assert "http://consul:8500/v1/kv/multihost/in-gossip/172.28.128.6:2376?index=0" in asked[1]
    # Waiting for the xtables lock (at most 30 s), as every rule change of the scripts does; only
    # joins to the stack's other engines go to the first engine instead.
    assert [line for line in asked if " -I " in line] == [
        f"iptables -w 30 -t nat -I OUTPUT -p tcp -d {peer} --dport 7946 -m comment --comment "
        "multihost-gossip-join -j DNAT --to-destination 172.28.128.6" for peer in ("172.28.128.8", "172.28.128.9")]


def test_the_second_of_two_engines_needs_no_rule_to_join_through_the_first(scripts, stub_bin, tmp_path):
    done = join_check(scripts, stub_bin, tmp_path, running_store="", daemon_json_changed="yes", peers="")
    assert done.returncode == 0 and not [line for line in stub_bin.recorded() if line.startswith("iptables")]


def test_an_engine_already_on_the_store_is_left_alone(scripts, stub_bin, tmp_path):
    done = join_check(scripts, stub_bin, tmp_path, running_store="consul://172.28.128.5:8500", daemon_json_changed="no")
    assert done.returncode == 0 and done.stdout == "done\n" and done.stderr == ""
    assert not stub_bin.calls.exists()


def test_an_engine_on_another_store_is_restarted(scripts, stub_bin, tmp_path):
    done = join_check(scripts, stub_bin, tmp_path, running_store="consul://10.0.0.9:8500", daemon_json_changed="yes")
    assert done.returncode == 0 and done.stderr == "restarted\n"


def test_a_reload_the_engine_does_not_take_fails_with_the_engine_log(scripts, stub_bin, tmp_path):
    done = join_check(scripts, stub_bin, tmp_path, running_store="", daemon_json_changed="yes", reload_takes=False)
    assert done.returncode != 0 and "done" not in done.stdout
    assert "to take cluster store consul://172.28.128.5:8500 on a reload" in done.stderr
    assert "a line of the engine's log" in done.stderr


FAKE_DOCKER = r'''# A stand-in `docker`: containers and networks are files in $STATE, every change is logged.
echo "$*" >>"$STATE/log"
case "$1 $2" in
  "inspect --format")
    case "$3" in
      *multihost.run*) cat "$STATE/container-$4" 2>/dev/null || exit 1 ;;
      *State.Running*NetworkSettings*) [ -e "$STATE/container-$4" ] || exit 1; echo "$(cut -d' ' -f1,2 "$STATE/container-$4") my-net" ;;
      *State.Running*) [ -e "$STATE/container-$4" ] || exit 1; cut -d' ' -f1,2 "$STATE/container-$4" ;;
      *stack-id*) [ -e "$STATE/container-$4" ] || exit 1; cut -d' ' -f2 "$STATE/container-$4" ;;
      *) echo 10.0.4.2 ;;
    esac ;;
  "container inspect") [ -e "$STATE/container-$3" ] ;;
  "rm -f") rm -f "$STATE/container-$3" ;;
  "run -d")
    name=$4 stack=${6#multihost.stack-id=} label=${8#multihost.run=}
    echo "true $stack $label" >"$STATE/container-$name" ;;
  "network inspect")  # its labels: multihost.stack-id, then multihost.subnet
    [ -e "$STATE/network-$5" ] || exit 1
    case "$4" in *subnet*) cat "$STATE/network-$5" ;; *) cut -d' ' -f1 "$STATE/network-$5" ;; esac ;;
  "network create")
    shift 2
    stack=$(echo "$*" | sed -n 's/.*--label multihost.stack-id=\([^ ]*\).*/\1/p')
    subnet=$(echo "$*" | sed -n 's/.*--label multihost.subnet=\([^ ]*\).*/\1/p')
    for last in "$@"; do :; done
    echo "$stack $subnet" >"$STATE/network-$last" ;;
  "network rm") rm -f "$STATE/network-$3" ;;
  "info --format") [ -e "$STATE/no-cluster-store" ] || echo consul://172.28.128.5:8501 ;;
esac
'''


# A stand-in `curl` for the engine API: a container is there when the stand-in docker made it.
FAKE_ENGINE_API = r'''for url in "$@"; do :; done
[ -e "$STATE/engine-down" ] && exit 7
case "$url" in
  */containers/*/json) name=${url#*/containers/}; [ -e "$STATE/container-${name%/json}" ] || exit 22 ;;
  */networks/*) [ -e "$STATE/network-${url#*/networks/}" ] || exit 22 ;;
  */_ping) echo OK ;;
  *) exit 7 ;;
esac
'''


@pytest.fixture
def fake_docker(stub_bin: StubBin, tmp_path: Path) -> dict:
    """The environment for a script: a stand-in docker whose state is in tmp_path/state, and a
    stand-in curl that answers for its engine."""
    state = tmp_path / "state"
    state.mkdir()
    stub_bin.add("docker", FAKE_DOCKER)
    stub_bin.add("curl", FAKE_ENGINE_API)
    return {**stub_bin.env, "STATE": str(state), "RECORD_ROOT": str(tmp_path / "records")}


STACK_ID = "0123456789ab"


def run_with(env: dict, script: str, settings: dict) -> subprocess.CompletedProcess:
    """`script` as the stack STACK_ID runs it."""
    return subprocess.run(["sh", "-c", host_scripts.render(script, {"STACK_ID": STACK_ID, **settings})],
                          capture_output=True, text=True, env=env, timeout=60)


def docker_calls(env: dict, verb: str) -> list[str]:
    log = Path(env["STATE"]) / "log"
    return [line for line in log.read_text().splitlines() if line.startswith(verb)] if log.exists() else []


def test_a_probe_runs_once_and_is_replaced_only_when_its_settings_change(fake_docker):
    env = fake_docker
    probe = {"PROBE": "probe-a", "IMAGE": "multihost/probe:busybox", "NETWORK": "my-net"}
    first = run_with(env, "run-probe", probe)
    assert first.returncode == 0, first.stderr
    assert first.stdout == "10.0.4.2\n"  # its address on the network
    # Not there yet: the engine API said so, and the docker CLI was not asked.
    assert not docker_calls(env, "inspect --format {{.State.Running}}")
    (run,) = docker_calls(env, "run ")
    assert "--name probe-a" in run and "--network my-net" in run and run.endswith("multihost/probe:busybox sleep 2147483647")
    # Run again as it is: nothing changes.
    assert run_with(env, "run-probe", probe).returncode == 0
    assert len(docker_calls(env, "run ")) == 1 and not docker_calls(env, "rm ")
    # On another network: replaced.
    assert run_with(env, "run-probe", {**probe, "NETWORK": "other-net"}).returncode == 0
    assert docker_calls(env, "rm ") == ["rm -f probe-a"]
    assert "--network other-net" in docker_calls(env, "run ")[-1]


def test_a_probe_on_a_swarms_network_asks_for_the_address_it_got(fake_docker):
    run_with(fake_docker, "run-probe", {**PROBE, "SCOPE": "swarm"})
    assert docker_calls(fake_docker, "network ") == ["network disconnect my-net probe-a",
                                                     "network connect --ip 10.0.4.2 my-net probe-a"]


def test_a_probe_on_a_swarms_network_asks_for_its_address_once(fake_docker):
    run_with(fake_docker, "run-probe", {**PROBE, "SCOPE": "swarm"})
    run_with(fake_docker, "run-probe", {**PROBE, "SCOPE": "swarm"})
    assert len(docker_calls(fake_docker, "network connect")) == 1


def test_a_swarm_probe_made_before_it_asked_for_its_address_is_made_again(fake_docker):
    run_with(fake_docker, "run-probe", PROBE)
    run_with(fake_docker, "run-probe", {**PROBE, "SCOPE": "swarm"})
    assert (docker_calls(fake_docker, "rm "), len(docker_calls(fake_docker, "network connect"))) == (["rm -f probe-a"], 1)


def test_a_probe_on_a_stores_network_keeps_its_address_without_asking(fake_docker):
    run_with(fake_docker, "run-probe", {**PROBE, "SCOPE": "global"})
    assert docker_calls(fake_docker, "network ") == []


def test_the_overlay_is_created_once_and_a_different_network_of_its_name_is_refused(fake_docker):
    env = fake_docker
    network = {"NETWORK": "my-net", "SUBNET": "10.0.4.0/24", "GATEWAY": "10.0.4.1", "ENCRYPTED": "0"}
    created = run_with(env, "create-network", network)
    assert created.returncode == 0 and created.stdout == "my-net\n", created.stderr
    (create,) = docker_calls(env, "network create")
    assert "--driver overlay --attachable --subnet 10.0.4.0/24 --gateway 10.0.4.1" in create and create.endswith(" my-net")
    assert "encrypted" not in create
    assert run_with(env, "create-network", network).returncode == 0
    assert len(docker_calls(env, "network create")) == 1
    other_subnet = run_with(env, "create-network", {**network, "SUBNET": "10.0.5.0/24"})
    assert other_subnet.returncode == 1
    assert "has subnet 10.0.4.0/24, not 10.0.5.0/24" in other_subnet.stderr and "network.subnet" in other_subnet.stderr
    # Somebody else's network of that name is neither taken over nor removed.
    (Path(env["STATE"]) / "network-theirs").write_text(" 10.0.4.0/24\n")
    theirs = run_with(env, "create-network", {**network, "NETWORK": "theirs"})
    assert theirs.returncode == 1 and "that is not this stack's" in theirs.stderr and "network.name" in theirs.stderr
    assert len(docker_calls(env, "network create")) == 1


def test_a_container_of_the_name_the_program_did_not_make_is_left_alone(fake_docker, consul_key):
    env = fake_docker
    (Path(env["STATE"]) / "container-consul").write_text("true  \n")  # running, without the labels
    refused = run_with(env, "run-consul", CONSUL)
    assert refused.returncode == 1 and "a container named consul that is not this stack's" in refused.stderr
    assert not docker_calls(env, "rm ") and not docker_calls(env, "run ")


CONSUL = {"NAME": "consul", "IMAGE": "multihost/consul:1.8.7", "ADDRESS": "172.28.128.5", "HOST_NAME": "mh-keystore",
          "TLS_CA": "CA", "TLS_CERT": "CERT"}


@pytest.fixture
def consul_key(fake_docker):
    """Consul's key, where request-certificate.sh leaves it on the host."""
    folder = Path(fake_docker["RECORD_ROOT"]) / STACK_ID / "tls-consul"
    folder.mkdir(parents=True)
    (folder / "key.pem").write_text("KEY\n")


def test_a_container_of_the_name_that_another_stack_made_is_left_alone(fake_docker, consul_key):
    (Path(fake_docker["STATE"]) / "container-consul").write_text("true fedcba987654 whatever\n")
    refused = run_with(fake_docker, "run-consul", CONSUL)
    assert refused.returncode == 1 and "its multihost.stack-id label: 'fedcba987654'" in refused.stderr


def test_a_containers_delete_removes_the_stacks_own_container(fake_docker):
    (Path(fake_docker["STATE"]) / "container-consul").write_text(f"true {STACK_ID} whatever\n")
    assert run_with(fake_docker, "remove-container", {"NAME": "consul"}).returncode == 0
    assert docker_calls(fake_docker, "rm ") == ["rm -f consul"]


def test_a_containers_delete_leaves_another_stacks_container_of_that_name(fake_docker):
    (Path(fake_docker["STATE"]) / "container-consul").write_text("true fedcba987654 whatever\n")
    left = run_with(fake_docker, "remove-container", {"NAME": "consul"})
    assert left.returncode == 0 and "is not this stack's: left as it is" in left.stderr
    assert not docker_calls(fake_docker, "rm ")


def test_a_networks_delete_removes_the_stacks_own_network(fake_docker):
    (Path(fake_docker["STATE"]) / "network-my-net").write_text(f"{STACK_ID} 10.0.4.0/24\n")
    assert run_with(fake_docker, "remove-network", {"NETWORK": "my-net"}).returncode == 0
    assert docker_calls(fake_docker, "network rm") == ["network rm my-net"]


def test_a_networks_delete_leaves_another_stacks_network_of_that_name(fake_docker):
    (Path(fake_docker["STATE"]) / "network-my-net").write_text("fedcba987654 10.0.4.0/24\n")
    left = run_with(fake_docker, "remove-network", {"NETWORK": "my-net"})
    assert left.returncode == 0 and not docker_calls(fake_docker, "network rm")


def test_an_encrypted_overlay_asks_for_ipsec(fake_docker):
    env = fake_docker
    settings = {"NETWORK": "my-net", "SUBNET": "10.0.4.0/24", "GATEWAY": "10.0.4.1", "ENCRYPTED": "1"}
    assert run_with(env, "create-network", settings).returncode == 0
    (create,) = docker_calls(env, "network create")
    assert create.endswith("--opt encrypted my-net")


def test_a_command_carries_only_the_libraries_its_script_names():
    text = host_scripts.render("remove-container", {"NAME": "probe-a"})
    assert text.startswith("NAME=probe-a\nset -eu\n")
    # base, and engine-api (engine_answers, and engine_api which engine_answers calls).
    assert "fail() {" in text and "engine_answers() {" in text and "engine_api() {" in text
    assert "join_store() {" not in text and "run_container() {" not in text and "wait_until() {" not in text
    # A step of a longer command brings its own.
    assert "run_container() {" in host_scripts.render(["load-image", "run-probe"], {})


@pytest.mark.parametrize("version, refused", [("20.10.5+dfsg1", True), ("20.10.23", True), ("23.0.2", True),
                                              ("20.10.24", False), ("23.0.3", False), ("26.1.5+dfsg1", False)])
def test_a_host_refuses_its_own_engine_release_that_can_fail_open_with_encryption(scripts, version, refused):
    (scripts / "release.sh").write_text('# needs: base engine-api versions\ncheck_encryption_release "$VERSION"\necho safe\n')
    done = run_sh(host_scripts.render("release", {"VERSION": version}))
    assert (done.returncode == 1 and "CVE-2023-28840" in done.stderr) if refused else done.stdout == "safe\n"


def test_a_worker_joins_with_the_token_in_the_request_body_never_in_a_commands_arguments(stub_bin, tmp_path):
    token = "SWMTKN-1-secret0secret0secret"
    stub_bin.add("docker", 'case "$*" in *LocalNodeState*) echo inactive ;; *NodeID*) echo node1 ;; esac\n', record=True)
    stub_bin.add("curl", f'cat >"{tmp_path}/body"\nprintf "{{}}\\n200"\n', record=True)
    settings = {"MANAGER": "172.28.128.6:2377", "ADVERTISE_ADDR": "172.28.128.7", "JOIN_TOKEN": token,
                "STACK_ID": "0123456789ab", "RECORD_ROOT": str(tmp_path / "records")}
    done = subprocess.run(["sh", "-c", host_scripts.render("swarm-join", settings)], capture_output=True, text=True,
                          env=stub_bin.env, timeout=30)
    assert done.returncode == 0, done.stderr
    assert token not in "\n".join(stub_bin.recorded()) and f'"JoinToken":"{token}"' in (tmp_path / "body").read_text()


PROBE = {"PROBE": "probe-a", "IMAGE": "multihost/probe:busybox", "NETWORK": "my-net"}


def test_a_containers_status_is_that_it_runs_as_this_stacks(fake_docker):
    run_with(fake_docker, "run-probe", PROBE)
    status = run_with(fake_docker, "status-container", {"NAME": "probe-a"})
    assert (status.returncode, status.stdout) == (0, f"true {STACK_ID}\n")


def test_a_probes_status_says_whether_it_is_still_on_its_network(fake_docker):
    run_with(fake_docker, "run-probe", PROBE)
    status = run_with(fake_docker, "status-container", {"NAME": "probe-a", "NETWORK": "my-net"})
    assert (status.returncode, status.stdout) == (0, f"true {STACK_ID} my-net\n")


def test_a_removed_containers_status_says_it_is_gone(fake_docker):
    assert run_with(fake_docker, "status-container", {"NAME": "probe-a"}).returncode == 3


def test_a_status_fails_and_does_not_say_gone_when_the_engine_does_not_answer(fake_docker):
    (Path(fake_docker["STATE"]) / "engine-down").touch()
    status = run_with(fake_docker, "status-container", {"NAME": "probe-a"})
    assert status.returncode == 1 and "the Docker engine does not answer" in status.stderr


def test_the_networks_status_is_its_stack_and_subnet(fake_docker):
    run_with(fake_docker, "create-network", {"NETWORK": "my-net", "SUBNET": "10.0.4.0/24", "GATEWAY": "10.0.4.1",
                                             "ENCRYPTED": "0"})
    status = run_with(fake_docker, "status-network", {"NETWORK": "my-net", "SCOPE": "global"})
    assert (status.returncode, status.stdout) == (0, f"{STACK_ID} 10.0.4.0/24\n")


def test_a_removed_networks_status_says_it_is_gone(fake_docker):
    assert run_with(fake_docker, "status-network", {"NETWORK": "my-net", "SCOPE": "global"}).returncode == 3


def test_an_engine_off_its_store_cannot_tell_whether_the_stores_network_is_there(fake_docker):
    (Path(fake_docker["STATE"]) / "no-cluster-store").touch()
    assert run_with(fake_docker, "status-network", {"NETWORK": "my-net", "SCOPE": "global"}).returncode == 4


def network_peers_check(stub_bin: StubBin, listings: Path, **waits: str) -> subprocess.CompletedProcess:
    """wait-network-peers.sh for the engines at .6, .7 and .8, with a stand-in `docker` whose
    network inspect prints the next line of `listings` each time (the last one again at the end)."""
    stub_bin.add("docker", f'n=$(( $(cat "{listings}.n" 2>/dev/null || echo 0) + 1 )); echo $n >"{listings}.n"\n'
                           f'sed -n "$n{{p;q}}" "{listings}" | grep . || tail -n 1 "{listings}"\n')
    text = host_scripts.render("wait-network-peers", {"NETWORK": "my-net", "PEERS": "10.1.0.6 10.1.0.7 10.1.0.8", **waits})
    return subprocess.run(["sh", "-c", text], capture_output=True, text=True, timeout=30, env=stub_bin.env)


def network_listing(peers: str, containers: str) -> str:
    """What the script's `docker network inspect` prints: the network's peers, then the hosts of
    the containers on it."""
    return "".join(f"peer:10.1.0.{i} " for i in peers) + "".join(f"container:10.1.0.{i} " for i in containers) + "\n"


def test_an_engine_waits_until_its_gossip_lists_every_engine_on_the_network(stub_bin, tmp_path):
    (tmp_path / "listings").write_text(network_listing("67", "678") + network_listing("76", "678") + network_listing("867", "678"))
    done = network_peers_check(stub_bin, tmp_path / "listings")
    assert (done.returncode, (tmp_path / "listings.n").read_text().strip()) == (0, "3"), done.stderr


def test_an_engine_waits_until_it_knows_every_engines_container_on_the_network(stub_bin, tmp_path):
    """Its peers listed, an engine's containers come by another sync: until then their names and
    addresses do not answer."""
    (tmp_path / "listings").write_text(network_listing("678", "68") + network_listing("678", "687"))
    done = network_peers_check(stub_bin, tmp_path / "listings")
    assert (done.returncode, (tmp_path / "listings.n").read_text().strip()) == (0, "2"), done.stderr


def test_an_engine_whose_gossip_never_lists_an_engine_fails_naming_it(stub_bin, tmp_path):
    (tmp_path / "listings").write_text(network_listing("68", "678"))
    done = network_peers_check(stub_bin, tmp_path / "listings", NETWORK_PEERS_WAIT_S="0")
    assert done.returncode == 1 and "does not know 10.1.0.7 on network my-net" in done.stderr, done.stderr
