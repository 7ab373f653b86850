# needs: base waits engine-api engine
# What a person needs to see why a host of the stack is unwell (`make logs`), section by section:
# the engine's log since it started, `docker info`, containers and networks, the firewall, and what
# the control plane on this host holds (Consul's members and its keys under docker/, or the
# swarm's nodes and networks). Reads only; every section says when it cannot be read.
section() { echo; echo "===== $1"; shift; "$@" 2>&1 || echo "(exit $?)"; }
consul_state() {
  docker exec consul consul members -http-addr=http://127.0.0.1:8500 &&
    curl -fsS "http://127.0.0.1:8500/v1/kv/docker/?recurse" | tr ',' '\n' | grep '"Key"'
}
section "host $(hostname)" uname -a
section "engine log" engine_log
section "docker info" docker info
section "engine threads in removed network namespaces (moby/moby#39036)" engine_stray_threads
section "containers" docker ps -a --format '{{.Names}}\t{{.Image}}\t{{.Status}}'
# The machines the stack makes start again what their engine failed to start (images/host).
if [ -r /var/log/start-failed-containers.log ]; then
  section "containers started again after their engine failed to" tail -n 20 /var/log/start-failed-containers.log
fi
section "networks" docker network ls
section "container addresses" sh -c 'docker ps -aq | xargs -r docker inspect --format \
  "{{.Name}} {{range \$n, \$s := .NetworkSettings.Networks}}{{\$n}}={{\$s.IPAddress}} {{end}}"'
for overlay in $(docker network ls -q --filter driver=overlay); do
  section "overlay $overlay: containers and peers" docker network inspect --verbose \
    --format '{{.Name}} {{json .Containers}} {{json .Peers}}' "$overlay"
done
section "iptables (filter and nat)" sh -c 'iptables-save -t filter; iptables-save -t nat'
if docker inspect consul >/dev/null 2>&1; then section "Consul members and keys under docker/" consul_state; fi
if [ "$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null)" = true ]; then
  section "swarm nodes" docker node ls
  section "swarm networks" docker network ls --filter scope=swarm
fi
