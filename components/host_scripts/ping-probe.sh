# Ping TARGET from the probe container PROBE; the output, whatever it says, is the result.
# Settings: PROBE (container name), TARGET (address or name), COUNT.
: "${PROBE:?}" "${TARGET:?}" "${COUNT:?}"
# One echo first, not counted: the first packet to a fresh overlay endpoint can take a second
# while the peer's VXLAN entry is learned, and would otherwise show up as loss.
docker exec "$PROBE" ping -c 1 -W 5 "$TARGET" >/dev/null 2>&1 || true
docker exec "$PROBE" ping -c "$COUNT" -W 2 "$TARGET" 2>&1 || true
