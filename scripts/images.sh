#!/usr/bin/env bash
# Builds the sandbox's images on the local Docker engine WITHOUT any registry,
# from Debian packages fetched with the machine's own apt mirror:
#   multihost/host:bullseye   debootstrap rootfs + host-init (+ start-failed-containers) + sshd, containerd and engine config
#   multihost/host:trixie     the same with a current engine (swarm mode)
#   multihost/consul:1.8.7    bullseye's consul binary and the libs it needs
#   multihost/probe:busybox   bookworm's busybox-static (ping, sh, sleep)
#   multihost/ssh-host:bullseye  the host image with no engine (the fault suite's `ssh`-kind machines)
# and saves consul and probe to .images/{consul,probe}.tar, which the engines
# inside the hosts load (they cannot pull either). This is the images' one
# recipe; images/ holds the files it puts into them.
#
# Each image is rebuilt only when it is missing or its labels differ from the
# version below (or from the hash of its input files); the debootstrap rootfs
# and the downloaded packages are cached under .images/cache/. A run with
# everything cached takes seconds.
#
# Usage: scripts/images.sh [--force]     (--force: rebuild all three images)
# Env:   DEBIAN_MIRROR  override the mirror read from /etc/apt/sources.list*
set -Eeuo pipefail

# Bump a version to force a rebuild of that image.
HOST_IMAGE_VERSION=1
CONSUL_IMAGE_VERSION=1
PROBE_IMAGE_VERSION=1
SSH_HOST_IMAGE_VERSION=1
SWARM_HOST_IMAGE_VERSION=1

HOST_IMAGE=multihost/host:bullseye
SSH_HOST_IMAGE=multihost/ssh-host:bullseye
CONSUL_IMAGE=multihost/consul:1.8.7
PROBE_IMAGE=multihost/probe:busybox
HOST_SUITE=bullseye       # docker.io 20.10.5: still accepts a consul cluster-store
CONSUL_SUITE=bullseye     # consul 1.8.7
PROBE_SUITE=bookworm      # busybox-static on glibc >= 2.34 resolves names statically
HOST_PACKAGES=docker.io,openssh-server,sudo,iproute2,iputils-ping,procps,ca-certificates,iptables,curl,iperf3,jq
# The swarm-mode host: a current engine (trixie's docker.io 26.1.5; its CLI is docker-cli).
SWARM_HOST_IMAGE=multihost/host:trixie
SWARM_HOST_SUITE=trixie
SWARM_HOST_PACKAGES=docker.io,docker-cli,openssh-server,sudo,iproute2,iputils-ping,procps,ca-certificates,iptables,curl,iperf3

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/.images
CACHE=$OUT/cache
FORCE=${1:-}

STEP=start
step() { STEP=$*; echo "==> $*"; }
trap 'echo "images.sh: FAILED at step: $STEP" >&2' ERR
die() { echo "images.sh: $STEP: $*" >&2; exit 1; }
now() { date +%s; }

step "check the local Docker engine"
docker info >/dev/null 2>&1 ||
	die "no Docker engine answers 'docker info' (start one: scripts/local-engine.sh start)"
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot-free rootfs with root-owned files)"
mkdir -p "$CACHE"

# The Debian mirror that apt already uses: the URI of the first source whose
# suites include this machine's codename (one-line .list or deb822 .sources).
debian_mirror() {
	if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
	local codename files=()
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && files+=("$f")
	done
	[ ${#files[@]} -gt 0 ] || return 0
	awk -v c="$codename" '
		function check() { if (!found && u != "" && index(" " s " ", " " c " ")) { found = 1; print u }
		                   u = ""; s = "" }
		FNR == 1 { check() }
		/^[[:space:]]*#/ { next }
		/^deb[[:space:]]/ { line = $0; gsub(/\[[^]]*\]/, "", line); split(line, a, " ")
		                    if (!found && a[3] == c) { found = 1; print a[2] }; next }
		/^URIs:/ { u = $2 }
		/^Suites:/ { s = $0; sub(/^Suites:[[:space:]]*/, "", s) }
		/^[[:space:]]*$/ { check() }
		END { check() }' "${files[@]}" | head -n1
}

# Labels of an image ("" if the image is missing).
label() { docker image inspect -f "{{index .Config.Labels \"$2\"}}" "$1" 2>/dev/null || true; }
# Hash of the files an image is made from (a change in them rebuilds it).
inputs_hash() { cat "$@" | sha256sum | cut -c1-16; }
# True when the image must be (re)built.
stale() { # image version hash
	[ "$FORCE" = --force ] && return 0
	[ "$(label "$1" multihost.version)" != "$2" ] || [ "$(label "$1" multihost.inputs)" != "$3" ]
}

# apt-get on a private state for one suite: the system's sources and package
# lists are left alone.
apt_suite() { # suite apt-get-args...
	local suite=$1; shift
	local d=$CACHE/apt-$suite
	apt-get -q -o Dir::Etc::SourceList="$d/sources.list" -o Dir::Etc::SourceParts="$d/sources.list.d" \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" -o Dir::State::status=/dev/null \
		-o APT::Sandbox::User=root "$@"
}
# Download one package of a suite into the cache (kept between runs); prints its path.
fetch_deb() { # suite package
	local suite=$1 pkg=$2 d=$CACHE/apt-$1 deb
	deb=$(ls "$d"/debs/"$pkg"_*.deb 2>/dev/null | head -n1 || true)
	if [ -n "$deb" ]; then echo "$deb"; return; fi
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/sources.list.d" "$d/debs"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR $suite main" > "$d/sources.list"
	apt_suite "$suite" update >&2 || die "apt-get update for suite $suite failed (mirror $MIRROR)"
	(cd "$d/debs" && apt_suite "$suite" download "$pkg" >&2) || die "apt-get download $pkg ($suite) failed"
	ls "$d"/debs/"$pkg"_*.deb | head -n1
}

# docker import of a directory, with --change lines.
import_dir() { # dir image change...
	local dir=$1 image=$2; shift 2
	local changes=()
	for c in "$@"; do changes+=(--change "$c"); done
	local old; old=$(docker image inspect -f '{{.Id}}' "$image" 2>/dev/null || true)
	tar --numeric-owner -C "$dir" -c . | docker import "${changes[@]}" - "$image" >/dev/null
	# The replaced image is left untagged: remove it (kept if a container uses it).
	if [ -n "$old" ] && [ "$old" != "$(docker image inspect -f '{{.Id}}' "$image")" ]; then
		docker image rm "$old" >/dev/null 2>&1 || true
	fi
}

# Save an image to a tar file unless the file already holds this image.
save_image() { # image file
	local id; id=$(docker image inspect -f '{{.Id}}' "$1")
	if [ -f "$2" ] && [ "$(cat "$2.id" 2>/dev/null)" = "$id" ]; then
		echo "    $2 is up to date"; return
	fi
	docker save -o "$2.tmp" "$1" && mv "$2.tmp" "$2" && echo "$id" > "$2.id"
	echo "    saved $1 to $2 ($(du -h "$2" | cut -f1))"
}

MIRROR=
need_mirror() {
	[ -n "$MIRROR" ] && return
	step "find the Debian mirror in /etc/apt/sources.list*"
	MIRROR=$(debian_mirror)
	[ -n "$MIRROR" ] || die "no Debian source for this machine's codename in /etc/apt/sources.list*; set DEBIAN_MIRROR"
	echo "    mirror: $MIRROR"
}

# ---- sandbox host images: multihost/host:bullseye and multihost/host:trixie ----
HOST_DIR=$ROOT/images/host
# build_host_image IMAGE VERSION SUITE PACKAGES: a debootstrap rootfs of SUITE with PACKAGES,
# host-init, the sshd, containerd and engine config, imported as IMAGE (rootfs cached per suite).
build_host_image() {
	local image=$1 version=$2 suite=$3 packages=$4 hash rootfs stamp t0
	hash=$(inputs_hash "$HOST_DIR/host-init" "$HOST_DIR/start-failed-containers" "$HOST_DIR/sshd-multihost.conf" "$HOST_DIR/containerd.toml" \
		"$HOST_DIR/docker.default" <(echo "$suite $packages"))
	if ! stale "$image" "$version" "$hash"; then
		echo "==> $image is up to date"; return
	fi
	rootfs=$CACHE/rootfs-$suite
	stamp="$suite minbase $packages"
	if [ "$(cat "$rootfs.ok" 2>/dev/null)" != "$stamp" ]; then
		need_mirror
		step "debootstrap $suite into $rootfs.tmp (about a minute)"
		if ! command -v debootstrap >/dev/null; then
			echo "    installing Debian's debootstrap"
			apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null ||
				die "apt-get install debootstrap failed"
		fi
		# A failed run may leave /proc etc. mounted inside: unmount before removing.
		for d in "$rootfs.tmp" "$rootfs"; do
			awk -v p="$d/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r umount -l
			rm -rf --one-file-system "$d"
		done
		rm -f "$rootfs.ok"
		t0=$(now)
		debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs.tmp" "$MIRROR" \
			> "$CACHE/debootstrap-$suite.log" 2>&1 ||
			{ tail -n 20 "$CACHE/debootstrap-$suite.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap-$suite.log)"; }
		# Package caches and lists are not needed in the image.
		rm -rf "$rootfs.tmp"/var/cache/apt/*.bin "$rootfs.tmp"/var/cache/apt/archives/*.deb \
			"$rootfs.tmp"/var/lib/apt/lists/*_Packages
		mv "$rootfs.tmp" "$rootfs"
		echo "$stamp" > "$rootfs.ok"
		echo "    debootstrap took $(( $(now) - t0 )) s, $(du -sh --one-file-system "$rootfs" | cut -f1)"
	fi
	step "add host-init, start-failed-containers, the sshd, containerd and engine config to the $suite rootfs"
	install -m 755 "$HOST_DIR/host-init" "$HOST_DIR/start-failed-containers" "$rootfs/usr/local/sbin/"
	install -d "$rootfs/etc/ssh/sshd_config.d" "$rootfs/etc/containerd"
	install -m 644 "$HOST_DIR/sshd-multihost.conf" "$rootfs/etc/ssh/sshd_config.d/multihost.conf"
	install -m 644 "$HOST_DIR/containerd.toml" "$rootfs/etc/containerd/config.toml"
	install -m 644 "$HOST_DIR/docker.default" "$rootfs/etc/default/docker"
	# Host keys are made per container by host-init, never baked in.
	rm -f "$rootfs"/etc/ssh/ssh_host_*
	# The image's own engine state starts empty (the volume at /var/lib/docker holds it).
	rm -rf "$rootfs"/var/lib/docker/*
	step "docker import $image"
	t0=$(now)
	import_dir "$rootfs" "$image" \
		"LABEL multihost.version=$version" "LABEL multihost.inputs=$hash" \
		'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		'CMD ["/usr/local/sbin/host-init"]' ||
		die "docker import failed"
	echo "    import took $(( $(now) - t0 )) s"
}
build_host_image "$HOST_IMAGE" "$HOST_IMAGE_VERSION" "$HOST_SUITE" "$HOST_PACKAGES"
build_host_image "$SWARM_HOST_IMAGE" "$SWARM_HOST_IMAGE_VERSION" "$SWARM_HOST_SUITE" "$SWARM_HOST_PACKAGES"

# ---- multihost/ssh-host:bullseye (the fault suite's machine with no engine) --
SSH_HOST_DIR=$ROOT/images/ssh-host
ssh_host_hash=$(inputs_hash "$SSH_HOST_DIR/Dockerfile" <(docker image inspect -f '{{.Id}}' "$HOST_IMAGE"))
if stale "$SSH_HOST_IMAGE" "$SSH_HOST_IMAGE_VERSION" "$ssh_host_hash"; then
	step "docker build $SSH_HOST_IMAGE from $HOST_IMAGE (no registry, no network)"
	# The classic builder: it takes the FROM image from the local engine as it is.
	DOCKER_BUILDKIT=0 docker build -q --network none --label "multihost.version=$SSH_HOST_IMAGE_VERSION" \
		--label "multihost.inputs=$ssh_host_hash" -t "$SSH_HOST_IMAGE" "$SSH_HOST_DIR" >/dev/null ||
		die "docker build failed"
else
	echo "==> $SSH_HOST_IMAGE is up to date"
fi

# ---- multihost/consul:1.8.7 -----------------------------------------------
CONSUL_DIR=$ROOT/images/consul
consul_hash=$(inputs_hash "$CONSUL_DIR"/etc/* <(echo "$CONSUL_SUITE"))
if stale "$CONSUL_IMAGE" "$CONSUL_IMAGE_VERSION" "$consul_hash"; then
	need_mirror
	step "download consul from $CONSUL_SUITE"
	deb=$(fetch_deb "$CONSUL_SUITE" consul)
	echo "    $deb"
	step "assemble the consul rootfs (binary + the libraries ldd names)"
	dir=$CACHE/consul-rootfs
	rm -rf "$dir" "$CACHE/consul-deb"
	dpkg-deb -x "$deb" "$CACHE/consul-deb"
	install -D -m 755 "$CACHE/consul-deb/usr/bin/consul" "$dir/usr/bin/consul"
	# Static binaries: ldd prints "not a dynamic executable" and nothing to copy.
	for lib in $(ldd "$dir/usr/bin/consul" 2>/dev/null | grep -oE '/[^ ]+' || true); do
		install -D -m 755 "$(readlink -f "$lib")" "$dir$lib"
	done
	cp -r "$CONSUL_DIR/etc" "$dir/"
	install -d -m 1777 "$dir/tmp"
	install -d "$dir/consul/data" "$dir/consul/config" "$dir/root"
	"$dir/usr/bin/consul" version | sed -n "1s/^/    /p"  # sed reads all: no SIGPIPE
	step "docker import $CONSUL_IMAGE"
	import_dir "$dir" "$CONSUL_IMAGE" \
		"LABEL multihost.version=$CONSUL_IMAGE_VERSION" "LABEL multihost.inputs=$consul_hash" \
		'ENV PATH=/usr/bin:/bin' 'WORKDIR /consul' \
		'ENTRYPOINT ["/usr/bin/consul"]' 'CMD ["agent", "-dev", "-client", "0.0.0.0"]' ||
		die "docker import failed"
else
	echo "==> $CONSUL_IMAGE is up to date"
fi

# ---- multihost/probe:busybox ----------------------------------------------
PROBE_DIR=$ROOT/images/probe
probe_hash=$(inputs_hash "$PROBE_DIR"/etc/* <(echo "$PROBE_SUITE"))
if stale "$PROBE_IMAGE" "$PROBE_IMAGE_VERSION" "$probe_hash"; then
	need_mirror
	step "download busybox-static from $PROBE_SUITE"
	deb=$(fetch_deb "$PROBE_SUITE" busybox-static)
	echo "    $deb"
	step "assemble the probe rootfs (busybox + its applet links)"
	dir=$CACHE/probe-rootfs
	rm -rf "$dir" "$CACHE/probe-deb"
	dpkg-deb -x "$deb" "$CACHE/probe-deb"
	install -D -m 755 "$CACHE/probe-deb/bin/busybox" "$dir/bin/busybox"
	# What "busybox --install -s" would do, without running anything in the rootfs.
	for applet in $("$dir/bin/busybox" --list-full); do
		[ "$applet" = bin/busybox ] && continue
		mkdir -p "$dir/$(dirname "$applet")"
		ln -sf /bin/busybox "$dir/$applet"
	done
	cp -r "$PROBE_DIR/etc" "$dir/"
	install -d -m 1777 "$dir/tmp"
	install -d "$dir/root"
	step "docker import $PROBE_IMAGE"
	# PID 1 ignores SIGTERM unless it traps it: trap it so "docker stop" is quick.
	import_dir "$dir" "$PROBE_IMAGE" \
		"LABEL multihost.version=$PROBE_IMAGE_VERSION" "LABEL multihost.inputs=$probe_hash" \
		'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
		'CMD ["/bin/sh", "-c", "trap \"exit 0\" TERM INT; while :; do sleep 3600 & wait $!; done"]' ||
		die "docker import failed"
else
	echo "==> $PROBE_IMAGE is up to date"
fi

# ---- tar files for the engines inside the hosts -----------------------------
step "docker save consul and probe to $OUT"
save_image "$CONSUL_IMAGE" "$OUT/consul.tar"
save_image "$PROBE_IMAGE" "$OUT/probe.tar"

step "done"
docker image ls --format '    {{.Repository}}:{{.Tag}}  {{.Size}}' | grep '^    multihost/' || true
