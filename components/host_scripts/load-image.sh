# Load an image from a `docker save` archive already copied to the host, unless it is there.
# Settings: IMAGE (name:tag), ARCHIVE (path on the host).
: "${IMAGE:?}" "${ARCHIVE:?}"
docker image inspect "$IMAGE" >/dev/null 2>&1 || docker load -i "$ARCHIVE"
docker image inspect --format '{{.Id}}' "$IMAGE" >/dev/null || fail "$ARCHIVE does not hold $IMAGE"
echo "$IMAGE present on $(hostname)"
