#!/usr/bin/env bash
# make up: stand the topology up and print a summary of it and its pings. Default stack: sandbox
# (needs only a local Docker engine); STACK=dev brings up the Vagrant VMs instead. Run it through
# make, which sets the Pulumi environment (see the Makefile).
set -Eeuo pipefail
cd "$(dirname "$0")/.."
STACK=${STACK:-sandbox}
trap 'echo "make up: failed (stack $STACK); see the messages above; make logs STACK=$STACK gathers what each host says" >&2' ERR

[ -f "Pulumi.$STACK.yaml" ] || { echo "make up: no Pulumi.$STACK.yaml: STACK names a stack file of this repo" >&2; exit 2; }
make -s venv
# Hosts that are containers here (the sandbox, Vagrant's docker provider) need the images built.
host_kind=$(venv/bin/python scripts/harness.py host-kind "$STACK")
if [ "$host_kind" = sandbox ] || [ "$host_kind" = vagrant-docker ]; then
	make -s images
fi
make -s tools
# The state and the sandbox's keys: for this user only.
mkdir -p .state ".sandbox/$STACK" && chmod 700 .state .sandbox ".sandbox/$STACK"
# A lock left by a killed run is named, with the command that removes it (never removed here).
venv/bin/python -m ops.lock --stack "$STACK" || { trap - ERR; exit 1; }
pulumi stack select --create "$STACK" >/dev/null
venv/bin/python -m ops.orphans --stack "$STACK"
# The outputs would fill screens (every ping in full): the report sums them up on one. What it
# prints is kept for make logs too; at a terminal `script` keeps Pulumi's live display.
up=(pulumi up --stack "$STACK" --yes --skip-preview --suppress-outputs)
if [ -t 1 ]; then
	script -qefc "${up[*]}" ".sandbox/$STACK/last-up.log"
else
	"${up[@]}" 2>&1 | tee ".sandbox/$STACK/last-up.log"
fi
venv/bin/python -m ops.report --stack "$STACK"
