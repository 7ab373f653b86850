# needs:
# iptables waits for the xtables lock (at most 30 s): with the legacy backend a call made while the
# engine changes its own rules otherwise fails at once (exit 4, "holding the xtables lock").
firewall() { iptables -w 30 "$@"; }
