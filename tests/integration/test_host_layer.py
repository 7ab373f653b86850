"""The host layer for real: the project's own host scripts, images, ping parser and keystore
inspection on three sandbox hosts (containers on the local Docker engine, each with its own
engine inside), in the order the program runs them. Real engines, real Consul, real pings.

This is not the Pulumi end-to-end test (`make e2e`): the same host scripts, with the same steps in
one SSH session each, run here without Pulumi. Needs root, a local engine and `make images`:
`make integration`.
"""
from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pytest

import consul

from components.consul_keystore import CONSUL_LOCAL_HTTP, CONSUL_PORT
from components.consul_tls import CONSUL_COMMON_NAME, TOOLS_COMMON_NAME
from components.sandbox_host import CAPABILITIES_ADDED, CAPABILITIES_DROPPED, EXPLICIT_SECURITY_OPTS
from components import host_scripts
from components.names import STACK_LABEL, archive_on_host
from components.ping import describe, parse_ping_probes
from ops import inspect

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
LABEL = f"{STACK_LABEL}=integration"
PREFIX = "mh-it"
STACK_ID = "1a7e9a7e0001"
SUBNET = "172.28.130.0/24"
HOST_IMAGE, CONSUL_IMAGE, PROBE_IMAGE = "multihost/host:bullseye", "multihost/consul:1.8.7", "multihost/probe:busybox"
NETWORK, OVERLAY_SUBNET, OVERLAY_GATEWAY = "my-net", "10.0.4.0/24", "10.0.4.1"
REBOOTED = "mhs-demo2"
REBOOT_STOP_S, REBOOT_HEAL_S = 40, 60


@dataclass
class SandboxHost:
    name: str
    address: str
    ssh_port: int
    key: Path

    def ssh(self, command: str, timeout: int = 180, stdin: Optional[str] = None) -> str:
        result = subprocess.run(
            ["ssh", "-i", str(self.key), "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
             "-o", "LogLevel=ERROR", "-o", "ConnectTimeout=5", "-p", str(self.ssh_port), "root@127.0.0.1", command],
            capture_output=True, text=True, timeout=timeout, input=stdin)
        assert result.returncode == 0, f"{self.name}: {command[-200:]!r} failed: {result.stdout}{result.stderr}"
        return result.stdout

    def script(self, name: host_scripts.Scripts, **settings: str) -> str:
        """The host script as the program sends it (on stdin), for this test's stack identity."""
        return self.ssh("sh -s", stdin=host_scripts.render(name, {"STACK_ID": STACK_ID, **settings}))

    def copy_archive(self, archive: Path) -> str:
        """The archive's path on the host, once copied there."""
        remote = archive_on_host(archive.name)
        subprocess.run(["docker", "cp", str(archive), f"{PREFIX}-{self.name}:{remote}"], check=True)
        return remote


def run_local(script: str, **settings: str) -> str:
    """A script of host_scripts/local/ run here as the program runs it: what it prints."""
    done = subprocess.run(["sh", "-s"], input=host_scripts.render(f"local/{script}", settings),
                          capture_output=True, text=True, check=True)
    return done.stdout


@dataclass
class Tls:
    """The stack's CA as ConsulTls makes it: certificates for Consul's and each engine's host, each
    for the key the host made itself, and the tools' files."""
    ca: str
    consul: str
    clients: dict[str, str]
    tools_files: tuple[str, str, str]

    def settings(self, cert: str) -> dict[str, str]:
        return {"TLS_CA": self.ca, "TLS_CERT": cert}


def make_tls(keystore: "SandboxHost", engines: list["SandboxHost"], folder: Path) -> Tls:
    ca_files = {"CA_CERT": str(folder / "ca.pem"), "CA_KEY": str(folder / "ca-key.pem")}
    ca = run_local("make-ca", **ca_files, NAME="integration CA")

    def issue(host: "SandboxHost", role: str, name: str, usage: str, san: str = "") -> str:
        request = host.script("request-certificate", ROLE=role, NAME=name)
        return run_local("sign-certificate", **ca_files, REQUEST=request, NAME=name, USAGE=usage, SAN=san)
    tools = {"CERT": str(folder / "tools.pem"), "KEY": str(folder / "tools-key.pem")}
    run_local("make-tools-certificate", **ca_files, **tools, NAME=TOOLS_COMMON_NAME)
    return Tls(ca=ca, consul=issue(keystore, "consul", CONSUL_COMMON_NAME, "serverAuth", f"IP:{keystore.address},IP:127.0.0.1"),
               clients={e.name: issue(e, "engine", e.name, "clientAuth") for e in engines},
               tools_files=(ca_files["CA_CERT"], tools["CERT"], tools["KEY"]))


def docker(*args: str, check: bool = True) -> str:
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=check).stdout


def remove_everything() -> None:
    for kind in ("container", "network", "volume"):
        ids = docker(kind, "ls", "-q", *(["-a"] if kind == "container" else []), "--filter", f"label={LABEL}").split()
        if ids:
            docker(kind, "rm", *(["-f"] if kind == "container" else []), *ids, check=False)


def wait_for_sshd(host: SandboxHost, seconds: int = 30) -> None:
    deadline = time.monotonic() + seconds
    while not subprocess.run(["ssh-keyscan", "-p", str(host.ssh_port), "127.0.0.1"], capture_output=True, text=True).stdout:
        assert time.monotonic() < deadline, f"sshd of {host.name} did not answer within {seconds}s"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def topology(tmp_path_factory):
    for image in (HOST_IMAGE, CONSUL_IMAGE, PROBE_IMAGE):
        assert docker("image", "ls", "-q", image).strip(), f"{image} is missing: run `make images` first"
    key = tmp_path_factory.mktemp("ssh") / "id_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    remove_everything()
    underlay = f"{PREFIX}-underlay"
    docker("network", "create", "--label", LABEL, "--subnet", SUBNET, underlay)
    hosts = [SandboxHost(name, f"172.28.130.{5 + i}", 2290 + i, key)
             for i, name in enumerate(["mh-keystore", "mhs-demo0", "mhs-demo1", "mhs-demo2"])]
    try:
        for host in hosts:
            volume = f"{PREFIX}-{host.name}"
            docker("volume", "create", "--label", LABEL, volume)
            # The flags SandboxHost gives pulumi-docker with `sandbox.privileged: false`.
            flags = [f"--cap-add={c}" for c in CAPABILITIES_ADDED] + [f"--cap-drop={c}" for c in CAPABILITIES_DROPPED]
            flags += [f"--security-opt={o}" for o in EXPLICIT_SECURITY_OPTS]
            docker("run", "-d", "--label", LABEL, "--name", f"{PREFIX}-{host.name}", "--hostname", host.name,
                   "--network", underlay, "--ip", host.address, *flags, "--cgroupns", "private",
                   "--tmpfs", "/run:rw,exec", "-v", f"{volume}:/var/lib/docker",
                   "-p", f"127.0.0.1:{host.ssh_port}:22", "-e", f"AUTHORIZED_KEYS={key.with_suffix('.pub').read_text().strip()}",
                   # The last host's engine starts at boot, as the sandbox's do (and is rebooted below);
                   # the others' are started over SSH, as on a machine without Docker at boot.
                   *(["-e", "START_ENGINE=1"] if host.name == REBOOTED else []), HOST_IMAGE)
        for host in hosts:
            wait_for_sshd(host)
        keystore, *engines = hosts
        tls = make_tls(keystore, engines, tmp_path_factory.mktemp("tls"))
        consul_http = f"https://{keystore.address}:{CONSUL_PORT}"
        store = f"consul://{keystore.address}:{CONSUL_PORT}"
        # ConsulKeystore
        keystore.script(["ensure-engine", "load-image", "run-consul", "wait-consul-leader"],
                        HOST_NAME=keystore.name, ENGINE_LINE="20.10", CONTROL_PLANE="kv", NAME="consul", IMAGE=CONSUL_IMAGE,
                        ARCHIVE=keystore.copy_archive(ROOT / ".images" / "consul.tar"), ADDRESS=keystore.address,
                        CONSUL_HTTP=CONSUL_LOCAL_HTTP, **tls.settings(tls.consul))
        # ClusteredEngine: started, then pointed at the store, then waited on to join: one command.
        # All at once, as `pulumi up` runs them: the others wait for the first and join through it.
        def join(engine: SandboxHost, first: Optional[SandboxHost]) -> None:
            through = {"JOIN_THROUGH": f"{first.address}:2376"} if first else {}
            engine.script(["ensure-engine", "configure-engine", "wait-engine-joined"], CLUSTER_STORE=store,
                          CLUSTER_ADVERTISE="eth0:2376", ENGINE_LINE="20.10", HOST_NAME=engine.name,
                          CONTROL_PLANE="kv", CONSUL_HTTP=consul_http, NODE=f"{engine.address}:2376", **through,
                          **tls.settings(tls.clients[engine.name]))
        with ThreadPoolExecutor() as pool:
            for joined in [pool.submit(join, engine, engines[0] if i else None) for i, engine in enumerate(engines)]:
                joined.result()
        # OverlayNetwork
        engines[0].script("create-network", NETWORK=NETWORK, SUBNET=OVERLAY_SUBNET, GATEWAY=OVERLAY_GATEWAY,
                          ENCRYPTED="0")
        # ProbeContainer: in one command, the image, the waits for the network (OverlayNetwork's
        # attachment), the container.
        for engine in engines:
            engine.script(["load-image", "wait-gossip", "wait-network-visible", "run-probe"], IMAGE=PROBE_IMAGE,
                          PROBE=f"probe-{engine.name}", ARCHIVE=engine.copy_archive(ROOT / ".images" / "probe.tar"),
                          NETWORK=NETWORK, SCOPE="global", ENGINES=" ".join(e.name for e in engines))
        yield {"keystore": keystore, "engines": engines, "tls": tls}
    finally:
        remove_everything()


def probe_address(engine: SandboxHost) -> str:
    return engine.ssh(f"docker inspect -f '{{{{(index .NetworkSettings.Networks \"{NETWORK}\").IPAddress}}}}' probe-{engine.name}").strip()


def ping_all(engines: list[SandboxHost]) -> list[dict]:
    results = []
    for source in engines:
        targets = [(destination.name, target) for destination in engines if destination is not source
                   for target in (probe_address(destination), f"probe-{destination.name}")]
        output = source.script("ping-probes", PROBE=f"probe-{source.name}", COUNT="3", INTERVAL="0.2",
                               TARGETS=" ".join(t for _, t in targets))
        results += parse_ping_probes(output, source.name, targets)
    return results


def test_engines_are_registered_and_the_overlay_is_in_consul(topology):
    ca, cert, key = topology["tls"].tools_files
    client = consul.Consul(host=topology["keystore"].address, port=CONSUL_PORT, scheme="https", verify=ca, cert=(cert, key))
    contents = inspect.read_keystore(client)
    assert contents["engines"] == sorted(f"{e.address}:2376" for e in topology["engines"])
    assert [(n["name"], n["driver"], n["subnets"]) for n in contents["networks"]] == [(NETWORK, "overlay", [OVERLAY_SUBNET])]


def test_every_engine_has_its_own_hostname_and_the_cluster_store(topology):
    for engine in topology["engines"]:
        info = engine.ssh("docker info --format '{{.Name}} {{.ClusterStore}} {{.ClusterAdvertise}}'").split()
        assert info == [engine.name, f"consul://{topology['keystore'].address}:{CONSUL_PORT}", f"{engine.address}:2376"]


def test_probes_reach_each_other_by_address_and_by_name(topology):
    results = ping_all(topology["engines"])
    for r in results:  # shown by `make integration` (-rP)
        print(describe(r))
    assert len(results) == 12  # 3 engines: 6 ordered pairs, by address and by name
    for r in results:
        assert (r["transmitted"], r["received"], r["loss_pct"], r["reachable"]) == (3, 3, 0.0, True), r


def test_engines_joined_the_store_by_a_reload_without_a_restart(topology):
    for engine in topology["engines"]:
        log = engine.ssh("cat /var/log/dockerd.log")
        assert log.count("Starting up") == 1 and "Reloaded configuration" in log, engine.name
        # Every engine's gossip met every other engine, and none sends its joins to the first
        # engine any more.
        members = set(engine.ssh("sed -n 's/.*serf: EventMemberJoin: \\([^ ]*\\) .*/\\1/p' /var/log/dockerd.log").split())
        assert members == {e.name for e in topology["engines"]}, engine.name
        assert "multihost-gossip-join" not in engine.ssh("iptables -t nat -S OUTPUT"), engine.name
        # Each says in the store that it is in the gossip: what the others wait for of the first.
        tls = f"/var/lib/docker-multihost/{STACK_ID}/tls-engine"
        assert engine.ssh(f"curl -fsS --cacert {tls}/ca.pem --cert {tls}/cert.pem --key {tls}/key.pem "
                          f"https://{topology['keystore'].address}:{CONSUL_PORT}/v1/kv/multihost/in-gossip/"
                          f"{engine.address}:2376?raw").strip() == engine.name


def test_consul_refuses_a_client_without_a_certificate_of_the_stacks_ca(topology):
    ca = topology["tls"].tools_files[0]
    done = subprocess.run(["curl", "-sS", "--max-time", "5", "--cacert", ca,
                           f"https://{topology['keystore'].address}:{CONSUL_PORT}/v1/kv/docker/nodes/?keys"],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "docker/nodes" not in done.stdout


def test_engines_use_the_hosts_containerd_with_its_configuration(topology):
    """host-init starts containerd as the system daemon, as on a Debian machine; an engine that
    started its own would run it with Docker's configuration, which cannot be changed."""
    for host in (topology["keystore"], *topology["engines"]):
        (dockerd,) = host.ssh("pgrep -x dockerd").split()
        assert host.ssh(f"pgrep -P {dockerd} -l || true").strip() == "", host.name
        assert len(host.ssh("pgrep -x containerd").split()) == 1, host.name
        scheduler = host.ssh("ctr plugins ls --detailed id==scheduler")
        assert re.search(r"PauseThreshold\s+0\n", scheduler), f"{host.name}: {scheduler}"
        assert not re.search(r"io\.containerd\.grpc\.v1\s+cri\s", host.ssh("ctr plugins ls")), host.name


def test_engines_start_with_the_hosts_engine_environment(topology):
    """/etc/default/docker of the sandbox host image (GOGC) reaches the engine that ensure-engine.sh
    started over SSH, as a boot start gets it from host-init."""
    for host in [topology["keystore"], *topology["engines"]]:
        environment = host.ssh("tr '\\0' '\\n' </proc/$(cat /var/run/docker.pid)/environ").split()
        assert "GOGC=400" in environment, f"{host.name}: {environment}"


def test_rule_changes_wait_for_the_xtables_lock(topology):
    """With the legacy iptables backend (still the one on many machines) a rule change made while
    another program holds the xtables lock, as the engine does while it changes its own rules,
    fails at once (exit 4) unless it waits: the scripts' changes wait for it."""
    host = topology["engines"][2]
    # iptables-legacy in place of iptables, and the lock held for a second by another program.
    legacy_and_locked = (
        "mkdir -p /tmp/legacy-iptables && ln -sf /usr/sbin/iptables-legacy /tmp/legacy-iptables/iptables && "
        "export PATH=/tmp/legacy-iptables:$PATH && rm -f /tmp/xtables-locked && "
        "{ flock /run/xtables.lock sh -c 'touch /tmp/xtables-locked; sleep 1' & } && "
        "for i in $(seq 100); do [ -e /tmp/xtables-locked ] && break; sleep 0.05; done && "
        "[ -e /tmp/xtables-locked ]\n")
    status = host.ssh(legacy_and_locked + "iptables -S OUTPUT >/dev/null 2>&1 && echo 0 || echo $?; wait")
    assert status.strip() == "4", "without waiting, a change under the lock should fail"
    common = "".join((host_scripts.SCRIPT_DIR / "lib" / f"{name}.sh").read_text()
                     for name in host_scripts.needs("configure-engine"))
    try:
        rules = host.ssh(f"STACK_ID={STACK_ID}\n" + legacy_and_locked + common
                         + "\nquiet_serf_port\nwait\niptables-legacy -S OUTPUT")
        assert "-A OUTPUT -p tcp -m tcp --sport 7946 --tcp-flags RST RST -j DROP" in rules, rules
    finally:
        host.ssh(f"iptables-legacy -F OUTPUT; rm -rf /tmp/legacy-iptables /tmp/xtables-locked; rm -f /var/lib/docker-multihost/{STACK_ID}/serf-reset-rule")


def test_dropped_vxlan_shows_as_loss_not_a_crash(topology):
    rule = ["DOCKER-USER", "-p", "udp", "--dport", "4789", "-j", "DROP"]
    subprocess.run(["iptables", "-I", *rule], check=True)
    try:
        results = ping_all(topology["engines"])
    finally:
        subprocess.run(["iptables", "-D", *rule], check=True)
    assert results and all(not r["reachable"] and r["loss_pct"] == 100 for r in results), results


def failed_pings(engines: list[SandboxHost]) -> list:
    """The pings between ENGINES that did not pass, or why they could not be run."""
    try:
        return [r for r in ping_all(engines) if not r["reachable"]]
    except (AssertionError, subprocess.TimeoutExpired) as err:
        return [str(err)[-300:]]


@pytest.fixture(scope="module")
def rebooted(topology):
    """The last engine's host stopped (SIGTERM, as a reboot or `vagrant reload` stops it, with the
    time Vagrant's provider is given) and started again: the time it took to stop, and the pings
    failing when they first all passed again (or at REBOOT_HEAL_S)."""
    host = next(e for e in topology["engines"] if e.name == REBOOTED)
    started = time.monotonic()
    docker("stop", "--time", str(REBOOT_STOP_S), f"{PREFIX}-{host.name}")
    stopped_in = time.monotonic() - started
    docker("start", f"{PREFIX}-{host.name}")
    wait_for_sshd(host)
    deadline = time.monotonic() + REBOOT_HEAL_S
    while (failed := failed_pings(topology["engines"])) and time.monotonic() < deadline:
        time.sleep(1)
    healed_in = time.monotonic() - started - stopped_in
    print(f"{host.name}: stopped in {stopped_in:.1f} s, all pings passed {healed_in:.1f} s after its start")
    return {"host": host, "stopped_in": stopped_in, "failed": failed}


def test_a_host_stopped_as_at_a_reboot_stops_its_engine_first(rebooted):
    log = rebooted["host"].ssh("cat /var/log/dockerd.log")
    assert "Daemon shutdown complete" in log and rebooted["stopped_in"] < REBOOT_STOP_S, rebooted["stopped_in"]


def test_a_rebooted_host_is_back_on_the_overlay_with_nothing_run_on_it(rebooted):
    assert rebooted["failed"] == []


def test_configuring_again_changes_nothing_and_deconfigure_restores(topology):
    engine = topology["engines"][1]
    pid = engine.ssh("cat /var/run/docker.pid")
    engine.script("configure-engine", CLUSTER_STORE=f"consul://{topology['keystore'].address}:{CONSUL_PORT}",
                  CLUSTER_ADVERTISE="eth0:2376", ENGINE_LINE="20.10", HOST_NAME=engine.name,
                  CONSUL_HTTP=f"https://{topology['keystore'].address}:{CONSUL_PORT}", NODE=f"{engine.address}:2376",
                  **topology["tls"].settings(topology["tls"].clients[engine.name]))
    assert engine.ssh("cat /var/run/docker.pid") == pid  # not restarted
    serf_rule = "-A OUTPUT -p tcp -m tcp --sport 7946 --tcp-flags RST RST -j DROP"
    assert engine.ssh("iptables -S OUTPUT").count(serf_rule) == 1  # once, however often configured
    engine.script(["deconfigure-engine", "restore-host"], HOST_NAME=engine.name)
    engine.script("forget-certificate", ROLE="engine")
    assert serf_rule not in engine.ssh("iptables -S OUTPUT")
    assert engine.ssh("docker info --format '{{.ClusterStore}}'").strip() == ""
    # The stack's keys are out of daemon.json again, and nothing of its records is left.
    assert "cluster-store" not in engine.ssh("cat /etc/docker/daemon.json 2>/dev/null || true")
    assert engine.ssh("ls -A /var/lib/docker-multihost 2>/dev/null || true").strip() == ""


FAILED_START_S = 30


@pytest.fixture(scope="module")
def failed_at_restart(rebooted):
    """On the rebooted host, a container of restart policy `always` whose engine, restarted as
    systemd restarts one, fails to start it (its bind mount's folder gone meanwhile); then the
    folder back; and one of policy `unless-stopped` that its owner stopped before. The first one's
    state once its start had failed and FAILED_START_S later, the second one's then."""
    host = rebooted["host"]
    host.ssh(f"mkdir -p /srv/kept && docker run -d --name kept --restart always "
             f"--mount type=bind,source=/srv/kept,target=/kept {PROBE_IMAGE} sleep 1d >/dev/null")
    # And one its owner stopped, which stays stopped.
    host.ssh(f"docker run -d --name left --restart unless-stopped {PROBE_IMAGE} sleep 1d >/dev/null && docker stop -t 0 left >/dev/null")
    host.ssh("kill $(cat /var/run/docker.pid); for i in $(seq 150); do [ -e /var/run/docker.pid ] || break; sleep 0.2; done; "
             "rmdir /srv/kept")
    host.ssh("DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1 setsid nohup dockerd >>/var/log/dockerd.log 2>&1 </dev/null &")
    state = "{{.State.Status}} {{.State.Error}}"
    failed = host.ssh(f"for i in $(seq 150); do s=$(docker inspect -f '{state}' kept 2>/dev/null) && "
                      f"case $s in *' '?*) break;; esac; sleep 0.2; done; echo \"$s\"").strip()
    host.ssh("mkdir /srv/kept")
    deadline = time.monotonic() + FAILED_START_S
    while (now := host.ssh(f"docker inspect -f '{state}' kept").strip()) != "running" and time.monotonic() < deadline:
        time.sleep(0.5)
    yield {"failed": failed, "now": now, "log": host.ssh("cat /var/log/start-failed-containers.log"),
           "left": host.ssh(f"docker inspect -f '{state}' left").strip()}
    host.ssh("docker rm -f kept left >/dev/null; rm -rf /srv/kept")


def test_an_engine_restarted_fails_to_start_a_container_whose_mount_is_gone(failed_at_restart):
    assert failed_at_restart["failed"].startswith("exited ") and "/srv/kept" in failed_at_restart["failed"]


def test_a_container_its_engine_failed_to_start_is_started_once_it_can_be(failed_at_restart):
    assert failed_at_restart["now"] == "running" and "started kept again" in failed_at_restart["log"]


def test_a_container_stopped_by_its_owner_stays_stopped_after_its_engine_restarts(failed_at_restart):
    assert failed_at_restart["left"] == "exited"
