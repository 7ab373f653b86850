# needs: base record keys tls
# Undo request-certificate.sh: ROLE's key and certificates gone from the host.
# Settings: STACK_ID, ROLE (consul or engine).
: "${STACK_ID:?}" "${ROLE:?}"
remove_tls "$ROLE"
