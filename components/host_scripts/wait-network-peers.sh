# needs: base waits
# Wait until this engine's network database (swarm mode: how the engines on an overlay learn of
# each other and of each other's containers there) lists every engine of PEERS on the network
# NETWORK, each with a container there (`docker network inspect --verbose`: .Peers, and the
# .Services tasks' "Host IP"). One the others have not heard of is cut off from them both ways, by
# address and by name, until they do: memberlist's push/pull and the tables' sync, each every 30 s,
# later on a busy machine (docs/design.md). Each engine runs it once every probe is attached.
# Settings: NETWORK (name), PEERS (the engines' advertise addresses, this one's too).
# Waits (settings, in seconds): NETWORK_PEERS_WAIT_S (90).
: "${NETWORK:?}" "${PEERS:?}"
missing_peers() {
  known=" $(docker network inspect --verbose "$NETWORK" --format \
    '{{range .Peers}}peer:{{.IP}} {{end}}{{range .Services}}{{range .Tasks}}container:{{index .Info "Host IP"}} {{end}}{{end}}') "
  for peer in $PEERS; do
    case "$known" in *" peer:$peer "*" container:$peer "*) ;; *) printf '%s ' "$peer" ;; esac
  done
}
no_peer_missing() { [ -z "$(missing_peers)" ]; }
wait_until "${NETWORK_PEERS_WAIT_S:-90}" "the gossip of $(hostname) to list every engine on $NETWORK" no_peer_missing ||
  fail "$(hostname) does not know $(missing_peers)on network $NETWORK, or their containers there: those engines cannot reach it, nor it them (make logs shows each engine's log)"
echo "$(hostname) knows every engine on $NETWORK and its container there"
