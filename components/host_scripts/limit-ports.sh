# needs: base record firewall
# Peers only: the overlay's ports on this host (PORTS) accept only the stack's hosts (PEERS), in a
# chain of the stack's own (MULTIHOST-<stack ID>) that INPUT jumps to first. What a peer sends
# returns to INPUT's own rules, as if the chain were not there; the rest is dropped. Run again, it
# writes the chain anew (peers come and go); unlimit-ports.sh takes it out.
# Settings: STACK_ID, PEERS (the stack's hosts' underlay addresses), PORTS (PROTOCOL:PORT …, `esp`
# for IPsec).
: "${STACK_ID:?}" "${PEERS:?}" "${PORTS:?}"
chain=$(peers_chain)
firewall -N "$chain" 2>/dev/null || firewall -F "$chain"
remember peers-chain "$chain"
firewall -A "$chain" -i lo -j RETURN
for spec in $PORTS; do
  case "$spec" in
    esp) match="-p esp" ;;
    *:*) match="-p ${spec%%:*} --dport ${spec#*:}" ;;
    *) fail "PORTS: '$spec' is not PROTOCOL:PORT or esp" ;;
  esac
  for peer in $PEERS; do firewall -A "$chain" $match -s "$peer" -j RETURN; done
  firewall -A "$chain" $match -j DROP
done
firewall -C INPUT -j "$chain" 2>/dev/null || firewall -I INPUT -j "$chain"
echo "$(hostname): $PORTS only from $(echo "$PEERS" | wc -w) peers"
