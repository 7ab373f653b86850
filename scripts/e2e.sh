#!/usr/bin/env bash
# make e2e: the sandbox stack for real, through the README's own commands where they exist.
#   make up -> checks of the outputs and the keystore (or swarm) -> make inspect -> make check -> make contexts and
#   `docker --context ENGINE run` on the overlay -> make inventory used by ssh and ansible, make graph -> (Vagrant
#   machines) reboots of an engine and the keystore, healed with nothing run -> a second
#   `pulumi up` that must change nothing -> `pulumi refresh` then `pulumi preview --expect-no-changes` -> make destroy
#   -> nothing of the stack left on the local engine, no context of it -> no secret anywhere in the captured output.
# Prints one summary line with the timings. Whatever fails, what the run created is destroyed.
#   E2E_STACK  stack to use (default sandbox)
# Run it through make, which sets the Pulumi environment (see the Makefile).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
export STACK=${E2E_STACK:-sandbox}
LOG=.sandbox/e2e-$STACK.log   # everything the run printed, scanned for secrets at the end
mkdir -p .sandbox .state && chmod 700 .sandbox .state
: >"$LOG"
STEP=start
step() { STEP=$*; echo "==> $*" | tee -a "$LOG" >&2; }
trap 'echo "e2e: FAILED at step: $STEP (output: $LOG)" >&2' ERR

cleanup() {
	local status=$?
	# Nothing half-made is left behind, whatever failed.
	if [ -n "${UP_STARTED:-}" ] && [ -z "${DESTROYED:-}" ]; then
		echo "==> destroying what the failed run created" >&2
		pulumi destroy --stack "$STACK" --yes --skip-preview >>"$LOG" 2>&1 || echo "e2e: destroy after failure also failed (see $LOG)" >&2
	fi
	rm -f "${secrets:-}"
	exit "$status"
}
trap cleanup EXIT

# logged CMD...: run CMD with its output on the terminal and in the log.
logged() { "$@" 2>&1 | tee -a "$LOG"; }
now() { date +%s%N; }
elapsed() { local ds=$((($(now) - $1) / 100000000)); echo "$((ds / 10)).$((ds % 10))"; }

# Vagrant's containers carry anonymous volumes: any new dangling one after destroy is a leftover.
dangling_volumes() { docker volume ls -q --filter dangling=true | sort; }
volumes_before=$(dangling_volumes)
step "make up (stack $STACK)"
UP_STARTED=1
t=$(now)
logged make -s up
first_up=$(elapsed "$t")

if [ -f "Pulumi.$STACK.yaml" ] && grep -q 'hostKind: vagrant' "Pulumi.$STACK.yaml"; then VAGRANT_STACK=1; fi
VAGRANT_DOTFILE=$(venv/bin/python scripts/harness.py vagrant-dotfile "$STACK")
vagrant_status() { MULTIHOST_STACK=$STACK VAGRANT_DOTFILE_PATH=$VAGRANT_DOTFILE vagrant status; }
if [ -n "${VAGRANT_STACK:-}" ]; then
	step "vagrant status (up)"
	logged vagrant_status
fi

step "checks from the stack outputs and the keystore"
logged venv/bin/python tests/e2e_check.py --stack "$STACK"
counts=$(venv/bin/python tests/e2e_check.py --counts --stack "$STACK")
# The secrets this stack knows, to look for in everything the run printed.
secrets=$(mktemp)
pulumi stack export --stack "$STACK" --show-secrets | venv/bin/python tests/e2e_check.py --secrets >"$secrets"

step "make inspect"
logged make -s inspect

step "make check (the ping matrix again, live)"
logged make -s check

step "make contexts, then the tutorial's by-hand steps through them"
logged make -s contexts
logged venv/bin/python tests/e2e_check.py --by-hand --stack "$STACK"

step "make inventory and make graph: ssh -F and ansible reach each host through the inventory; the picture is written"
logged make -s inventory
logged venv/bin/python tests/e2e_check.py --inventory --stack "$STACK"
logged make -s graph
[ -s ".sandbox/$STACK/topology.svg" ] && [ -s ".sandbox/$STACK/topology.png" ]

if [ -n "${VAGRANT_STACK:-}" ]; then
	step "vagrant reload of an engine's machine, then the keystore's (reboots): make check passes again, nothing run"
	logged venv/bin/python tests/e2e_check.py --reboot --stack "$STACK"
fi

step "pulumi up (second: no changes expected)"
pulumi preview --stack "$STACK" --expect-no-changes --diff >>"$LOG" 2>&1 || { tail -n 40 "$LOG" >&2; false; }
t=$(now)
logged pulumi up --stack "$STACK" --yes --skip-preview --expect-no-changes
second_up=$(elapsed "$t")

step "pulumi refresh, then a preview that must show no changes"
logged pulumi refresh --stack "$STACK" --yes --skip-preview
logged pulumi preview --stack "$STACK" --expect-no-changes --diff

step "make destroy"
t=$(now)
logged make -s destroy
destroy=$(elapsed "$t")
DESTROYED=1

step "nothing of the stack left on the local engine"
left=$(venv/bin/python scripts/harness.py leftovers "$STACK") || { echo "e2e: left on the local engine after destroy: $left" >&2; false; }
if [ -n "${VAGRANT_STACK:-}" ]; then
	step "vagrant status (destroyed): no machine, no vagrant network, no dangling volume"
	logged vagrant_status
	machines=$(find "$VAGRANT_DOTFILE/machines" -name id 2>/dev/null || true)
	networks=$(docker network ls -q --filter name=vagrant_network)
	volumes=$(comm -13 <(echo "$volumes_before") <(dangling_volumes) | tr '\n' ' ')
	[ -z "$machines$networks$volumes" ] || { echo "e2e: left after vagrant destroy: machines [$machines] networks [$networks] volumes [$volumes]" >&2; false; }
fi

step "make destroy took the stack's contexts and its Include line away"
left=$(docker context ls --format '{{.Name}} {{.Description}}' | grep -F " docker-multihost stack $STACK" || true)
included=$(grep -F "docker-multihost stack $STACK:" "$(getent passwd "$(id -un)" | cut -d: -f6)/.ssh/config" 2>/dev/null || true)
[ -z "$left$included" ] || { echo "e2e: left after destroy: contexts [$left] ~/.ssh/config lines [$included]" >&2; false; }

step "no secret in the output"
venv/bin/python tests/e2e_check.py --scan "$LOG" "$secrets"

echo "e2e summary: stack=$STACK $counts first_up=${first_up}s second_up=${second_up}s destroy=${destroy}s all_reachable=true refresh_drift=none secrets_in_output=0 leftovers=0"
