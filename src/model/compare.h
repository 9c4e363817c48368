// SPDX-License-Identifier: GPL-2.0-only
/*
 * A/B comparison of two samples (a remedy off: A, on: B): the medians, their difference
 * B - A, a percentile-bootstrap 95 % interval of that difference (A and B resampled
 * independently, a fixed seed so that a directory always reads the same) and a verdict: helps
 * (the interval lies below zero), hurts (above zero), or no measurable effect (holds zero).
 */
#ifndef RP_MODEL_COMPARE_H
#define RP_MODEL_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#define COMPARE_REPS 2000
/* Below this many values on a side the interval is too narrow to trust (same-distribution
 * samples give a verdict far more often than 5 % of the time): the views say so. */
#define COMPARE_FEW 5

enum verdict {
	VERDICT_NONE,
	VERDICT_HELPS,
	VERDICT_HURTS,
	VERDICT_NO_EFFECT
};

struct comparison {
	size_t n_a, n_b;
	double median_a, median_b;
	double diff;	      /* median_b - median_a */
	double lo, hi;	      /* 95 % interval of diff */
	enum verdict verdict; /* VERDICT_NONE when a side has fewer than 2 values */
};

/* Compares a[0..n_a) with b[0..n_b) (not modified). 0, or -ENOMEM. */
int compare_samples(const double *a, size_t n_a, const double *b, size_t n_b,
		    struct comparison *out);
/* "helps", "hurts", "no measurable effect", "too few trials". */
const char *verdict_name(enum verdict v);

#endif
