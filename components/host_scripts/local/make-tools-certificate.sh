# needs: base keys ca
# On the machine running Pulumi, with openssl: the tools' key (KEY) and client certificate (CERT)
# for Consul, what `make inspect` presents, this user only; made once, again for a new CA. Prints
# the certificate (PEM).
# Settings: CA_CERT, CA_KEY, KEY, CERT (files), NAME (the common name).
: "${CA_CERT:?}" "${CA_KEY:?}" "${KEY:?}" "${CERT:?}" "${NAME:?}"
umask 077
if ! openssl verify -CAfile "$CA_CERT" "$CERT" >/dev/null 2>&1; then
  [ -s "$KEY" ] || new_key "$KEY"
  request=$(mktemp)
  trap 'rm -f "$request"' EXIT
  openssl req -new -key "$KEY" -subj "/CN=$NAME" -out "$request"
  sign_request "$request" "$NAME" clientAuth "" >"$CERT.new"
  mv "$CERT.new" "$CERT"
fi
cat "$CERT"
