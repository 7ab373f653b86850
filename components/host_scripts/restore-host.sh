# needs: base record waits engine-api engine firewall keys tls kv-join
# Undo what ensure-engine.sh and configure-engine.sh changed on the host itself, as recorded
# (lib/record.sh): its hostname back where it is still the one the stack set, the serf reset rule
# out where the stack put it in, the engine's docker_gwbridge away where the stack's overlay made
# it, its hold off an engine package the stack installed. The package stays installed: other things
# may use the engine by now. (The stack's TLS files go with forget-certificate.sh.)
# Settings: STACK_ID, HOST_NAME (the hostname the stack set).
: "${STACK_ID:?}" "${HOST_NAME:?}"
if before=$(recalled hostname) && [ "$(hostname)" = "$HOST_NAME" ]; then
  hostname "$before"
  echo "$before" >/etc/hostname
  echo "$HOST_NAME: hostname $before again"
fi
forget hostname
unquiet_serf_port
if recalled gwbridge >/dev/null; then
  docker network rm docker_gwbridge >/dev/null 2>&1 || note "$(hostname): docker_gwbridge is in use by now: left as it is"
fi
forget gwbridge
if package=$(recalled engine-package); then
  apt-mark unhold "$package" >/dev/null 2>&1 || true
  note "$(hostname): $package, which docker-multihost installed, stays installed (remove it with apt-get remove $package)"
fi
forget engine-package
