# needs: base record keys
# The stack's TLS files on a host, for Consul's mutual TLS (kv mode): Consul's own (ROLE consul) or
# an engine's client certificate (ROLE engine), in the stack's folder, readable by root only. The
# private key is made here and never leaves the host: the stack's CA signs its request elsewhere.
tls_dir() { echo "$(record_dir)/tls-$1"; }
# request_certificate ROLE NAME: this host's key for ROLE (made once, with openssl), and a
# certificate request for it with common name NAME, printed (PEM).
request_certificate() {
  command -v openssl >/dev/null || fail "$(hostname): openssl is needed for Consul's TLS (apt-get install openssl)"
  dir=$(tls_dir "$1")
  (
    umask 077
    mkdir -p "$dir"
    [ -s "$dir/key.pem" ] || new_key "$dir/key.pem" 2>/dev/null
  )
  openssl req -new -key "$dir/key.pem" -subj "/CN=$2"
}
# install_tls ROLE: the CA and the signed certificate (TLS_CA, TLS_CERT, PEM) beside ROLE's key;
# prints yes when they changed, no when they held these.
install_tls() {
  dir=$(tls_dir "$1")
  [ -s "$dir/key.pem" ] || fail "$(hostname): no TLS key in $dir (request-certificate.sh makes it)"
  wanted=$(printf '%s\n%s\n' "${TLS_CA:?}" "${TLS_CERT:?}" | sha256sum)
  if [ "$(cat "$dir/ca.pem" "$dir/cert.pem" 2>/dev/null | sha256sum)" = "$wanted" ]; then
    echo no
    return 0
  fi
  (
    umask 077
    printf '%s\n' "$TLS_CA" >"$dir/ca.pem"
    printf '%s\n' "$TLS_CERT" >"$dir/cert.pem"
  )
  echo yes
}
# remove_tls ROLE: ROLE's files gone again; the stack's folder goes with its last record.
remove_tls() {
  rm -rf "$(tls_dir "$1")"
  rmdir "$(record_dir)" 2>/dev/null && rmdir "$RECORD_ROOT" 2>/dev/null || true
}
# consul_curl ARGS...: curl to Consul's HTTPS port as this engine (its client certificate).
consul_curl() {
  dir=$(tls_dir engine)
  curl --cacert "$dir/ca.pem" --cert "$dir/cert.pem" --key "$dir/key.pem" "$@"
}
