# Wait until this engine is registered in the cluster store under docker/nodes/.
# Settings: CONSUL_HTTP (http://ADDRESS:8500), NODE (ADDRESS:2376 as advertised).
: "${CONSUL_HTTP:?}" "${NODE:?}"
wait_until 60 "engine $NODE to register in Consul" curl -fsS "$CONSUL_HTTP/v1/kv/docker/nodes/$NODE"
echo "registered: docker/nodes/$NODE"
