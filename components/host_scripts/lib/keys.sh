# needs:
# new_key FILE: a new EC P-256 private key in FILE (PEM), with openssl: a host's own key for Consul
# (tls.sh) and, on the machine running Pulumi, the stack's CA's and the tools' (ca.sh).
new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }
