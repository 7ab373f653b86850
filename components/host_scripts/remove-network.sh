# needs: base engine-api
# Remove the stack's network NETWORK; nothing to do when it is not there (or the engine left its
# store), and a network NETWORK of anyone else's stays.
# Settings: NETWORK, STACK_ID.
: "${NETWORK:?}" "${STACK_ID:?}"
engine_answers || fail "the engine on $(hostname) does not answer"
if made=$(docker network inspect --format "{{index .Labels \"$STACK_ID_LABEL\"}}" "$NETWORK" 2>/dev/null); then
  if [ "$made" = "$STACK_ID" ]; then docker network rm "$NETWORK" >/dev/null
  else note "$(hostname): network $NETWORK is not this stack's: left as it is"; fi
fi
echo "no network $NETWORK of this stack on $(hostname)"
