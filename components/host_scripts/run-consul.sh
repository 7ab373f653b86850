# needs: base record engine-api containers keys tls
# Run the Consul server from IMAGE (already on the engine), as `docker run -h consul progrium/consul
# -server -bootstrap` did: a single server that elects itself, with the UI, on the host's network.
# It answers HTTPS only, on the underlay ADDRESS, to clients with a certificate of the stack's CA
# (mutual TLS: lib/tls.sh); everything else (plain HTTP, DNS, its RPC and gossip) on 127.0.0.1 only,
# for this host's own scripts and an SSH tunnel. Restarted with the engine. Raft at its production
# timing (multiplier 1, not the default 5): it elects itself several times sooner.
# Settings: NAME (the container's), IMAGE, ADDRESS (underlay address), HOST_NAME, TLS_CA, TLS_CERT,
# TLS_KEY (Consul's server certificate and key).
: "${NAME:?}" "${IMAGE:?}" "${ADDRESS:?}" "${HOST_NAME:?}"
install_tls consul >/dev/null
tls=$(tls_dir consul)
# The certificate's digest is one of the container's settings: a new certificate restarts Consul.
run_container "$NAME" --hostname "$HOST_NAME" --network host --restart unless-stopped \
  --label "multihost.tls=$(sha256sum "$tls/cert.pem" | cut -c1-12)" -v "$tls:/consul/tls:ro" "$IMAGE" \
  agent -server -bootstrap -ui -client=127.0.0.1 -bind=127.0.0.1 -data-dir=/consul/data \
  -hcl='performance { raft_multiplier = 1 }' -hcl='ports { https = 8501 }' -hcl="addresses { https = \"$ADDRESS\" }" \
  -hcl='ca_file = "/consul/tls/ca.pem"' -hcl='cert_file = "/consul/tls/cert.pem"' -hcl='key_file = "/consul/tls/key.pem"' \
  -hcl='verify_incoming_https = true'
# `always`, not `unless-stopped` (see run-probe.sh), set in place: another run argument would
# replace the container, and the store inside it.
docker update --restart always "$NAME" >/dev/null
echo "consul runs on $(hostname), bound to $ADDRESS (HTTPS :8501 with client certificates)"
