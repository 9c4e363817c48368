# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Section 6a: the cost of capturing kernel stacks, from trials alternating A B A B
# within one run (--alternate stacks --prog-stats): stacks captured per trial and their time,
# timed in the kernel around each capture (trials.csv stacks, stack_ns), and, independently,
# the sched programs' run time per run with stacks and without (progstats.csv). Sourced by
# bench.sh; writes stacks.md. (bench/stacks.sh, make bench-stacks, is the same question asked
# with whole runs alternated.)

section_stacks() {
	local out=$BENCH_OUT/stacks md=$BENCH_OUT/stacks.md cell
	mkdir -p "$out"
	bpf_stats_on
	for cell in none hdd-2; do
		log "stacks: --alternate stacks --prog-stats, $cell"
		# shellcheck disable=SC2046
		rp_run "$out/$cell" --alternate stacks --prog-stats --trials "$STACKS_N" \
			--interval "$BENCH_INTERVAL" $(perturb_cell_args "$cell" | sed 's/--trials [0-9]*//') ||
			return 1
	done
	stacks_table >"$md"
}

stacks_table() {
	local cell dir
	echo "## 6a. Stack capture: cost per captured stack"
	echo
	echo "\`restartprof run --alternate stacks --prog-stats --trials $STACKS_N\`: odd trials capture"
	echo "kernel stacks (of the tracked tasks' uninterruptible sleeps and preemptions, and of their"
	echo "new tasks' first wait, restartprof's default), even ones capture none. Per stack, two"
	echo "ways: timed in the kernel around each \`bpf_get_stackid\` (trials.csv stack_ns / stacks,"
	echo "one clock read included); and from the sched programs' run time per run with stacks"
	echo "minus without (progstats.csv), times their runs, over the stacks captured."
	echo
	echo "| cell | stacks/trial | ns per stack, timed in the kernel | sched_switch ns/run, stacks on | off | ns per stack, from run times | capture's CPU per trial, us |"
	echo "|---|---|---|---|---|---|---|"
	for cell in none hdd-2; do
		dir=$BENCH_OUT/stacks/$cell
		{
			csv_cols "$dir/progstats.csv" variant program run_cnt run_time_ns |
				awk '$2 ~ /^sched_(switch|wakeup_new)_/ { print "prog", $1, $2, $3, $4 }'
			csv_cols "$dir/trials.csv" status variant stacks stack_ns |
				awk '$1 == "ok" { print "trial", $2, $3, $4 }'
		} | awk -v cell="$cell" '
			$1 == "trial" && $2 == "stacks" { ta++; st += $3; sns += $4 }
			$1 == "prog" { k = $3; if ($2 == "stacks") { ca[k] += $4; na[k] += $5 } else { cb[k] += $4; nb[k] += $5 } }
			END {
				if (!ta || !st) { printf "| %s | - | - | - | - | - | - |\n", cell; exit }
				for (k in ca) if (ca[k] && cb[k]) {
					extra += (na[k] / ca[k] - nb[k] / cb[k]) * ca[k]
					if (k ~ /^sched_switch_/) { a = na[k] / ca[k]; b = nb[k] / cb[k] }
				}
				printf "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |\n", cell, st / ta, sns / st, a, b,
					extra / st, extra / ta / 1000
			}'
	done
	echo
	echo "Raw: \`$(basename "$BENCH_OUT")/stacks/<cell>/\` (trials.csv, progstats.csv)."
}
