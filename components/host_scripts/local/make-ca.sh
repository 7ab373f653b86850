# needs: base
# On the machine running Pulumi, with openssl (Debian's): a new certificate authority for one
# stack's Consul (an EC P-256 key, ten years). Prints its certificate, then its private key (PEM).
# Settings: NAME (the CA's common name).
: "${NAME:?}"
umask 077
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/key.pem"
openssl req -x509 -new -key "$dir/key.pem" -subj "/CN=$NAME" -days 3650 -sha256 \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -out "$dir/cert.pem"
cat "$dir/cert.pem" "$dir/key.pem"
