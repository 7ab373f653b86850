# needs: base engine-api
# Get IMAGE onto this engine, unless it is there: loaded from the `docker save` archive ARCHIVE (a
# path on the host), or pulled when ARCHIVE is empty.
# Settings: IMAGE (name:tag), ARCHIVE (path on the host, or empty).
: "${IMAGE:?}" "${ARCHIVE=}"
image_present() { engine_api "/images/$IMAGE/json" >/dev/null 2>&1; }
if ! image_present; then
  if [ -n "$ARCHIVE" ]; then
    # What `docker load -i ARCHIVE` asks the engine, through curl: cheaper than starting the docker
    # CLI, on every host at once. The engine answers 200 even when the load fails, and says why in
    # the body.
    [ -r "$ARCHIVE" ] || fail "no image archive $ARCHIVE on $(hostname)"
    answer=$(curl -sS --unix-socket /var/run/docker.sock -X POST -H 'Content-Type: application/x-tar' -H 'Expect:' \
      -T "$ARCHIVE" "http://localhost/images/load")
    echo "$answer" >&2
    case "$answer" in *'"error'*) fail "loading $ARCHIVE on $(hostname): $answer" ;; esac
  else
    docker pull "$IMAGE" >&2
  fi
fi
image_present || fail "${ARCHIVE:-the registry} does not hold $IMAGE"
echo "$IMAGE present on $(hostname)"
