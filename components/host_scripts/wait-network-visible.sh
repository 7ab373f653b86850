# needs: base waits engine-api
# Wait until this engine sees the overlay network with the scope its control plane gives it.
# Settings: NETWORK (name), SCOPE (global: through the cluster store; swarm: a swarm manager).
# Waits (settings, in seconds): NETWORK_VISIBLE_WAIT_S (60).
: "${NETWORK:?}" "${SCOPE:?}"
in_scope() { engine_api "/networks/$NETWORK" | grep -q "\"Scope\":\"$SCOPE\""; }
wait_until "${NETWORK_VISIBLE_WAIT_S:-60}" "network $NETWORK to be visible on $(hostname)" in_scope
echo "$(hostname) sees $NETWORK, scope $SCOPE"
