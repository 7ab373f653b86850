# needs: base waits engine-api engine versions firewall kv-join
# Point the running engine at the cluster store, in its turn (how engines join: lib/kv-join.sh).
# Runs after ensure-engine.sh, once Consul has a leader. The engine registers every discovery
# heartbeat (1 s, set below; 20 s by default); the TTL must be given with it: by default it is 3
# heartbeats, and Consul refuses sessions shorter than 10 s (libkv asks for half the TTL).
# Settings: CLUSTER_STORE (consul://ADDRESS:8500), CLUSTER_ADVERTISE (IFACE:2376), ENGINE_LINE,
# CONSUL_HTTP (http://ADDRESS:8500), NODE (ADDRESS:2376 as advertised), JOIN_THROUGH (the first
# engine, on every other engine).
# Waits (settings, in seconds): STORE_RELOAD_WAIT_S (10), FIRST_ENGINE_WAIT_S (120),
# ENGINE_START_WAIT_S (60), ENGINE_EXIT_WAIT_S (30).
: "${CLUSTER_STORE:?}" "${CLUSTER_ADVERTISE:?}" "${ENGINE_LINE:?}" "${CONSUL_HTTP:?}" "${NODE:?}"
engine_answers || fail "the Docker engine on $(hostname) does not answer (ensure-engine.sh starts it)"
# An engine of another line would not take a cluster store (23.0+): refuse before touching it.
check_engine_line "$(running_engine_version)" "$ENGINE_LINE" kv
quiet_serf_port
mkdir -p /etc/docker
# Keep what was there so that destroy can put it back. No `hosts` key: it clashes with the
# `-H fd://` of systemd's docker.service.
[ -e /etc/docker/daemon.json.multihost-orig ] || cp /etc/docker/daemon.json /etc/docker/daemon.json.multihost-orig 2>/dev/null || echo '{}' >/etc/docker/daemon.json.multihost-orig
wanted=$(printf '{\n  "cluster-store": "%s",\n  "cluster-advertise": "%s",\n  "cluster-store-opts": {"discovery.heartbeat": "1", "discovery.ttl": "20"}\n}\n' \
  "$CLUSTER_STORE" "$CLUSTER_ADVERTISE")
changed=no
if [ "$(cat /etc/docker/daemon.json 2>/dev/null)" != "$wanted" ]; then
  printf '%s\n' "$wanted" >/etc/docker/daemon.json
  changed=yes
fi
join_store "$changed"
echo "$(hostname): cluster-store=$CLUSTER_STORE cluster-advertise=$CLUSTER_ADVERTISE"
