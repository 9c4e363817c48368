#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Soak of restartprof watch: many restarts made through the engine (POST /containers/ID/restart,
# what `docker restart` does) while watch records them; its resident memory sampled throughout.
# Says how many restarts it recognised of those made, and whether its memory stays flat after
# warm-up (the first half of the samples): the third quarter's median against the last's.
#
#   bench/watch_soak.sh [-n RESTARTS] [-c CONTAINERS] [--sample S] [--out DIR] [--md FILE]
#
# -n RESTARTS   restarts to make in all (default $WATCH_SOAK_N, else 1000)
# -c CONTAINERS containers restarted side by side, each by its own loop (default 4)
# --sample S    seconds between two samples of VmRSS (default 2)
# --idle S      first, watch with nothing restarting for S s: its CPU and VmRSS (default 30)
# --out DIR     raw output (default bench/work/watch); --md FILE: the table (default DIR.md)
#
# Against the engine at $DOCKER_HOST (make bench's private one); by hand:
#   sudo scripts/with-engine.sh bench/watch_soak.sh -n 200
# Removes its containers and stops watch however it ends. Root only (watch loads BPF).
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
: "${RP:=$ROOT/build/restartprof}" "${DOCKER:=$(command -v /usr/bin/docker || command -v docker || true)}"
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

n=${WATCH_SOAK_N:-1000}
containers=4
sample_s=2
idle_s=${WATCH_IDLE_S:-30}
out=$BENCH_DIR/work/watch
md=
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift ;;
	-c) containers=$2; shift ;;
	--sample) sample_s=$2; shift ;;
	--idle) idle_s=$2; shift ;;
	--out) out=$2; shift ;;
	--md) md=$2; shift ;;
	*) die "unknown argument '$1' (see the head of bench/watch_soak.sh)" ;;
	esac
	shift
done
[ -n "$md" ] || md=$out.md
[ "$(id -u)" -eq 0 ] || die "run as root (watch loads BPF programs)"
[ -x "$RP" ] || die "no $RP: make first"
[ -n "${DOCKER_HOST:-}" ] || die "no DOCKER_HOST: run it under scripts/with-engine.sh"
for tool in "$DOCKER" curl ss; do
	command -v "$tool" >/dev/null || die "$tool is missing"
done

LABEL=io.restartprof.soak=watch
SOCK=${DOCKER_HOST#unix://}
WATCH_PID=
LOOP_PIDS=()

docker_cli() { "$DOCKER" -H "$DOCKER_HOST" "$@"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$WATCH_PID/status" 2>/dev/null; }

soak_cleanup() {
	local p ids
	for p in "${LOOP_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${LOOP_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	LOOP_PIDS=()
	if [ -n "$WATCH_PID" ] && kill -0 "$WATCH_PID" 2>/dev/null; then
		kill -INT "$WATCH_PID"
		for _ in $(seq 1 100); do kill -0 "$WATCH_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$WATCH_PID" 2>/dev/null
		wait "$WATCH_PID" 2>/dev/null
	fi
	WATCH_PID=
	ids=$(docker_cli ps -aq --filter "label=$LABEL")
	# shellcheck disable=SC2086 # container ids, one word each
	[ -z "$ids" ] || docker_cli rm -f $ids >/dev/null
}
trap soak_cleanup EXIT
trap 'log "watch soak: interrupted"; exit 130' INT TERM

rm -rf "$out"
mkdir -p "$out"

# The shipped service image: a one-trial run builds it when the engine lacks it.
image=$(svc_image)
if [ -z "$image" ]; then
	"$RP" run --docker-host "$DOCKER_HOST" --trials 1 --no-trace -o "$out/prime" \
		>"$out/prime.log" 2>&1 || die "watch soak: the run that builds the service image failed"
	image=$(svc_image)
fi
[ -n "$image" ] || die "watch soak: no restartprof-svc image"

# A loopback port nothing listens on.
for _ in $(seq 1 50); do
	port=$((20000 + RANDOM % 20000))
	[ -z "$(ss -Htln "sport = :$port")" ] && break
done
"$RP" watch --docker-host "$DOCKER_HOST" -o "$out/run" --filter "label=$LABEL" \
	--listen "127.0.0.1:$port" 2>"$out/watch.stderr.log" &
WATCH_PID=$!
for _ in $(seq 1 300); do
	grep -q ': run ' "$out/watch.stderr.log" 2>/dev/null &&
		curl -fs "http://127.0.0.1:$port/metrics" >/dev/null && break
	kill -0 "$WATCH_PID" 2>/dev/null || die "watch soak: watch exited: $(tail -3 "$out/watch.stderr.log")"
	sleep 0.2
done
sleep 1

for i in $(seq 1 "$containers"); do
	docker_cli run -d --name "soak-$i" --label "$LABEL" "$image" >/dev/null ||
		die "watch soak: cannot start container soak-$i"
done
sleep 2

# Idle: the containers run, nothing restarts.
log "watch soak: idle for $idle_s s"
cpu_idle0=$(proc_cpu_ns "$WATCH_PID")
sleep "$idle_s"
idle_cpu_pct=$(awk -v c="$(($(proc_cpu_ns "$WATCH_PID") - cpu_idle0))" -v s="$idle_s" \
	'BEGIN { printf "%.3f", 100 * c / (s * 1e9) }')
idle_rss=$(rss_kib)
linkage=$(readelf -l "$RP" 2>/dev/null | grep -q 'program interpreter' && echo dynamic || echo static)

# One loop per container: POST /restart, then a pause for the new service to listen.
restart_loop() {
	local name=$1 count=$2 made=0
	for _ in $(seq 1 "$count"); do
		curl -fsS --unix-socket "$SOCK" -X POST "http://localhost/containers/$name/restart?t=1" \
			>/dev/null 2>>"$out/restart-errors.log" && made=$((made + 1))
		sleep 0.2
	done
	echo "$made" >"$out/made-$name"
}

per=$(((n + containers - 1) / containers))
log "watch soak: $((per * containers)) restarts of $containers containers, VmRSS every $sample_s s"
start_s=$SECONDS
cpu0=$(proc_cpu_ns "$WATCH_PID")
for i in $(seq 1 "$containers"); do
	restart_loop "soak-$i" "$per" &
	LOOP_PIDS+=($!)
done
echo "t_s,rss_kib" >"$out/rss.csv"
while :; do
	running=0
	for p in "${LOOP_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && running=1; done
	echo "$((SECONDS - start_s)),$(rss_kib)" >>"$out/rss.csv"
	[ $running = 1 ] || break
	sleep "$sample_s"
done
for p in "${LOOP_PIDS[@]}"; do wait "$p"; done
LOOP_PIDS=()
made=$(cat "$out"/made-soak-* | awk '{ s += $1 } END { print s + 0 }')

# The last restarts' readiness may still be pending: wait for the counter, 60 s at most.
recognised_now() {
	curl -fs "http://127.0.0.1:$port/metrics" |
		awk '/^restartprof_restarts_total[{ ]/ { s += $NF } END { print s + 0 }'
}
for _ in $(seq 1 120); do
	[ "$(recognised_now)" -ge "$made" ] && break
	sleep 0.5
done
secs=$((SECONDS - start_s))
cpu_ns=$(($(proc_cpu_ns "$WATCH_PID") - cpu0))
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$WATCH_PID/status")
curl -fs "http://127.0.0.1:$port/metrics" >"$out/metrics.txt"
kill -INT "$WATCH_PID"
wait "$WATCH_PID"
rc=$?
WATCH_PID=
[ $rc -eq 0 ] || log "watch soak: watch exited $rc"

# Restarts of the soak's containers that watch wrote as trials, ok and of kind restart.
recognised=$(csv_cols "$out/run/trials.csv" cell kind status |
	awk '$1 ~ /^soak-/ && $2 == "restart" && $3 == "ok" { n++ } END { print n + 0 }')
other=$(csv_cols "$out/run/trials.csv" cell kind status |
	awk '$1 ~ /^soak-/ && !($2 == "restart" && $3 == "ok") { n++ } END { print n + 0 }')

# Warm-up is the first half of the samples (the history filling, the heap reaching the size its
# mix of lasting and passing blocks needs, the names of new stacks cached); then the medians of
# the third quarter and of the last one, and whether the last grew (flat: less
# than 5 % and less than 1 MiB above the second), with the growth per hour between their middles.
awk -F, 'NR > 1 && $2 != "" { print $1, $2 }' "$out/rss.csv" >"$out/rss.kept"
samples=$(wc -l <"$out/rss.kept")
quarter=$((samples / 4 > 0 ? samples / 4 : 1))
median_of() { sort -n | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
quarter_median() { sed -n "$(($1 * quarter + 1)),$((($1 + 1) * quarter))p" "$out/rss.kept" | awk '{ print $2 }' | median_of; }
q1=$(quarter_median 0)
q2=$(quarter_median 1)
first=$(quarter_median 2)
last=$(tail -n "$quarter" "$out/rss.kept" | awk '{ print $2 }' | median_of)
t_first=$(sed -n "$((2 * quarter + quarter / 2 + 1))p" "$out/rss.kept" | awk '{ print $1 }')
t_last=$(sed -n "$((samples - quarter / 2))p" "$out/rss.kept" | awk '{ print $1 }')
per_hour=$(awk -v f="$first" -v l="$last" -v a="${t_first:-0}" -v b="${t_last:-0}" \
	'BEGIN { printf "%.0f", (b > a) ? (l - f) * 3600 / (b - a) : 0 }')
growth=$((last - first))
flat=$(awk -v f="$first" -v l="$last" 'BEGIN { d = l - f; print (d < 1024 && d < 0.05 * f) ? "yes" : "**no**" }')
missed=$((made - recognised))
[ $missed -ge 0 ] || missed=0
none_missed=$([ "$recognised" -eq "$made" ] && [ "$other" -eq 0 ] && echo yes || echo "**no**")

{
	echo "## 7. Watch soak: memory and recognition over $made restarts"
	echo
	echo "\`restartprof watch --filter label=$LABEL --listen 127.0.0.1:PORT\` (tracing on) while"
	echo "$containers containers of the service image are restarted $per times each, side by side"
	echo "(\`POST /containers/NAME/restart?t=1\`, what \`docker restart -t 1\` does, then 0.2 s), by"
	echo "\`bench/watch_soak.sh -n $n -c $containers\`. VmRSS of watch from /proc every $sample_s s"
	echo "($samples samples, in \`work/watch/rss.csv\`). The first half of the samples is warm-up (the"
	echo "kernel history filling, the heap reaching its working size, new stacks' names cached: the"
	echo "quarters' medians show the approach); flat means the last quarter's median is less than"
	echo "5 % and less than 1 MiB above the third quarter's; growth per hour is that difference over the"
	echo "time between the two quarters' middles (a straight line: a guide, not a forecast)."
	echo "Recognised: rows of trials.csv of those containers with kind \`restart\` and status ok;"
	echo "other rows: any other kind or status."
	echo
	echo "Idle first: the same watch for $idle_s s with the containers running and nothing restarting"
	echo "(CPU from the threads' schedstat, VmRSS at the end; a $linkage build)."
	echo
	echo "| idle CPU (% of a core) | idle VmRSS (KiB) |"
	echo "|---|---|"
	echo "| $idle_cpu_pct | $idle_rss |"
	echo
	echo "| restarts made | recognised | missed | other rows | seconds | VmRSS quarters 1, 2 (KiB) | third quarter (KiB) | last quarter (KiB) | growth (KiB) | per hour (KiB) | flat | VmHWM (KiB) | CPU (% of a core) |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	echo "| $made | $recognised | $missed | $other | $secs | $q1, $q2 | $first | $last | $growth | $per_hour | $flat | $hwm | $(awk -v c="$cpu_ns" -v s="$secs" 'BEGIN { printf "%.2f", s ? 100 * c / (s * 1e9) : 0 }') |"
} >"$md"
# Lines for bench.sh's table of targets.
{
	echo "| 7 watch soak | restarts recognised of those made | all, none other | $recognised of $made, $other other | $none_missed | |"
	echo "| 7 watch soak | VmRSS after warm-up, last quarter against third | flat (< 5 %, < 1 MiB) | $(printf '%+d' "$growth") KiB ($(printf '%+d' "$per_hour") KiB/h) | $flat | |"
	awk -v c="$idle_cpu_pct" -v r="$idle_rss" -v l="$linkage" 'BEGIN {
		printf "| 7 watch soak | idle engine, CPU | < 0.5 %% of a core | %s %% | %s | |\n", c, (c < 0.5 ? "yes" : "**no**")
		printf "| 7 watch soak | idle engine, VmRSS (%s build) | < 16 MiB | %.1f MiB | %s | %s |\n", l, r / 1024, (r < 16384 ? "yes" : "**no**"), (l == "static" ? "" : "the target is for a static build") }'
} >"$out/summary.md"
log "watch soak: $recognised of $made restarts recognised, VmRSS $first -> $last KiB ($flat flat)"
[ "$none_missed" = yes ] && [ "$flat" = yes ]
