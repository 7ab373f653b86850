# needs: waits engine-api engine firewall
# How engines clustered through a key-value store (Consul) join it and the engines' gossip.
# Waits (settings, in seconds): FIRST_ENGINE_WAIT_S (120),
# STORE_RELOAD_WAIT_S (10).

# The engines' gossip (serf), with a key-value store.
SERF_PORT=7946
serf_listens() { ss -Hltn "sport = :$SERF_PORT" | grep -q .; }

# The engines' gossip (serf, with a key-value store) joins one neighbour named by the store, and
# tries again only when the set of engines changes. An engine is in the store a moment before its
# serf listens; asked then, its host answers the join with a reset and the joiner can stay alone for
# good (seen: engines started together, one of them losing every ping). Without that reset the
# joiner sends its SYN again a second later, by when serf listens, and the join succeeds.
# deconfigure-engine.sh takes the rule out again.
serf_reset_rule() { echo "OUTPUT -p tcp --sport $SERF_PORT --tcp-flags RST RST -j DROP"; }
quiet_serf_port() { firewall -C $(serf_reset_rule) 2>/dev/null || firewall -I $(serf_reset_rule); }

# engine_registered NODE: the engine advertised as NODE (ADDRESS:PORT) is registered in the store
# (CONSUL_HTTP), under docker/nodes/ as every engine of the cluster is.
engine_registered() { curl -fsS "$CONSUL_HTTP/v1/kv/docker/nodes/$1"; }

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
  wait_for_key "${FIRST_ENGINE_WAIT_S:-120}" "the first engine ($JOIN_THROUGH), through which the one on $(hostname) joins the gossip, to be in the gossip" \
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
    restart_clustered_engine
    return
  fi
  join_gossip_through_first_engine
  reload_engine
  wait_until "${STORE_RELOAD_WAIT_S:-10}" "the engine on $(hostname) to take cluster store $CLUSTER_STORE on a reload" engine_uses_wanted_store || {
    engine_log | tail -n 20 >&2
    exit 1
  }
}

# restart_engine, for an engine that may have a cluster store in its daemon.json: one that has
# starts once the first engine is in the gossip, and joins through it.
restart_clustered_engine() {
  if grep -q '"cluster-store"' /etc/docker/daemon.json 2>/dev/null; then join_gossip_through_first_engine; fi
  restart_engine
}
