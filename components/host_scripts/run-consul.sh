# needs: base engine-api containers
# Run the Consul server from IMAGE (already on the engine), as `docker run -h consul progrium/consul
# -server -bootstrap` did: a single server that elects itself, with the UI, on the host's network,
# bound to its underlay ADDRESS and answering clients on every interface, restarted with the
# engine. Raft at its production timing (multiplier 1, not the default 5): it elects itself several
# times sooner.
# Settings: NAME (the container's), IMAGE, ADDRESS (underlay address), HOST_NAME.
: "${NAME:?}" "${IMAGE:?}" "${ADDRESS:?}" "${HOST_NAME:?}"
run_container "$NAME" --hostname "$HOST_NAME" --network host --restart unless-stopped "$IMAGE" \
  agent -server -bootstrap -ui -client=0.0.0.0 -bind="$ADDRESS" -data-dir=/consul/data \
  -hcl='performance { raft_multiplier = 1 }'
echo "consul runs on $(hostname), bound to $ADDRESS"
