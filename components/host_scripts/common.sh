# Shared helpers for the host scripts. The program sends `common.sh` followed by one script and
# the script's settings over SSH; by hand: `HOST_NAME=x sh -c "$(cat common.sh ensure-engine.sh)"`.
set -eu

fail() { echo "error: $*" >&2; exit 1; }

# wait_until SECONDS WHAT COMMAND...: run COMMAND five times a second until it succeeds, at most
# SECONDS.
wait_until() {
  limit=$1 what=$2 tries=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$tries" -lt "$((limit * 5))" ] || { echo "error: timed out after ${limit}s waiting for $what" >&2; return 1; }
    sleep 0.2
    tries=$((tries + 1))
  done
}

engine_answers() { docker info >/dev/null 2>&1; }

# Start or restart dockerd: through systemd where it runs, else as a detached daemon (containers
# used as hosts have no init system).
restart_engine() {
  if [ -d /run/systemd/system ]; then
    systemctl restart docker
  else
    if [ -s /var/run/docker.pid ] && kill "$(cat /var/run/docker.pid)" 2>/dev/null; then
      wait_until 30 "the old dockerd to exit" sh -c '! [ -s /var/run/docker.pid ]'
    fi
    # Engines from 26.0 on try to turn IPv6 off on each bridge they make, which a container used
    # as a host cannot do ("failed to disable IPv6 on container's interface br0"); this lets them
    # go on. Older engines ignore it.
    DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1 setsid nohup dockerd >>/var/log/dockerd.log 2>&1 </dev/null &
  fi
  wait_until 60 "the Docker engine on $(hostname) to answer" engine_answers || {
    tail -n 20 /var/log/dockerd.log 2>/dev/null >&2 || journalctl -u docker -n 20 >&2 || true
    exit 1
  }
}
