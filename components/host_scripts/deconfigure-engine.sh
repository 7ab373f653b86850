# Undo configure-engine.sh: put back the engine's own daemon.json and restart it.
if [ -e /etc/docker/daemon.json.multihost-orig ]; then
  mv /etc/docker/daemon.json.multihost-orig /etc/docker/daemon.json
  restart_engine
fi
firewall -D $(serf_reset_rule) 2>/dev/null || true
stop_joining_through_first_engine
