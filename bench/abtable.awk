# SPDX-License-Identifier: GPL-2.0-only
# One markdown row comparing two variants of one run, A (the thing on) and B (off).
# Input: "variant value" lines in trial order; -v on=trace (A's variant name), label=...,
# scale (divide values by, e.g. 1e6 for ms), reps (bootstrap replicates), seed.
# Columns: label | n A/B | median A | median B | A/B | 95 % CI | A/A split | B/B split | <= 1.02 |
# CI holds 1 | verdict (why, in words)
$1 == on { A[++na] = $2 / scale; if (na % 2) A1[++na1] = A[na]; else A2[++na2] = A[na]; next }
$1 != "" { B[++nb] = $2 / scale; if (nb % 2) B1[++nb1] = B[nb]; else B2[++nb2] = B[nb] }
END {
	srand(seed)
	if (na < 2 || nb < 2) {
		printf "| %s | %d/%d | - | - | - | - | - | - | no data | no data | too few ok trials |\n", label, na, nb
		exit
	}
	ma = median(A, na); mb = median(B, nb)
	ratio = ma / mb
	boot_ratio_ci(A, na, B, nb, reps, CI)
	aa = median(A1, na1) / median(A2, na2)
	bb = median(B1, nb1) / median(B2, nb2)
	if (ratio <= 1.02 && CI[1] <= 1 && CI[2] >= 1)
		v = "met: within 2 % and within the run's noise"
	else if (ratio <= 1.02 && CI[1] > 1)
		v = "met on the median, but the interval lies above 1: a small real slowdown"
	else if (CI[2] < 1)
		v = "the interval lies below 1: no slowdown; the arms differ by more than noise in the other direction"
	else if (CI[1] <= 1)
		v = sprintf("not shown: the median is %.1f %% slower, but the interval holds 1: this run cannot tell that from its noise (A/A %.3f)", (ratio - 1) * 100, aa)
	else
		v = sprintf("**not met**: a slowdown of %.1f %%, the interval above 1", (ratio - 1) * 100)
	printf "| %s | %d/%d | %s | %s | %s | %s-%s | %s | %s | %s | %s | %s |\n", label, na, nb,
		fmt(ma, 1), fmt(mb, 1), fmt(ratio, 3), fmt(CI[1], 3), fmt(CI[2], 3), fmt(aa, 3),
		fmt(bb, 3), (ratio <= 1.02 ? "yes" : "**no**"), ((CI[1] <= 1 && CI[2] >= 1) ? "yes" : "**no**"), v
}
