"""Times `pulumi up` (no change), `pulumi preview` and `pulumi refresh` for COUNT dynamic resources
against COUNT pulumi-command local.Command resources; the state's size; how often each refresh ran
the status commands. Run from a throwaway copy of this folder (docs/dynamic-read-research.md):

    python3 bench.py PROJECT_DIR RESULTS.json

with `pulumi` on PATH and PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE set. Makes its own stacks
(bench-*) and files under /tmp/dynbench-*, and removes them at the end. The stacks are all made
first and then timed in ROUNDS rounds, each round every stack in turn, so that load from elsewhere
on the machine falls on all of them alike; the medians and minimums are reported."""
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

project, results_path = sys.argv[1], sys.argv[2]
ROUNDS = int(os.environ.get("ROUNDS", "5"))
env = {**os.environ, "PULUMI_PARALLEL": os.environ.get("PULUMI_PARALLEL", "64")}

VARIANTS = {
    "command": {"kind": "command"},
    "dynamic": {"kind": "dynamic"},  # provider imported by reference, not encrypted
    "dynamic-inline-secret": {"kind": "dynamic", "inline": "true", "secret": "true"},  # the SDK's defaults
    "dynamic-delay0.5": {"kind": "dynamic", "delay": "0.5"},  # each status takes 0.5 s, like an SSH session
}
PLAN = [("command", 0), ("dynamic", 0)] + [(v, n) for n in (8, 16) for v in VARIANTS if v != "dynamic-delay0.5"] \
    + [("dynamic-delay0.5", 16)]
OPS = {
    "up": ["up", "--yes", "--skip-preview"],
    "preview": ["preview", "--expect-no-changes"],
    "refresh": ["refresh", "--yes", "--skip-preview"],
    "refresh_with_preview": ["refresh", "--yes"],
}


def pulumi(stack, *args, check=True):
    started = time.monotonic()
    done = subprocess.run(["pulumi", "--stack", stack, *args], cwd=project, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    if check and done.returncode != 0:
        sys.exit(f"{stack}: pulumi {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return took, done


def names(variant, count):
    return f"bench-{variant}-{count}".replace(".", "_"), f"/tmp/dynbench-{variant}-{count}"


def reads(folder):
    try:
        with open(os.path.join(folder, "reads.log")) as log:
            return sum(1 for _ in log)
    except FileNotFoundError:
        return 0


rows = {}
for variant, count in PLAN:
    stack, folder = names(variant, count)
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(["pulumi", "stack", "rm", "--yes", "--force", stack], cwd=project, env=env, capture_output=True)
    pulumi(stack, "stack", "init")
    for key, value in {**VARIANTS[variant], "count": str(count), "dir": folder}.items():
        pulumi(stack, "config", "set", key, value)
    first_up, _ = pulumi(stack, "up", "--yes", "--skip-preview")
    rows[stack] = {"variant": variant, "count": count, "first_up_s": round(first_up, 2),
                   "times": {op: [] for op in OPS}, "reads": {}}
    print(f"made {stack} in {first_up:.1f} s", file=sys.stderr, flush=True)

for round_ in range(ROUNDS):
    for variant, count in PLAN:
        stack, folder = names(variant, count)
        for op, args in OPS.items():
            before = reads(folder)
            rows[stack]["times"][op].append(round(pulumi(stack, *args)[0], 2))
            rows[stack]["reads"][op] = reads(folder) - before
    print(f"round {round_ + 1} done", file=sys.stderr, flush=True)

results = []
for variant, count in PLAN:
    stack, folder = names(variant, count)
    pulumi(stack, "preview", "--expect-no-changes")  # a healthy refresh leaves nothing to do
    _, exported = pulumi(stack, "stack", "export")
    state = json.loads(exported.stdout)
    provider_chars = sum(len(json.dumps(r.get(part, {}).get("__provider", "")))
                         for r in state["deployment"]["resources"] for part in ("inputs", "outputs")
                         if "__provider" in r.get(part, {}))
    file_bytes = os.path.getsize(f"{env['PULUMI_BACKEND_URL'][len('file://'):]}/.pulumi/stacks/dynread/{stack}.json")
    row = rows[stack]
    row.update({f"{op}_median_s": round(statistics.median(t), 2) for op, t in row["times"].items()})
    row.update({f"{op}_min_s": min(t) for op, t in row["times"].items()})
    row.update({"state_export_bytes": len(exported.stdout), "state_file_bytes": file_bytes,
                "provider_chars_in_state": provider_chars})
    print(json.dumps(row), flush=True)
    results.append(row)
    pulumi(stack, "destroy", "--yes", "--skip-preview")
    pulumi(stack, "stack", "rm", "--yes")
    shutil.rmtree(folder, ignore_errors=True)

with open(results_path, "w") as out:
    json.dump(results, out, indent=1)
