# Wait until the engine has joined the cluster: it uses the cluster store, is registered under
# docker/nodes/, and is in the engines' gossip; then say so in the store, where the engine after it
# waits for that before joining (common.sh: wait_for_turn). In the gossip: its serf listens, and,
# for every engine but the first (which has nobody to meet yet), it has met an engine that joined
# before it.
# Settings: CLUSTER_STORE (consul://ADDRESS:8500), CONSUL_HTTP (http://ADDRESS:8500), NODE (ADDRESS:2376
# as advertised), START_AFTER (the engine that joins before this one; none for the first).
: "${CLUSTER_STORE:?}" "${CONSUL_HTTP:?}" "${NODE:?}"
store=$(engine_cluster_store)
[ "$store" = "$CLUSTER_STORE" ] || fail "engine on $(hostname) reports cluster store '$store', expected $CLUSTER_STORE"
wait_until 60 "engine $NODE to register in Consul" engine_registered "$NODE"
wait_until 30 "the gossip of $(hostname) to listen on port $SERF_PORT" serf_listens
if [ -n "${START_AFTER:-}" ]; then
  wait_until 30 "the gossip of $(hostname) to meet the engines that joined before it" gossip_met_another
fi
curl -fsS -X PUT --data "$(hostname)" "$(in_gossip_key "$NODE")" >/dev/null
echo "joined: docker/nodes/$NODE, in the gossip"
