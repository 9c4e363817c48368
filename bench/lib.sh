# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by bench/bench.sh and its sections (sourced, not run). Needs: RP (restartprof),
# BENCH_OUT (raw output directory), DOCKER_HOST (the private engine), BENCH_DIR (bench/).

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Wall clock in ns.
now_ns() { date +%s%N; }

# Lets the disk calm down before a measurement: what an earlier disk load left dirty is written
# back (sync), then up to 30 s more until less than 1 MiB is dirty or under writeback.
settle() {
	sync
	for _ in $(seq 1 30); do
		awk '/^(Dirty|Writeback):/ { s += $2 } END { exit !(s < 1024) }' /proc/meminfo && break
		sleep 1
	done
	sleep 1
}

# restartprof run against the private engine, its stderr into DIR/stderr.log; args after DIR.
# The disk settles first.
#   rp_run DIR [OPTIONS...]
rp_run() {
	local dir=$1
	shift
	settle
	"$RP" run --docker-host "$DOCKER_HOST" -o "$dir" "$@" 2>"$dir.stderr.log" >"$dir.stdout.log"
	local rc=$?
	[ $rc -eq 0 ] || { log "restartprof run $* failed ($rc), its log:"; tail -5 "$dir.stderr.log" >&2; }
	return $rc
}

# Starts restartprof run in the background (as rp_run); its pid in RP_PID (a child of this
# shell, so that it can be waited for: call it without $(...)).
# shellcheck disable=SC2034 # read by the sections
RP_PID=
rp_spawn() {
	local dir=$1
	shift
	"$RP" run --docker-host "$DOCKER_HOST" -o "$dir" "$@" 2>"$dir.stderr.log" >"$dir.stdout.log" &
	# shellcheck disable=SC2034
	RP_PID=$!
}

# A column of a CSV file by header name (no quoted commas in the columns used here).
#   csv_cols FILE COL... -> the values, space-separated, one row a line (header skipped)
csv_cols() {
	local file=$1
	shift
	awk -F, -v want="$*" '
		NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) col[$i] = i
			  for (k = 1; k <= n; k++) if (!(w[k] in col)) { print "no column " w[k] > "/dev/stderr"; exit 1 }
			  next }
		{ line = ""; for (k = 1; k <= n; k++) line = line (k > 1 ? " " : "") $col[w[k]]; print line }' "$file"
}

awk_stats() { awk -f "$BENCH_DIR/lib.awk" "$@"; }

# Machine state, one line: qemu processes, other engines, load average, other BPF programs.
machine_state() {
	local qemu engines load progs
	qemu=$(pgrep -c qemu-system || true)
	# Engines other than the bench's own.
	engines=$(pgrep -a -x dockerd | grep -vc -- "${ENGINE_DIR:-/nonexistent}/" || true)
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	progs=$(bpftool prog show -j 2>/dev/null | jq length 2>/dev/null || echo "?")
	echo "qemu-system processes $qemu, other dockerd processes $engines, load average $load, BPF programs loaded $progs"
}

# Quiet: no qemu and a 1-minute load average under 0.5 (2 cores).
machine_quiet() {
	[ "$(pgrep -c qemu-system || true)" = 0 ] && awk '{ exit !($1 < 0.5) }' /proc/loadavg
}

# CPU time (ns) of every thread of a process so far, from schedstat (ns resolution).
proc_cpu_ns() {
	local pid=$1 sum=0 t v
	for t in /proc/"$pid"/task/*/schedstat; do
		read -r v _ <"$t" 2>/dev/null || continue
		sum=$((sum + v))
	done
	echo "$sum"
}

# Waits until FILE has at least N lines (or the process PID ended); 0 if it did.
wait_lines() {
	local file=$1 n=$2 pid=$3 limit=${4:-600}
	local end=$((SECONDS + limit))
	while [ $SECONDS -lt $end ]; do
		[ -f "$file" ] && [ "$(wc -l <"$file")" -ge "$n" ] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.2
	done
	return 1
}

# The BPF maps and programs a process holds (ids from its fds' fdinfo), one "map|prog ID" a line.
bpf_ids_of() {
	local pid=$1 fd
	for fd in /proc/"$pid"/fdinfo/*; do
		awk '/^map_id:/ { print "map", $2 } /^prog_id:/ { print "prog", $2 }' "$fd" 2>/dev/null
	done | sort -u
}

# Programs loaded now: "ID NAME TYPE RUN_CNT RUN_TIME_NS" a line.
bpf_progs() {
	bpftool prog show -j 2>/dev/null |
		jq -r '.[] | "\(.id) \(.name // "-") \(.type) \(.run_cnt // 0) \(.run_time_ns // 0)"'
}

# kernel.bpf_stats_enabled on for a while; bpf_stats_restore puts the old value back.
BPF_STATS_OLD=
bpf_stats_on() {
	[ -n "$BPF_STATS_OLD" ] || BPF_STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -q -w kernel.bpf_stats_enabled=1
}
bpf_stats_restore() {
	[ -n "$BPF_STATS_OLD" ] || return 0
	sysctl -q -w kernel.bpf_stats_enabled="$BPF_STATS_OLD"
	BPF_STATS_OLD=
}

# tracefs for bpftrace's and execsnoop's tracepoints; unmounted at the end only if we mounted it.
TRACEFS_MOUNTED=
tracefs_on() {
	grep -q ' /sys/kernel/tracing tracefs ' /proc/mounts && return 0
	mount -t tracefs nodev /sys/kernel/tracing && TRACEFS_MOUNTED=1
}
tracefs_restore() {
	[ -n "$TRACEFS_MOUNTED" ] || return 0
	umount /sys/kernel/tracing && TRACEFS_MOUNTED=
}

# Background processes of the bench (peers, storms), killed by bench_cleanup by their pids.
BENCH_PIDS=()
track_pid() { BENCH_PIDS+=("$1"); }
stop_tracked() {
	local p
	for p in "${BENCH_PIDS[@]}"; do
		kill -INT "$p" 2>/dev/null
	done
	for p in "${BENCH_PIDS[@]}"; do
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	BENCH_PIDS=()
}

# The service image a restartprof run left in the engine (kept as a cache).
svc_image() {
	"$DOCKER" -H "$DOCKER_HOST" images --format '{{.Repository}}:{{.Tag}}' restartprof-svc | head -1
}
