#!/usr/bin/env bash
# A Docker engine of restartprof's own that touches nothing else on the machine:
# its own data-root, exec-root, socket and pidfile, all under one directory.
#
#   scripts/private-dockerd.sh start DIR    start it; the socket is DIR/docker.sock
#   scripts/private-dockerd.sh stop DIR     stop it and remove DIR entirely
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

start() {
	mkdir -p "$dir"
	command -v dockerd >/dev/null || { echo "private-dockerd: dockerd is not installed (scripts/install-deps.sh run)" >&2; exit 1; }
	# Another running engine owns docker0: take a bridge of our own instead.
	local bridge_args=()
	if pgrep -x dockerd >/dev/null; then
		# Name and subnet unique to this engine: several may run side by side.
		local br="rpbr${dir: -6}" net
		for _ in $(seq 1 50); do
			net="172.31.$((RANDOM % 250 + 1))"
			ip -4 route show | grep -q "^$net\." || break
		done
		ip link add "$br" type bridge
		ip addr add "$net.1/24" dev "$br"
		ip link set "$br" up
		bridge_args=(--bridge "$br")
		echo "$br" >"$dir/.bridge"
	elif ! ip link show docker0 >/dev/null 2>&1; then
		echo docker0 >"$dir/.bridge" # the engine creates it; we remove it
	fi
	dockerd --data-root "$dir/root" --exec-root "$dir/exec" -H "unix://$dir/docker.sock" \
		--pidfile "$dir/dockerd.pid" "${bridge_args[@]}" >"$dir/dockerd.log" 2>&1 &
	for _ in $(seq 1 300); do
		if [ -S "$dir/docker.sock" ] && docker -H "unix://$dir/docker.sock" version >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "private-dockerd: the engine did not come up in 30 s; its log:" >&2
	tail -20 "$dir/dockerd.log" >&2
	stop
	exit 1
}

stop() {
	local pid=""
	[ -f "$dir/dockerd.pid" ] && pid=$(cat "$dir/dockerd.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	# containerd and shims it started live in the exec-root; none may outlive it.
	pkill -KILL -f -- "$dir/exec" 2>/dev/null || true
	# Mounts left by a killed engine (overlay layers, netns, the exec-root) go first.
	{ grep -o " $dir[^ ]*" /proc/self/mounts 2>/dev/null || true; } | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	if [ -f "$dir/.bridge" ]; then ip link del "$(cat "$dir/.bridge")" 2>/dev/null || true; fi
	rm -rf "$dir"
}

case "$cmd" in
start) start ;;
stop) stop ;;
*) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
