# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Section 4: the driver's own cost. Wall time per trial outside the restart window, for
# restartprof (without and with tracing) and for the paper's protocol done with the docker CLI
# (bench/cli-peer.sh), in interleaved blocks on the baseline cell; the restart medians side by
# side; and the CLI's cost per call. Sourced by bench.sh; writes $BENCH_OUT/harness.md.

section_harness() {
	local out=$BENCH_OUT/harness md=$BENCH_OUT/harness.md b
	mkdir -p "$out"
	for b in $(seq 1 "$HARNESS_BLOCKS"); do
		log "harness: block $b/$HARNESS_BLOCKS: restartprof --no-trace, docker CLI, restartprof traced"
		rp_run "$out/rp-notrace-$b" --no-trace --trials "$HARNESS_N" --interval 0 || return 1
		settle
		DOCKER=$DOCKER bash "$BENCH_DIR/cli-peer.sh" "$HARNESS_N" "$out/cli-$b.csv" 2>"$out/cli-$b.log" ||
			{ log "harness: cli-peer failed:"; tail -3 "$out/cli-$b.log" >&2; return 1; }
		rp_run "$out/rp-trace-$b" --trials "$HARNESS_N" --interval 0 || return 1
	done
	# The CLI's cost per call: a docker inspect, timed, against the engine's own time for it.
	local id
	id=$("$DOCKER" -H "$DOCKER_HOST" run -d --label io.restartprof.bench=cli-peer "$(svc_image)")
	: >"$out/cli-inspect.txt"
	for _ in $(seq 1 "$HARNESS_CALLS"); do
		local t0 t1
		t0=$(now_ns)
		"$DOCKER" -H "$DOCKER_HOST" inspect -f '{{.Id}}' "$id" >/dev/null
		t1=$(now_ns)
		echo $((t1 - t0)) >>"$out/cli-inspect.txt"
	done
	"$DOCKER" -H "$DOCKER_HOST" rm -f "$id" >/dev/null
	harness_table >"$md"
}

# "restart_ns cycle_ns before_ns reply_ns" per trial of restartprof runs: the cycle from one
# trial's first Engine API call to the next one's (--interval 0, so nothing but the trial and its
# bookkeeping); the engine's part of it ahead of the window, from the stop request to the old
# service's last stamp; and its part after the window, from the new service's first stamp to
# the engine's reply to the start call (the service may print before the engine answers).
rp_cycles() {
	local dir
	for dir in "$@"; do
		awk -F, '
			FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
			FILENAME ~ /api_calls/ && $col["seq"] == 1 { first[$col["trial"]] = $col["start_ns"] }
			FILENAME ~ /api_calls/ && $col["call"] == "start" {
				started[$col["trial"]] = $col["start_ns"] + $col["duration_ns"] }
			FILENAME ~ /trials/ && $col["status"] == "ok" {
				r[$col["trial"]] = $col["restart_ns"]; begin[$col["trial"]] = $col["window_begin_ns"]
				end[$col["trial"]] = $col["window_end_ns"] }
			END { for (t in r) if ((t + 1) in first) {
				reply = (t in started) && started[t] > end[t] ? started[t] - end[t] : 0
				print r[t], first[t + 1] - first[t], begin[t] - first[t], reply } }' \
			"$dir/api_calls.csv" "$dir/trials.csv"
	done
}

harness_table() {
	local out=$BENCH_OUT/harness
	echo "## 4. Harness cost"
	echo
	echo "Baseline cell, $HARNESS_BLOCKS interleaved blocks of $HARNESS_N trials each: \`restartprof run"
	echo "--no-trace --interval 0\`, then the paper's protocol with the docker CLI"
	echo "(\`bench/cli-peer.sh\`: stop, logs, rm, run -d, logs until the new stamp; CLI: $("$DOCKER" version --format '{{.Client.Version}}' 2>/dev/null)),"
	echo "then \`restartprof run --interval 0\` (tracing on). Restart time: both by the services' own"
	echo "stamps. Cycle: restartprof, from a trial's first Engine API call to the next trial's; CLI,"
	echo "the whole trial. Outside the window = cycle - restart time, per trial, in three parts for"
	echo "restartprof: before the window, the engine's time from the stop request to the old service's"
	echo "last stamp; after it, first the engine's, from the new service's first stamp to the engine's"
	echo "reply to the start call, then restartprof's own, from that reply to the next trial's first"
	echo "call (an inspect, then the trial's bookkeeping: its kernel records converted, attributed,"
	echo "written). Medians, ms; the parts' medians need not add up to the whole's."
	echo
	echo "| driver | trials | restart | cycle | outside the window | before: the engine | after: the engine's start reply | after: restartprof |"
	echo "|---|---|---|---|---|---|---|---|"
	local label d dirs
	for label in notrace trace; do
		dirs=()
		for d in "$out/rp-$label-"*/; do dirs+=("${d%/}"); done
		rp_cycles "${dirs[@]}" | awk_stats -f "$BENCH_DIR/driver.awk" \
			-v label="restartprof$([ $label = notrace ] && echo ' --no-trace' || echo ' (tracing)')"
	done | tee "$out/rp.rows"
	tail -q -n +2 "$out"/cli-*.csv | awk -F, '{ print $2, $3 }' |
		awk_stats -f "$BENCH_DIR/driver.awk" -v label="docker CLI (bench/cli-peer.sh)" | tee "$out/cli.rows"
	echo
	# The CLI's own cost per call (its wall time less the engine's time for the same work, from
	# restartprof's api_calls.csv), and the restart time that predicts.
	{
		awk '{ print "cli_inspect", $1 }' "$out/cli-inspect.txt"
		tail -q -n +2 "$out"/cli-*.csv | awk -F, '{ print "cli_stop", $4; print "cli_logs", $5; print "cli_rm", $6; print "cli_run", $7 }'
		awk -F, 'FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
			{ c = $col["call"]; d = $col["duration_ns"]; k = FILENAME SUBSEP $col["trial"] }
			c == "inspect" || c == "stop" || c == "remove" { print "api_" c, d }
			c == "create" || c == "attach" || c == "start" { up[k] += d; n[k]++ }
			END { for (k in up) if (n[k] == 3) print "api_up", up[k] }' "$out"/rp-notrace-*/api_calls.csv
	} | awk_stats -f "$BENCH_DIR/cli_cost.awk" -v rp="$out/rp.rows" -v cli="$out/cli.rows"
	echo
	echo "Raw: \`$(basename "$BENCH_OUT")/harness/\` (restartprof runs, cli-*.csv with each CLI step's wall time)."
}
