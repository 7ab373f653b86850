# needs: base engine-api
# Remove the network NETWORK; nothing to do when it is not there (or the engine left its store).
# Settings: NETWORK.
: "${NETWORK:?}"
engine_answers || fail "the engine on $(hostname) does not answer"
if docker network inspect "$NETWORK" >/dev/null 2>&1; then docker network rm "$NETWORK" >/dev/null; fi
echo "no network $NETWORK on $(hostname)"
