# needs: base engine-api
# Remove the container NAME from this engine; nothing to do when there is none.
# Settings: NAME.
: "${NAME:?}"
engine_answers || fail "the engine on $(hostname) does not answer"
if docker container inspect "$NAME" >/dev/null 2>&1; then docker rm -f "$NAME" >/dev/null; fi
echo "no container $NAME on $(hostname)"
