# needs: base engine-api
# What `pulumi refresh` asks of a swarm worker (components/host_watch.py): prints its node's state
# in a swarm (`active` when all is well, `inactive` once it left); fails when the engine does not
# answer.
# Settings: STACK_ID.
: "${STACK_ID:?}"
engine_answers || fail "$(hostname): the Docker engine does not answer: cannot tell its swarm state"
docker info --format '{{.Swarm.LocalNodeState}}'
