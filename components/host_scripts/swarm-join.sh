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
  # Through the engine's API with the token in the request's body, which curl reads from its stdin:
  # `docker swarm join --token` would show it to every user of the host in the process list.
  answer=$(printf '{"ListenAddr":"%s:2377","AdvertiseAddr":"%s","RemoteAddrs":["%s"],"JoinToken":"%s"}' \
      "$ADVERTISE_ADDR" "$ADVERTISE_ADDR" "$MANAGER" "$JOIN_TOKEN" |
    curl -sS --unix-socket /var/run/docker.sock -X POST -H 'Content-Type: application/json' --data-binary @- \
      -w '\n%{http_code}' http://localhost/swarm/join)
  [ "${answer##*[!0-9]}" = 200 ] || fail "$(hostname) could not join the swarm at $MANAGER: $(echo "$answer" | head -n 1)"
  record swarm "$(docker info --format '{{.Swarm.NodeID}}')"
fi
echo "$(hostname): worker of the swarm at $MANAGER"
