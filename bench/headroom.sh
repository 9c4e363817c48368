# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Section 5: headroom of the ring buffer and its consumer. With --events every kernel record of
# every task is streamed (32 MiB ring); a synthetic storm of short-lived threads (bench/storm.c:
# a fork and an exit record each) runs beside restartprof at rising rates until the first trial
# with a lost record. Each trial is recorded for at least 3 s (a service that listens 3 s after
# it starts, readiness by TCP). Sourced by bench.sh; writes $BENCH_OUT/headroom.md.

headroom_step() {
	local out=$1 rate=$2 procs=$3 mode=$4 dir spid p
	dir=$out/$mode-$rate
	local pids=()
	for p in $(seq 1 "$procs"); do
		"$STORM" "$rate" 600 >"$dir.storm$p" 2>&1 &
		spid=$!
		pids+=("$spid")
		track_pid "$spid"
	done
	sleep 1
	local extra=()
	[ "$mode" = events ] && extra=(--events)
	/usr/bin/time -f "%U %S" -o "$dir.time" "$RP" run --docker-host "$DOCKER_HOST" -o "$dir" \
		"${extra[@]}" --prog-stats --ready tcp:8080 --trials "$HEADROOM_N" --interval 0 \
		-- --startup-ms 3000 2>"$dir.stderr.log" >"$dir.stdout.log"
	local rc=$?
	[ $rc -eq 0 ] || { log "headroom: restartprof failed ($rc):"; tail -5 "$dir.stderr.log" >&2; }
	for spid in "${pids[@]}"; do kill -INT "$spid" 2>/dev/null; done
	stop_tracked
	return $rc
}

# "records_per_s drops trials" of one step: records streamed (events.csv rows) over the
# recorded time (progstats.csv record_ns), and the kernel_drops summed over its trials.
headroom_figures() {
	local dir=$1 rec rows drops
	rec=$(csv_cols "$dir/progstats.csv" trial record_ns | sort -u | awk '{ s += $2 } END { print s + 0 }')
	if [ -f "$dir/events.csv" ]; then
		rows=$(($(wc -l <"$dir/events.csv") - 1))
	else
		rows=
	fi
	drops=$(csv_cols "$dir/trials.csv" kernel_drops | awk '{ s += $1 } END { print s + 0 }')
	# Fork and exit runs of our programs: the events the kernel offered, streamed or not.
	local offered
	offered=$(csv_cols "$dir/progstats.csv" program run_cnt |
		awk '$1 ~ /^sched_process_(fork|exit)_/ { s += $2 } END { print s + 0 }')
	echo "$rec ${rows:--} $drops $offered $(awk '{ print $1 + $2 }' "$dir.time")"
}

section_headroom() {
	local out=$BENCH_OUT/headroom md=$BENCH_OUT/headroom.md rate procs first_drop=""
	mkdir -p "$out"
	: >"$out/steps.txt"
	for rate in $HEADROOM_RATES; do
		procs=1
		[ "$rate" = 0 ] && procs=2
		log "headroom: --events, storm $rate threads/s x $procs"
		headroom_step "$out" "$rate" "$procs" events || return 1
		echo "events $rate $procs $(cat "$out/events-$rate".storm* | awk '{ s += $6 } END { print s }') $(headroom_figures "$out/events-$rate")" >>"$out/steps.txt"
		if [ "$(tail -1 "$out/steps.txt" | awk '{ print $7 }')" != 0 ]; then
			first_drop=$rate
			break
		fi
	done
	log "headroom: aggregated (default) mode, storm at full speed x 2"
	headroom_step "$out" 0 2 aggregated || return 1
	echo "aggregated 0 2 $(cat "$out/aggregated-0".storm* | awk '{ s += $6 } END { print s }') $(headroom_figures "$out/aggregated-0")" >>"$out/steps.txt"
	headroom_table "$first_drop" >"$md"
}

headroom_table() {
	local first_drop=$1
	echo "## 5. Headroom: the ring buffer and its consumer"
	echo
	echo "\`restartprof run --events --prog-stats --ready tcp:8080 --trials $HEADROOM_N --interval 0 --"
	echo "--startup-ms 3000\` (every record of every task streamed through the 32 MiB ring; each trial"
	echo "recorded for at least 3 s) while \`bench/storm.c\` creates short-lived threads at a rising"
	echo "rate (a fork and an exit record each; rate 0: as fast as it can, two processes), until the"
	echo "first lost record (trials.csv kernel_drops: ring reservation failures counted in the kernel,"
	echo "plus records the consumer could not keep). Records/s: events.csv rows over the recorded"
	echo "time; offered/s: runs of our fork and exit programs over the same time. Last row: the"
	echo "default mode (no --events: other tasks' forks and exits are counted in the kernel's"
	echo "aggregates, not streamed) under the full storm."
	echo
	echo "| mode | storm threads/s asked | achieved | fork+exit events offered/s | records streamed/s | lost records |"
	echo "|---|---|---|---|---|---|"
	awk '{ rec_s = $5 / 1e9
		printf "| %s | %s | %.0f | %s | %s | %s |\n", $1 == "events" ? "--events" : "default",
			($2 == 0 ? "max x " $3 : $2), $4, (rec_s > 0 ? sprintf("%.0f", $8 / rec_s) : "-"),
			($6 == "-" ? "(aggregated)" : (rec_s > 0 ? sprintf("%.0f", $6 / rec_s) : "-")), $7 }' "$BENCH_OUT/headroom/steps.txt"
	echo
	if [ -n "$first_drop" ]; then
		echo "First loss at storm rate $first_drop threads/s; the last rate without loss is the headroom."
	else
		echo "No record lost at any rate tried: the headroom is above the highest rate this machine's storm reached."
	fi
	echo
	# The consumer's CPU per record: the extra CPU time of the restartprof process between the
	# slowest and the fastest --events step, over the extra records (the rest of the run, image
	# checks, engine calls, is the same in both).
	awk '$1 == "events" { n++; cpu[n] = $9; rows[n] = $6 }
		END { if (n >= 2 && rows[n] > rows[1]) {
			us = (cpu[n] - cpu[1]) / (rows[n] - rows[1]) * 1e6
			printf "Userspace spends about %.2f us of CPU per streamed record, all told: the restartprof\n", us
			printf "process'"'"'s extra CPU time (user + sys) from the slowest to the fastest step over the extra\n"
			printf "records. Most of it comes after the trial (conversion, attribution, the events.csv row);\n"
			printf "while the trial runs the reader only copies records out of the ring, and it kept up with\n"
			printf "everything offered above.\n" } }' \
		"$BENCH_OUT/headroom/steps.txt"
	echo
	echo "Raw: \`$(basename "$BENCH_OUT")/headroom/\` (steps.txt: mode, rate, processes, threads made, recorded ns, rows, drops, fork+exit runs, CPU s)."
}
