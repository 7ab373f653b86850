# needs: base
# The overlay network, as `docker network create --driver overlay --subnet=10.0.4.0/24 my-net`:
# attachable (containers started with `docker run`, also in swarm mode), IPsec between hosts with
# ENCRYPTED=1, labelled with the stack's identity and its subnet. Run again, it keeps the network it
# made; a network of that name with another subnet, or not this stack's, is refused.
# Settings: NETWORK, SUBNET, GATEWAY, ENCRYPTED (0 or 1), STACK_ID.
: "${NETWORK:?}" "${SUBNET:?}" "${GATEWAY:?}" "${ENCRYPTED:?}" "${STACK_ID:?}"
if made=$(docker network inspect --format "{{index .Labels \"$STACK_ID_LABEL\"}} {{index .Labels \"multihost.subnet\"}}" "$NETWORK" 2>/dev/null); then
  [ "${made%% *}" = "$STACK_ID" ] || fail "a network named $NETWORK that is not this stack's is on $(hostname) (its $STACK_ID_LABEL label: '${made%% *}'): remove it or choose another network.name"
  [ "${made#* }" = "$SUBNET" ] || fail "network $NETWORK on $(hostname) has subnet ${made#* }, not $SUBNET: destroy the stack first to change network.subnet"
else
  set -- --driver overlay --attachable --subnet "$SUBNET" --gateway "$GATEWAY" \
    --label "$STACK_ID_LABEL=$STACK_ID" --label "multihost.subnet=$SUBNET"
  [ "$ENCRYPTED" = 1 ] && set -- "$@" --opt encrypted
  docker network create "$@" "$NETWORK" >/dev/null
fi
echo "$NETWORK"
