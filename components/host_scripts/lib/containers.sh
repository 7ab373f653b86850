# needs: base engine-api
# run_container NAME ARGS...: `docker run -d --name NAME ARGS...`, labelled with the stack's
# identity (STACK_ID) and ARGS, unless the stack's container NAME already runs with the same ARGS:
# run again, nothing changes; with other ARGS, it is replaced. A container NAME that is not this
# stack's is left alone, and the command fails naming it.
run_container() {
  name=$1
  shift
  current=
  # Asked through the API first: on a first `up` there is no such container, and the API says so
  # for less CPU than starting the docker CLI (on every host at once).
  if engine_api "/containers/$name/json" >/dev/null 2>&1; then
    current=$(docker inspect --format "{{.State.Running}} {{index .Config.Labels \"$STACK_ID_LABEL\"}} {{index .Config.Labels \"multihost.run\"}}" "$name" 2>/dev/null || true)
  fi
  [ "$current" = "true ${STACK_ID:?} $*" ] && return 0
  case "$current" in
    "") ;;
    "true $STACK_ID "* | "false $STACK_ID "*) docker rm -f "$name" >/dev/null ;;
    *) fail "a container named $name that is not this stack's is on $(hostname) (its $STACK_ID_LABEL label: '$(echo "$current" | cut -d' ' -f2)'): remove or rename it, or use another host" ;;
  esac
  docker run -d --name "$name" --label "$STACK_ID_LABEL=$STACK_ID" --label "multihost.run=$*" "$@" >/dev/null
  CONTAINER_MADE=$name
}
