# Point the engine at the cluster store. Runs before the engine is first started (ensure-engine.sh
# starts it with this configuration); an engine already running is restarted if this changed it.
# The program runs it once Consul has a leader. The engine registers every discovery heartbeat
# (1 s here; 20 s by default); the TTL must be given with it: by default it is 3 heartbeats, and
# Consul refuses sessions shorter than 10 s (libkv asks for half the TTL).
# Settings: CLUSTER_STORE (consul://ADDRESS:8500), CLUSTER_ADVERTISE (IFACE:2376), ENGINE_LINE,
# HOST_NAME (set first: a restarted engine joins under its host's own name).
: "${CLUSTER_STORE:?}" "${CLUSTER_ADVERTISE:?}" "${ENGINE_LINE:?}" "${HOST_NAME:?}"
# An engine of another line would not start with a cluster store (23.0+): refuse before touching it.
if command -v dockerd >/dev/null 2>&1; then check_engine_line "$(engine_version)" "$ENGINE_LINE" kv; fi
# Before the engine (re)starts here; where there is no engine yet, ensure-engine.sh does it after
# installing one (iptables comes with it).
if command -v iptables >/dev/null 2>&1; then quiet_serf_port; fi
mkdir -p /etc/docker
# Keep what was there so that destroy can put it back. No `hosts` key: it clashes with the
# `-H fd://` of systemd's docker.service.
[ -e /etc/docker/daemon.json.multihost-orig ] || cp /etc/docker/daemon.json /etc/docker/daemon.json.multihost-orig 2>/dev/null || echo '{}' >/etc/docker/daemon.json.multihost-orig
wanted=$(printf '{\n  "cluster-store": "%s",\n  "cluster-advertise": "%s",\n  "cluster-store-opts": {"discovery.heartbeat": "1", "discovery.ttl": "20"}\n}\n' \
  "$CLUSTER_STORE" "$CLUSTER_ADVERTISE")
if [ "$(cat /etc/docker/daemon.json 2>/dev/null)" != "$wanted" ]; then
  printf '%s\n' "$wanted" >/etc/docker/daemon.json
  if engine_answers; then
    set_hostname "$HOST_NAME"
    restart_engine
  fi
fi
echo "$(hostname): cluster-store=$CLUSTER_STORE cluster-advertise=$CLUSTER_ADVERTISE"
