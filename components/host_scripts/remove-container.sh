# needs: base engine-api
# Remove the stack's container NAME from this engine; nothing to do when there is none, and a
# container NAME of anyone else's stays.
# Settings: NAME, STACK_ID.
: "${NAME:?}" "${STACK_ID:?}"
engine_answers || fail "the engine on $(hostname) does not answer"
if docker container inspect "$NAME" >/dev/null 2>&1; then
  if [ "$(docker inspect --format "{{index .Config.Labels \"$STACK_ID_LABEL\"}}" "$NAME")" = "$STACK_ID" ]; then
    docker rm -f "$NAME" >/dev/null
  else
    note "$(hostname): container $NAME is not this stack's: left as it is"
  fi
fi
echo "no container $NAME of this stack on $(hostname)"
