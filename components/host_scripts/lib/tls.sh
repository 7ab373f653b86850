# needs: base record
# The stack's TLS files on a host, for Consul's mutual TLS (kv mode): Consul's own (ROLE consul) or
# an engine's client certificate (ROLE engine), in the stack's folder, readable by root only.
# Settings: TLS_CA, TLS_CERT, TLS_KEY (PEM; the key arrives on the command's stdin, never in argv).
tls_dir() { echo "$(record_dir)/tls-$1"; }
# install_tls ROLE: the three files in place; prints yes when they changed, no when they held these.
install_tls() {
  dir=$(tls_dir "$1")
  wanted=$(printf '%s\n%s\n%s\n' "${TLS_CA:?}" "${TLS_CERT:?}" "${TLS_KEY:?}" | sha256sum)
  if [ "$(cat "$dir/ca.pem" "$dir/cert.pem" "$dir/key.pem" 2>/dev/null | sha256sum)" = "$wanted" ]; then
    echo no
    return 0
  fi
  (
    umask 077
    mkdir -p "$dir"
    printf '%s\n' "$TLS_CA" >"$dir/ca.pem"
    printf '%s\n' "$TLS_CERT" >"$dir/cert.pem"
    printf '%s\n' "$TLS_KEY" >"$dir/key.pem"
  )
  echo yes
}
# remove_tls ROLE: the files gone again (before the stack's folder, which goes with its last record).
remove_tls() { rm -rf "$(tls_dir "$1")"; }
# consul_curl ARGS...: curl to Consul's HTTPS port as this engine (its client certificate).
consul_curl() {
  dir=$(tls_dir engine)
  curl --cacert "$dir/ca.pem" --cert "$dir/cert.pem" --key "$dir/key.pem" "$@"
}
