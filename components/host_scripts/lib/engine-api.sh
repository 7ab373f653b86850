# needs:
# engine_api PATH: GET from the local engine's API through its socket. The waits ask up to twenty
# times a second, on every host at once: curl costs a small part of the CPU a `docker` command does.
engine_api() { curl -fsS --max-time 2 --unix-socket /var/run/docker.sock "http://localhost$1"; }
engine_answers() { engine_api /_ping >/dev/null 2>&1; }
