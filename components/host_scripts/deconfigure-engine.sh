# needs: base waits engine-api engine firewall kv-join
# Undo configure-engine.sh: put back the engine's own daemon.json and restart it.
# Settings: none but the waits (in seconds): ENGINE_START_WAIT_S (60), ENGINE_EXIT_WAIT_S (30).
if [ -e /etc/docker/daemon.json.multihost-orig ]; then
  mv /etc/docker/daemon.json.multihost-orig /etc/docker/daemon.json
  # A plain restart: the engine leaves the store and joins nothing (this command has no JOIN_THROUGH).
  restart_engine
fi
firewall -D $(serf_reset_rule) 2>/dev/null || true
stop_joining_through_first_engine
