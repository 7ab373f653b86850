# needs: base record firewall
# Undo limit-ports.sh: the stack's chain out of INPUT and gone, where the stack put it in.
# Settings: STACK_ID.
: "${STACK_ID:?}"
if chain=$(recalled peers-chain); then
  while firewall -D INPUT -j "$chain" 2>/dev/null; do :; done
  firewall -F "$chain" 2>/dev/null || true
  firewall -X "$chain" 2>/dev/null || true
fi
forget peers-chain
