# needs: base
# Refuse an encrypted overlay where the kernel cannot do it, in a throwaway network namespace: the
# kind of ESP security association dockerd programs for `--opt encrypted` (AES-GCM, rfc4106), and
# the iptables u32 match it uses to drop VXLAN that is not encrypted (xt_u32). Without the first
# the overlay would come up and lose every packet; without the second it could take plain VXLAN.
if ! out=$(unshare --net ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 reqid 1 mode transport \
    aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 64 2>&1); then
  fail "host $(hostname): the kernel ($(uname -r)) cannot do IPsec ESP with AES-GCM, which an encrypted overlay needs ($out); set network.encrypted to false, or use hosts whose kernel has XFRM and ESP"
fi
if ! out=$(unshare --net iptables -w 30 -A INPUT -m u32 --u32 '0>>22&0x3C@12&0xFFFFFF00=0x100' -j DROP 2>&1); then
  fail "host $(hostname): the kernel ($(uname -r)) has no iptables u32 match (xt_u32), with which an encrypted overlay drops unencrypted VXLAN ($out); set network.encrypted to false, or use hosts whose kernel has xt_u32"
fi
echo "$(hostname): kernel $(uname -r) has IPsec ESP (rfc4106(gcm(aes))) and xt_u32"
