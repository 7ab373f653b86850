# needs: base record waits engine-api engine versions firewall keys tls kv-join daemon-json
# Point the running engine at the cluster store, in its turn (how engines join: lib/kv-join.sh).
# Runs after ensure-engine.sh, once Consul has a leader. Its keys are merged into the engine's
# daemon.json (lib/daemon-json.sh): the owner's other keys stay as they are.
# The engine reaches Consul over mutual TLS (its client certificate: lib/tls.sh); a new
# certificate restarts it, as libkv reads the files only when the engine starts.
# Settings: CLUSTER_STORE (consul://ADDRESS:8501), CLUSTER_ADVERTISE (IFACE:2376), ENGINE_LINE,
# CONSUL_HTTP (https://ADDRESS:8501), NODE (ADDRESS:2376 as advertised), JOIN_THROUGH (the first
# engine, on every other engine), PEERS (the other engines but the first), TLS_CA, TLS_CERT, TLS_KEY.
# Waits (settings, in seconds): STORE_RELOAD_WAIT_S (10), FIRST_ENGINE_WAIT_S (120),
# ENGINE_START_WAIT_S (60), ENGINE_EXIT_WAIT_S (30).
: "${CLUSTER_STORE:?}" "${CLUSTER_ADVERTISE:?}" "${ENGINE_LINE:?}" "${CONSUL_HTTP:?}" "${NODE:?}"
engine_answers || fail "the Docker engine on $(hostname) does not answer (ensure-engine.sh starts it)"
# An engine of another line would not take a cluster store (23.0+): refuse before touching it.
check_engine_line "$(running_engine_version)" "$ENGINE_LINE" kv
quiet_serf_port
tls_changed=$(install_tls engine)
changed=$(merge_daemon_json "$CLUSTER_STORE" "$CLUSTER_ADVERTISE" "$(tls_dir engine)")
[ "$tls_changed" = no ] || changed=yes
join_store "$changed"
echo "$(hostname): cluster-store=$CLUSTER_STORE cluster-advertise=$CLUSTER_ADVERTISE"
