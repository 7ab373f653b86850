# needs:
# iptables waits for the xtables lock (at most 30 s): with the legacy backend a call made while the
# engine changes its own rules otherwise fails at once (exit 4, "holding the xtables lock").
firewall() { iptables -w 30 "$@"; }
# The chain of the stack's peers-only rules (limit-ports.sh): iptables allows 28 characters.
peers_chain() { echo "MULTIHOST-${STACK_ID:?}" | cut -c1-28; }
