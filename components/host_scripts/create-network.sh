# needs: base
# The overlay network, as `docker network create --driver overlay --subnet=10.0.4.0/24 my-net`:
# attachable (containers started with `docker run`, also in swarm mode), IPsec between hosts with
# ENCRYPTED=1, labelled with its subnet. Run again, it keeps the network it made; a network of that
# name with another subnet, or not made by this program, is refused.
# Settings: NETWORK, SUBNET, GATEWAY, ENCRYPTED (0 or 1).
: "${NETWORK:?}" "${SUBNET:?}" "${GATEWAY:?}" "${ENCRYPTED:?}"
if made_for=$(docker network inspect --format '{{index .Labels "multihost.subnet"}}' "$NETWORK" 2>/dev/null); then
  [ -n "$made_for" ] || fail "a network named $NETWORK that docker-multihost did not make is on $(hostname): remove it or choose another network.name"
  [ "$made_for" = "$SUBNET" ] || fail "network $NETWORK on $(hostname) has subnet $made_for, not $SUBNET: destroy the stack first to change network.subnet"
else
  set -- --driver overlay --attachable --subnet "$SUBNET" --gateway "$GATEWAY" --label "multihost.subnet=$SUBNET"
  [ "$ENCRYPTED" = 1 ] && set -- "$@" --opt encrypted
  docker network create "$@" "$NETWORK" >/dev/null
fi
echo "$NETWORK"
