# needs: base
# On the machine running Pulumi, with openssl (Debian's): a certificate signed by the stack's CA for
# Consul (USAGE serverAuth) or one of its clients (USAGE clientAuth), with a new EC P-256 key, valid
# 825 days. Prints the certificate, then its private key (PEM).
# Settings: CA (the CA's certificate and private key, PEM, as make-ca.sh prints them), NAME (the
# common name), USAGE (serverAuth or clientAuth), SAN (subjectAltName, IP:ADDRESS,…; may be empty).
: "${CA:?}" "${NAME:?}" "${USAGE:?}"
umask 077
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '%s\n' "$CA" >"$dir/ca.pem"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/key.pem"
openssl req -new -key "$dir/key.pem" -subj "/CN=$NAME" -out "$dir/request.pem"
{
  echo "basicConstraints=critical,CA:FALSE"
  echo "keyUsage=critical,digitalSignature,keyEncipherment"
  echo "extendedKeyUsage=$USAGE"
  [ -z "${SAN:-}" ] || echo "subjectAltName=$SAN"
} >"$dir/extensions"
openssl x509 -req -in "$dir/request.pem" -CA "$dir/ca.pem" -CAkey "$dir/ca.pem" -set_serial "0x$(openssl rand -hex 16)" \
  -days 825 -sha256 -extfile "$dir/extensions" -out "$dir/cert.pem" 2>/dev/null
cat "$dir/cert.pem" "$dir/key.pem"
