# needs: base engine-api
# What `pulumi refresh` asks of a container the stack runs (components/host_watch.py): prints
# whether it runs and whose it is, and with NETWORK whether it is attached to it: `true STACK_ID`
# (`true STACK_ID NETWORK`) when all is well; exits 3 when there is no such container; fails when
# the engine does not answer (that is not "gone").
# Settings: STACK_ID, NAME, NETWORK (optional: the network it must be on).
: "${STACK_ID:?}" "${NAME:?}" "${NETWORK=}"
engine_answers || fail "$(hostname): the Docker engine does not answer: cannot tell whether container $NAME is there"
engine_api "/containers/$NAME/json" >/dev/null 2>&1 || exit 3
attached=
[ -z "$NETWORK" ] || attached="{{if index .NetworkSettings.Networks \"$NETWORK\"}} $NETWORK{{end}}"
docker inspect --format "{{.State.Running}} {{index .Config.Labels \"$STACK_ID_LABEL\"}}$attached" "$NAME"
