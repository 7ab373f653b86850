#!/usr/bin/env bash
# make up: stand the topology up and print the ping results. Default stack: sandbox (needs only a
# local Docker engine); STACK=dev brings up the Vagrant VMs instead.
set -Eeuo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
STACK=${STACK:-sandbox}
trap 'echo "make up: failed (stack $STACK); see the messages above" >&2' ERR

if [ "$STACK" = sandbox ]; then
	bash scripts/local-engine.sh start
	bash scripts/images.sh
fi
bash scripts/tools.sh >/dev/null
# shellcheck source=scripts/pulumi-env.sh
source scripts/pulumi-env.sh
make -s venv
pulumi stack select --create "$STACK" >/dev/null
pulumi up --stack "$STACK" --yes --skip-preview
outputs=$(mktemp)
pulumi stack output --stack "$STACK" --json --show-secrets >"$outputs"
venv/bin/python -c '
import json, sys
from multihost.ping import describe
outputs = json.load(open(sys.argv[1]))
print("Consul UI:", outputs["consulUiUrl"])
print("ping results (pingResults):")
for result in outputs["pingResults"]:
    print(" ", describe(result))
print("allReachable:", outputs["allReachable"])
' "$outputs"
