#!/usr/bin/env bash
# make e2e: the sandbox stack for real. Local engine, toolchain and images; `pulumi up`; checks from
# the stack outputs and the keystore; a second `up` that must change nothing; `pulumi destroy`;
# then nothing of the stack may be left on the local engine. Prints one line of timings.
#   E2E_STACK       stack to use (default sandbox)
#   E2E_DROP_VXLAN  1: drop VXLAN (udp 4789) between the hosts on the local machine, to see the
#                   check fail when the overlay is broken
set -Eeuo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
STACK=${E2E_STACK:-sandbox}
STEP=start
step() { STEP=$*; echo "==> $*" >&2; }
trap 'echo "e2e: FAILED at step: $STEP" >&2' ERR

VXLAN_RULE=(DOCKER-USER -p udp --dport 4789 -j DROP)
cleanup() {
	local status=$?
	if [ "${E2E_DROP_VXLAN:-0}" = 1 ]; then iptables -D "${VXLAN_RULE[@]}" 2>/dev/null || true; fi
	# Nothing half-made is left behind, whatever failed.
	if [ -n "${UP_STARTED:-}" ] && [ -z "${DESTROYED:-}" ]; then
		echo "==> destroying what the failed run created" >&2
		pulumi destroy --stack "$STACK" --yes --skip-preview >/dev/null 2>&1 || echo "e2e: destroy after failure also failed" >&2
	fi
	exit "$status"
}
trap cleanup EXIT

step "local Docker engine"
bash scripts/local-engine.sh start
step "toolchain (make tools)"
bash scripts/tools.sh >/dev/null
# shellcheck source=scripts/pulumi-env.sh
source scripts/pulumi-env.sh
step "images"
bash scripts/images.sh
step "python environment"
make -s venv

step "stack $STACK"
pulumi stack select --create "$STACK" >/dev/null
if [ "${E2E_DROP_VXLAN:-0}" = 1 ]; then
	step "dropping VXLAN (udp 4789) between the hosts"
	iptables -I "${VXLAN_RULE[@]}"
fi

now() { date +%s%N; }
elapsed() { local ds=$((($(now) - $1) / 100000000)); echo "$((ds / 10)).$((ds % 10))"; }

step "pulumi up (first)"
UP_STARTED=1
t=$(now)
pulumi up --stack "$STACK" --yes --skip-preview
first_up=$(elapsed "$t")

step "checks from the stack outputs and the keystore"
outputs=$(mktemp)
pulumi stack output --stack "$STACK" --json --show-secrets >"$outputs"
venv/bin/python tests/e2e_check.py "$outputs"

step "pulumi up (second: no changes expected)"
t=$(now)
pulumi up --stack "$STACK" --yes --expect-no-changes
second_up=$(elapsed "$t")

step "pulumi destroy"
t=$(now)
pulumi destroy --stack "$STACK" --yes --skip-preview
destroy=$(elapsed "$t")
DESTROYED=1

step "nothing of the stack left on the local engine"
left=$(docker ps -aq --filter "label=multihost.stack=$STACK"; docker network ls -q --filter "label=multihost.stack=$STACK"; docker volume ls -q --filter "label=multihost.stack=$STACK")
[ -z "$left" ] || { echo "e2e: left on the local engine after destroy: $left" >&2; false; }

hosts=$(venv/bin/python -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["hostAddresses"]))' "$outputs")
pings=$(venv/bin/python -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["pingResults"]))' "$outputs")
echo "e2e summary: stack=$STACK hosts=$hosts pings=$pings first_up=${first_up}s second_up=${second_up}s destroy=${destroy}s all_reachable=true leftovers=0"
