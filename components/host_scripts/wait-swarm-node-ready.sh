# needs: base waits engine-api
# On the swarm manager: wait until it sees the node NODE (a worker that has just joined) as ready.
# Until then the manager cannot place that worker's attachments to the overlay: a container started
# on it before then fails with "attaching to network failed ... context deadline exceeded".
# Settings: NODE (the node's hostname).
# Waits (settings, in seconds): NODE_READY_WAIT_S (60).
: "${NODE:?}"
node_ready() { engine_api "/nodes/$NODE" | grep -q '"State":"ready"'; }
wait_until "${NODE_READY_WAIT_S:-60}" "the swarm manager to see node $NODE as ready" node_ready
echo "$(hostname) sees $NODE ready"
