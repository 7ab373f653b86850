# Wait until this engine sees the overlay network through the cluster store.
# Settings: NETWORK (name).
: "${NETWORK:?}"
is_global() { [ "$(docker network inspect --format '{{.Scope}}' "$NETWORK")" = global ]; }
wait_until 60 "network $NETWORK to be visible on $(hostname)" is_global
echo "$(hostname) sees $NETWORK: $(docker network inspect --format '{{.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}}' "$NETWORK")"
