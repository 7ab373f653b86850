# needs: base record keys tls
# This host's private key for Consul's mutual TLS (ROLE consul: the server's; engine: an engine's
# client key), made here once and kept in the stack's folder, root only; prints a certificate
# request for it (PEM), which the stack's CA signs on the machine running Pulumi. Needs openssl.
# Settings: STACK_ID, ROLE (consul or engine), NAME (the certificate's common name).
: "${STACK_ID:?}" "${ROLE:?}" "${NAME:?}"
request_certificate "$ROLE" "$NAME"
