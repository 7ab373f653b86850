# needs: base record
# Leave the swarm the stack made or joined here (a manager takes the swarm with it); a swarm that
# is not the recorded one is someone else's and stays. Nothing to do when not in one.
# Settings: STACK_ID.
: "${STACK_ID:?}"
node=$(docker info --format '{{.Swarm.NodeID}}' 2>/dev/null || true)
if [ -n "$node" ] && recalled swarm | grep -qw -- "$node"; then
  docker swarm leave --force
elif [ -n "$node" ]; then
  note "$(hostname): node $node is in a swarm this stack did not make: left as it is"
fi
forget swarm
