# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Sections 1, 6b and 6c: restart time with kernel tracing on and off, with stack capture on
# and off, and with on-CPU sampling on and off, A B A B within one run of one cell
# (restartprof run --alternate trace|stacks|oncpu); 6d: what sampling costs per sample and per
# scheduler event, from the kernel's own program counters (--prog-stats).
# Sourced by bench.sh; writes $BENCH_OUT/perturb.md.

perturb_cell_args() {
	case $1 in
	none) echo "--trials $PERTURB_N_NONE" ;;
	hdd-2) echo "--load hdd --stressors 2 --trials $PERTURB_N_HDD" ;;
	esac
}

section_perturb() {
	local out=$BENCH_OUT/perturb md=$BENCH_OUT/perturb.md what cell dir
	mkdir -p "$out"
	for what in trace stacks oncpu; do
		for cell in none hdd-2; do
			dir=$out/$what-$cell
			log "perturbation: --alternate $what, $cell"
			# shellcheck disable=SC2046 # the cell's options are words
			rp_run "$dir" --alternate "$what" --interval "$BENCH_INTERVAL" \
				$(perturb_cell_args "$cell") || return 1
		done
	done
	log "on-CPU sampling: program counters, --alternate oncpu --prog-stats"
	rp_run "$out/oncpu-cost" --alternate oncpu --prog-stats --interval "$BENCH_INTERVAL" \
		--trials "$ONCPU_COST_N" || return 1
	{
		echo "## 1. Perturbation: restart time with kernel tracing on and off"
		echo
		echo "Same cell, one run, trials alternating A B A B: odd trials with the BPF links"
		echo "attached (A), even ones with every link detached, programs and maps still loaded (B)"
		echo "(\`restartprof run --alternate trace --interval $BENCH_INTERVAL\`; baseline"
		echo "$PERTURB_N_NONE trials, \`--load hdd --stressors 2\` $PERTURB_N_HDD). Restart time by the"
		echo "service's own stamps (the paper's), ms. The arms are paired: trials 2k-1 (A) and 2k (B)"
		echo "ran one after the other under the same load, and each B is set against the mean of its"
		echo "A and the next pair's (a drift over the run cancels). Paired A/B is the median of the"
		echo "pairs' ratios, its 95 % interval from 2000 resamplings of the pairs; the A/A split (odd"
		echo "against even A trials) measures nothing but noise. Target: the interval's upper end at"
		echo "or below 1.02, which shows the slowdown within 2 %. When the interval straddles 1.02 the"
		echo "run cannot decide; its half-width is the smallest effect it can see, and the trials"
		echo "column says how many would narrow it to +-2 % (the width falls as one over the root of"
		echo "the trials)."
		echo
		perturb_table trace "tracing on / off"
		echo
		echo "## 6b. Perturbation by stack capture: stacks on and off"
		echo
		echo "The same with \`--alternate stacks\`: every trial traced, kernel stacks of sleeping"
		echo "tasks captured in odd trials (A) and not in even ones (B)."
		echo
		perturb_table stacks "stacks on / off"
		echo
		echo "## 6c. Perturbation by on-CPU sampling: samples on and off"
		echo
		echo "The same with \`--alternate oncpu\`: every trial traced, the engine's and the target's"
		echo "tasks sampled on the CPU at the default frequency in odd trials (A), not in even"
		echo "ones (B; the perf events stay open, the program returns at once)."
		echo
		perturb_table oncpu "samples on / off"
		echo
		oncpu_cost_table
	} >"$md"
}

# 6d: per program, its runs and run time per trial with sampling on (A) and off (B).
oncpu_cost_table() {
	local csv=$BENCH_OUT/perturb/oncpu-cost/progstats.csv
	echo "## 6d. On-CPU sampling: cost per sample and per scheduler event"
	echo
	echo "Baseline, $ONCPU_COST_N trials, \`--alternate oncpu --prog-stats\`: the kernel's run count"
	echo "and run time of each program over each trial's recording, per trial. The sampler runs"
	echo "in A only; in A the scheduler programs also measure the engine's runs (the on-CPU time"
	echo "the samples name), so their cost per event in A against B is that measurement's."
	echo
	echo "| program | variant | trials | runs per trial | ns per run | CPU ms per trial |"
	echo "|---|---|---|---|---|---|"
	csv_cols "$csv" trial variant program owner run_cnt run_time_ns |
		awk '$4 == "restartprof" && ($3 == "oncpu_perf" || $3 ~ /^sched_(switch|waking)/) {
			k = $3 " | " ($2 == "oncpu" ? "A (on)" : "B (off)"); t[k, $1] = 1
			runs[k] += $5; ns[k] += $6 }
		END { for (k in runs) { n = 0; for (x in t) { split(x, p, SUBSEP); n += p[1] == k }
			printf "| %s | %d | %.0f | %.0f | %.2f |\n", k, n, runs[k] / n,
				runs[k] ? ns[k] / runs[k] : 0, ns[k] / n / 1e6 } }' | sort
	echo
	oncpu_cost_bound "$csv" "$BENCH_OUT/perturb/oncpu-cost/trials.csv"
	echo
	symbol_tables_line "$BENCH_OUT/perturb/oncpu-cost/symbols.csv"
	echo
	echo "Raw: \`$(basename "$BENCH_OUT")/perturb/oncpu-cost/progstats.csv\`."
}

# The CPU time sampling adds per trial (all of restartprof's programs, A less B) against the
# median restart of B: how much longer a restart could be if all of it lay on its path.
oncpu_cost_bound() {
	local progstats=$1 trials=$2
	{
		csv_cols "$progstats" trial variant owner run_time_ns |
			awk '$3 == "restartprof" { print "p", $1, $2, $4 }'
		csv_cols "$trials" status variant restart_ns | awk '$1 == "ok" { print "t", $2, $3 }'
	} | awk_stats -f "$BENCH_DIR/oncpu_bound.awk"
}

# The user symbol tables the same run read: the largest at once, summed, and what it kept.
symbol_tables_line() {
	csv_cols "$1" path table_peak_bytes kept_bytes | awk '
		{ kept += $NF }
		$(NF - 1) > 0 { n++; peak += $(NF - 1)
			if ($(NF - 1) > top) { top = $(NF - 1); who = $1 } }
		END { if (!n) { print "Symbol tables: none read."; exit }
			printf "Symbol tables of the user binaries (symbols.csv): %d binaries, at most %.0f KiB\n", n, peak / 1024
			printf "if all were read at once (the largest, %s: %.0f KiB); those every trial needs stay\n", who, top / 1024
			printf "read for the run, the others are dropped after a trial that needs none; and %.0f KiB\n", kept / 1024
			printf "of named functions stay between trials.\n" }'
}

perturb_table() {
	local what=$1 title=$2 cell csv header=1
	for cell in none hdd-2; do
		csv=$BENCH_OUT/perturb/$what-$cell/trials.csv
		csv_cols "$csv" status variant restart_ns trial |
			awk '$1 == "ok" { print $2, $3, int(($4 + 1) / 2) }' |
			awk_stats -f "$BENCH_DIR/abtable.awk" -v on="$what" -v label="$cell" -v scale=1e6 \
				-v reps=2000 -v seed=42 -v header="$header" -v title="cell ($title), ms"
		header=0
	done
	echo
	echo "Raw: \`$(basename "$BENCH_OUT")/perturb/$what-*/trials.csv\` (column \`variant\`)."
}
