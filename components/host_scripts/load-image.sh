# Get IMAGE onto this engine, unless it is there: loaded from the `docker save` archive ARCHIVE (a
# path on the host), or pulled when ARCHIVE is empty.
# Settings: IMAGE (name:tag), ARCHIVE (path on the host, or empty).
: "${IMAGE:?}" "${ARCHIVE=}"
if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  if [ -n "$ARCHIVE" ]; then docker load -i "$ARCHIVE" >&2; else docker pull "$IMAGE" >&2; fi
fi
docker image inspect --format '{{.Id}}' "$IMAGE" >/dev/null || fail "${ARCHIVE:-the registry} does not hold $IMAGE"
echo "$IMAGE present on $(hostname)"
