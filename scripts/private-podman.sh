#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A Podman API service of restartprof's own that touches nothing else on the machine: its
# own root, runroot, tmpdir (file locks, not /dev/shm/libpod_lock), events log, network
# configuration, bridge and subnet, and socket, all under one directory, all set by a
# containers.conf and storage.conf of its own (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF).
# What Podman 4.3 writes outside it whatever the configuration says (/run/containers/networks,
# /var/lib/containers/cache, /run/netns, libpod_parent cgroups, netavark's firewall chains)
# is removed at stop when it was not there at start and no other Podman runs; what was there
# before is left alone.
#
#   scripts/private-podman.sh start DIR    start it; the socket is DIR/podman.sock
#   scripts/private-podman.sh stop DIR     stop it, remove its containers, mounts, network
#                                          namespaces, bridge, firewall rules, and DIR
#   scripts/private-podman.sh halt DIR     stop the service only (its containers, under
#                                          conmon, go on running; data kept)
#   scripts/private-podman.sh resume DIR   start a halted service again on the same data
set -uo pipefail
# shellcheck source=scripts/iptables-chains.sh
. "$(dirname "$0")/iptables-chains.sh"

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop|halt|resume DIR" >&2; exit 2; }

# Written once at start, read again by stop: the names of what this service owns.
tag() { printf '%s' "$dir" | md5sum | cut -c1-8; }

podman_env() {
	export CONTAINERS_CONF="$dir/containers.conf"
	export CONTAINERS_STORAGE_CONF="$dir/storage.conf"
	export CONTAINERS_REGISTRIES_CONF="$dir/registries.conf"
	# Podman 4.3 keeps each image import's upload as $TMPDIR/api_load.tar* (default /var/tmp).
	export TMPDIR="$dir/tmp"
	mkdir -p "$TMPDIR"
}

podman_cmd() {
	podman_env
	exec podman --root "$dir/root" --runroot "$dir/run" --cgroup-manager cgroupfs \
		--events-backend file --tmpdir "$dir/tmp" --network-config-dir "$dir/networks" "$@"
}

write_config() {
	local t net now
	t=$(tag)
	for _ in $(seq 1 50); do
		net="10.$((RANDOM % 50 + 200)).$((RANDOM % 250 + 1))"
		ip -4 route show | grep -q "^$net\." || break
	done
	mkdir -p "$dir/root" "$dir/run" "$dir/tmp" "$dir/networks" "$dir/volumes"
	cat >"$dir/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$dir/root"
runroot = "$dir/run"
EOF
	: >"$dir/registries.conf"
	cat >"$dir/containers.conf" <<EOF
[engine]
# crun 1.8 refuses a hybrid cgroup hierarchy (v1 with a unified mount, as here); runc works.
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
lock_type = "file"
tmp_dir = "$dir/tmp"
volume_path = "$dir/volumes"
static_dir = "$dir/root/libpod"
num_locks = 256
[network]
network_backend = "netavark"
network_config_dir = "$dir/networks"
default_network = "rp$t"
EOF
	now=$(date -u +%Y-%m-%dT%H:%M:%S.000000000Z)
	cat >"$dir/networks/rp$t.json" <<EOF
{
  "name": "rp$t",
  "id": "$(printf '%s' "$dir" | sha256sum | cut -c1-64)",
  "driver": "bridge",
  "network_interface": "rpp$t",
  "created": "$now",
  "subnets": [{"subnet": "$net.0/24", "gateway": "$net.1"}],
  "ipv6_enabled": false,
  "internal": false,
  "dns_enabled": false,
  "ipam_options": {"driver": "host-local"}
}
EOF
	echo "rpp$t" >"$dir/.bridge"
	echo "$net.0/24" >"$dir/.subnet"
	# The firewall chains netavark shares between networks: ours to remove only if absent now.
	iptables-save 2>/dev/null | grep -q NETAVARK || : >"$dir/.netavark-chains"
	# Podman 4.3 keeps netavark's run state (IPAM database) in /run/containers/networks and
	# an image import's blob cache in /var/lib/containers/cache, whatever its configuration
	# says; and with cgroupfs, cgroups under libpod_parent.
	[ -e /run/containers ] || : >"$dir/.run-containers"
	[ -e /var/lib/containers ] || : >"$dir/.var-lib-containers"
	[ -e /run/netns ] || : >"$dir/.run-netns"
	for c in /sys/fs/cgroup/*/; do
		[ -e "$c/libpod_parent" ] || echo "$c/libpod_parent" >>"$dir/.cgroups"
	done
}

launch() {
	# exec: the pid recorded is the service's own.
	(podman_cmd system service --time 0 "unix://$dir/podman.sock") >>"$dir/podman.log" 2>&1 &
	echo $! >"$dir/podman.pid"
	for _ in $(seq 1 300); do
		if [ -S "$dir/podman.sock" ] && curl -sf --max-time 2 --unix-socket "$dir/podman.sock" \
			http://d/_ping >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	echo "private-podman: the service did not come up in 30 s; its log:" >&2
	tail -20 "$dir/podman.log" >&2
	return 1
}

halt() {
	local pid=""
	[ -f "$dir/podman.pid" ] && pid=$(cat "$dir/podman.pid" 2>/dev/null)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	fi
	return 0
}

# Rules naming our bridge or subnet, in the tables netavark writes to.
drop_rules() {
	local br=$1 net=${2//./\\.} t
	for t in filter nat; do delete_rules "$t" "(^| )($br|$net)( |$)" '^$'; done
}


stop() {
	local ids br="" net=""
	if [ -S "$dir/podman.sock" ]; then
		# Containers first, through Podman, so it tears down their netns and mounts itself.
		ids=$(podman_cmd ps -aq 2>/dev/null)
		# shellcheck disable=SC2086 # container ids: hex words
		[ -z "$ids" ] || (podman_cmd rm -f -t 0 $ids) >/dev/null 2>&1
	fi
	halt
	# Processes started for our containers name our directory: conmon, podman cleanup.
	pkill -KILL -f -- "--root $dir/root" 2>/dev/null
	pkill -KILL -f -- "$dir/run" 2>/dev/null
	for _ in $(seq 1 50); do pgrep -f -- "--root $dir/root" >/dev/null || break; sleep 0.1; done
	# Network namespaces Podman made for our containers (named in their network state).
	if [ -d "$dir/run" ]; then
		grep -rhoa '/run/netns/netns-[0-9a-f-]*' "$dir/run" "$dir/root" 2>/dev/null | sort -u |
			while read -r ns; do umount "$ns" 2>/dev/null; rm -f "$ns"; done
	fi
	# Mounts left behind (overlay layers, shm, the storage root itself) go next.
	{ grep -o " ${dir}[^ ]*" /proc/self/mounts 2>/dev/null || true; } | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null
	done
	[ -f "$dir/.bridge" ] && br=$(cat "$dir/.bridge")
	[ -f "$dir/.subnet" ] && net=$(cat "$dir/.subnet")
	if [ -n "$br" ]; then
		command -v iptables >/dev/null && drop_rules "$br" "$net"
		ip link del "$br" 2>/dev/null
	fi
	# What Podman made outside DIR, when it did not exist before and no other Podman runs.
	if ! pgrep -x conmon >/dev/null && ! pgrep -f 'podman .*system service' >/dev/null; then
		[ -f "$dir/.netavark-chains" ] && drop_chains "-j NETAVARK" NETAVARK
		if [ -f "$dir/.run-containers" ]; then
			rm -rf /run/containers/networks
			rmdir /run/containers 2>/dev/null
		fi
		if [ -f "$dir/.var-lib-containers" ]; then
			rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb
			rmdir /var/lib/containers/cache /var/lib/containers 2>/dev/null
		fi
		# Podman bind-mounts /run/netns on itself (shared), as ip-netns does.
		if [ -f "$dir/.run-netns" ] && [ -z "$(ls -A /run/netns 2>/dev/null)" ]; then
			umount /run/netns 2>/dev/null
			rmdir /run/netns 2>/dev/null
		fi
		if [ -f "$dir/.cgroups" ]; then
			while read -r c; do
				[ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} + 2>/dev/null
			done <"$dir/.cgroups"
		fi
	fi
	rm -rf "$dir"
}

case "$cmd" in
start)
	command -v podman >/dev/null || { echo "private-podman: podman is not installed (scripts/install-deps.sh podman)" >&2; exit 1; }
	mkdir -p "$dir"
	write_config
	if ! launch; then
		stop
		exit 1
	fi
	;;
stop) stop ;;
halt) halt ;;
resume) launch || exit 1 ;;
*) echo "usage: $0 start|stop|halt|resume DIR" >&2; exit 2 ;;
esac
