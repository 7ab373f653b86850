# Shared helpers for the host scripts: what every script needs.
set -eu

fail() { echo "error: $*" >&2; exit 1; }

# Hosts with systemd run dockerd as its docker.service; containers used as hosts have no init
# system.
systemd_runs() { [ -d /run/systemd/system ]; }
