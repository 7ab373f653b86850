# needs: base waits
# Wait until the Consul server has elected a leader. Settings: CONSUL_HTTP (http://ADDRESS:8500).
# Waits (settings, in seconds): CONSUL_LEADER_WAIT_S (60).
: "${CONSUL_HTTP:?}"
has_leader() { curl -fsS "$CONSUL_HTTP/v1/status/leader" | grep -q ':[0-9]'; }  # "" until elected
wait_until "${CONSUL_LEADER_WAIT_S:-60}" "Consul at $CONSUL_HTTP to elect a leader" has_leader
echo "Consul leader: $(curl -fsS "$CONSUL_HTTP/v1/status/leader")"
