# Undo configure-engine.sh: put back the engine's own daemon.json and restart it.
if [ -e /etc/docker/daemon.json.multihost-orig ]; then
  mv /etc/docker/daemon.json.multihost-orig /etc/docker/daemon.json
  restart_engine
fi
iptables -D OUTPUT -p tcp --sport "$SERF_PORT" --tcp-flags RST RST -j DROP 2>/dev/null || true
