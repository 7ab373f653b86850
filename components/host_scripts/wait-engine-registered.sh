# Check that the engine uses the cluster store, then wait until it is registered under docker/nodes/.
# Settings: CLUSTER_STORE (consul://ADDRESS:8500), CONSUL_HTTP (http://ADDRESS:8500), NODE (ADDRESS:2376
# as advertised).
: "${CLUSTER_STORE:?}" "${CONSUL_HTTP:?}" "${NODE:?}"
store=$(docker info --format '{{.ClusterStore}}')
[ "$store" = "$CLUSTER_STORE" ] || fail "engine on $(hostname) reports cluster store '$store', expected $CLUSTER_STORE"
wait_until 60 "engine $NODE to register in Consul" engine_registered "$NODE"
echo "registered: docker/nodes/$NODE"
