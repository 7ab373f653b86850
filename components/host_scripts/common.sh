# Shared helpers for the host scripts. The program sends `common.sh` followed by one script and
# the script's settings over SSH; by hand: `HOST_NAME=x sh -c "$(cat common.sh ensure-engine.sh)"`.
set -eu

# The engines' gossip (serf), with a key-value store.
SERF_PORT=7946

fail() { echo "error: $*" >&2; exit 1; }

# wait_until SECONDS WHAT COMMAND...: run COMMAND until it succeeds, at most SECONDS: twenty times
# a second for the first second (most waits are that short, and some wait on others),
# then five times a second.
wait_until() {
  limit=$1 what=$2 waited=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$waited" -lt "$((limit * 20))" ] || { echo "error: timed out after ${limit}s waiting for $what" >&2; return 1; }
    # waited: in twentieths of a second.
    if [ "$waited" -lt 20 ]; then sleep 0.05; waited=$((waited + 1)); else sleep 0.2; waited=$((waited + 4)); fi
  done
}

# engine_api PATH: GET from the local engine's API through its socket. The waits ask up to twenty
# times a second, and curl costs a tenth of the CPU of a `docker` command (whose start alone took
# 70 ms here): with eight hosts waiting at once, the docker CLI took most of two cores.
engine_api() { curl -fsS --max-time 2 --unix-socket /var/run/docker.sock "http://localhost$1"; }
engine_answers() { engine_api /_ping >/dev/null 2>&1; }

# iptables waits for the xtables lock (at most 30 s): with the legacy backend a call made while the
# engine changes its own rules otherwise fails at once (exit 4, "holding the xtables lock").
firewall() { iptables -w 30 "$@"; }

# The engines' gossip (serf, with a key-value store) joins one neighbour named by the store, and
# tries again only when the set of engines changes. An engine is in the store a moment before its
# serf listens; asked then, its host answers the join with a reset and the joiner can stay alone for
# good (seen: engines started together, one of them losing every ping). Without that reset the
# joiner sends its SYN again a second later, by when serf listens, and the join succeeds.
# deconfigure-engine.sh takes the rule out again.
serf_reset_rule() { echo "OUTPUT -p tcp --sport $SERF_PORT --tcp-flags RST RST -j DROP"; }
quiet_serf_port() { firewall -C $(serf_reset_rule) 2>/dev/null || firewall -I $(serf_reset_rule); }

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

# run_container NAME ARGS...: `docker run -d --name NAME ARGS...`, unless a container NAME already
# runs with the same ARGS (kept in its label multihost.run): run again, nothing changes; with other
# ARGS, the container is replaced. A container NAME this program did not make is left alone.
run_container() {
  name=$1
  shift
  current=
  # Asked through the API first: on a first `up` there is no such container, and the API says so
  # for a fifth of the CPU of starting the docker CLI (on every host at once).
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

# Two engines with one hostname break the overlay (serf: "Node name conflicts"): each host gets its
# own, before its engine (re)starts.
set_hostname() {
  if [ "$(hostname)" != "$1" ]; then
    hostname "$1"
    echo "$1" >/etc/hostname
  fi
}

# The installed engine's version (20.10.5), from dockerd itself: it answers when not running.
engine_version() { dockerd --version | sed -n 's/^Docker version \([0-9][0-9.]*\).*/\1/p'; }
# The running engine's version, from its API: a tenth of the CPU of starting dockerd to ask it.
running_engine_version() {
  engine_api /version | sed -n 's/.*"Version":"\([0-9][0-9.]*\)[^"]*","ApiVersion".*/\1/p'
}

# check_engine_line VERSION LINE CONTROL_PLANE: refuse an engine outside the configured line, and
# for kv any engine from 23.0 on (no cluster store there: it would not even start with one).
check_engine_line() {
  case "$3:${1%%.*}" in
    kv:2[3-9]|kv:[3-9][0-9])
      fail "Docker Engine $1 on $(hostname) is 23.0 or newer, which removed --cluster-store/--cluster-advertise; install the $2 line, or use controlPlane swarm" ;;
  esac
  case "$1" in
    "$2".*) ;;
    *) fail "Docker Engine $1 on $(hostname) is outside the pinned $2 line" ;;
  esac
}

# engine_registered NODE: the engine advertised as NODE (ADDRESS:PORT) is registered in the store
# (CONSUL_HTTP), under docker/nodes/ as every engine of the cluster is.
engine_registered() { curl -fsS "$CONSUL_HTTP/v1/kv/docker/nodes/$1"; }

# What the engine's gossip (serf) has met since the engine last started, itself included: serf logs
# `EventMemberJoin: NAME` for each member.
gossip_members() { engine_log | sed -n 's/.*serf: EventMemberJoin: \([^ ]*\) .*/\1/p'; }
gossip_met_another() { gossip_members | grep -qvx "$(hostname)"; }
serf_listens() { ss -Hltn "sport = :$SERF_PORT" | grep -q .; }

# libnetwork's gossip (serf, with a key-value store) joins once: one engine picked at random among
# those in the store when it first looks. Engines that join together can pick each other and form an
# island that never meets the rest (seen with 8 engines: two islands of 4, every ping between them
# lost). So the first engine joins alone, and every other engine joins through it: it starts once
# the first engine is in the gossip (which that engine's host says in the store:
# wait-engine-joined.sh), and until it has met the gossip its host sends its gossip's joins (TCP to
# port 7946) to the first engine, whichever engine it picked. All engines but the first join at
# once, and each meets the one gossip (the first engine hands over every member it knows).
# JOIN_THROUGH: the first engine as registered under docker/nodes/ (ADDRESS:PORT), empty on the
# first engine itself; CONSUL_HTTP: the store.
in_gossip_key() { echo "$CONSUL_HTTP/v1/kv/multihost/in-gossip/$1"; }
wait_for_first_engine() {
  [ -n "${JOIN_THROUGH:-}" ] || return 0
  wait_for_key 120 "the first engine ($JOIN_THROUGH), through which the one on $(hostname) joins the gossip, to be in the gossip" \
    "$(in_gossip_key "$JOIN_THROUGH")"
}

# wait_for_key SECONDS WHAT URL: wait until Consul holds the key at URL, at most SECONDS. Consul
# answers a blocking query (?index=N) once the key, or a key near it, changes after index N: every
# engine host waits for the first engine at once, and asking twenty times a second ran curl
# hundreds of times.
wait_for_key() {
  limit=$1 what=$2 url=$3 index=0 since=$(date +%s)
  while :; do
    left=$((since + limit - $(date +%s)))
    [ "$left" -gt 0 ] || { echo "error: timed out after ${limit}s waiting for $what" >&2; return 1; }
    headers=$(curl -sS -o /dev/null -D - --max-time $((left + 2)) "$url?index=$index&wait=${left}s" | tr -d '\r') || true
    case "$headers" in "HTTP/"*" 200"*) return 0 ;; esac
    index=$(echo "$headers" | sed -n 's/^X-Consul-Index: *\([0-9]*\)$/\1/Ip')
    # No answer from Consul: ask again shortly.
    [ -n "$index" ] || { index=0; sleep 0.2; }
  done
}
gossip_join_rule() {
  echo "OUTPUT -p tcp --dport $SERF_PORT -m comment --comment multihost-gossip-join -j DNAT --to-destination $1"
}
# Wait until the first engine is in the gossip, then send this engine's gossip joins to it.
join_gossip_through_first_engine() {
  [ -n "${JOIN_THROUGH:-}" ] || return 0
  wait_for_first_engine
  firewall -t nat -C $(gossip_join_rule "${JOIN_THROUGH%:*}") 2>/dev/null ||
    firewall -t nat -I $(gossip_join_rule "${JOIN_THROUGH%:*}")
}
# Once the engine has met the gossip, its gossip talks to every member directly again.
stop_joining_through_first_engine() {
  firewall -t nat -S OUTPUT 2>/dev/null | grep -e '--comment multihost-gossip-join' | sed 's/^-A //' |
    while read -r rule; do firewall -t nat -D $rule; done
}

# The cluster store the running engine uses; empty when it uses none.
engine_cluster_store() { engine_api /info | sed -n 's/.*"ClusterStore":"\([^"]*\)".*/\1/p'; }
engine_uses_wanted_store() { [ "$(engine_cluster_store)" = "$CLUSTER_STORE" ]; }

# join_store DAEMON_JSON_CHANGED (yes/no): have the running engine use CLUSTER_STORE, as its
# daemon.json now says, once the first engine is in the gossip. An engine without a store takes
# one on a configuration reload (SIGHUP): no restart, its containers keep running, and it joins in
# milliseconds where a restart takes a second of CPU. An engine on another store, or with other
# settings, is restarted.
join_store() {
  running_store=$(engine_cluster_store)
  if [ "$1" = no ] && [ "$running_store" = "$CLUSTER_STORE" ]; then return 0; fi
  # Until it is in the gossip again, no engine joins through it.
  curl -fsS -X DELETE "$(in_gossip_key "$NODE")" >/dev/null 2>&1 || true
  if [ -n "$running_store" ]; then
    restart_engine
    return
  fi
  join_gossip_through_first_engine
  reload_engine
  wait_until 10 "the engine on $(hostname) to take cluster store $CLUSTER_STORE on a reload" engine_uses_wanted_store || {
    engine_log | tail -n 20 >&2
    exit 1
  }
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
# used as hosts have no init system). An engine with a cluster store in its daemon.json starts once
# the first engine is in the gossip, and joins through it (above).
restart_engine() {
  if grep -q '"cluster-store"' /etc/docker/daemon.json 2>/dev/null; then join_gossip_through_first_engine; fi
  if systemd_runs; then
    systemctl restart docker
  else
    if [ -s /var/run/docker.pid ] && kill "$(cat /var/run/docker.pid)" 2>/dev/null; then
      wait_until 30 "the old dockerd to exit" sh -c '! [ -s /var/run/docker.pid ]'
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
  wait_until 60 "the Docker engine on $(hostname) to answer" engine_answers || {
    tail -n 20 /var/log/dockerd.log 2>/dev/null >&2 || journalctl -u docker -n 20 >&2 || true
    exit 1
  }
}
