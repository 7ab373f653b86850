# needs: base
# Make this engine the swarm's manager (unless it already is) and print the workers' join token,
# and nothing else, on stdout. Settings: ADVERTISE_ADDR (underlay address).
: "${ADVERTISE_ADDR:?}"
state=$(docker info --format '{{.Swarm.LocalNodeState}}')
if [ "$state" != active ]; then
  docker swarm init --advertise-addr "$ADVERTISE_ADDR" --listen-addr "$ADVERTISE_ADDR:2377" >/dev/null
elif [ "$(docker info --format '{{.Swarm.ControlAvailable}}')" != true ]; then
  fail "$(hostname) is already in a swarm, as a worker: leave it first (docker swarm leave)"
fi
docker swarm join-token --quiet worker
