# needs: base ca
# On the machine running Pulumi, with openssl: a host's certificate request (REQUEST, PEM, from
# request-certificate.sh) signed by the stack's CA (make-ca.sh). Prints the certificate (PEM).
# Settings: CA_CERT, CA_KEY (files), REQUEST, NAME (the common name the request must have), USAGE
# (serverAuth or clientAuth), SAN (subjectAltName, IP:ADDRESS,…; may be empty).
: "${CA_CERT:?}" "${CA_KEY:?}" "${REQUEST:?}" "${NAME:?}" "${USAGE:?}"
request=$(mktemp)
trap 'rm -f "$request"' EXIT
printf '%s\n' "$REQUEST" >"$request"
sign_request "$request" "$NAME" "$USAGE" "${SAN:-}"
