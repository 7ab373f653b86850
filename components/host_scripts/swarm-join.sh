# needs: base
# Join the swarm of MANAGER as a worker, unless this engine is already in it.
# Settings: MANAGER (address:2377), ADVERTISE_ADDR (underlay address), JOIN_TOKEN (a secret).
: "${MANAGER:?}" "${ADVERTISE_ADDR:?}" "${JOIN_TOKEN:?}"
in_swarm() { docker info --format '{{range .Swarm.RemoteManagers}}{{.Addr}} {{end}}' | grep -qw "$MANAGER"; }
if ! in_swarm; then
  [ "$(docker info --format '{{.Swarm.LocalNodeState}}')" = inactive ] || docker swarm leave --force >/dev/null
  docker swarm join --advertise-addr "$ADVERTISE_ADDR" --listen-addr "$ADVERTISE_ADDR:2377" --token "$JOIN_TOKEN" "$MANAGER" >/dev/null
fi
echo "$(hostname): worker of the swarm at $MANAGER"
