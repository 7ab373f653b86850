"""Checks a running sandbox stack from its outputs and its keystore (or its swarm), for `make e2e`.

    python tests/e2e_check.py --stack STACK            checks the running stack
    python tests/e2e_check.py --counts --stack STACK   prints `hosts=N pings=M`
    python tests/e2e_check.py --secrets < EXPORT       the lines of every secret in `pulumi stack export --show-secrets`
    python tests/e2e_check.py --scan LOG SECRETS       exits 1 if any of those lines is in LOG
    python tests/e2e_check.py --by-hand --stack STACK  the tutorial's steps through `make contexts`: on each
                                                       engine, a container on the overlay pings the next probe
    python tests/e2e_check.py --inventory --stack STACK  `ssh -F` and `ansible -m raw` reach each host through
                                                       the files of `make inventory`, and find its own hostname
    python tests/e2e_check.py --reboot --stack STACK    `vagrant reload` of the last engine, then of the keystore:
                                                       after each, make check passes within REBOOT_HEAL_S, nothing run
Exits 1 with the reasons when anything is missing; prints the ping summary either way.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from itertools import permutations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from components.names import probe_name, vagrant_environment  # noqa: E402
from ops.contexts import alias  # noqa: E402
from ops.inventory import INVENTORY_FILE, SSH_CONFIG_FILE  # noqa: E402
from ops.inspect import read_keystore, stack_keystore, read_swarm  # noqa: E402
from components.ping import describe  # noqa: E402
from ops.reach import secret_lines  # noqa: E402
from ops.stack import stack_dir, stack_outputs  # noqa: E402


def check(stack: str, outputs: dict) -> list[str]:
    problems = []
    results = outputs.get("pingResults") or []
    probes = outputs.get("probeAddresses") or {}
    hosts = sorted(probes)
    for source, destination in permutations(hosts, 2):
        for kind in ("address", "name"):
            expected_target = probes[destination] if kind == "address" else probe_name(destination)
            matches = [r for r in results if r["from"] == source and r["to"] == destination and r["target"] == expected_target]
            if not matches:
                problems.append(f"no ping from {source} to {destination} by {kind} ({expected_target})")
            for r in matches:
                if not (r["reachable"] and r["loss_pct"] == 0 and r["received"] == r["transmitted"] > 0):
                    problems.append(f"{source} -> {destination} by {kind}: {r['received']}/{r['transmitted']} replies, "
                                    f"{r['loss_pct']}% loss{', ' + r['error'] if r.get('error') else ''}")
    if len(hosts) < 2:
        problems.append(f"fewer than two probes: {probes}")
    if outputs.get("allReachable") is not True:
        problems.append(f"allReachable is {outputs.get('allReachable')!r}")

    if outputs.get("controlPlane") == "swarm":
        return problems + check_swarm(outputs, hosts)
    with stack_keystore(stack, outputs) as client:
        keystore = read_keystore(client)
    host_addresses = outputs.get("hostAddresses") or {}
    for host in hosts:
        node = f"{host_addresses[host]}:2376"
        if node not in keystore["engines"]:
            problems.append(f"engine {host} ({node}) is not registered in Consul: {keystore['engines']}")
    overlays = [n for n in keystore["networks"] if n["driver"] == "overlay"]
    if not overlays:
        problems.append(f"no overlay network in Consul: {keystore['networks']}")
    return problems


def check_swarm(outputs: dict, hosts: list[str]) -> list[str]:
    """Swarm mode: every probe host is a Ready engine of the manager's swarm, which holds the
    overlay network."""
    manager = outputs["swarmManager"]
    swarm = read_swarm(manager, outputs["hostAccess"][manager])
    problems = []
    ready = {e["name"] for e in swarm["engines"] if e["status"] == "Ready"}
    for host in hosts:
        if host not in ready:
            problems.append(f"engine {host} is not a Ready node of the swarm of {manager}: {swarm['engines']}")
    if not [n for n in swarm["networks"] if n["name"] != "ingress"]:
        problems.append(f"no overlay network in the swarm: {swarm['networks']}")
    return problems


def scan(log: Path, secrets: Path) -> int:
    text = log.read_text(errors="replace")
    lines = [line for line in secrets.read_text().splitlines() if line]
    leaked = [line for line in lines if line in text]
    if "PRIVATE KEY-----" in text:
        leaked.append("a '-----BEGIN ... PRIVATE KEY-----' block")
    for line in leaked:
        print(f"e2e check FAILED: a secret is in {log} (a line of {len(line)} characters, not shown)", file=sys.stderr)
    if not lines:
        print("e2e check FAILED: the stack holds no secret to look for (the SSH key should be one)", file=sys.stderr)
        return 1
    if not leaked:
        print(f"e2e check passed: none of the {len(lines)} secret lines of the stack is in {log}")
    return 1 if leaked else 0


def by_hand(stack: str, outputs: dict) -> int:
    """`docker --context ENGINE run --rm --network NET IMAGE ping -c1 probe-NEXT` for each engine, the
    image being the one its probe runs. Where the host's ssh user is not root, first what the README
    says that user needs: the host's docker group (these machines are the test's own)."""
    engines = list(outputs["probeAddresses"])
    network = outputs["overlayNetwork"]["name"]
    failed = 0
    for index, engine in enumerate(engines):
        user = outputs["hostAccess"][engine]["user"]
        if user != "root":
            # The host the context dials, through the Include that make contexts added.
            joined = subprocess.run(["ssh", alias(stack, engine), f"sudo -n usermod -aG docker {user}"], capture_output=True, text=True, timeout=60,
                                    stdin=subprocess.DEVNULL)
            print(f"by hand: {engine}: sudo usermod -aG docker {user}: exit {joined.returncode} {joined.stderr.strip()}")
        other = engines[(index + 1) % len(engines)]
        image = subprocess.run(["docker", "--context", engine, "inspect", "--format", "{{.Config.Image}}",
                                probe_name(engine)], capture_output=True, text=True, timeout=60)
        done = subprocess.run(["docker", "--context", engine, "run", "--rm", "--network", network, image.stdout.strip(),
                               "ping", "-c1", "-W5", probe_name(other)], capture_output=True, text=True, timeout=120)
        said = (done.stdout + done.stderr).strip().splitlines()
        print(f"by hand: docker --context {engine} run --rm --network {network} {image.stdout.strip()} ping -c1 "
              f"{probe_name(other)}: exit {done.returncode} ({said[-1] if said else image.stderr.strip()})")
        failed += done.returncode != 0
    return 1 if failed else 0


def through_inventory(stack: str, outputs: dict) -> int:
    """Each host's `hostname`, asked with `ssh -F ssh_config HOST` and with Ansible's raw module over
    inventory.ini (raw: a sandbox host has no Python), is the host's name."""
    folder = stack_dir(stack)
    hosts = list(outputs["hostAccess"])
    seen = {}
    for host in hosts:
        done = subprocess.run(["ssh", "-F", str(folder / SSH_CONFIG_FILE), host, "hostname"], capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
        seen[f"ssh {host}"] = done.stdout.strip() if done.returncode == 0 else f"exit {done.returncode}: {done.stderr.strip()}"
    done = subprocess.run(["ansible", "-i", str(folder / INVENTORY_FILE), "all", "-m", "raw", "-a", "hostname", "-o"],
                          capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    for line in done.stdout.splitlines():
        host, _, rest = line.partition(" | ")
        said = rest.split("(stdout) ", 1)[1].split("\\r\\n", 1)[0] if "rc=0 | (stdout) " in rest else rest[:200]
        seen[f"ansible {host}"] = said
    wrong = {how: said for how, said in seen.items() if said != how.split()[1]}
    missing = [host for host in hosts if f"ansible {host}" not in seen]
    print(f"inventory: {len(seen) - len(wrong)} of {2 * len(hosts)} answers name their host"
          + (f"; wrong: {wrong}" if wrong else "") + (f"; ansible did not answer for {missing}: {done.stderr.strip()[:300]}" if missing else ""))
    return 1 if wrong or missing else 0


REBOOT_HEAL_S = 60
"""How soon a rebooted machine's engine is back in its store with its probe (measured: see docs/)."""
ROOT = Path(__file__).resolve().parent.parent


def after_reboots(stack: str, outputs: dict) -> int:
    """`vagrant reload` of the last engine's machine, then of the keystore's (a reboot that keeps
    their disks): after each, `make check` passes again within REBOOT_HEAL_S with nothing run."""
    hosts = list(outputs["probeAddresses"])[-1:] + [h for h in outputs["hostAccess"] if h not in outputs["probeAddresses"]]
    vagrant_env = {**os.environ, **vagrant_environment(stack)}
    failed = 0
    for host in hosts:
        started = time.monotonic()
        reload = subprocess.run(["vagrant", "reload", host], cwd=ROOT, env=vagrant_env, capture_output=True, text=True,
                                timeout=300, stdin=subprocess.DEVNULL)
        reloaded = time.monotonic()
        if reload.returncode != 0:
            print(f"reboot: vagrant reload {host}: exit {reload.returncode}: {(reload.stdout + reload.stderr).strip()[-300:]}")
            failed += 1
            continue
        while (checked := subprocess.run(["make", "-s", "check", f"STACK={stack}"], cwd=ROOT, capture_output=True,
                                         text=True, timeout=300)).returncode != 0 \
                and time.monotonic() - reloaded < REBOOT_HEAL_S:
            time.sleep(1)
        rows = [line for line in checked.stdout.splitlines() if line.lstrip().startswith("FAIL")]
        print(f"reboot: vagrant reload {host} took {reloaded - started:.1f}s; make check "
              + (f"passed {time.monotonic() - reloaded:.1f}s later" if checked.returncode == 0 else
                 f"still exit {checked.returncode} after {REBOOT_HEAL_S}s: {(rows or checked.stderr.splitlines() or [''])[0][:300]}"))
        failed += checked.returncode != 0
    return 1 if failed else 0


def main() -> int:
    if sys.argv[1] == "--reboot":
        return after_reboots(sys.argv[3], stack_outputs(sys.argv[3]))
    if sys.argv[1] == "--inventory":
        return through_inventory(sys.argv[3], stack_outputs(sys.argv[3]))
    if sys.argv[1] == "--by-hand":
        return by_hand(sys.argv[3], stack_outputs(sys.argv[3]))
    if sys.argv[1] == "--secrets":
        print("\n".join(sorted(secret_lines(json.load(sys.stdin)))))
        return 0
    if sys.argv[1] == "--scan":
        return scan(Path(sys.argv[2]), Path(sys.argv[3]))
    if sys.argv[1] == "--counts":
        outputs = stack_outputs(sys.argv[3])
        print(f"hosts={len(outputs['hostAddresses'])} pings={len(outputs['pingResults'])}")
        return 0
    outputs = stack_outputs(sys.argv[2], show_secrets=True)
    print("ping results:")
    for result in outputs.get("pingResults") or []:
        print(f"  {describe(result)}")
    problems = check(sys.argv[2], outputs)
    for problem in problems:
        print(f"e2e check FAILED: {problem}", file=sys.stderr)
    if not problems:
        where = "in the swarm" if outputs.get("controlPlane") == "swarm" else "in Consul"
        print(f"e2e check passed: {len(outputs['pingResults'])} pings, all replies, 0% loss; engines and overlay {where}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
