# needs: base record waits engine-api engine firewall keys tls
# How engines join, with a key-value store (Consul): the engine's cluster store and the engines'
# gossip (serf, port 7946), which tells each engine where the others' overlay endpoints are.
# libnetwork's serf joins once, one engine picked at random among those in the store, and tries
# again only when the set of engines changes: engines that join together can pick each other and
# form an island that never meets the rest. So:
#  1. Consul has a leader first: the engines' command waits for the keystore's URL, which resolves
#     once wait-consul-leader.sh has seen a leader. An engine that joins before that registers, but
#     can miss the others' gossip for good.
#  2. The first engine joins alone (no JOIN_THROUGH).
#  3. Every other engine (JOIN_THROUGH: the first engine, ADDRESS:PORT as under docker/nodes/) waits
#     for the first engine's key multihost/in-gossip/ADDRESS:PORT in Consul, with a blocking query
#     (wait_for_key: hosts waiting together do not each ask twenty times a second). Then, until it
#     has met the gossip, its host sends its serf joins (TCP to port 7946) to the stack's other
#     engines (PEERS) to the first engine instead, through NAT rules (gossip_join_rule), whichever
#     engine it picked; the first engine hands over every member it knows, so all engines but the
#     first join at once and meet the one gossip. No other connection of the host is touched.
#  4. Every engine's host drops the resets it would send from port 7946 (serf_reset_rule, put in
#     by ensure-engine.sh and configure-engine.sh, taken out by restore-host.sh where the stack put
#     it in): an engine is in the store a moment before its
#     serf listens, and a join answered then with a reset can leave the joiner alone for good;
#     without the reset the joiner sends its SYN again a second later, when serf listens.
#  5. An engine without a cluster store takes one on a configuration reload (SIGHUP, join_store):
#     no restart, its containers keep running, and a reload costs far less than a restart. An
#     engine already on a store whose daemon.json changed (another store, other settings) is
#     restarted, and so is an engine with a cluster store that ensure-engine.sh finds stopped:
#     restart_clustered_engine joins through the first engine (3), then restarts it.
#  6. wait-engine-joined.sh waits until the engine is registered and its serf listens (and, but on
#     the first engine, has met another engine), takes the NAT rule out, and writes the engine's
#     in-gossip key, for which the next engines wait (3). join_store first deletes the engine's own
#     key: until it is in the gossip again, no engine joins through it. deconfigure-engine.sh takes
#     both rules out.
# Settings: CONSUL_HTTP (the store, https://ADDRESS:8501, asked as this engine: lib/tls.sh), CLUSTER_STORE, NODE (this engine as under docker/nodes/),
# JOIN_THROUGH, PEERS (the addresses of the engines but this one and the first); waits (in seconds): FIRST_ENGINE_WAIT_S (120), STORE_RELOAD_WAIT_S (10).

SERF_PORT=7946
serf_listens() { ss -Hltn "sport = :$SERF_PORT" | grep -q .; }

# The resets of port 7946 dropped (4).
serf_reset_rule() { echo "OUTPUT -p tcp --sport $SERF_PORT --tcp-flags RST RST -j DROP"; }
quiet_serf_port() {
  firewall -C $(serf_reset_rule) 2>/dev/null || { firewall -I $(serf_reset_rule) && remember serf-reset-rule added; }
}
# Out again, where the stack put it in.
unquiet_serf_port() {
  if recalled serf-reset-rule >/dev/null; then firewall -D $(serf_reset_rule) 2>/dev/null || true; fi
  forget serf-reset-rule
}

# engine_registered NODE: the engine advertised as NODE (ADDRESS:PORT) is registered in the store
# (CONSUL_HTTP), under docker/nodes/ as every engine of the cluster is.
engine_registered() { consul_curl -fsS "$CONSUL_HTTP/v1/kv/docker/nodes/$1"; }

# The key that says an engine is in the gossip (3, 6).
in_gossip_key() { echo "$CONSUL_HTTP/v1/kv/multihost/in-gossip/$1"; }
wait_for_first_engine() {
  [ -n "${JOIN_THROUGH:-}" ] || return 0
  wait_for_key "${FIRST_ENGINE_WAIT_S:-120}" "the first engine ($JOIN_THROUGH), through which the one on $(hostname) joins the gossip, to be in the gossip" \
    "$(in_gossip_key "$JOIN_THROUGH")"
}

# wait_for_key SECONDS WHAT URL: wait until Consul holds the key at URL, at most SECONDS. Consul
# answers a blocking query (?index=N) once the key, or a key near it, changes after index N.
wait_for_key() {
  limit=$1 what=$2 url=$3 index=0 since=$(date +%s)
  while :; do
    left=$((since + limit - $(date +%s)))
    [ "$left" -gt 0 ] || { echo "error: timed out after ${limit}s waiting for $what" >&2; return 1; }
    headers=$(consul_curl -sS -o /dev/null -D - --max-time $((left + 2)) "$url?index=$index&wait=${left}s" | tr -d '\r') || true
    case "$headers" in "HTTP/"*" 200"*) return 0 ;; esac
    index=$(echo "$headers" | sed -n 's/^X-Consul-Index: *\([0-9]*\)$/\1/Ip')
    # No answer from Consul: ask again shortly.
    [ -n "$index" ] || { index=0; sleep 0.2; }
  done
}
# gossip_join_rule FIRST PEER: the NAT rule that sends this engine's serf joins to PEER to the
# first engine instead (3).
gossip_join_rule() {
  echo "OUTPUT -p tcp -d $2 --dport $SERF_PORT -m comment --comment multihost-gossip-join -j DNAT --to-destination $1"
}
# Wait until the first engine is in the gossip, then send this engine's gossip joins to it.
join_gossip_through_first_engine() {
  [ -n "${JOIN_THROUGH:-}" ] || return 0
  wait_for_first_engine
  for peer in ${PEERS:-}; do
    firewall -t nat -C $(gossip_join_rule "${JOIN_THROUGH%:*}" "$peer") 2>/dev/null ||
      firewall -t nat -I $(gossip_join_rule "${JOIN_THROUGH%:*}" "$peer")
  done
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
# daemon.json now says, once the first engine is in the gossip: by a reload, or a restart (5).
join_store() {
  running_store=$(engine_cluster_store)
  if [ "$1" = no ] && [ "$running_store" = "$CLUSTER_STORE" ]; then return 0; fi
  # Until it is in the gossip again, no engine joins through it.
  consul_curl -fsS -X DELETE "$(in_gossip_key "$NODE")" >/dev/null 2>&1 || true
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
# starts once the first engine is in the gossip, and joins through it (5).
restart_clustered_engine() {
  if grep -q '"cluster-store"' /etc/docker/daemon.json 2>/dev/null; then join_gossip_through_first_engine; fi
  restart_engine
}
