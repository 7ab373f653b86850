# needs: base engine-api
# What `pulumi refresh` asks of a clustered engine (components/host_watch.py): prints the cluster
# store it uses (`consul://ADDRESS:8501` when all is well; nothing when its setting was reverted);
# fails when the engine does not answer.
# Settings: STACK_ID.
: "${STACK_ID:?}"
engine_answers || fail "$(hostname): the Docker engine does not answer: cannot tell its cluster store"
docker info --format '{{.ClusterStore}}'
