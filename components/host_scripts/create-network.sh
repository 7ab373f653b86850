# The overlay network, as `docker network create --driver overlay --subnet=10.0.4.0/24 my-net`:
# attachable (containers started with `docker run`, also in swarm mode), IPsec between hosts with
# ENCRYPTED=1. A network of that name that is already there must be an overlay with that subnet.
# Settings: NETWORK, SUBNET, GATEWAY, ENCRYPTED (0 or 1).
: "${NETWORK:?}" "${SUBNET:?}" "${GATEWAY:?}" "${ENCRYPTED:?}"
existing=$(docker network inspect --format '{{.Driver}} {{range .IPAM.Config}}{{.Subnet}}{{end}}' "$NETWORK" 2>/dev/null || true)
if [ -z "$existing" ]; then
  set -- --driver overlay --attachable --subnet "$SUBNET" --gateway "$GATEWAY"
  [ "$ENCRYPTED" = 1 ] && set -- "$@" --opt encrypted
  docker network create "$@" "$NETWORK" >/dev/null
elif [ "$existing" != "overlay $SUBNET" ]; then
  fail "a network $NETWORK is already on $(hostname) as '$existing', not 'overlay $SUBNET': remove it or choose network.name"
fi
echo "$NETWORK"
