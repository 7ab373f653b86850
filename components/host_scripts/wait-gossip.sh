# needs: base waits engine-api engine gossip
# Wait until this engine's gossip (serf: how engines clustered through a key-value store find each
# other's overlay endpoints) has met another engine. An engine left alone stays alone: libnetwork
# joins one neighbour named by the store, and tries again only when the set of engines changes
# (engines joining through the first one, lib/kv-join.sh, makes that rare). Restarting it makes it
# join the others, who listen by now.
# Its log is what tells: serf logs `EventMemberJoin: NAME` for the members it meets (not always
# every member of a busy cluster, so meeting one other engine is what is asked).
# An engine with a thread stranded in the network namespace of an overlay sandbox it removed
# (lib/engine.sh, engine_stray_threads: after its last container on the network went) is restarted
# first: it no longer reliably reaches its store or its peers, and a container attached anew can
# miss the others' names. A thread only passing through a namespace leaves within STRAY_THREAD_WAIT_S.
# Settings: ENGINES (the names of all the engines, this one included).
# Waits (settings, in seconds): STRAY_THREAD_WAIT_S (2), GOSSIP_WAIT_S (10), GOSSIP_RESTART_WAIT_S (30),
# ENGINE_START_WAIT_S (60), ENGINE_EXIT_WAIT_S (30).
: "${ENGINES:?}"
if ! wait_until "${STRAY_THREAD_WAIT_S:-2}" "the engine's threads to leave removed network namespaces" \
  engine_has_no_stray_thread 2>/dev/null; then
  note "$(hostname): the engine has a thread in a removed network namespace (moby/moby#39036): restarting it (its containers without a restart policy stay stopped)"
  restart_engine
fi
met_another() {
  gossip_members | grep -vx "$(hostname)" | grep -qxF "$(echo $ENGINES | tr ' ' '\n')"
}
if ! wait_until "${GOSSIP_WAIT_S:-10}" "the gossip of $(hostname) to meet another engine" met_another 2>/dev/null; then
  echo "$(hostname) has met no other engine: restarting its engine to join again" >&2
  # A plain restart: the other engines listen by now (this command has no JOIN_THROUGH).
  restart_engine
  wait_until "${GOSSIP_RESTART_WAIT_S:-30}" "the gossip of $(hostname) to meet another engine after a restart" met_another
fi
echo "$(hostname) gossips with the other engines"
