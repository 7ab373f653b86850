# needs: base
# Undo make-ca.sh: the stack's CA gone (and its folder, once empty).
# Settings: CA_CERT, CA_KEY (files).
: "${CA_CERT:?}" "${CA_KEY:?}"
rm -f "$CA_KEY" "$CA_CERT"
rmdir "$(dirname "$CA_KEY")" 2>/dev/null || true
