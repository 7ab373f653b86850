# needs: base engine-api containers
# Run the probe PROBE from IMAGE (already on the engine), attached to the overlay network NETWORK,
# with its name as hostname. It only has to stay up: pings run in it with `docker exec`; it comes
# back when its engine restarts. Prints its address on NETWORK.
# Settings: PROBE (container name), IMAGE, NETWORK.
: "${PROBE:?}" "${IMAGE:?}" "${NETWORK:?}"
run_container "$PROBE" --hostname "$PROBE" --network "$NETWORK" --restart unless-stopped "$IMAGE" sleep 2147483647
docker inspect --format "{{(index .NetworkSettings.Networks \"$NETWORK\").IPAddress}}" "$PROBE"
