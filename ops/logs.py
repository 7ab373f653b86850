"""make logs: one archive with what a person needs to see why a stack is unwell: per host, what
show-diagnostics.sh prints there (engine log, docker info, containers, networks, firewall rules,
Consul's members and keys or the swarm's nodes), and what the last `make up` printed. Every line that
holds a secret of the stack (from `pulumi stack export --show-secrets`) is left out.

    python -m ops.logs --stack sandbox      -> .sandbox/sandbox/logs-<time>.tar.gz
"""
from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor

from ops.reach import secret_lines
from ops.stack import STATE_DIR, ToolError, run_host_script, stack_outputs

HOST_TIMEOUT_S = 60


def stack_secret_lines(stack: str) -> set[str]:
    exported = subprocess.run(["pulumi", "stack", "export", "--stack", stack, "--show-secrets"],
                              capture_output=True, text=True, timeout=120)
    return secret_lines(json.loads(exported.stdout or "{}"))


def redacted(text: str, secrets: set[str]) -> str:
    return "".join("[a line holding a secret, left out]\n" if any(s in line for s in secrets) or "PRIVATE KEY" in line
                   else line for line in text.splitlines(keepends=True))


def diagnostics(name: str, access: dict) -> str:
    try:
        done = run_host_script(access, "show-diagnostics", None, timeout=HOST_TIMEOUT_S)
        return done.stdout + (f"\n===== stderr (exit {done.returncode})\n{done.stderr}" if done.returncode else "")
    except subprocess.TimeoutExpired:
        return f"host {name} did not answer within {HOST_TIMEOUT_S} s\n"
    except ToolError as err:
        return f"{err}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", required=True)
    args = parser.parse_args(argv)
    try:
        outputs = stack_outputs(args.stack)
    except ToolError as err:
        print(f"logs: {err}", file=sys.stderr)
        return 1
    access = outputs.get("hostAccess") or {}
    with ThreadPoolExecutor(max_workers=max(1, len(access))) as pool:
        texts = dict(zip(access, pool.map(lambda item: diagnostics(*item), access.items())))
    last_up = STATE_DIR / args.stack / "last-up.log"
    if last_up.exists():
        texts["last-make-up"] = last_up.read_text(errors="replace")
    secrets = stack_secret_lines(args.stack)
    archive = STATE_DIR / args.stack / f"logs-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for name, text in texts.items():
            data = redacted(text, secrets).encode()
            info = tarfile.TarInfo(f"logs-{args.stack}/{name}.txt")
            info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
            tar.addfile(info, io.BytesIO(data))
    archive.chmod(0o600)
    print(f"logs: {archive} ({', '.join(texts)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
