# Ping every target from the probe container PROBE, all at once, and print each target's output
# after a line `== ping TARGET`. Whatever ping says is the result.
# Settings: PROBE (container name), TARGETS (addresses or names, space-separated), COUNT,
# INTERVAL (seconds between echo requests).
: "${PROBE:?}" "${TARGETS:?}" "${COUNT:?}" "${INTERVAL:?}"
outputs=$(mktemp -d)
trap 'rm -rf "$outputs"' EXIT
i=0
for target in $TARGETS; do
  i=$((i + 1))
  # One echo first, not counted: the first packet to a fresh overlay endpoint can take a second
  # while the peer's VXLAN entry is learned, and would otherwise show up as loss.
  # Ping exits non-zero on loss, which is a result, not an error of this script (set -e).
  { docker exec "$PROBE" ping -c 1 -W 5 "$target" >/dev/null 2>&1 || true
    docker exec "$PROBE" ping -c "$COUNT" -i "$INTERVAL" -W 2 "$target" >"$outputs/$i" 2>&1 || true; } &
done
wait
i=0
for target in $TARGETS; do
  i=$((i + 1))
  echo "== ping $target"
  cat "$outputs/$i"
done
