#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# What watching costs: watch's CPU and memory on a machine busy with disk load and no restarts,
# and the restart time of the same restarts with watch running (A) and without (B),
# interleaved in ABBA blocks so that drift cannot pass for an effect. The restart time here is
# the engine's own: the duration of POST /containers/ID/restart (its stop and its start), timed
# by curl, which watch does not touch.
#
#   bench/watch_cost.sh [-b BLOCKS] [-k PER_BLOCK] [--settle S] [--busy S] [--out DIR] [--md FILE]
#
# -b BLOCKS     ABBA groups (default 4: 16 blocks)     -k PER_BLOCK  restarts per block (default 10)
# --settle S    seconds between watch's start and the first restart of its block (default 3)
# --busy S      seconds watch is measured with two `stress-ng --hdd 1` containers (default 60)
# --out DIR     raw output (default bench/work/watch-cost); --md FILE: the table (default DIR.md)
#
# Against the engine at $DOCKER_HOST (make bench's private one); by hand:
#   sudo scripts/with-engine.sh bench/watch_cost.sh
# Removes its containers and stops watch however it ends. Root only (watch loads BPF).
set -uo pipefail

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$BENCH_DIR")
: "${RP:=$ROOT/build/restartprof}" "${DOCKER:=$(command -v /usr/bin/docker || command -v docker || true)}"
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"

blocks=4
per_block=10
settle_s=3
busy_s=60
out=$BENCH_DIR/work/watch-cost
md=
while [ $# -gt 0 ]; do
	case $1 in
	-b) blocks=$2; shift ;;
	-k) per_block=$2; shift ;;
	--busy) busy_s=$2; shift ;;
	--settle) settle_s=$2; shift ;;
	--out) out=$2; shift ;;
	--md) md=$2; shift ;;
	*) die "unknown argument '$1' (see the head of bench/watch_cost.sh)" ;;
	esac
	shift
done
[ -n "$md" ] || md=$out.md
[ "$(id -u)" -eq 0 ] || die "run as root (watch loads BPF programs)"
[ -x "$RP" ] || die "no $RP: make first"
[ -n "${DOCKER_HOST:-}" ] || die "no DOCKER_HOST: run it under scripts/with-engine.sh"

LABEL=io.restartprof.bench=watch-cost
SOCK=${DOCKER_HOST#unix://}
WATCH_PID=
docker_cli() { "$DOCKER" -H "$DOCKER_HOST" "$@"; }

cleanup() {
	[ -n "$WATCH_PID" ] && kill -INT "$WATCH_PID" 2>/dev/null && wait "$WATCH_PID" 2>/dev/null
	docker_cli ps -aq --filter "label=$LABEL" | xargs -r "$DOCKER" -H "$DOCKER_HOST" rm -f >/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$out" && mkdir -p "$out" || die "cannot make $out"
# The service and stress images: a one-trial run leaves both in the engine as a cache.
"$RP" run --trials 1 --load hdd --stressors 1 --settle 1 --no-trace -o "$out/prep" >/dev/null 2>&1 ||
	die "the preparing run failed (see $RP run --help)"
svc=$(svc_image)
stress=$(docker_cli images --format '{{.Repository}}:{{.Tag}}' restartprof-stress | head -1)
[ -n "$svc" ] && [ -n "$stress" ] || die "no service or stress image in the engine"

start_watch() {
	"$RP" watch -o "$out/$1" -f "label=$LABEL" 2>"$out/$1.log" &
	WATCH_PID=$!
	wait_lines "$out/$1.log" 2 "$WATCH_PID" 60 || die "watch did not start (see $out/$1.log)"
}
stop_watch() {
	kill -INT "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID" 2>/dev/null
	WATCH_PID=
}

# 1. Busy, no restarts: two disk writers, watch's CPU share and resident memory.
for i in 1 2; do
	docker_cli run -d --label "$LABEL" "$stress" --hdd 1 --timeout 0 >/dev/null ||
		die "cannot start a stress container"
done
sleep 5
start_watch busy
sleep 5
cpu0=$(proc_cpu_ns "$WATCH_PID")
t0=$(now_ns)
sleep "$busy_s"
cpu1=$(proc_cpu_ns "$WATCH_PID")
t1=$(now_ns)
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$WATCH_PID/status")
stop_watch
docker_cli ps -q --filter "label=$LABEL" | xargs -r "$DOCKER" -H "$DOCKER_HOST" rm -f >/dev/null
busy_pct=$(awk -v c=$((cpu1 - cpu0)) -v t=$((t1 - t0)) 'BEGIN { printf "%.3f", 100 * c / t }')
log "busy, no restarts: watch used $busy_pct % of one core, VmRSS $rss KiB"

# 2. The same restarts with and without watch, ABBA.
id=$(docker_cli run -d --label "$LABEL" --restart unless-stopped "$svc") || die "cannot start the service"
sleep 2
restart_block() {
	local variant=$1 k
	for k in $(seq 1 "$per_block"); do
		t=$(curl -s -o /dev/null -w '%{time_total}' -X POST --unix-socket "$SOCK" \
			"http://engine/containers/$id/restart?t=2") || continue
		echo "$variant $t"
		sleep 1
	done
}
: >"$out/ab.txt"
for b in $(seq 1 "$blocks"); do
	for variant in watch none none watch; do
		# Watch's start-up (BTF, probes, the kernel's symbols) is not what is measured.
		[ "$variant" = watch ] && start_watch "ab-$b-$RANDOM" && sleep "$settle_s"
		restart_block "$variant" >>"$out/ab.txt"
		[ "$variant" = watch ] && stop_watch
	done
done
recognised=$(cat "$out"/ab-*.log | grep -c '^restartprof: restart ')
made=$(grep -c '^watch ' "$out/ab.txt")

{
	echo "## watch: its cost"
	echo
	echo "$(date -u +%Y-%m-%dT%H:%MZ), $(machine_state)."
	echo
	echo "- Busy with two \`stress-ng --hdd 1\` containers and no restart, over $busy_s s:"
	echo "  watch used **$busy_pct %** of one core; VmRSS $rss KiB (dynamic build)."
	echo "- Restarts made while watch ran: $made; recognised by it: $recognised."
	echo
	echo "Restart time (POST /restart, the engine's stop and start) with watch running (A) and"
	echo "without (B), ABBA blocks of $per_block, $blocks groups, the first restart of a watched block"
	echo "$settle_s s after watch started; medians in ms; the i-th A paired with the i-th B, 95 % interval of"
	echo "the paired ratio by resampling the pairs:"
	echo
	awk -v on=watch -v label="restart, watched / not" -v scale=0.001 -v reps=2000 -v seed=7 \
		-v header=1 -v title=what \
		-f "$BENCH_DIR/lib.awk" -f "$BENCH_DIR/abtable.awk" "$out/ab.txt"
} >"$md"
cat "$md"
