# needs: base
# Undo make-tools-certificate.sh: the tools' key and certificate gone.
# Settings: KEY, CERT (files).
: "${KEY:?}" "${CERT:?}"
rm -f "$KEY" "$CERT"
