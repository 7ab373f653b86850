# needs: base
# What the swarm holds, as seen from a manager: one `node {json}` line per engine and one
# `network {json}` line per swarm-scoped overlay network (`make inspect` in swarm mode).
[ "$(docker info --format '{{.Swarm.ControlAvailable}}')" = true ] || fail "$(hostname) is not a swarm manager"
docker node ls --format '{{json .}}' | sed 's/^/node /'
for id in $(docker network ls -q --filter driver=overlay --filter scope=swarm); do
  docker network inspect --format '{{json .}}' "$id" | sed 's/^/network /'
done
