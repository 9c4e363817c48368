#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A Docker engine of restartprof's own that touches nothing else on the machine:
# its own data-root, exec-root, socket and pidfile, all under one directory.
#
#   scripts/private-dockerd.sh start DIR    start it; the socket is DIR/docker.sock
#   scripts/private-dockerd.sh stop DIR     stop it and remove DIR entirely
#   scripts/private-dockerd.sh halt DIR     stop the daemon only (its socket vanishes; data kept)
#   scripts/private-dockerd.sh resume DIR   start a halted daemon again on the same data
set -uo pipefail
# shellcheck source=scripts/iptables-chains.sh
. "$(dirname "$0")/iptables-chains.sh"

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|halt|resume DIR" >&2; exit 2; }

setup_bridge() {
	# Another running engine owns docker0: take a bridge of our own instead.
	if pgrep -x dockerd >/dev/null; then
		# Name and subnet unique to this engine: several may run side by side.
		# (a hash of the directory: its last characters may hold a '/').
		local br net
		br="rpbr$(printf '%s' "$dir" | md5sum | cut -c1-8)"
		for _ in $(seq 1 50); do
			net="172.31.$((RANDOM % 250 + 1))"
			ip -4 route show | grep -q "^$net\." || break
		done
		ip link add "$br" type bridge || return 1
		ip addr add "$net.1/24" dev "$br" || return 1
		ip link set "$br" up || return 1
		echo "$br" >"$dir/.bridge"
		echo "--bridge=$br" >"$dir/.args"
	else
		ip link show docker0 >/dev/null 2>&1 || echo docker0 >"$dir/.bridge" # ours to remove
		: >"$dir/.args"
	fi
}

launch() {
	local extra
	extra=$(cat "$dir/.args")
	# shellcheck disable=SC2086 # .args holds at most one word we wrote ourselves
	dockerd --data-root "$dir/root" --exec-root "$dir/exec" -H "unix://$dir/docker.sock" \
		--pidfile "$dir/dockerd.pid" $extra >>"$dir/dockerd.log" 2>&1 &
	for _ in $(seq 1 300); do
		if [ -S "$dir/docker.sock" ] && docker -H "unix://$dir/docker.sock" version >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "private-dockerd: the engine did not come up in 30 s; its log:" >&2
	tail -20 "$dir/dockerd.log" >&2
	return 1
}

halt() {
	local pid=""
	[ -f "$dir/dockerd.pid" ] && pid=$(cat "$dir/dockerd.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	fi
	# containerd and the shims it started live in the exec-root; none may outlive it.
	pkill -KILL -f -- "$dir/exec" 2>/dev/null
	return 0
}

# The iptables rules dockerd made for our bridge: a killed engine leaves them behind.
drop_rules() {
	local br=$1 t rule
	command -v iptables >/dev/null || return 0
	for t in filter nat; do
		iptables -t "$t" -S 2>/dev/null | awk -v br="$br" '$1 == "-A" {
			for (i = 2; i <= NF; i++) if ($i == br) { print; next } }' |
			while read -r -a rule; do
				rule[0]=-D
				iptables -t "$t" "${rule[@]}" 2>/dev/null
			done
	done
}

# What the first engine changes on the host for every engine after it: the FORWARD policy,
# net.ipv4.ip_forward and dockerd's own chains. Saved when no dockerd runs yet, put back when
# the last one stops (the chains removed only if none existed before).
host_net=/run/restartprof-private-dockerd.host-net
save_host_net() {
	pgrep -x dockerd >/dev/null && return 0
	[ -f "$host_net" ] && return 0
	command -v iptables >/dev/null || return 0
	{
		echo "ip_forward=$(cat /proc/sys/net/ipv4/ip_forward)"
		echo "forward_policy=$(iptables -S FORWARD 2>/dev/null | awk '$1 == "-P" { print $3 }')"
		iptables -S DOCKER >/dev/null 2>&1 && echo "chains=kept" || echo "chains=ours"
	} >"$host_net"
}

restore_host_net() {
	local key val
	[ -f "$host_net" ] || return 0
	pgrep -x dockerd >/dev/null && return 0
	while IFS="=" read -r key val; do
		case "$key" in
		ip_forward) [ -n "$val" ] && echo "$val" >/proc/sys/net/ipv4/ip_forward ;;
		forward_policy) [ -n "$val" ] && iptables -P FORWARD "$val" ;;
		chains) [ "$val" = ours ] && drop_chains "-j DOCKER" "^DOCKER" ;;
		esac
	done <"$host_net"
	rm -f "$host_net"
}

stop() {
	halt
	# Mounts left by a killed engine (overlay layers, netns, the exec-root) go first.
	{ grep -o " ${dir}[^ ]*" /proc/self/mounts 2>/dev/null || true; } | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	if [ -f "$dir/.bridge" ]; then
		drop_rules "$(cat "$dir/.bridge")"
		ip link del "$(cat "$dir/.bridge")" 2>/dev/null
	fi
	rm -rf "$dir"
	restore_host_net
}

case "$cmd" in
start)
	command -v dockerd >/dev/null || { echo "private-dockerd: dockerd is not installed (scripts/install-deps.sh run)" >&2; exit 1; }
	mkdir -p "$dir"
	save_host_net
	if ! setup_bridge || ! launch; then
		stop
		exit 1
	fi
	;;
stop) stop ;;
halt) halt ;;
resume) launch || exit 1 ;;
*) echo "usage: $0 start|stop|halt|resume DIR" >&2; exit 2 ;;
esac
