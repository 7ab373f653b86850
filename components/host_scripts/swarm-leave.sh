# needs: base
# Leave the swarm (a manager takes the swarm with it); nothing to do when not in one.
if [ "$(docker info --format '{{.Swarm.LocalNodeState}}' 2>/dev/null)" != inactive ]; then
  docker swarm leave --force
fi
