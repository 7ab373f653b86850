# Ping TARGET from the probe container PROBE; the output, whatever it says, is the result.
# Settings: PROBE (container name), TARGET (address or name), COUNT.
: "${PROBE:?}" "${TARGET:?}" "${COUNT:?}"
docker exec "$PROBE" ping -c "$COUNT" -W 2 "$TARGET" 2>&1 || true
