# needs: waits engine-api
# The running engine: its log, a configuration reload, a (re)start.
# Waits (settings, in seconds): ENGINE_START_WAIT_S (60),
# ENGINE_EXIT_WAIT_S (30: without systemd, for the old dockerd to exit).

# Hosts with systemd run dockerd as its docker.service; containers used as hosts have no init
# system.
systemd_runs() { [ -d /run/systemd/system ]; }

# What the running engine has logged since it last started: systemd's journal, or where there is
# no systemd the file restart_engine writes.
engine_log() {
  if systemd_runs; then
    journalctl -u docker -o cat _SYSTEMD_INVOCATION_ID="$(systemctl show -p InvocationID --value docker)"
  else
    sed -n '/Starting up/h; /Starting up/!H; ${x;p}' /var/log/dockerd.log 2>/dev/null
  fi
}

# Have dockerd read its daemon.json again (SIGHUP), through systemd where it runs.
reload_engine() {
  if systemd_runs; then
    systemctl kill --kill-who=main --signal=HUP docker
  else
    kill -HUP "$(cat /var/run/docker.pid)"
  fi
}

# Start or restart dockerd: through systemd where it runs, else as a detached daemon (containers
# used as hosts have no init system). An engine that may have a cluster store in its daemon.json
# restarts with restart_clustered_engine (kv-join.sh), which joins the gossip first.
restart_engine() {
  if systemd_runs; then
    systemctl restart docker
  else
    if [ -s /var/run/docker.pid ] && kill "$(cat /var/run/docker.pid)" 2>/dev/null; then
      wait_until "${ENGINE_EXIT_WAIT_S:-30}" "the old dockerd to exit" sh -c '! [ -s /var/run/docker.pid ]'
    fi
    # Engines from 26.0 on try to turn IPv6 off on each bridge they make, which a container used
    # as a host cannot do ("failed to disable IPv6 on container's interface br0"); this lets them
    # go on. Older engines ignore it. /etc/default/docker: the engine's environment, as Debian's
    # /etc/init.d/docker reads it.
    (
      if [ -r /etc/default/docker ]; then . /etc/default/docker; fi
      DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1 exec setsid nohup dockerd >>/var/log/dockerd.log 2>&1 </dev/null
    ) &
  fi
  wait_until "${ENGINE_START_WAIT_S:-60}" "the Docker engine on $(hostname) to answer" engine_answers || {
    tail -n 20 /var/log/dockerd.log 2>/dev/null >&2 || journalctl -u docker -n 20 >&2 || true
    exit 1
  }
}

# The threads of dockerd in a network namespace that is neither the host's nor one of its
# sandboxes' (/var/run/docker/netns/*): libnetwork 20.10 leaves a thread in the namespace of an
# overlay sandbox it removes (the overlay driver's watchMiss; moby/moby#39036), and whatever the
# engine dials from that thread fails with "network is unreachable": its store, its gossip.
engine_stray_threads() {
  pid=$(cat /var/run/docker.pid 2>/dev/null) || return 0
  known=$(readlink /proc/1/ns/net; for ns in /var/run/docker/netns/*; do
    if [ -e "$ns" ]; then echo "net:[$(stat -L -c %i "$ns")]"; fi; done)
  for task in /proc/"$pid"/task/*; do
    ns=$(readlink "$task/ns/net" 2>/dev/null) || continue
    echo "$known" | grep -qxF "$ns" || echo "${task##*/}"
  done
}
engine_has_no_stray_thread() { [ -z "$(engine_stray_threads)" ]; }
