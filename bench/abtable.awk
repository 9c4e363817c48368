# SPDX-License-Identifier: GPL-2.0-only
# One markdown row comparing two variants of one run, A (the thing on) and B (off), paired.
# Input: "variant value [pair]" lines in trial order; -v on=trace (A's variant name), label=...,
# scale (divide values by, e.g. 1e6 for ms), reps (bootstrap replicates), seed, budget (the
# largest slowdown allowed, 1.02), header=1 to print the table's head first.
#
# The arms alternate, so each A has a B next to it that ran under the same load drift: the
# pair's ratio A/B cancels what both shared. A pair is the A and B with the same third field
# (run --alternate: trials 2k-1 and 2k, numbered k), else the i-th A and the i-th B. As A runs
# first in every pair, a drift over the run would bias A/B: each B is set against the mean of
# its own A and the next pair's (when that pair is whole), which cancels a linear drift. The
# estimate is the median of the pairs' ratios; its 95 % interval comes from resampling pairs. The budget is
# shown met when the interval's upper end is within it, not met when its lower end is above
# it; between, the run cannot decide, and the interval's half-width says the smallest effect
# it can see and how many trials would narrow it to the budget (width falls as 1/sqrt(n)).
$1 == on { A[++na] = $2 / scale; if (na % 2) A1[++na1] = A[na]; else A2[++na2] = A[na]
	k = NF >= 3 ? $3 : na; PA[k] = A[na]; next }
$1 != "" { B[++nb] = $2 / scale; k = NF >= 3 ? $3 : nb; PB[k] = B[nb] }
BEGIN {
	if (!budget)
		budget = 1.02
	if (header) {
		print "| " (title ? title : "cell") " | pairs | median A | median B | A/B of medians | paired A/B | 95 % CI (pairs) | A/A split | smallest effect seen | trials for +-" pct(budget) " | within " pct(budget) " | verdict |"
		print "|---|---|---|---|---|---|---|---|---|---|---|---|"
	}
}
function pct(r) { return sprintf("%.0f %%", (r - 1) * 100) }
END {
	srand(seed)
	for (k in PA)
		if (k in PB && PB[k] > 0) {
			a = PA[k]
			if ((k + 1) in PA && (k + 1) in PB)
				a = (a + PA[k + 1]) / 2
			R[++np] = a / PB[k]
		}
	if (np < 2) {
		printf "| %s | %d | - | - | - | - | - | - | - | - | no data | too few pairs of ok trials |\n", label, np
		exit
	}
	ma = median(A, na); mb = median(B, nb)
	paired = median(R, np)
	boot_median_ci(R, np, reps, CI)
	aa = (na1 && na2) ? median(A1, na1) / median(A2, na2) : ""
	half = (CI[2] - CI[1]) / 2
	need = 2 * np * (half / (budget - 1)) ^ 2
	if (need < 4)
		need = 4
	if (CI[2] <= budget) {
		ok = "yes"
		v = sprintf("met: at most %.1f %% slower (the interval's upper end)", (CI[2] - 1) * 100)
	} else if (CI[1] > budget) {
		ok = "**no**"
		v = sprintf("**not met**: at least %.1f %% slower (the interval's lower end)", (CI[1] - 1) * 100)
	} else {
		ok = "undecided"
		v = sprintf("not decided: the interval is wider than the budget; about %d trials would narrow it to +-%s", need + 0.5, pct(budget))
	}
	printf "| %s | %d | %s | %s | %s | %s | %s-%s | %s | +-%.1f %% | %d | %s | %s |\n", label, np,
		fmt(ma, 1), fmt(mb, 1), fmt(ma / mb, 3), fmt(paired, 3), fmt(CI[1], 3), fmt(CI[2], 3),
		fmt(aa, 3), half * 100, need + 0.5, ok, v
}
