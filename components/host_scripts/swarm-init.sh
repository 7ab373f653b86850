# needs: base record
# Make this engine the manager of a new swarm and print the workers' join token, and nothing else,
# on stdout. Run again, it keeps the swarm it made (recorded: the swarm's ID). A host already in a
# swarm the stack did not make is refused, naming that swarm: it is someone else's.
# Settings: ADVERTISE_ADDR (underlay address), STACK_ID.
: "${ADVERTISE_ADDR:?}" "${STACK_ID:?}"
state=$(docker info --format '{{.Swarm.LocalNodeState}}')
if [ "$state" = inactive ]; then
  docker swarm init --advertise-addr "$ADVERTISE_ADDR" --listen-addr "$ADVERTISE_ADDR:2377" >/dev/null
  record swarm "$(docker info --format '{{.Swarm.Cluster.ID}} {{.Swarm.NodeID}}')"
else
  theirs=$(docker info --format '{{if .Swarm.Cluster}}{{.Swarm.Cluster.ID}}{{end}} {{.Swarm.NodeID}}')
  [ "$theirs" = "$(recalled swarm)" ] ||
    fail "$(hostname) is already in a swarm this stack did not make (swarm ${theirs%% *}, node ${theirs#* }, state $state): it is left as it is; choose another host, or leave that swarm first (docker swarm leave)"
fi
docker swarm join-token --quiet worker
