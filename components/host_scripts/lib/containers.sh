# needs: base engine-api
# run_container NAME ARGS...: `docker run -d --name NAME ARGS...`, unless a container NAME already
# runs with the same ARGS (kept in its label multihost.run): run again, nothing changes; with other
# ARGS, the container is replaced. A container NAME this program did not make is left alone.
run_container() {
  name=$1
  shift
  current=
  # Asked through the API first: on a first `up` there is no such container, and the API says so
  # for less CPU than starting the docker CLI (on every host at once).
  if engine_api "/containers/$name/json" >/dev/null 2>&1; then
    current=$(docker inspect --format '{{.State.Running}} {{index .Config.Labels "multihost.run"}}' "$name" 2>/dev/null || true)
  fi
  [ "$current" = "true $*" ] && return 0
  case "$current" in
    "") ;;
    "true " | "false ") fail "a container named $name that docker-multihost did not make is on $(hostname): remove or rename it" ;;
    *) docker rm -f "$name" >/dev/null ;;
  esac
  docker run -d --name "$name" --label "multihost.run=$*" "$@" >/dev/null
}
