"""make faults: what users see when things break, on real sandbox hosts (stack `faults`, three
engines). Each scenario breaks one thing behind the program's back, runs the project's own
commands (make check, make inspect, make destroy) and compares what they say with what they
should say, then repairs it. One line per scenario: name, expected, seen, time. Exits 1 if any
scenario did not see what it expected. Whatever happens, the stack is destroyed at the end.

Run through make (it sets the Pulumi environment). FAULTS="name …" runs only those scenarios.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from components import host_scripts  # noqa: E402
from components.names import (CONSUL_CONTAINER, STACK_LABEL, host_container_name, probe_name,  # noqa: E402
                              underlay_network_name)
from components.swarm_engine import SWARM_PORT  # noqa: E402
from ops.stack import ToolError, stack_outputs  # noqa: E402
from scripts.harness import leftovers, stack_setting, write_stack_file  # noqa: E402

STACK = "faults"
LOG = ROOT / ".sandbox" / "faults.log"
FAILURE_LOGS = ROOT / ".sandbox" / "faults-logs"
ENGINE_WAIT_S = 60


@dataclass
class Outcome:
    name: str
    expected: str
    seen: str
    ok: bool
    seconds: float


def run(*args: str, check: bool = False) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=None)
    with LOG.open("a") as log:
        log.write(f"$ {' '.join(args)}  (exit {done.returncode})\n{done.stdout}{done.stderr}\n")
    if check and done.returncode != 0:
        raise RuntimeError(f"`{' '.join(args)}` failed (exit {done.returncode}); see {LOG}")
    return done


def make_stack(target: str, stack: str) -> subprocess.CompletedProcess:
    return run("make", "-s", target, f"STACK={stack}")


def make(target: str) -> subprocess.CompletedProcess:
    return make_stack(target, STACK)


def host(name: str) -> str:
    return host_container_name(STACK, name)


def outputs_of(stack: str) -> dict:
    """The stack's outputs; none where it did not come up."""
    try:
        return stack_outputs(stack)
    except ToolError:
        return {}


def on_host(name: str, command: str, check: bool = True, stack: str = STACK) -> subprocess.CompletedProcess:
    return run("docker", "exec", host_container_name(stack, name), "sh", "-c", command, check=check)


def check_rows(output: str) -> dict[tuple[str, str, str], str]:
    """(from, to, target) -> the row make check printed for it ('ok ...' or 'FAIL ...')."""
    rows = {}
    for line in output.splitlines():
        match = re.match(r"^(ok|FAIL)\s+(\S+) -> (\S+)\s+(\S+)", line)
        if match:
            rows[(match.group(2), match.group(3), match.group(4))] = line
    return rows


def failing_pairs(output: str) -> set[tuple[str, str]]:
    return {(source, destination) for (source, destination, _), line in check_rows(output).items()
            if line.startswith("FAIL")}


def exit_said(done: subprocess.CompletedProcess) -> str:
    """`exit N`, and where a make check failed, how many rows failed and the first of them (else
    the first line saying error, or the last line): a CI log cut to its tail then still says why."""
    if done.returncode == 0:
        return "exit 0"
    rows = check_rows(done.stdout)
    failed = [line for line in rows.values() if line.startswith("FAIL")]
    if failed:
        return f"exit {done.returncode} ({len(failed)} of {len(rows)} rows FAIL, first: {' '.join(failed[0].split())[:160]})"
    lines = (done.stdout + done.stderr).strip().splitlines() or [""]
    said = next((line for line in lines if "error" in line.lower()), lines[-1])
    return f"exit {done.returncode} ({' '.join(said.split())[:160]})"


def vxlan_dropped_between_one_pair() -> tuple[str, str, bool]:
    a, b = "mhs-demo0", "mhs-demo1"
    address = stack_outputs(STACK)["hostAddresses"]
    rules = [f"INPUT -p udp --dport 4789 -s {address[b]} -j DROP", f"OUTPUT -p udp --dport 4789 -d {address[b]} -j DROP"]
    for rule in rules:
        on_host(a, f"iptables -I {rule}")
    try:
        broken = make("check")
    finally:
        for rule in rules:
            on_host(a, f"iptables -D {rule}")
    repaired = make("check")
    failing = failing_pairs(broken.stdout)
    ok = broken.returncode != 0 and failing == {(a, b), (b, a)} and len(check_rows(broken.stdout)) == 12 \
        and repaired.returncode == 0
    return (f"non-zero exit, 100% loss exactly {a}<->{b} (4 of 12 rows); restored: exit 0",
            f"exit {broken.returncode}, failing {sorted(failing)}, {len(check_rows(broken.stdout))} rows; "
            f"restored: {exit_said(repaired)}", ok)


def one_engine_stopped() -> tuple[str, str, bool]:
    stopped = "mhs-demo2"
    on_host(stopped, "kill $(cat /var/run/docker.pid)")
    on_host(stopped, f"for i in $(seq {ENGINE_WAIT_S * 5}); do [ -s /var/run/docker.pid ] || exit 0; sleep 0.2; done; exit 1")
    broken = make("check")
    # Repair: the engine started again; its probe comes back by its restart policy.
    on_host(stopped, "setsid nohup dockerd >>/var/log/dockerd.log 2>&1 </dev/null &")
    on_host(stopped, f"for i in $(seq {ENGINE_WAIT_S * 5}); do docker info >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1")
    repaired = check_within(HEAL_BOUND_S)[0]
    failing = failing_pairs(broken.stdout)
    own_rows = [line for (source, _, _), line in check_rows(broken.stdout).items() if source == stopped]
    says_why = len(own_rows) == 4 and all("Cannot connect to the Docker daemon" in line for line in own_rows)
    involved = {pair for pair in failing if stopped in pair}
    ok = broken.returncode != 0 and failing == involved and len(involved) == 4 and says_why and repaired.returncode == 0
    return (f"non-zero exit, only the 4 pairs with {stopped} fail, its rows say the engine does not answer; restored: exit 0",
            f"exit {broken.returncode}, failing {sorted(failing)}, reason given: {says_why}; "
            f"restored: {exit_said(repaired)}", ok)


HEAL_BOUND_S = 60
"""How soon a stack heals by itself after an engine restarts (measured: 5–7 s, make check included)."""


def check_within(seconds: float, stack: str = STACK) -> tuple[subprocess.CompletedProcess, float]:
    """make check of STACK again until it passes, at most SECONDS: its last run, and when it passed."""
    started = time.monotonic()
    while True:
        checked = make_stack("check", stack)
        waited = time.monotonic() - started
        if checked.returncode == 0 or waited > seconds:
            return checked, waited
        time.sleep(1)


def restart_engine(name: str, stack: str = STACK) -> None:
    """The engine on host NAME killed and started again, as systemd restarts one after a crash."""
    on_host(name, "kill $(cat /var/run/docker.pid)", stack=stack)
    on_host(name, f"for i in $(seq {ENGINE_WAIT_S * 5}); do [ -s /var/run/docker.pid ] || exit 0; sleep 0.2; done; exit 1",
            stack=stack)
    # As the host starts it (host-init, lib/engine.sh): an engine from 26.0 on needs the variable in a container.
    on_host(name, "DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1 setsid nohup dockerd >>/var/log/dockerd.log 2>&1 </dev/null &",
            stack=stack)


def healed(name: str, bound: float, stack: str = STACK) -> tuple[str, bool]:
    """After something happened to host NAME: make check again until it passes (at most BOUND
    seconds), then make inspect; what they said, and whether both passed."""
    checked, waited = check_within(bound, stack)
    inspected = make_stack("inspect", stack)
    fine = checked.returncode == 0 and inspected.returncode == 0
    return (f"make check {exit_said(checked)} after {waited:.1f}s, make inspect {exit_said(inspected)}"
            + ("" if fine else f", {containers_and_last_stop(name, stack)}, {kept_logs(stack)}"), fine)


# What make logs leaves out (the engine log before its last start): how the engine stopped.
LAST_STOP = ("docker ps -a --format '{{.Names}} {{.Status}}' | paste -sd, -; "
             "docker ps -aq | xargs -r docker inspect -f '{{.Name}} started {{.State.StartedAt}} finished "
             "{{.State.FinishedAt}} restarts {{.RestartCount}}'; "
             "grep -ho '\"HasBeenManuallyStopped\":[a-z]*' /var/lib/docker/containers/*/config.v2.json; "
             "grep -E 'Processing signal|Stop container|Force shutdown|shutdown complete|Failed to start' "
             "/var/log/dockerd.log | tail -4 | cut -c1-160 | paste -sd'|' -")


def containers_and_last_stop(name: str, stack: str) -> str:
    """NAME's containers and the last lines of how its engine stopped and started them, on one line."""
    shown = on_host(name, LAST_STOP, check=False, stack=stack)
    return f"{name}: {' '.join(shown.stdout.split())}"


def kept_logs(stack: str) -> str:
    """make logs of STACK at the moment a scenario fails, kept where the scenario's destroy leaves it."""
    made = make_stack("logs", stack)
    found = re.search(r"logs: (\S+\.tar\.gz)", made.stdout)
    if not found:
        return f"make logs {exit_said(made)}"
    kept = FAILURE_LOGS / Path(found.group(1)).name.replace("logs-", f"{stack}-")
    kept.parent.mkdir(exist_ok=True)
    Path(found.group(1)).replace(kept)
    return f"logs kept in {kept.relative_to(ROOT)}"


def engine_restart_heals() -> tuple[str, str, bool]:
    """An engine's and then the keystore's engine restarted: the engine rejoins its store, the probe
    and Consul come back by their restart policy, and make check passes again with no command run."""
    seen, ok = [], True
    for name in ("mhs-demo1", "mh-keystore"):
        restart_engine(name)
        said, fine = healed(name, HEAL_BOUND_S)
        seen.append(f"{name}: {said}")
        ok = ok and fine
    return (f"after each restart, make check and make inspect pass within {HEAL_BOUND_S}s, nothing run by hand",
            "; ".join(seen), ok)


def consul_stopped() -> tuple[str, str, bool]:
    on_host("mh-keystore", f"docker stop {CONSUL_CONTAINER} >/dev/null")
    broken = make("inspect")
    on_host("mh-keystore", f"docker start {CONSUL_CONTAINER} >/dev/null")
    on_host("mh-keystore", "for i in $(seq 300); do curl -fsS http://127.0.0.1:8500/v1/status/leader | grep -q ':[0-9]' && exit 0; sleep 0.2; done; exit 1")
    repaired = make("check")
    # make's own "*** [inspect] Error 1" aside, the tool says one line.
    error_lines = [line for line in broken.stderr.strip().splitlines() if not line.startswith("make")]
    one_line = len(error_lines) == 1 and "does not answer" in error_lines[0] and "Traceback" not in broken.stderr
    ok = broken.returncode != 0 and one_line and repaired.returncode == 0
    return ("make inspect: non-zero exit, one line 'the keystore ... does not answer'; started again: make check exit 0",
            f"exit {broken.returncode}, {len(error_lines)} line(s): {error_lines[0][:90] if error_lines else ''}; "
            f"make check {exit_said(repaired)}", ok)


def keystore_address() -> str:
    return stack_outputs(STACK)["hostAddresses"]["mh-keystore"]


def consul_without_a_client_certificate() -> tuple[str, str, bool]:
    """From the keystore host itself (a peer: the firewall lets it in), Consul's HTTPS refuses a
    client without a certificate of the stack's CA, to read as to write; the tools' certificate
    (make inspect, through its SSH tunnel) is let in."""
    url = f"https://{keystore_address()}:8501/v1/kv/docker/nodes/?keys"
    ca = "$(ls -d /var/lib/docker-multihost/*/tls-consul)/ca.pem"
    read = on_host("mh-keystore", f"curl -sS --max-time 5 --cacert {ca} '{url}'", check=False)
    write = on_host("mh-keystore", f"curl -sS --max-time 5 --cacert {ca} -X PUT --data x "
                                   f"'https://{keystore_address()}:8501/v1/kv/docker/nodes/intruder'", check=False)
    inspected = make("inspect")
    engines = re.search(r"Engines registered in \S+ \((\d+)\)", inspected.stdout)
    refused = [done.returncode != 0 and "intruder" not in done.stdout for done in (read, write)]
    ok = all(refused) and inspected.returncode == 0 and engines is not None and engines.group(1) == "3"
    reason = (read.stderr.strip().splitlines() or [""])[-1][:80]
    return ("curl without a client certificate: refused, to read and to write; make inspect: exit 0, 3 engines",
            f"curl exits {read.returncode}/{write.returncode} ({reason}); make inspect exit {inspected.returncode}, "
            f"{engines.group(1) if engines else 'no'} engines", ok)


OUTSIDER = "multihost-faults-outsider"


def drops(name: str, rule: str) -> int:
    """The packets the stack's peers-only chain on host NAME dropped by its rule for RULE (`udp dpt:4789`)."""
    listing = on_host(name, "iptables -w 30 -L $(iptables -w 30 -S | grep -o 'MULTIHOST-[0-9a-f]*' | head -n1) -v -x -n").stdout
    return sum(int(line.split()[0]) for line in listing.splitlines()
               if line.split()[2:3] == ["DROP"] and rule in line)


def outsider_on_the_underlay() -> tuple[str, str, bool]:
    """A seventh machine on the stack's underlay that is not one of its hosts: it cannot reach
    Consul (dropped; without the firewall TLS would refuse it, as consul-needs-a-client-certificate
    shows), nor an engine's gossip (7946) or VXLAN (4789), while the stack's own pings stay at 0%
    loss."""
    outputs = stack_outputs(STACK)
    keystore, engine = outputs["hostAddresses"]["mh-keystore"], outputs["hostAddresses"]["mhs-demo0"]
    before = {rule: drops("mhs-demo0", rule) for rule in ("tcp dpt:7946", "udp dpt:4789")}
    run("docker", "rm", "-f", OUTSIDER)
    run("docker", "run", "-d", "--name", OUTSIDER, "--network", underlay_network_name(STACK), "--entrypoint", "sleep",
        AS_FOUND_IMAGE, "300", check=True)
    try:
        def outsider(command: str) -> subprocess.CompletedProcess:
            return run("docker", "exec", OUTSIDER, "bash", "-c", command)
        consul = outsider(f"curl -sSk --max-time 3 -X PUT --data x https://{keystore}:8501/v1/kv/intruder")
        gossip = outsider(f"timeout 3 bash -c 'exec 3<>/dev/tcp/{engine}/7946'")
        outsider(f"for i in 1 2 3; do echo x >/dev/udp/{engine}/4789; done")
    finally:
        run("docker", "rm", "-f", OUTSIDER)
    after = {rule: drops("mhs-demo0", rule) for rule in before}
    checked = make("check")
    dropped = {rule: after[rule] - before[rule] for rule in before}
    ok = consul.returncode != 0 and gossip.returncode != 0 and all(n > 0 for n in dropped.values()) \
        and checked.returncode == 0
    return ("Consul (8501), gossip (7946) and VXLAN (4789) unreachable from a non-peer; the stack's pings: make check exit 0",
            f"curl to Consul exit {consul.returncode}, tcp 7946 exit {gossip.returncode}, dropped on mhs-demo0: "
            f"{dropped}; make check {exit_said(checked)}", ok)


def logs_of_a_broken_stack() -> tuple[str, str, bool]:
    """make logs with Consul stopped: one archive, a file per host with its engine log, and no line
    of any secret the stack holds."""
    import tarfile
    from ops.reach import secret_lines
    on_host("mh-keystore", f"docker stop {CONSUL_CONTAINER} >/dev/null")
    try:
        made = make("logs")
    finally:
        on_host("mh-keystore", f"docker start {CONSUL_CONTAINER} >/dev/null")
    match = re.search(r"logs: (\S+\.tar\.gz)", made.stdout)
    texts = {}
    if match:
        with tarfile.open(match.group(1)) as tar:
            texts = {member.name.rsplit("/", 1)[1]: tar.extractfile(member).read().decode(errors="replace")
                     for member in tar.getmembers()}
    hosts = sorted(stack_outputs(STACK)["hostAddresses"])
    with_log = [h for h in hosts if "Starting up" in texts.get(f"{h}.txt", "").split("===== engine log", 1)[-1]]
    secrets = secret_lines(json.loads(run("pulumi", "stack", "export", "--stack", STACK, "--show-secrets").stdout))
    leaked = [name for name, text in texts.items() if "PRIVATE KEY" in text or any(s in text for s in secrets)]
    ok = made.returncode == 0 and with_log == hosts and not leaked and len(secrets) > 0
    return ("make logs: exit 0, an archive with each host's engine log, none of the stack's secret lines",
            f"exit {made.returncode}, files {sorted(texts)}, engine logs of {with_log}, "
            f"{len(secrets)} secret lines looked for, found in {leaked or 'none'}", ok)


def host_key_changed() -> tuple[str, str, bool]:
    """The SSH host key of one host replaced behind the stack (as when someone else answers at its
    address): `pulumi up` and `make check` refuse it, naming it and both fingerprints; its old key
    back, make check passes again."""
    changed = "mhs-demo1"
    key = "/etc/ssh/ssh_host_ed25519_key"
    on_host(changed, f"cp {key} /root/host-key && cp {key}.pub /root/host-key.pub && rm -f {key} {key}.pub && "
                     f"ssh-keygen -q -N '' -t ed25519 -f {key}")
    try:
        up = run("pulumi", "up", "--stack", STACK, "--yes", "--skip-preview")
        checked = make("check")
    finally:
        on_host(changed, f"cp /root/host-key {key} && cp /root/host-key.pub {key}.pub && rm -f /root/host-key*")
    repaired = make("check")
    says = f"host {changed} (127.0.0.1:"
    up_names = [line for line in (up.stdout + up.stderr).splitlines() if says in line and "serves SSH host key SHA256:" in line
                and "but the stack pinned SHA256:" in line]
    rows = [line for (source, _, _), line in check_rows(checked.stdout).items() if source == changed]
    rows_name = bool(rows) and all(says in line and "but the stack pinned SHA256:" in line for line in rows)
    ok = up.returncode != 0 and bool(up_names) and checked.returncode != 0 and rows_name and repaired.returncode == 0
    example = up_names[0].strip()[:160] if up_names else "none"
    return (f"pulumi up and make check refuse {changed}, naming it and both fingerprints; old key back: make check exit 0",
            f"up exit {up.returncode} ({len(up_names)} line(s) naming it: {example}); make check exit "
            f"{checked.returncode}, its {len(rows)} rows naming it: {rows_name}; restored: {exit_said(repaired)}", ok)


def host_removed_then_destroy() -> tuple[str, str, bool]:
    run("docker", "rm", "-f", host("mhs-demo1"), check=True)
    destroyed = make("destroy")
    left = leftovers(STACK)
    ok = destroyed.returncode == 0 and not left
    return ("make destroy: exit 0, nothing of the stack left on the local engine",
            f"exit {destroyed.returncode}, {len(left)} left", ok)


SSH_STACK = "faults-ssh"
SSH_HOST_IMAGE = "multihost/ssh-host:bullseye"
SSH_USER = "admin"


class Machines:
    """Containers with sshd and a user with password-less sudo, standing in for servers the stack did
    not make, on a bridge of their own; made on entering, removed with everything in them on leaving."""

    def __init__(self, stack: str, names: list[str], image: str, subnet: str, port_base: int,
                 extra: tuple[str, ...] = ()):
        from components.sandbox_host import CAPABILITIES_ADDED, CAPABILITIES_DROPPED, EXPLICIT_SECURITY_OPTS
        self.stack, self.names, self.image, self.subnet, self.port_base = stack, names, image, subnet, port_base
        self.flags = [f"--cap-add={c}" for c in CAPABILITIES_ADDED] + [f"--cap-drop={c}" for c in CAPABILITIES_DROPPED]
        self.flags += [f"--security-opt={o}" for o in EXPLICIT_SECURITY_OPTS] + list(extra)
        self.key = ROOT / ".sandbox" / stack / "id_ed25519"
        self.network = underlay_network_name(stack)

    def container(self, name: str) -> str:
        return host_container_name(self.stack, name)

    def address(self, name: str) -> str:
        return self.subnet.rsplit(".", 1)[0] + f".{5 + self.names.index(name)}"

    def host(self, name: str) -> dict:
        """The machine as a stack's configuration names it (the `ssh` kind)."""
        return {"name": name, "address": self.address(name),
                "ssh": {"address": "127.0.0.1", "port": self.port_base + self.names.index(name), "user": SSH_USER}}

    def sh(self, name: str, command: str, check: bool = True) -> subprocess.CompletedProcess:
        """A command on the machine, as root, from the outside (not through the stack's SSH)."""
        return run("docker", "exec", "-i", self.container(name), "sh", "-c", command, check=check)

    def __enter__(self) -> "Machines":
        self.key.parent.mkdir(parents=True, exist_ok=True)
        self.key.unlink(missing_ok=True)
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", self.stack, "-f", str(self.key), check=True)
        # The stack authenticates through the run's ssh-agent: no key material in its state.
        run("ssh-add", "-q", str(self.key), check=True)
        label = f"{STACK_LABEL}={self.stack}"
        run("docker", "network", "create", "--label", label, "--subnet", self.subnet, self.network, check=True)
        for name in self.names:
            run("docker", "run", "-d", "--name", self.container(name), "--label", label, "--network", self.network,
                "--ip", self.address(name), *self.flags, "--cgroupns", "private", "--tmpfs", "/run:rw,exec",
                "-v", "/var/lib/docker", "-v", "/srv/docker",
                "-p", f"127.0.0.1:{self.port_base + self.names.index(name)}:22", "-e", f"LOGIN_USER={SSH_USER}",
                "-e", f"AUTHORIZED_KEYS={self.key.with_suffix('.pub').read_text().strip()}", self.image, check=True)
        return self

    def __exit__(self, *_) -> None:
        for name in self.names:
            run("docker", "rm", "-f", "-v", self.container(name))
        run("docker", "network", "rm", self.network)


def forget_stack(stack: str) -> None:
    run("pulumi", "stack", "rm", "--stack", stack, "--yes", "--force")
    (ROOT / f"Pulumi.{stack}.yaml").unlink(missing_ok=True)


def destroy_and_forget(stack: str) -> subprocess.CompletedProcess:
    """A scenario's own stack destroyed, then forgotten with its Pulumi.<stack>.yaml: the destroy."""
    destroyed = make_stack("destroy", stack)
    forget_stack(stack)
    return destroyed


def ssh_hosts_for_real() -> tuple[str, str, bool]:
    """The `ssh` kind against machines the program did not make: containers with sshd, a non-root
    user with password-less sudo and no Docker at all. The program installs the pinned engine from
    their apt sources, clusters them, and the rest runs as on any server."""
    names = ["mh-keystore", "mhs-demo0", "mhs-demo1"]
    try:
        with Machines(SSH_STACK, names, SSH_HOST_IMAGE, "172.28.150.0/24", 2260) as machines:
            write_stack_file(SSH_STACK, STACK, {"hostKind": "ssh", "hostNetwork": machines.subnet,
                                                "keystore": machines.host(names[0]),
                                                "engines": [machines.host(n) for n in names[1:]]}, drop=("sandbox",))
            up = run("make", "-s", "up", f"STACK={SSH_STACK}")
            outputs = outputs_of(SSH_STACK)
            pings = outputs.get("pingResults") or []
            clean_pings = bool(pings) and all(p["received"] == p["transmitted"] > 0 for p in pings)
            engines = [machines.sh(n, "docker version -f '{{.Server.Version}}'", check=False).stdout.strip()
                       for n in names]
            second = run("pulumi", "up", "--stack", SSH_STACK, "--yes", "--skip-preview", "--expect-no-changes")
            exported = run("pulumi", "stack", "export", "--stack", SSH_STACK, "--show-secrets").stdout
            # No key material in the state: not the machines' own key (what the agent holds), and
            # no TLS key (each host makes its own; the CA's stays in a file here).
            own_key = [line for line in machines.key.read_text().splitlines() if line and "PRIVATE KEY" not in line]
            key_in_state = "PRIVATE KEY" in exported or any(line in exported for line in own_key) or not exported
            certificates = exported.count("BEGIN CERTIFICATE-----")
            # One machine goes away before the destroy: the destroy must name it and say how to finish.
            lost = names[2]
            run("docker", "stop", machines.container(lost), check=True)
            blocked = run("make", "-s", "destroy", f"STACK={SSH_STACK}")
            advice = [line for line in blocked.stderr.splitlines() if line.startswith(f"destroy: host {lost} ")]
            finish = advice[0].split("run: ", 1)[1] if advice and "run: " in advice[0] else "false"
            destroyed = run("sh", "-c", finish)  # make forget-host …, then make destroy
            # Destroy leaves the other machines as it found them but for the engine it installed: no
            # containers, no cluster configuration, no records.
            left = [n for n in names[:2] if machines.sh(n, "docker ps -aq; grep -l cluster-store /etc/docker/daemon.json;"
                                                           " ls /var/lib/docker-multihost", check=False).stdout.strip()]
    finally:
        forget_stack(SSH_STACK)
    ok = up.returncode == 0 and clean_pings and all(v.startswith("20.10.") for v in engines) \
        and second.returncode == 0 and blocked.returncode != 0 and len(advice) == 1 \
        and destroyed.returncode == 0 and not left and not key_in_state
    return (f"as {SSH_USER} (sudo) through ssh-agent: engines 20.10 installed, pings 0% loss, second up no changes, "
            "no key material in `pulumi stack export --show-secrets` (neither the machines' SSH key nor a TLS key); "
            f"{lost} stopped: destroy fails naming it and the command to finish, which then finishes; "
            "no container, cluster config or record left on the others",
            f"up exit {up.returncode}, engines {engines}, {len(pings)} pings clean: {clean_pings}, "
            f"second up exit {second.returncode}, a private key in the state: {key_in_state} "
            f"(certificates in it: {certificates}), "
            f"destroy with {lost} gone exit {blocked.returncode} "
            f"({len(advice)} line naming it), finish exit {destroyed.returncode}, left on {left or 'none'}", ok)


AS_FOUND_STACK = "faults-as-found"
AS_FOUND_IMAGE = "multihost/host:bullseye"
# The owner's engine configuration, container and firewall rule on every machine before the stack.
OWNERS_DAEMON_JSON = {"data-root": "/srv/docker", "log-driver": "json-file",
                      "log-opts": {"max-size": "10m", "max-file": "3"}, "registry-mirrors": ["https://mirror.invalid"]}
OWNERS_RULE = "INPUT -p tcp --dport 9999 -m comment --comment owners-rule -j ACCEPT"
OWNERS_CONTAINER = "owners-app"
# What the engine does to the firewall by itself (its chains and bridges), left out of the comparison.
ENGINES_OWN_RULES = re.compile(r"DOCKER|docker0|docker_gwbridge|br-[0-9a-f]{12}")


def own_an_engine(machines: Machines, name: str) -> None:
    """Make the machine someone's server: an engine with its own daemon.json, a container with a
    restart policy, a firewall rule of its own."""
    machines.sh(name, f"mkdir -p /etc/docker && cat >/etc/docker/daemon.json <<'EOF'\n{json.dumps(OWNERS_DAEMON_JSON, indent=2)}\nEOF")
    machines.sh(name, "setsid nohup dockerd >>/var/log/dockerd.log 2>&1 </dev/null & "
                      f"for i in $(seq {ENGINE_WAIT_S * 5}); do docker info >/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1")
    run("sh", "-c", f"docker exec -i {machines.container(name)} docker load <{ROOT / '.images' / 'probe.tar'}", check=True)
    machines.sh(name, f"docker run -d --restart always --name {OWNERS_CONTAINER} multihost/probe:busybox sleep 2147483647")
    machines.sh(name, f"iptables -w 30 -A {OWNERS_RULE}")


def as_found(machines: Machines, name: str) -> dict:
    """What the owner of the machine would look at: their daemon.json (as JSON), the hostname, the
    firewall less the engine's own chains, /etc/docker, /var/tmp, containers, networks, the swarm,
    and anything the stack recorded."""
    def out(command: str) -> str:
        return machines.sh(name, command, check=False).stdout
    rules = [re.sub(r"\[\d+:\d+\]", "", line) for line in out("iptables-save").splitlines()
             if not line.startswith("#") and not ENGINES_OWN_RULES.search(line)]
    return {
        "daemon.json": json.loads(out("cat /etc/docker/daemon.json 2>/dev/null") or "null"),
        "hostname": out("hostname; cat /etc/hostname"),
        "iptables": rules,
        "/etc/docker": out("cd /etc/docker && find . -type f | sort | xargs md5sum"),
        "/var/tmp": out("ls -A /var/tmp"),
        "containers": out("docker ps -a --format '{{.ID}} {{.Names}} {{.State}}' | sort"),
        # The engine makes its default bridge anew at every start: that one by name only.
        "networks": out("docker network ls --format '{{.ID}} {{.Name}}' | sed 's/^[0-9a-f]* bridge$/bridge/' | sort"),
        "swarm": out("docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}'"),
        "/var/lib/docker-multihost": out("ls -A /var/lib/docker-multihost 2>/dev/null"),
    }


def differences(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    """One line per machine and thing that is not as it was found."""
    return [f"{name} {key}: before {before[name][key]!r}, after {after[name].get(key)!r}"
            for name in before for key in before[name] if before[name][key] != after[name].get(key)]


def machines_left_as_found() -> tuple[str, str, bool]:
    """The `ssh` kind on servers that already run an engine of their own: a daemon.json with
    data-root elsewhere, log-opts and registry mirrors, a container with a restart policy, a
    firewall rule; one machine is also the manager of a one-node swarm of its own. A swarm-mode
    stack on it is refused naming that swarm, and leaves it as it was; the kv stack comes up, and
    after its destroy every machine is as it was found."""
    names = ["mh-keystore", "mhs-demo0", "mhs-demo1"]
    swarm_stack = f"{AS_FOUND_STACK}-swarm"
    try:
        with Machines(AS_FOUND_STACK, names, AS_FOUND_IMAGE, "172.28.155.0/24", 2265) as machines:
            for name in names:
                own_an_engine(machines, name)
            in_a_swarm = names[0]
            machines.sh(in_a_swarm, f"docker swarm init --advertise-addr {machines.address(in_a_swarm)} >/dev/null")
            # The swarm's ingress makes the engine's docker_gwbridge a moment after the init: the
            # machine is as found once it is there.
            machines.sh(in_a_swarm, f"for i in $(seq {ENGINE_WAIT_S * 5}); do docker network inspect docker_gwbridge "
                                    ">/dev/null 2>&1 && exit 0; sleep 0.2; done; exit 1")
            swarm_id = machines.sh(in_a_swarm, "docker info --format '{{.Swarm.Cluster.ID}}'").stdout.strip()
            before = {name: as_found(machines, name) for name in names}

            write_stack_file(swarm_stack, "sandbox-swarm", {
                "hostKind": "ssh", "hostNetwork": machines.subnet, "engineLine": "20.10",
                "engines": [machines.host(n) for n in names[:2]]}, drop=("sandbox", "images"))
            swarm_up = run("make", "-s", "up", f"STACK={swarm_stack}")
            refusal = [line for line in (swarm_up.stdout + swarm_up.stderr).splitlines()
                       if "already in a swarm this stack did not make" in line and f"swarm {swarm_id}" in line]
            swarm_destroyed = make_stack("destroy", swarm_stack)

            write_stack_file(AS_FOUND_STACK, STACK, {"hostKind": "ssh", "hostNetwork": machines.subnet,
                                                     "keystore": machines.host(names[0]),
                                                     "engines": [machines.host(n) for n in names[1:]]}, drop=("sandbox",))
            up = run("make", "-s", "up", f"STACK={AS_FOUND_STACK}")
            pings = outputs_of(AS_FOUND_STACK).get("pingResults") or []
            clean_pings = bool(pings) and all(p["received"] == p["transmitted"] > 0 for p in pings)
            owners_running = all(f"{OWNERS_CONTAINER} running" in machines.sh(n, "docker ps --format '{{.Names}} {{.State}}'",
                                                                             check=False).stdout for n in names)
            destroyed = make_stack("destroy", AS_FOUND_STACK)
            after = {name: as_found(machines, name) for name in names}
    finally:
        forget_stack(swarm_stack)
        forget_stack(AS_FOUND_STACK)
    diff = differences(before, after)
    for line in diff:
        print(f"  as-found: {line}", flush=True)
    ok = swarm_up.returncode != 0 and len(refusal) >= 1 and swarm_destroyed.returncode == 0 \
        and up.returncode == 0 and clean_pings and owners_running and destroyed.returncode == 0 and not diff
    return ("swarm stack refused naming the machine's own swarm; kv stack up, pings 0% loss, the owner's containers "
            "running through it; after destroy every machine as found (empty diff)",
            f"swarm up exit {swarm_up.returncode}, {len(refusal)} refusal(s) naming swarm {swarm_id[:12]}, "
            f"its destroy exit {swarm_destroyed.returncode}; kv up exit {up.returncode}, {len(pings)} pings clean: "
            f"{clean_pings}, owners' containers running: {owners_running}, destroy exit {destroyed.returncode}; "
            f"diff: {len(diff)} line(s){' (printed above)' if diff else ''}", ok)


PASSPHRASE_STACK = "faults-passphrase"


def key_file_under_an_empty_passphrase() -> tuple[str, str, bool]:
    """The `ssh` kind with a key file and this project's default, empty state passphrase: the key
    would be readable by anyone who can read the state, so `make up` refuses before anything is made."""
    key = ROOT / ".sandbox" / PASSPHRASE_STACK / "id_ed25519"
    key.parent.mkdir(parents=True, exist_ok=True)
    key.unlink(missing_ok=True)
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key), check=True)
    ssh = {"address": "127.0.0.1", "port": 2299, "user": SSH_USER, "privateKeyFile": str(key), "agent": False}
    hosts = [{"name": name, "address": f"172.28.159.{5 + i}", "ssh": ssh}
             for i, name in enumerate(("mh-keystore", "mhs-demo0", "mhs-demo1"))]
    write_stack_file(PASSPHRASE_STACK, STACK, {"hostKind": "ssh", "hostNetwork": "172.28.159.0/24",
                                               "keystore": hosts[0], "engines": hosts[1:]}, drop=("sandbox",))
    env = {k: v for k, v in os.environ.items() if k != "PULUMI_CONFIG_PASSPHRASE_FILE"}
    try:
        up = subprocess.run(["make", "-s", "up", f"STACK={PASSPHRASE_STACK}"], cwd=ROOT, capture_output=True, text=True,
                            env={**env, "PULUMI_CONFIG_PASSPHRASE": ""})
        exported = json.loads(run("pulumi", "stack", "export", "--stack", PASSPHRASE_STACK).stdout or "{}")
        made = [r["type"] for r in exported.get("deployment", {}).get("resources") or []
                if r["type"] not in ("pulumi:pulumi:Stack", "pulumi:providers:command", "pulumi:providers:docker")]
    finally:
        forget_stack(PASSPHRASE_STACK)
    refusal = [line for line in (up.stdout + up.stderr).splitlines()
               if "keystore.ssh.privateKeyFile" in line and "PULUMI_CONFIG_PASSPHRASE_FILE" in line]
    ok = up.returncode != 0 and bool(refusal) and not made
    return ("make up refuses, naming ssh.privateKeyFile and PULUMI_CONFIG_PASSPHRASE_FILE; nothing made",
            f"up exit {up.returncode}, {len(refusal)} refusal line(s), {len(made)} resource(s) made", ok)


TWO_STACKS = ("faults-first", "faults-second")


def two_stacks_on_the_same_machines() -> tuple[str, str, bool]:
    """Two stacks of two people (two clones, two names) on the same existing machines, one after the
    other: the second finds the first's Consul and is refused, naming it; destroying the second
    leaves the first's containers, network and pings as they were."""
    names = ["mh-keystore", "mhs-demo0", "mhs-demo1"]
    first, second = TWO_STACKS
    try:
        with Machines(first, names, AS_FOUND_IMAGE, "172.28.157.0/24", 2270) as machines:
            for name in names:
                own_an_engine(machines, name)
            for stack in TWO_STACKS:
                write_stack_file(stack, STACK, {"hostKind": "ssh", "hostNetwork": machines.subnet,
                                                "keystore": machines.host(names[0]),
                                                "engines": [machines.host(n) for n in names[1:]]}, drop=("sandbox",))
            first_up = make_stack("up", first)
            theirs = {n: machines.sh(n, "docker ps -q --no-trunc | sort; docker network ls -q --filter driver=overlay",
                                     check=False).stdout for n in names}
            second_up = make_stack("up", second)
            refusal = [line for line in (second_up.stdout + second_up.stderr).splitlines()
                       if "a container named consul that is not this stack's" in line]
            second_destroyed = make_stack("destroy", second)
            intact = all(machines.sh(n, "docker ps -q --no-trunc | sort; docker network ls -q --filter driver=overlay",
                                     check=False).stdout == theirs[n] for n in names)
            checked = make_stack("check", first)
            first_destroyed = make_stack("destroy", first)
    finally:
        for stack in TWO_STACKS:
            forget_stack(stack)
    rows = len(check_rows(checked.stdout))
    ok = first_up.returncode == 0 and second_up.returncode != 0 and bool(refusal) and second_destroyed.returncode == 0 \
        and intact and checked.returncode == 0 and rows == 4 and first_destroyed.returncode == 0
    return ("second stack's up refused naming the first's Consul; its destroy exit 0; the first's containers and "
            "network unchanged and make check on it exit 0",
            f"first up exit {first_up.returncode}; second up exit {second_up.returncode} ({len(refusal)} refusal "
            f"line(s)); second destroy exit {second_destroyed.returncode}; first's containers and network unchanged: "
            f"{intact}; make check on the first exit {checked.returncode} ({rows} rows); first destroy exit "
            f"{first_destroyed.returncode}", ok)


IPSEC_STACK = "faults-ipsec"


def encrypted_overlay_where_the_kernel_cannot() -> tuple[str, str, bool]:
    """Swarm mode with `network.encrypted: true`. Sandbox hosts share this machine's kernel: where
    it has no IPsec ESP (as here), `make up` must stop with an error naming the host, before any
    overlay network exists; where it has, the encrypted overlay must carry the pings."""
    from components import host_scripts
    # The program's own preflight, run on this machine, whose kernel the sandbox hosts share.
    kernel_has_esp = run("sh", "-c", host_scripts.render("check-ipsec")).returncode == 0
    network = {**stack_setting("sandbox-swarm", "network"), "encrypted": True}
    sandbox = {**stack_setting("sandbox-swarm", "sandbox"), "sshPortBase": 2290}
    write_stack_file(IPSEC_STACK, "sandbox-swarm", {
        "hostNetwork": "172.28.170.0/24", "network": network, "sandbox": sandbox,
        "engines": [{"name": f"mhs-demo{i}", "address": f"172.28.170.{6 + i}"} for i in range(2)]})
    try:
        up = run("make", "-s", "up", f"STACK={IPSEC_STACK}")
        refusals = [line for line in (up.stdout + up.stderr).splitlines()
                    if "cannot do IPsec ESP" in line and "set network.encrypted to false" in line]
        named = {host for host in ("mhs-demo0", "mhs-demo1") if any(f"host {host}:" in line for line in refusals)}
        state = run("pulumi", "stack", "export", "--stack", IPSEC_STACK).stdout
        networks_in_state = [r["urn"] for r in json.loads(state or "{}").get("deployment", {}).get("resources") or []
                             if r["urn"].endswith("OverlayNetwork$command:remote:Command::overlay-network")]
        on_engines = [run("docker", "exec", host_container_name(IPSEC_STACK, f"mhs-demo{i}"), "docker", "network", "ls", "-q",
                          "--filter", "name=my-net").stdout.strip() for i in range(2)]
        made = networks_in_state or [n for n in on_engines if n]
        outputs = outputs_of(IPSEC_STACK)
    finally:
        destroyed = destroy_and_forget(IPSEC_STACK)
    if kernel_has_esp:
        ok = up.returncode == 0 and outputs.get("allReachable") is True and destroyed.returncode == 0
        return ("this kernel has IPsec ESP: up exit 0, encrypted overlay, all pings 0% loss",
                f"up exit {up.returncode}, allReachable {outputs.get('allReachable')}, destroy exit {destroyed.returncode}", ok)
    # Pulumi starts nothing new after the first failure, so a host checked later may go unreported;
    # every refusal must name its host.
    each_names_one = all(sum(f"host {host}:" in line for host in ("mhs-demo0", "mhs-demo1")) == 1 for line in refusals)
    ok = up.returncode != 0 and bool(named) and each_names_one and not made and destroyed.returncode == 0
    example = refusals[0].split("error: ", 1)[-1] if refusals else "none"
    return ("this kernel has no IPsec ESP: make up fails with an error naming the host, no overlay network made, "
            "destroy exit 0",
            f"up exit {up.returncode}, hosts named {sorted(named)}, networks made {made or 'none'}, "
            f"destroy exit {destroyed.returncode}; error: {example}", ok)


SWARM_STACK = "faults-swarm"


def swarm_join_token_not_in_ps() -> tuple[str, str, bool]:
    """Every program run on a worker during a swarm stack's first `up`, with its arguments: strace
    follows each worker's sshd from the moment it listens, so every
    command the program sends there, and all they run, is seen; none may have the join token in
    its arguments (what `ps` shows every user of the host)."""
    write_stack_file(SWARM_STACK, "sandbox-swarm", {
        "hostNetwork": "172.28.175.0/24",
        "engines": [{"name": f"mhs-demo{i}", "address": f"172.28.175.{6 + i}"} for i in range(3)]})
    workers = [host_container_name(SWARM_STACK, f"mhs-demo{i}") for i in (1, 2)]
    traces = {worker: LOG.parent / f"exec-{worker}.txt" for worker in workers}
    tracers: dict[str, subprocess.Popen] = {}
    up_done = threading.Event()

    def sshd_pid(worker: str) -> str:
        """The worker's listening sshd (host-init, its first process, starts it), as the local engine sees it."""
        listed = run("docker", "top", worker, "-eo", "pid,args").stdout.splitlines()[1:]
        return next((line.split()[0] for line in listed if "sshd -D" in line), "")

    def attach() -> None:
        # A worker joins only after the manager's init: its sshd is up, and followed, long before.
        while not up_done.is_set() and len(tracers) < len(workers):
            for worker in workers:
                pid = sshd_pid(worker) if worker not in tracers else ""
                if pid:
                    tracers[worker] = subprocess.Popen(["strace", "-f", "-qq", "-e", "trace=execve", "-s", "65536",
                                                        "-o", str(traces[worker]), "-p", pid])
            time.sleep(0.1)
    attacher = threading.Thread(target=attach)
    try:
        attacher.start()
        try:
            up = make_stack("up", SWARM_STACK)
        finally:
            up_done.set()
            attacher.join()
            for tracer in tracers.values():
                tracer.terminate()
                tracer.wait()
        state = json.loads(run("pulumi", "stack", "export", "--stack", SWARM_STACK, "--show-secrets").stdout or "{}")
        tokens = [json.loads(r["outputs"]["stdout"]["plaintext"]).strip()
                  for r in state.get("deployment", {}).get("resources") or []
                  if r["urn"].endswith("::mhs-demo0-swarm-init") and "stdout" in (r.get("outputs") or {})]
        outputs = outputs_of(SWARM_STACK)
        # Drift in swarm mode: a worker that left its swarm (its probe stays, off the network).
        left, left_ok = refreshed_and_repaired([("mhs-demo1", "docker swarm leave >/dev/null")], of_host("mhs-demo1"),
                                               SWARM_STACK)
    finally:
        destroyed = destroy_and_forget(SWARM_STACK)
    execs = {worker: [line for line in path.read_text().splitlines() if "execve(" in line] if path.exists() else []
             for worker, path in traces.items()}
    joins = {worker: sum("swarm-join.sh" in line for line in lines) for worker, lines in execs.items()}
    shown = [line for lines in execs.values() for line in lines for token in tokens if token and token in line]
    ok = up.returncode == 0 and outputs.get("allReachable") is True and bool(tokens) and all(joins.values()) \
        and not shown and destroyed.returncode == 0 and left_ok
    return ("swarm up with 2 workers, every program run on each worker traced (strace -f on its sshd): each worker's "
            "join seen, the token in no program's arguments; then a worker leaves the swarm behind the stack's back: "
            "refresh names its watches, up makes its join and probe again and nothing else, make check passes",
            f"up exit {up.returncode}, allReachable {outputs.get('allReachable')}, programs run "
            f"{ {w: len(lines) for w, lines in execs.items()} }, joins seen {joins}, token found {len(tokens)}x in the "
            f"state and in {len(shown)} of their argument lists; worker left: {left}", ok)


SWARM_HEAL_STACK = "faults-swarm-heal"
MANAGER_HEAL_BOUND_S = 120
"""How soon a swarm heals after its manager's engine restarts (measured: 36–64 s, most of it until
the workers' gossip meets the manager's again); a worker's restart is bound by HEAL_BOUND_S."""


def started_again(stack: str, engines: range) -> dict[str, int]:
    """How many times each engine's machine started a container its engine had failed to start
    (images/host/start-failed-containers)."""
    counted = {}
    for name in (f"mhs-demo{i}" for i in engines):
        log = on_host(name, "cat /var/log/start-failed-containers.log", check=False, stack=stack).stdout
        counted[name] = log.count(" again")
    return counted


def restart_engine_without_its_manager(name: str, stack: str) -> str:
    """NAME's engine restarted while the swarm manager's port is closed to it, so that its probe
    cannot attach to the overlay and its start fails; the port open again once it has. What the
    engine kept of that start's error ('' if none within 30 s)."""
    rule = f"OUTPUT -p tcp --dport {SWARM_PORT} -j DROP"
    on_host(name, f"iptables -I {rule}", stack=stack)
    try:
        restart_engine(name, stack)
        error = "{{.State.Error}}"
        return on_host(name, f"for i in $(seq 60); do e=$(docker inspect -f '{error}' {probe_name(name)} 2>/dev/null) && "
                             "[ -n \"$e\" ] && break; sleep 0.5; done; echo \"$e\"", check=False, stack=stack).stdout.strip()
    finally:
        on_host(name, f"iptables -D {rule}", check=False, stack=stack)


def swarm_engine_restart_heals() -> tuple[str, str, bool]:
    """A swarm of three: a worker's engine restarted, then another worker's while its manager is
    away (its probe fails to start), then the manager's; the workers rejoin, the probes come back
    by their restart policy, or started again by the machine once they can be, at their addresses,
    and make check and make inspect pass again with no command run."""
    write_stack_file(SWARM_HEAL_STACK, "sandbox-swarm", {
        "hostNetwork": "172.28.178.0/24", "sandbox": {**stack_setting("sandbox-swarm", "sandbox"), "sshPortBase": 2500},
        "engines": [{"name": f"mhs-demo{i}", "address": f"172.28.178.{6 + i}"} for i in range(3)]})
    seen, ok = [], True
    try:
        up = make_stack("up", SWARM_HEAL_STACK)
        ok = up.returncode == 0
        for name, bound, away in (("mhs-demo1", HEAL_BOUND_S, False), ("mhs-demo2", HEAL_BOUND_S, True),
                                  ("mhs-demo0", MANAGER_HEAL_BOUND_S, False)) if ok else ():
            if away:
                error = restart_engine_without_its_manager(name, SWARM_HEAL_STACK)
                said, fine = healed(name, bound, SWARM_HEAL_STACK)
                seen.append(f"{name}, its manager away: probe failed to start ({error[:70] or 'it did not fail'}), "
                            f"then {said}")
                fine = fine and "attach" in error
            else:
                restart_engine(name, SWARM_HEAL_STACK)
                said, fine = healed(name, bound, SWARM_HEAL_STACK)
                seen.append(f"{name}: {said}")
            ok = ok and fine
        if ok:
            counted = started_again(SWARM_HEAL_STACK, range(3))
            seen.append(f"started again after a failed start: {counted}")
            ok = counted["mhs-demo2"] >= 1
    finally:
        destroyed = destroy_and_forget(SWARM_HEAL_STACK)
    return (f"swarm: make check and make inspect pass within {HEAL_BOUND_S}s of a worker's engine restart (also "
            f"of one whose probe failed to start, started again by its machine) and {MANAGER_HEAL_BOUND_S}s of "
            "the manager's, nothing run by hand",
            f"up exit {up.returncode}; " + "; ".join(seen) + f"; destroy exit {destroyed.returncode}",
            ok and destroyed.returncode == 0)


DAY2_STACK = "faults-day2"
REPLACING = {"replace", "create-replacement", "delete-replaced"}


def day2_engine(index: int) -> dict:
    return {"name": f"mhs-demo{index}", "address": f"172.28.176.{6 + index}"}


def planned_steps(stack: str) -> list[tuple[str, str]]:
    """(operation, resource name) of every step `pulumi preview --json` plans but `same`."""
    preview = run("pulumi", "preview", "--stack", stack, "--json")
    steps = json.loads(preview.stdout or "{}").get("steps") or []
    return [(step["op"], step["urn"].rsplit("::", 1)[1]) for step in steps if step["op"] != "same"]


def settings_change_in_place(configure: Callable[..., Path]) -> tuple[str, bool]:
    """On the running day-two stack: pingCount changed plans updates of the ping report only, and
    its up and make check pass; another probe image plans changes of every probe's command (which
    makes its container anew) and the report's only (a preview: no such image exists here)."""
    configure(pingCount=2)
    steps = planned_steps(DAY2_STACK)
    wrong = [f"{op} {name}" for op, name in steps if op != "update" or not name.startswith("pings")]
    changed = make_stack("up", DAY2_STACK)
    checked = make_stack("check", DAY2_STACK)
    counts = {op: sum(1 for o, _ in steps if o == op) for op in sorted({o for o, _ in steps})}
    said = (f"pingCount 3 -> 2: {counts}{' WRONG ' + str(wrong[:4]) if wrong else ''}, up exit {changed.returncode}, "
            f"check {exit_said(checked)}")
    ok = bool(steps) and not wrong and changed.returncode == 0 and checked.returncode == 0
    configure(pingCount=2, probe="multihost/probe:another")
    steps = planned_steps(DAY2_STACK)
    # A probe's command updated runs it again with the new image: its container is made anew.
    wrong = [f"{op} {name}" for op, name in steps if not name.startswith(("pings", "probe-"))]
    probes = sorted({name for _, name in steps if name.startswith("probe-")})
    counts = {op: sum(1 for o, _ in steps if o == op) for op in sorted({o for o, _ in steps})}
    said += f"; probe image changed: {counts}{' WRONG ' + str(wrong[:4]) if wrong else ''}, probes changed {probes}"
    configure(pingCount=2)
    engines = {name for name, _ in (stack_outputs(DAY2_STACK).get("probeAddresses") or {}).items()}
    return said, ok and not wrong and probes == sorted(f"{probe_name(engine)}-container" for engine in engines)


def engines_come_and_go() -> tuple[str, str, bool]:
    """A kv sandbox of three engines: a fourth added, then the middle one removed, then the first.
    Each change plans creates only for what belongs to the engine added, deletes only for what
    belonged to the one removed, and replaces nothing; make check passes after each. Then the
    settings that touch only the probes or the report (settings_change_in_place)."""
    changes = [("add mhs-demo3", [0, 1, 2, 3]), ("remove the middle (mhs-demo1)", [0, 2, 3]),
               ("remove the first (mhs-demo0)", [2, 3])]
    indexes_now = [0, 1, 2]
    def configure(indexes: Optional[list[int]] = None, pingCount: int = 3, probe: Optional[str] = None) -> Path:
        nonlocal indexes_now
        indexes_now = indexes if indexes is not None else indexes_now
        images = stack_setting("sandbox", "images")
        return write_stack_file(DAY2_STACK, "sandbox", {
            "hostNetwork": "172.28.176.0/24", "keystore": {"name": "mh-keystore", "address": "172.28.176.5"},
            "engines": [day2_engine(i) for i in indexes_now], "sandbox": {**stack_setting("sandbox", "sandbox"),
                                                                         "sshPortBase": 2300},
            "pingCount": pingCount, "images": {**images, "probe": probe or images["probe"]}})
    configure([0, 1, 2])
    seen, ok = [], True
    try:
        up = make_stack("up", DAY2_STACK)
        ok = up.returncode == 0
        before = [0, 1, 2]
        for what, indexes in changes:
            if not ok:
                break
            configure(indexes)
            added = {f"mhs-demo{i}" for i in set(indexes) - set(before)}
            removed = {f"mhs-demo{i}" for i in set(before) - set(indexes)}
            steps = planned_steps(DAY2_STACK)
            def of(names: set[str], name: str) -> bool:
                return any(re.search(rf"(^|-){host}(-|$)", name) for host in names)
            counts = {op: sum(1 for o, _ in steps if o == op) for op in sorted({o for o, _ in steps})}
            wrong = [f"{op} {name}" for op, name in steps
                     if op in REPLACING or (op == "create" and not of(added, name))
                     or (op == "delete" and not of(removed, name))]
            changed = make_stack("up", DAY2_STACK)
            checked = make_stack("check", DAY2_STACK)
            step_ok = not wrong and changed.returncode == 0 and checked.returncode == 0
            ok = ok and step_ok
            updated = sorted(name for op, name in steps if op == "update")
            seen.append(f"{what}: {counts}{' WRONG ' + str(wrong[:4]) if wrong else ''}, up exit {changed.returncode}, "
                        f"check {exit_said(checked)}, updated {updated}")
            before = indexes
        if ok:
            said, fine = settings_change_in_place(configure)
            seen.append(said)
            ok = fine
    finally:
        destroyed = destroy_and_forget(DAY2_STACK)
    return ("3 -> 4 -> 3 (middle out) -> 2 (first out): creates only for the engine added, deletes only for the one "
            "removed, no replace; make check exit 0 after each; pingCount changed: only the report updated; "
            "another probe image: only the probes (and the report) change",
            f"first up exit {up.returncode}; " + "; ".join(seen) + f"; destroy exit {destroyed.returncode}",
            ok and len(seen) == len(changes) + 1 and destroyed.returncode == 0)


def stray_threads(host: str, stack: str = STACK) -> int:
    """How many threads HOST's engine has in removed network namespaces (moby/moby#39036)."""
    shown = on_host(host, host_scripts.render("show-stray-threads"), check=False, stack=stack)
    return len(shown.stdout.split())


def refreshed_and_repaired(breaks: list[tuple[str, str]], touched: str, stack: str = STACK) -> tuple[str, bool]:
    """Each (HOST, COMMAND) of BREAKS run behind the stack's back; then `pulumi refresh`, the plan,
    `pulumi up`, make check and `preview --expect-no-changes`: what was seen, and whether refresh
    named watches and the plan resources whose names all match TOUCHED (or are the ping report's),
    and all ends clean, no engine left with a thread in a removed network namespace."""
    hosts = sorted({host for host, _ in breaks})
    for host, command in breaks:
        on_host(host, command, check=False, stack=stack)
    stray_before = {host: stray_threads(host, stack) for host in hosts}
    refreshed = run("pulumi", "refresh", "--stack", stack, "--yes", "--skip-preview")
    named = sorted(set(re.findall(r"HostWatch (\S+) (?:deleted|updated)", refreshed.stdout)))
    steps = planned_steps(stack)
    wrong = [f"{op} {name}" for op, name in steps if not re.search(touched, name) and not name.startswith("pings")]
    repaired = run("pulumi", "up", "--stack", stack, "--yes", "--skip-preview")
    checked, waited = check_within(HEAL_BOUND_S, stack)
    stray_after = {host: stray_threads(host, stack) for host in hosts}
    unchanged = run("pulumi", "preview", "--stack", stack, "--expect-no-changes")
    counts = {op: sum(1 for o, _ in steps if o == op) for op in sorted({o for o, _ in steps})}
    ok = refreshed.returncode == 0 and bool(named) and all(re.search(touched, name) for name in named) \
        and bool(steps) and not wrong and repaired.returncode == 0 and checked.returncode == 0 \
        and unchanged.returncode == 0 and not any(stray_after.values())
    return (f"engine threads in removed namespaces {stray_before}; "
            f"refresh exit {refreshed.returncode} naming {named}; plan {counts}{' WRONG ' + str(wrong[:4]) if wrong else ''}; "
            f"up {exit_said(repaired)} (then such threads {stray_after}); "
            f"make check {exit_said(checked)} after {waited:.1f}s; "
            f"preview --expect-no-changes exit {unchanged.returncode}"), ok


def of_host(host: str) -> str:
    """The names of HOST's resources (`mhs-demo1-engine`, `probe-mhs-demo1-container-watch`)."""
    return rf"(^|-){host}(-|$)"


# An engine's cluster store taken out of its daemon.json, and the engine restarted, as by hand.
STORE_REVERTED = ("jq 'del(.\"cluster-store\", .\"cluster-advertise\", .\"cluster-store-opts\")' "
                  "/etc/docker/daemon.json >/tmp/d.json && mv /tmp/d.json /etc/docker/daemon.json "
                  "&& kill $(cat /var/run/docker.pid) && while [ -s /var/run/docker.pid ]; do sleep 0.2; done "
                  "&& (setsid nohup dockerd >>/var/log/dockerd.log 2>&1 </dev/null &)")


def drift_is_seen_and_repaired() -> tuple[str, str, bool]:
    """What the stack made on a host, removed or changed behind its back: `pulumi refresh` shows it
    (its HostWatch deleted or updated), `pulumi up` makes exactly it again (and what depends on it,
    and the ping report), and the stack is clean after. First, a refresh of the healthy stack
    changes nothing."""
    healthy = run("pulumi", "refresh", "--stack", STACK, "--yes", "--skip-preview")
    still = run("pulumi", "preview", "--stack", STACK, "--expect-no-changes")
    seen = [f"healthy: refresh exit {healthy.returncode}, preview --expect-no-changes exit {still.returncode}"]
    ok = healthy.returncode == 0 and still.returncode == 0
    engines = ["mhs-demo0", "mhs-demo1", "mhs-demo2"]
    # The network can only go once no container is attached: its probes go first.
    network_removed = [*((engine, f"docker rm -f {probe_name(engine)} >/dev/null") for engine in engines),
                       ("mhs-demo0", "docker network rm my-net >/dev/null")]
    drifts = [("probe removed on mhs-demo1", [("mhs-demo1", f"docker rm -f {probe_name('mhs-demo1')} >/dev/null")],
               of_host("mhs-demo1")),
              ("probe stopped on mhs-demo2", [("mhs-demo2", f"docker stop {probe_name('mhs-demo2')} >/dev/null")],
               of_host("mhs-demo2")),
              ("cluster store reverted on mhs-demo1", [("mhs-demo1", STORE_REVERTED)], of_host("mhs-demo1")),
              ("cluster store reverted on the first engine, mhs-demo0", [("mhs-demo0", STORE_REVERTED)],
               of_host("mhs-demo0")),
              ("overlay network removed (its probes first)", network_removed, r"^(probe-|overlay-)"),
              # The store lives in Consul's container: the network's record goes with it, and the
              # engines are made again on the new store, the network and its probes after them.
              ("Consul's container removed", [("mh-keystore", f"docker rm -f {CONSUL_CONTAINER} >/dev/null")],
               r"^(keystore-consul|mhs-demo\d-engine|overlay-|probe-)")]
    for what, breaks, touched in drifts:
        said, fine = refreshed_and_repaired(breaks, touched)
        seen.append(f"{what}: {said}" if fine else f"FAILED {what}: {said}")
        ok = ok and fine
    return ("healthy refresh: no change; for a probe removed, a probe stopped, an engine's cluster store reverted "
            "(another engine, then the first), the overlay network removed, Consul's container removed: refresh "
            "names the watches of what changed, the plan touches only that and what depends on it (and the pings), "
            "up repairs it, make check and preview --expect-no-changes pass, no engine keeps a thread in a removed "
            "network namespace",
            "; ".join(sorted(seen, key=lambda part: not part.startswith("FAILED"))), ok)


KILLED_STACK = "faults-killed"


def interrupted_runs_converge() -> tuple[str, str, bool]:
    """A first `pulumi up` stopped by SIGKILL (a crash) or SIGINT (Ctrl-C) at several points: the
    next `make up` names a stale lock with the command that removes it (after a SIGKILL), and once
    it is removed converges with every ping passing; `make destroy` then leaves nothing behind."""
    write_stack_file(KILLED_STACK, "sandbox", {
        "hostNetwork": "172.28.177.0/24", "keystore": {"name": "mh-keystore", "address": "172.28.177.5"},
        "engines": [{"name": f"mhs-demo{i}", "address": f"172.28.177.{6 + i}"} for i in range(2)],
        "sandbox": {**stack_setting("sandbox", "sandbox"), "sshPortBase": 2320}})
    seen, ok = [], True
    try:
        for signal_name, after_s in (("SIGKILL", 3), ("SIGKILL", 9), ("SIGINT", 6)):
            run(sys.executable, "-m", "ops.lock", "--stack", KILLED_STACK)
            run("pulumi", "stack", "select", "--create", KILLED_STACK, check=True)
            first = subprocess.Popen(["pulumi", "up", "--stack", KILLED_STACK, "--yes", "--skip-preview"], cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(after_s)
            first.send_signal(getattr(signal, signal_name))
            first.wait(timeout=120)
            again = make_stack("up", KILLED_STACK)
            advised = f"pulumi cancel --stack {KILLED_STACK} --yes" in again.stderr
            cancelled = False
            if again.returncode != 0 and advised:
                cancelled = run("pulumi", "cancel", "--stack", KILLED_STACK, "--yes").returncode == 0
                again = make_stack("up", KILLED_STACK)
            reachable = outputs_of(KILLED_STACK).get("allReachable") is True
            destroyed = make_stack("destroy", KILLED_STACK)
            left = leftovers(KILLED_STACK)
            # After a SIGKILL the lock stays, and must be named; after SIGINT Pulumi lets go of it.
            step_ok = again.returncode == 0 and reachable and destroyed.returncode == 0 and not left \
                and (advised if signal_name == "SIGKILL" else True)
            ok = ok and step_ok
            seen.append(f"{signal_name} at {after_s}s: lock named {advised}, cancelled {cancelled}, make up exit "
                        f"{again.returncode}, allReachable {reachable}, destroy exit {destroyed.returncode}, {len(left)} left")
    finally:
        destroy_and_forget(KILLED_STACK)
    return ("after each interruption: make up converges (a stale lock named with its command first), pings pass, "
            "destroy leaves nothing", "; ".join(seen), ok)


# Scenarios that make their own stack; the others share the three-engine stack `faults`.
OWN_STACK = {"ssh-hosts", "encrypted-overlay-refused", "machines-left-as-found", "two-stacks", "key-file-empty-passphrase",
             "swarm-join-token-not-in-ps", "engines-come-and-go", "interrupted-runs-converge"}
# Scenarios whose stacks reach machines through ssh-agent: the run starts one for them.
THROUGH_AGENT = {"ssh-hosts", "machines-left-as-found", "two-stacks"}

SCENARIOS: list[tuple[str, Callable[[], tuple[str, str, bool]]]] = [
    ("vxlan-dropped-one-pair", vxlan_dropped_between_one_pair),
    ("engine-stopped", one_engine_stopped),
    ("engine-restart-heals", engine_restart_heals),
    ("swarm-engine-restart-heals", swarm_engine_restart_heals),
    ("drift-is-seen-and-repaired", drift_is_seen_and_repaired),
    ("consul-stopped", consul_stopped),
    ("consul-needs-a-client-certificate", consul_without_a_client_certificate),
    ("outsider-on-the-underlay", outsider_on_the_underlay),
    ("logs-of-a-broken-stack", logs_of_a_broken_stack),
    ("host-key-changed", host_key_changed),
    ("host-removed-destroy", host_removed_then_destroy),
    ("ssh-hosts", ssh_hosts_for_real),
    ("machines-left-as-found", machines_left_as_found),
    ("two-stacks", two_stacks_on_the_same_machines),
    ("key-file-empty-passphrase", key_file_under_an_empty_passphrase),
    ("encrypted-overlay-refused", encrypted_overlay_where_the_kernel_cannot),
    ("swarm-join-token-not-in-ps", swarm_join_token_not_in_ps),
    ("engines-come-and-go", engines_come_and_go),
    ("interrupted-runs-converge", interrupted_runs_converge),
]



SUMMARY_CHARS = 400
"""How much of a failed scenario's `seen` the closing summary repeats (CI keeps only the log's tail)."""


def start_agent() -> str:
    """An ssh-agent for this run, in this process's environment (and so its commands'): its pid."""
    out = run("ssh-agent", "-s", check=True).stdout
    for name in ("SSH_AUTH_SOCK", "SSH_AGENT_PID"):
        os.environ[name] = re.search(rf"{name}=([^;]+);", out).group(1)
    return os.environ["SSH_AGENT_PID"]


def main() -> int:
    LOG.parent.mkdir(exist_ok=True)
    LOG.write_text("")
    outcomes: list[Outcome] = []
    chosen = os.environ.get("FAULTS", "").split() or [name for name, _ in SCENARIOS]
    unknown = set(chosen) - {name for name, _ in SCENARIOS}
    if unknown:
        print(f"faults: FAULTS names no scenario {sorted(unknown)}; scenarios: {[n for n, _ in SCENARIOS]}", file=sys.stderr)
        return 2
    scenarios = [(name, scenario) for name, scenario in SCENARIOS if name in chosen]
    agent = start_agent() if any(name in THROUGH_AGENT for name, _ in scenarios) else None
    try:
        if any(name not in OWN_STACK for name, _ in scenarios):
            print(f"faults: make up STACK={STACK} (log: {LOG})", flush=True)
            if make("up").returncode != 0:
                print(f"faults: make up failed; see {LOG}", file=sys.stderr)
                return 1
        for name, scenario in scenarios:
            started = time.monotonic()
            try:
                expected, seen, ok = scenario()
            except RuntimeError as error:
                expected, seen, ok = "the scenario runs", str(error), False
            outcome = Outcome(name, expected, seen, ok, time.monotonic() - started)
            outcomes.append(outcome)
            print(f"{'PASS' if ok else 'FAIL'} {name} | expected: {expected} | seen: {seen} | {outcome.seconds:.1f}s",
                  flush=True)
    finally:
        make("destroy")  # a no-op when the last scenario already destroyed it
        if agent:
            run("ssh-agent", "-k")
    failed = [o for o in outcomes if not o.ok]
    # The failures again, last and short: a log cut to its last few thousand characters still shows them.
    for outcome in failed:
        print(f"FAILED {outcome.name} | seen: {outcome.seen[:SUMMARY_CHARS]}")
    print(f"faults: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed or len(outcomes) < len(scenarios) else 0


if __name__ == "__main__":
    sys.exit(main())
