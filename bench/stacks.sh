# shellcheck shell=bash
# Section 6a: the cost of capturing kernel stacks (issue 8): the sched_switch program's run
# time per run with stacks on and off, A B A B within one run (--alternate stacks
# --prog-stats), and per captured stack. --events streams every off-CPU span, so the stacks
# the program captured can be counted (events.csv, stackid); it makes both arms dearer alike,
# and the difference between them is the capture. Sourced by bench.sh; writes stacks.md.

section_stacks() {
	local out=$BENCH_OUT/stacks md=$BENCH_OUT/stacks.md cell
	mkdir -p "$out"
	bpf_stats_on
	for cell in none hdd-2; do
		log "stacks: --alternate stacks --prog-stats --events, $cell"
		# shellcheck disable=SC2046
		rp_run "$out/$cell" --alternate stacks --prog-stats --events --trials "$STACKS_N" \
			--interval "$BENCH_INTERVAL" $(perturb_cell_args "$cell" | sed 's/--trials [0-9]*//') ||
			return 1
	done
	stacks_table >"$md"
}

stacks_table() {
	local cell dir
	echo "## 6a. Stack capture: cost per captured stack"
	echo
	echo "\`restartprof run --alternate stacks --prog-stats --events --trials $STACKS_N\`: odd trials"
	echo "capture the kernel stack of each tracked task that leaves the CPU to sleep, even ones do"
	echo "not; run time of the sched_switch program per run in each arm (progstats.csv), stacks"
	echo "captured per trial (events.csv off-CPU rows with a stack id), and the difference per"
	echo "captured stack: (ns/run with - ns/run without) x runs with / stacks captured."
	echo
	echo "| cell | switches/trial (on) | ns/run, stacks on | ns/run, stacks off | stacks captured/trial | ns per captured stack | capture's CPU per trial, us |"
	echo "|---|---|---|---|---|---|---|"
	for cell in none hdd-2; do
		dir=$BENCH_OUT/stacks/$cell
		{
			csv_cols "$dir/progstats.csv" variant program run_cnt run_time_ns |
				awk '$2 ~ /^sched_switch_/ { print "prog", $1, $3, $4 }'
			# run_id, cell, trial, type come first: no free text before them.
			awk -F, 'NR > 1 && $4 == "offcpu" && /stackid=/ && !/stackid=-1/ { print "stack", $3 }' \
				"$dir/events.csv"
			csv_cols "$dir/trials.csv" trial variant status | awk '{ print "trial", $1, $2, $3 }'
		} | awk -v cell="$cell" '
			$1 == "trial" && $4 == "ok" { var[$2] = $3; if ($3 == "stacks") ta++ }
			$1 == "prog" && $2 == "stacks" { ca += $3; na += $4 }
			$1 == "prog" && $2 == "no-stacks" { cb += $3; nb += $4 }
			$1 == "stack" { st[$2]++ }
			END {
				for (t in st) if (var[t] == "stacks") sa += st[t]
				if (!ta || !ca || !cb || !sa) { printf "| %s | - | - | - | - | - | - |\n", cell; exit }
				a = na / ca; b = nb / cb; extra = (a - b) * ca
				printf "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |\n", cell, ca / ta, a, b, sa / ta,
					extra / sa, extra / ta / 1000
			}'
	done
	echo
	echo "Raw: \`$(basename "$BENCH_OUT")/stacks/<cell>/\` (progstats.csv, events.csv)."
}
