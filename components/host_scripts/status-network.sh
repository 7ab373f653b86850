# needs: base engine-api
# What `pulumi refresh` asks of the overlay network (components/host_watch.py): prints its stack
# label and subnet, `STACK_ID SUBNET` when it is the stack's; exits 3 when there is no such network;
# exits 4 when it cannot tell (a network of the store, SCOPE global, on an engine with no store);
# fails when the engine does not answer.
# Settings: STACK_ID, NETWORK, SCOPE (global: the network lives in the engines' cluster store).
: "${STACK_ID:?}" "${NETWORK:?}" "${SCOPE:?}"
engine_answers || fail "$(hostname): the Docker engine does not answer: cannot tell whether network $NETWORK is there"
if [ "$SCOPE" = global ] && [ -z "$(docker info --format '{{.ClusterStore}}')" ]; then
  note "$(hostname): the engine has no cluster store: cannot tell whether network $NETWORK is there"
  exit 4
fi
engine_api "/networks/$NETWORK" >/dev/null 2>&1 || exit 3
docker network inspect --format "{{index .Labels \"$STACK_ID_LABEL\"}} {{index .Labels \"multihost.subnet\"}}" "$NETWORK"
