# SPDX-License-Identifier: GPL-2.0-only
# Statistics for make bench, in POSIX awk (Debian's default awk is mawk: no asort).
# Included with -f before a program's own file.

# Sorts A[lo..hi] in place (numbers): Shell sort, iterative (mawk's eval stack is small, and
# bootstrap replicates are full of ties, which sink a naive quicksort).
function bsort(A, lo, hi,    gap, i, j, t) {
	for (gap = int((hi - lo + 1) / 2); gap > 0; gap = int(gap / 2))
		for (i = lo + gap; i <= hi; i++) {
			t = A[i]
			for (j = i; j - gap >= lo && A[j - gap] > t; j -= gap)
				A[j] = A[j - gap]
			A[j] = t
		}
}

# Quantile p (0..1) of A[1..n], interpolated between order statistics (R type 7); sorts a copy.
function quantile(A, n, p,    B, i, h, lo) {
	if (n < 1)
		return ""
	for (i = 1; i <= n; i++)
		B[i] = A[i]
	bsort(B, 1, n)
	h = (n - 1) * p + 1
	lo = int(h)
	if (lo >= n)
		return B[n]
	return B[lo] + (h - lo) * (B[lo + 1] - B[lo])
}

function median(A, n) {
	return quantile(A, n, 0.5)
}

# Ratio of medians median(A)/median(B) under resampling: the 2.5 % and 97.5 % quantiles of
# `reps` bootstrap replicates (A and B resampled independently, with replacement), into CI[1..2].
function boot_ratio_ci(A, na, B, nb, reps, CI,    r, i, RA, RB, R, mb) {
	for (r = 1; r <= reps; r++) {
		for (i = 1; i <= na; i++)
			RA[i] = A[1 + int(rand() * na)]
		for (i = 1; i <= nb; i++)
			RB[i] = B[1 + int(rand() * nb)]
		mb = median(RB, nb)
		R[r] = mb > 0 ? median(RA, na) / mb : 0
	}
	CI[1] = quantile(R, reps, 0.025)
	CI[2] = quantile(R, reps, 0.975)
}

function fmt(x, d) {
	if (x == "")
		return "-"
	return sprintf("%." d "f", x)
}

# Median of R[1..n] under resampling (with replacement): its 2.5 % and 97.5 % quantiles over
# `reps` replicates, into CI[1..2].
function boot_median_ci(R, n, reps, CI,    r, i, S, M) {
	for (r = 1; r <= reps; r++) {
		for (i = 1; i <= n; i++)
			S[i] = R[1 + int(rand() * n)]
		M[r] = median(S, n)
	}
	CI[1] = quantile(M, reps, 0.025)
	CI[2] = quantile(M, reps, 0.975)
}
