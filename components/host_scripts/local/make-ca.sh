# needs: base keys ca
# On the machine running Pulumi, with openssl (Debian's): the stack's certificate authority for
# Consul (an EC P-256 key, ten years), made once: its certificate CA_CERT, its key CA_KEY (this
# user only). Prints its certificate (PEM).
# Settings: CA_CERT, CA_KEY (files), NAME (the CA's common name).
: "${CA_CERT:?}" "${CA_KEY:?}" "${NAME:?}"
umask 077
mkdir -p "$(dirname "$CA_KEY")" "$(dirname "$CA_CERT")"
if [ ! -s "$CA_KEY" ] || [ ! -s "$CA_CERT" ]; then
  new_key "$CA_KEY.new"
  openssl req -x509 -new -key "$CA_KEY.new" -subj "/CN=$NAME" -days 3650 -sha256 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out "$CA_CERT.new"
  mv "$CA_KEY.new" "$CA_KEY"
  mv "$CA_CERT.new" "$CA_CERT"
fi
cat "$CA_CERT"
