# needs: base record waits engine-api engine firewall keys tls kv-join daemon-json
# Undo configure-engine.sh: the stack's keys out of the engine's daemon.json again, where they still
# hold what it wrote (lib/daemon-json.sh), and the engine off the cluster store.
# Settings: STACK_ID; waits (in seconds): ENGINE_START_WAIT_S (60), ENGINE_EXIT_WAIT_S (30).
changed=$(undo_daemon_json)
# What an earlier docker-multihost kept: the whole file as it was.
if [ -e /etc/docker/daemon.json.multihost-orig ]; then
  mv /etc/docker/daemon.json.multihost-orig /etc/docker/daemon.json
  changed=yes
fi
if [ "$changed" = yes ] && [ -n "$(engine_cluster_store)" ]; then
  # dockerd 20.10 takes a cluster store on a reload but does not leave one: only a restart does.
  note "$(hostname): restarting the Docker engine to leave the cluster store (its containers restart with it unless live-restore is on)"
  # A plain restart: the engine leaves the store and joins nothing (this command has no JOIN_THROUGH).
  restart_engine
fi
stop_joining_through_first_engine
