#!/usr/bin/env bash
# Makes sure a local Docker engine answers, for the sandbox (hosts are
# containers on it) and for scripts/images.sh.
#   start: use the engine that already answers "docker info"; otherwise install
#          Debian's docker.io if missing and start dockerd in the background
#          (log .sandbox/dockerd.log, pid .sandbox/dockerd.pid).
#   stop:  stop the dockerd that "start" started (and only that one).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=$ROOT/.sandbox
LOG=$DIR/dockerd.log
PIDFILE=$DIR/dockerd.pid
WAIT=${ENGINE_WAIT_SECONDS:-60}

die() { echo "local-engine.sh: $*" >&2; exit 1; }

# The pid in our pid file, if that process is alive and is a dockerd.
our_pid() {
	local pid
	pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && echo "$pid"
}

start() {
	if docker info >/dev/null 2>&1; then
		echo "local-engine.sh: using existing engine ($(docker info -f '{{.ServerVersion}}'))"
		return
	fi
	[ "$(id -u)" = 0 ] || die "no engine answers and starting one needs root"
	if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
		echo "local-engine.sh: installing Debian's docker.io"
		apt-get update -q >/dev/null || die "apt-get update failed"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/dev/null ||
			die "apt-get install docker.io failed"
	fi
	mkdir -p "$DIR"
	if pid=$(our_pid); then
		echo "local-engine.sh: dockerd $pid (ours) is running but not answering yet"
	else
		echo "local-engine.sh: starting dockerd (log $LOG)"
		setsid dockerd >"$LOG" 2>&1 </dev/null &
		echo $! > "$PIDFILE"
	fi
	for _ in $(seq "$WAIT"); do
		if docker info >/dev/null 2>&1; then
			echo "local-engine.sh: engine is up ($(docker info -f '{{.ServerVersion}}'))"
			return
		fi
		our_pid >/dev/null || break
		sleep 1
	done
	echo "local-engine.sh: dockerd did not answer within ${WAIT}s; last lines of $LOG:" >&2
	tail -n 20 "$LOG" >&2 || true
	exit 1
}

stop() {
	local pid
	if ! pid=$(our_pid); then
		rm -f "$PIDFILE"
		echo "local-engine.sh: no dockerd started by this script is running"
		return
	fi
	echo "local-engine.sh: stopping dockerd $pid"
	kill -TERM "$pid"
	for _ in $(seq "$WAIT"); do
		kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; echo "local-engine.sh: stopped"; return; }
		sleep 1
	done
	die "dockerd $pid still running after ${WAIT}s (see $LOG)"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
