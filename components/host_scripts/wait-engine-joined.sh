# needs: base record waits engine-api engine firewall keys tls kv-join gossip
# Wait until the engine has joined the cluster: it uses the cluster store, is registered under
# docker/nodes/, and is in the engines' gossip; then say so in the store, where the other engines
# wait for the first one before joining (how engines join: lib/kv-join.sh, 6). In the gossip: its
# serf listens, and, for every engine but the first (which has nobody to meet yet), it has met
# another engine; from then on its gossip's joins go where they are sent again.
# Settings: CLUSTER_STORE (consul://ADDRESS:8501), CONSUL_HTTP (https://ADDRESS:8501), NODE (ADDRESS:2376
# as advertised), JOIN_THROUGH (the first engine; none on the first).
# Waits (settings, in seconds): ENGINE_REGISTER_WAIT_S (60), SERF_LISTEN_WAIT_S (30),
# GOSSIP_JOIN_WAIT_S (30).
: "${CLUSTER_STORE:?}" "${CONSUL_HTTP:?}" "${NODE:?}"
store=$(engine_cluster_store)
[ "$store" = "$CLUSTER_STORE" ] || fail "engine on $(hostname) reports cluster store '$store', expected $CLUSTER_STORE"
wait_until "${ENGINE_REGISTER_WAIT_S:-60}" "engine $NODE to register in Consul" engine_registered "$NODE"
wait_until "${SERF_LISTEN_WAIT_S:-30}" "the gossip of $(hostname) to listen on port $SERF_PORT" serf_listens
if [ -n "${JOIN_THROUGH:-}" ]; then
  wait_until "${GOSSIP_JOIN_WAIT_S:-30}" "the gossip of $(hostname) to meet the first engine's gossip" gossip_met_another
fi
stop_joining_through_first_engine
consul_curl -fsS -X PUT --data "$(hostname)" "$(in_gossip_key "$NODE")" >/dev/null
echo "joined: docker/nodes/$NODE, in the gossip"
