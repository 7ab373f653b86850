# Wait until this engine sees the overlay network with the scope its control plane gives it.
# Settings: NETWORK (name), SCOPE (global: through the cluster store; swarm: a swarm manager).
: "${NETWORK:?}" "${SCOPE:?}"
in_scope() { [ "$(docker network inspect --format '{{.Scope}}' "$NETWORK")" = "$SCOPE" ]; }
wait_until 60 "network $NETWORK to be visible on $(hostname)" in_scope
echo "$(hostname) sees $NETWORK: $(docker network inspect --format '{{.Driver}} {{.Scope}} {{range .IPAM.Config}}{{.Subnet}}{{end}}' "$NETWORK")"
