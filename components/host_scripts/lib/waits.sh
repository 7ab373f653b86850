# needs:
# wait_until SECONDS WHAT COMMAND...: run COMMAND until it succeeds, at most SECONDS: twenty times
# a second for the first second (most waits are that short, and some wait on others),
# then five times a second. Each bound is a setting of its own, `<WHAT>_WAIT_S`, that the script
# reads with its default: `wait_until "${GOSSIP_WAIT_S:-10}" …`.
wait_until() {
  limit=$1 what=$2 waited=0
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$waited" -lt "$((limit * 20))" ] || { echo "error: timed out after ${limit}s waiting for $what" >&2; return 1; }
    # waited: in twentieths of a second.
    if [ "$waited" -lt 20 ]; then sleep 0.05; waited=$((waited + 1)); else sleep 0.2; waited=$((waited + 4)); fi
  done
}
