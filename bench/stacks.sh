#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The cost of kernel stack capture, and how much it perturbs what restartprof measures.
#
#   bench/stacks.sh [-b BIN] [-l LOAD] [-s STRESSORS] [-t TRIALS] [-r ROUNDS] [-o DIR]
#
# Runs `restartprof run` ROUNDS times with stacks and ROUNDS times with --no-stacks,
# alternating (on, off, on, off...) so that a drift of the machine hits both alike, each run
# TRIALS trials under LOAD (none, cpu, mem, io, hdd) with STRESSORS containers. The engine is
# DOCKER_HOST (unix://...), else a private one started by scripts/with-engine.sh.
#
# It reports:
#  - cost per captured stack, measured in the kernel: restartprof times each bpf_get_stackid()
#    call with two clock reads around it and counts the calls (trials.csv: stacks, stack_ns;
#    the figure includes one clock read, some 20-40 ns);
#  - cost per captured stack from the BPF programs' own run time (kernel.bpf_stats_enabled,
#    switched on for the duration if it was off): the sched_switch program's mean run time
#    with stacks minus without, divided by the stacks it captured per run;
#  - the perturbation: median restart time with stacks and without, and its change; and the
#    time all restartprof programs spent per trial, each way.
#
# Results: DIR/stacks.csv (one row per run) and DIR/summary.txt (also printed).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$here/../build/restartprof
load=none stressors=1 trials=10 rounds=2 out=
while getopts "b:l:s:t:r:o:h" o; do
	case $o in
	b) bin=$OPTARG ;;
	l) load=$OPTARG ;;
	s) stressors=$OPTARG ;;
	t) trials=$OPTARG ;;
	r) rounds=$OPTARG ;;
	o) out=$OPTARG ;;
	*) sed -n '2,22p' "$0"; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "stacks.sh: run as root (BPF)" >&2; exit 2; }
[ -x "$bin" ] || { echo "stacks.sh: no restartprof at $bin (make first, or -b)" >&2; exit 2; }
command -v bpftool >/dev/null || { echo "stacks.sh: bpftool is needed" >&2; exit 2; }
out=${out:-/tmp/rp-stacks-bench.$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out" || exit 1

if [ -z "${DOCKER_HOST:-}" ] && [ -z "${RP_STACKS_INNER:-}" ]; then
	# No engine named: run this script again inside a private one.
	RP_STACKS_INNER=1 exec bash "$here/../scripts/with-engine.sh" bash "$0" "$@" -o "$out"
fi

stats_file=/proc/sys/kernel/bpf_stats_enabled
stats_was=$(cat "$stats_file" 2>/dev/null || echo 0)
[ "$stats_was" = 1 ] || echo 1 >"$stats_file"
restore() { [ "$stats_was" = 1 ] || echo 0 >"$stats_file"; }
trap restore EXIT

# Sums of run_cnt and run_time_ns of the programs process $1 holds, by kind (sched, all):
# "sched_cnt sched_ns all_cnt all_ns". Program ids come from the process's fdinfo.
prog_stats() {
	local pid=$1 ids id
	ids=$(grep -h '^prog_id:' /proc/"$pid"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u)
	for id in $ids; do
		bpftool prog show id "$id" 2>/dev/null | head -1
	done | awk '{
		name = ""; cnt = 0; ns = 0
		for (i = 1; i <= NF; i++) {
			if ($i == "name") name = $(i + 1)
			if ($i == "run_cnt") cnt = $(i + 1)
			if ($i == "run_time_ns") ns = $(i + 1)
		}
		if (name ~ /^sched_switch_/) { sc += cnt; sn += ns }
		ac += cnt; an += ns
	} END { printf "%.0f %.0f %.0f %.0f\n", sc, sn, ac, an }'
}

# One run; prints "median_restart_ns stacks stack_ns sched_cnt sched_ns all_cnt all_ns ok".
one_run() {
	local dir=$1 flag=$2 pid last="0 0 0 0" now
	local args=(run --trials "$trials" --interval 0.3 -o "$dir")
	[ "$load" != none ] && args+=(--load "$load" --stressors "$stressors" --settle 3)
	[ -n "$flag" ] && args+=("$flag")
	"$bin" "${args[@]}" >"$dir.log" 2>&1 &
	pid=$!
	# The programs go with the process: keep the last reading taken while it ran.
	while kill -0 "$pid" 2>/dev/null; do
		now=$(prog_stats "$pid")
		[ "${now%% *}" -gt 0 ] 2>/dev/null && last=$now
		sleep 0.2
	done
	wait "$pid"
	awk -F, -v stats="$last" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["status"] == "ok" {
			r[++n] = $c["restart_ns"]; st += $c["stacks"]; sn += $c["stack_ns"]
		}
		END {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && r[j - 1] > r[j]; j--) { t = r[j]; r[j] = r[j - 1]; r[j - 1] = t }
			m = n ? (n % 2 ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2) : 0
			printf "%.0f %.0f %.0f %s %d\n", m, st, sn, stats, n
		}' "$dir/trials.csv"
}

printf 'run,stacks,median_restart_ns,ok_trials,stacks_captured,stack_ns,sched_switch_runs,sched_switch_ns,all_prog_runs,all_prog_ns\n' >"$out/stacks.csv"
for r in $(seq 1 "$rounds"); do
	for mode in on off; do
		flag=
		[ $mode = off ] && flag=--no-stacks
		read -r med st sn scnt sns acnt ans ok < <(one_run "$out/$mode-$r" "$flag")
		echo "stacks.sh: round $r, stacks $mode: median restart $((med / 1000000)) ms, $ok ok trials, $st stacks" >&2
		printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$mode-$r" "$mode" "$med" "$ok" "$st" "$sn" \
			"$scnt" "$sns" "$acnt" "$ans" >>"$out/stacks.csv"
	done
done

awk -F, -v trials="$trials" -v load="$load-$stressors" '
	NR == 1 { next }
	{
		m = $2; n[m]++; med[m, n[m]] = $3; ok[m] += $4; st[m] += $5; sn[m] += $6
		sc[m] += $7; ss[m] += $8; ac[m] += $9; an[m] += $10
	}
	function median(m,    i, j, k, t, a) {
		k = n[m]; for (i = 1; i <= k; i++) a[i] = med[m, i]
		for (i = 2; i <= k; i++)
			for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
	}
	END {
		printf "stack capture: cost and perturbation (load %s, %d runs each way, %d trials a run)\n", load, n["on"], trials
		if (st["on"]) printf "  cost per stack, timed in the kernel: %.2f us (%d stacks, %.1f per trial)\n", sn["on"] / st["on"] / 1000, st["on"], st["on"] / ok["on"]
		if (sc["on"] && sc["off"] && st["on"]) {
			per_on = ss["on"] / sc["on"]; per_off = ss["off"] / sc["off"]
			printf "  sched_switch program: %.0f ns a run with stacks, %.0f without (%.0f runs per trial)\n", per_on, per_off, sc["on"] / ok["on"]
			printf "  cost per stack, from the program run times: %.2f us\n", (per_on - per_off) / (st["on"] / sc["on"]) / 1000
		}
		if (ok["on"] && ok["off"])
			printf "  all restartprof programs per trial: %.1f ms with stacks, %.1f ms without\n", an["on"] / ok["on"] / 1e6, an["off"] / ok["off"] / 1e6
		on = median("on"); off = median("off")
		if (off > 0)
			printf "  median restart (median of the runs): %.1f ms with stacks, %.1f ms without: %+.1f%%\n", on / 1e6, off / 1e6, (on / off - 1) * 100
	}' "$out/stacks.csv" | tee "$out/summary.txt"
echo "stacks.sh: rows in $out/stacks.csv" >&2
