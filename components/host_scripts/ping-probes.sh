# needs: base
# Ping every target from the probe container PROBE, all at once, in one `docker exec`; every line
# a ping prints comes out as `TARGET <line>`. Whatever ping says is the result.
# Settings: PROBE (container name), TARGETS (addresses or names, space-separated), COUNT,
# INTERVAL (seconds between echo requests).
# Waits (settings, in seconds): NAME_WAIT_S (10).
: "${PROBE:?}" "${TARGETS:?}" "${COUNT:?}" "${INTERVAL:?}"
# Inside the probe (busybox sh). One echo first, not counted: the first packet to a fresh overlay
# endpoint can take a second while the peer's VXLAN entry is learned, and would otherwise show up
# as loss. `-q`: the counted ping prints its header and summary only, all the report reads (a
# per-reply line would double the output kept in the state and the time the parser takes). Ping's
# exit status (1 on loss) is a result, not an error. A name the engine does not know yet ("bad
# address": a swarm manager learns a new worker's probe by gossip, seconds after it started) is
# asked again each second, at most NAME_WAIT_S times.
docker exec -e TARGETS="$TARGETS" -e COUNT="$COUNT" -e INTERVAL="$INTERVAL" -e NAME_WAIT_S="${NAME_WAIT_S:-10}" \
  "$PROBE" sh -c '
for target in $TARGETS; do
  { tries=0
    while ping -c 1 -W 5 "$target" 2>&1 | grep -q "bad address" && [ $tries -lt "$NAME_WAIT_S" ]; do
      tries=$((tries + 1)); sleep 1
    done
    ping -q -c "$COUNT" -i "$INTERVAL" -W 2 "$target" 2>&1 | sed "s|^|$target |"; } &
done
wait'
