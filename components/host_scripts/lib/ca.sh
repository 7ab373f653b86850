# needs: base
# The stack's certificate authority for Consul, on the machine running Pulumi: its certificate and
# key in files of this user only (CA_CERT, CA_KEY), never in the stack's state. With openssl.
# sign_request REQUEST_FILE NAME USAGE SAN: prints the certificate (PEM) for a request whose
# signature holds and whose common name is NAME, for USAGE (serverAuth or clientAuth), with
# subjectAltName SAN (IP:ADDRESS,…; may be empty), valid 825 days.
sign_request() {
  [ -s "$CA_KEY" ] || fail "no CA key at $CA_KEY: the stack's CA is made by its first pulumi up on this machine"
  openssl req -in "$1" -noout -verify 2>/dev/null || fail "the certificate request for $2 does not verify"
  subject=$(openssl req -in "$1" -noout -subject -nameopt RFC2253)
  [ "$subject" = "subject=CN=$2" ] || fail "the certificate request for $2 is for ${subject#subject=}"
  extensions=$(mktemp)
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$3"
    [ -z "$4" ] || echo "subjectAltName=$4"
  } >"$extensions"
  openssl x509 -req -in "$1" -CA "$CA_CERT" -CAkey "$CA_KEY" -set_serial "0x$(openssl rand -hex 16)" \
    -days 825 -sha256 -extfile "$extensions" 2>/dev/null || { rm -f "$extensions"; fail "openssl could not sign the request for $2"; }
  rm -f "$extensions"
}
