# needs: base engine-api containers
# Run the probe PROBE from IMAGE (already on the engine), attached to the overlay network NETWORK,
# with its name as hostname. It only has to stay up: pings run in it with `docker exec`; it comes
# back when its engine restarts. Prints its address on NETWORK.
# Settings: PROBE (container name), IMAGE, NETWORK; SCOPE, the network's (`swarm`: see below).
: "${PROBE:?}" "${IMAGE:?}" "${NETWORK:?}"
# A swarm gives a container a new address when its engine restarts, unless the container asked
# for one (`--ip`; one it was only given does not count): a new probe asks again for the one it
# got. The label tells such a probe from one made before. `always`, not `unless-stopped`: an
# engine 20.10 restarted now and then left the probe stopped (docs/design.md, engine quirks).
asks=
[ "${SCOPE:-}" = swarm ] && asks="--label multihost.asks-address=1"
run_container "$PROBE" --hostname "$PROBE" --network "$NETWORK" --restart always $asks "$IMAGE" \
  sleep 2147483647
address=$(docker inspect --format "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$PROBE")
if [ -n "$asks" ] && [ "${CONTAINER_MADE:-}" = "$PROBE" ]; then
  docker network disconnect "$NETWORK" "$PROBE"
  docker network connect --ip "$address" "$NETWORK" "$PROBE"
fi
echo "$address"
