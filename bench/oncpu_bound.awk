# SPDX-License-Identifier: GPL-2.0-only
# The bound under table 6d: the CPU time on-CPU sampling adds per trial against the median
# restart without it. Input: "p trial variant run_time_ns" per program and trial (restartprof's
# own programs), "t variant restart_ns" per ok trial; A is the variant "oncpu".
$1 == "p" {
	arm = $3 == "oncpu" ? "A" : "B"
	ns[arm] += $4
	if (!(($2, arm) in seen)) { seen[$2, arm] = 1; n[arm]++ }
}
$1 == "t" && $2 != "oncpu" { R[++nr] = $3 / 1e6 }
END {
	if (!n["A"] || !n["B"] || !nr) { print "Bound: no data."; exit }
	added = (ns["A"] / n["A"] - ns["B"] / n["B"]) / 1e6
	m = median(R, nr)
	f = (m + added) / m
	printf "Bound: sampling adds %.2f ms of CPU per trial (all of restartprof's programs, A less\n", added
	printf "B); the median restart without it is %.1f ms. Were every added microsecond on the\n", m
	printf "restart's path, the restart would take %.4f times as long (budget 1.02: %s). The\n", f, f <= 1.02 ? "met" : "**not met**"
	printf "perf event's own timer interrupt, outside the program, is not in these counters.\n"
}
