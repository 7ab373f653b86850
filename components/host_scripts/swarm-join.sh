# needs: base record
# Join the swarm of MANAGER as a worker, unless this engine is in it already as the stack made it
# (recorded: its node ID). A host already in any other swarm is refused: it is someone else's.
# Settings: MANAGER (address:2377), ADVERTISE_ADDR (underlay address), JOIN_TOKEN (a secret),
# STACK_ID.
: "${MANAGER:?}" "${ADVERTISE_ADDR:?}" "${JOIN_TOKEN:?}" "${STACK_ID:?}"
state=$(docker info --format '{{.Swarm.LocalNodeState}}')
node=$(docker info --format '{{.Swarm.NodeID}}')
if [ "$state" != inactive ]; then
  [ -n "$node" ] && [ "$node" = "$(recalled swarm)" ] ||
    fail "$(hostname) is already in a swarm this stack did not make (node ${node:-?}, managers $(docker info --format '{{range .Swarm.RemoteManagers}}{{.Addr}} {{end}}'), state $state): it is left as it is; choose another host, or leave that swarm first (docker swarm leave)"
else
  docker swarm join --advertise-addr "$ADVERTISE_ADDR" --listen-addr "$ADVERTISE_ADDR:2377" --token "$JOIN_TOKEN" "$MANAGER" >/dev/null
  record swarm "$(docker info --format '{{.Swarm.NodeID}}')"
fi
echo "$(hostname): worker of the swarm at $MANAGER"
