# Wait until this engine's gossip (serf: how engines clustered through a key-value store find each
# other's overlay endpoints) has met every engine. libnetwork joins a neighbour when the store
# tells it of one; if that neighbour was not listening yet, it tries again only when the set of
# engines changes. Engines started together can so stay alone for good (seen here: one engine of
# 4 or of 8, its probe losing every ping). Restarting such an engine makes it join the others, who
# listen by now. Settings: ENGINES (the names of all the engines, this one included).
: "${ENGINES:?}"
not_met() {
  met=$(engine_log | sed -n 's/.*serf: EventMemberJoin: \([^ ]*\) .*/\1/p' | sort -u)
  for engine in $ENGINES; do echo "$met" | grep -qx "$engine" || echo "$engine"; done
}
met_all() { [ -z "$(not_met)" ]; }
count=$(echo $ENGINES | wc -w)
if ! wait_until 5 "the gossip of $(hostname) to meet all $count engines" met_all 2>/dev/null; then
  echo "$(hostname) has not met $(not_met | paste -sd' '): restarting its engine to join again" >&2
  restart_engine
  wait_until 30 "the gossip of $(hostname) to meet $(not_met | paste -sd' ') after a restart" met_all
fi
echo "$(hostname) gossips with all $count engines"
