# needs: base record waits engine-api engine versions firewall keys tls kv-join
# Give the host its own hostname and a running Docker Engine of the pinned line. What it changes
# (the hostname, an engine package it installs) is recorded for restore-host.sh.
# Settings: HOST_NAME (hostname to set), ENGINE_LINE (e.g. 20.10), CONTROL_PLANE (kv: 20.10 only,
# for the cluster store; swarm: 20.10 or newer), ENCRYPTED (1: the overlay is encrypted, and the
# engine must be a release that cannot fail open); on a ClusteredEngine also CONSUL_HTTP,
# JOIN_THROUGH (the first engine, on every other engine), with which a restart joins through it,
# and TLS_CA, TLS_CERT, TLS_KEY (its client certificate for Consul, lib/tls.sh).
# Waits (settings, in seconds): ENGINE_START_WAIT_S (60), ENGINE_EXIT_WAIT_S (30),
# FIRST_ENGINE_WAIT_S (120).
: "${HOST_NAME:?}" "${ENGINE_LINE:?}"
CONTROL_PLANE=${CONTROL_PLANE:-kv}

# Two engines with one hostname break the overlay (serf: "Node name conflicts"): each host gets its
# own, before its engine (re)starts.
set_hostname() {
  if [ "$(hostname)" != "$1" ]; then
    remember hostname "$(hostname)"
    hostname "$1"
    echo "$1" >/etc/hostname
  fi
}
set_hostname "$HOST_NAME"

if ! command -v dockerd >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || fail "no Docker Engine on $HOST_NAME and no apt-get to install one"
  apt-get update -qq
  # Docker's own repository names it docker-ce 5:20.10.x; Debian bullseye names it docker.io 20.10.x.
  # From Debian trixie on, docker.io is the engine only: the CLI is docker-cli.
  for candidate in docker-ce docker.io; do
    version=$(apt-cache madison "$candidate" 2>/dev/null | awk -v line="$ENGINE_LINE" '
      { v = $3; sub(/^[0-9]+:/, "", v) } index(v, line ".") == 1 { print $3; exit }')
    if [ -n "$version" ]; then
      cli=$(apt-cache show docker-cli >/dev/null 2>&1 && [ "$candidate" = docker.io ] && echo docker-cli || true)
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$candidate=$version" $cli
      # Held at the pinned line while the stack runs; an engine that was there before is never held.
      apt-mark hold "$candidate" >/dev/null
      remember engine-package "$candidate"
      break
    fi
  done
  command -v dockerd >/dev/null 2>&1 || fail "no Docker Engine $ENGINE_LINE package in the apt sources of $HOST_NAME (add Docker's apt repository, or Debian bullseye's)"
fi

# The engine that serves: the running one (its API answers for far less CPU than starting dockerd
# to ask, on every host at once), else the installed one, before it starts.
if engine_answers; then version=$(running_engine_version); else version=$(engine_version); fi
check_engine_line "$version" "$ENGINE_LINE" "$CONTROL_PLANE"
if [ "${ENCRYPTED:-0}" = 1 ]; then check_encryption_release "$version"; fi

# Only an engine that joins a cluster store gossips (not the keystore's).
if [ -n "${CLUSTER_STORE:-}" ]; then quiet_serf_port; fi
# A stopped engine with a cluster store joins through the first engine (lib/kv-join.sh, 5).
# A clustered engine restarted here asks Consul, as itself, to join through the first engine.
if [ -n "${CLUSTER_STORE:-}" ] && [ -n "${TLS_CA:-}" ] && [ ! -e "$(tls_dir engine)/cert.pem" ]; then install_tls engine >/dev/null; fi
engine_answers || restart_clustered_engine
# The engine makes docker_gwbridge for the first container on an overlay (or a swarm): where it was
# not there before the stack, restore-host.sh takes it away again.
engine_api /networks/docker_gwbridge >/dev/null 2>&1 || remember gwbridge absent
echo "Docker Engine $version on $HOST_NAME"
