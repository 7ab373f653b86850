# needs: base
# Refuse an encrypted overlay where the kernel cannot do it: add, in a throwaway network namespace,
# the kind of ESP security association dockerd programs for `--opt encrypted` (AES-GCM,
# rfc4106). Without XFRM/ESP support the overlay would come up and lose every packet.
if ! out=$(unshare --net ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x100 reqid 1 mode transport \
    aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 64 2>&1); then
  fail "host $(hostname): the kernel ($(uname -r)) cannot do IPsec ESP with AES-GCM, which an encrypted overlay needs ($out); set network.encrypted to false, or use hosts whose kernel has XFRM and ESP"
fi
echo "$(hostname): kernel $(uname -r) has IPsec ESP (rfc4106(gcm(aes)))"
