# needs: base engine-api
# The engine's version, and the pinned line it must be of.

# The installed engine's version (20.10.5), from dockerd itself: it answers when not running.
engine_version() { dockerd --version | sed -n 's/^Docker version \([0-9][0-9.]*\).*/\1/p'; }
# The running engine's version, from its API: far cheaper than starting dockerd to ask it.
running_engine_version() {
  engine_api /version | sed -n 's/.*"Version":"\([0-9][0-9.]*\)[^"]*","ApiVersion".*/\1/p'
}

# check_engine_line VERSION LINE CONTROL_PLANE: refuse an engine outside the configured line, and
# for kv any engine from 23.0 on (no cluster store there: it would not even start with one).
check_engine_line() {
  case "$3:${1%%.*}" in
    kv:2[3-9]|kv:[3-9][0-9])
      fail "Docker Engine $1 on $(hostname) is 23.0 or newer, which removed --cluster-store/--cluster-advertise; install the $2 line, or use controlPlane swarm" ;;
  esac
  case "$1" in
    "$2".*) ;;
    *) fail "Docker Engine $1 on $(hostname) is outside the pinned $2 line" ;;
  esac
}

# check_encryption_release VERSION: refuse an engine that may send an encrypted overlay's VXLAN
# unencrypted, or accept it unauthenticated (CVE-2023-28840, CVE-2023-28841): before 20.10.24, and
# 23.0.0 to 23.0.2.
check_encryption_release() {
  major=${1%%.*} rest=${1#*.}
  minor=${rest%%.*} patch=${rest#*.}
  patch=${patch%%[!0-9]*}
  case "$major.$minor" in
    20.10) [ "${patch:-0}" -ge 24 ] ;;
    23.0) [ "${patch:-0}" -ge 3 ] ;;
    *) [ "$major" -gt 20 ] ;;
  esac || fail "Docker Engine $1 on $(hostname) can send or accept an encrypted overlay's VXLAN unencrypted (CVE-2023-28840, CVE-2023-28841): network.encrypted needs 20.10.24 or newer, or 23.0.3 or newer; upgrade the engine, or set network.encrypted to false"
}
