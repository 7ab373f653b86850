# Point the engine at the cluster store and restart it if that changed.
# Settings: CLUSTER_STORE (consul://ADDRESS:8500), CLUSTER_ADVERTISE (IFACE:2376).
: "${CLUSTER_STORE:?}" "${CLUSTER_ADVERTISE:?}"
mkdir -p /etc/docker
# Keep what was there so that destroy can put it back. No `hosts` key: it clashes with the
# `-H fd://` of systemd's docker.service.
[ -e /etc/docker/daemon.json.multihost-orig ] || cp /etc/docker/daemon.json /etc/docker/daemon.json.multihost-orig 2>/dev/null || echo '{}' >/etc/docker/daemon.json.multihost-orig
wanted=$(printf '{\n  "cluster-store": "%s",\n  "cluster-advertise": "%s"\n}\n' "$CLUSTER_STORE" "$CLUSTER_ADVERTISE")
if [ "$(cat /etc/docker/daemon.json 2>/dev/null)" != "$wanted" ] || ! engine_answers; then
  printf '%s\n' "$wanted" >/etc/docker/daemon.json
  restart_engine
fi
store=$(docker info --format '{{.ClusterStore}}')
[ "$store" = "$CLUSTER_STORE" ] || fail "engine on $(hostname) reports cluster store '$store', expected $CLUSTER_STORE"
echo "$(hostname): cluster-store=$store cluster-advertise=$(docker info --format '{{.ClusterAdvertise}}')"
