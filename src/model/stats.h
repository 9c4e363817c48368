// SPDX-License-Identifier: GPL-2.0-only
/* Order statistics of restart times, as the paper quotes them. */
#ifndef RP_MODEL_STATS_H
#define RP_MODEL_STATS_H

#include <stddef.h>

struct stats {
	size_t n;
	double min, max, median, mean, stddev, p5, p95;
};

/* Quantile q in [0,1] of sorted values, linear between order statistics (R's type 7). */
double quantile_sorted(const double *sorted, size_t n, double q);
/* Fills out from n values (not modified). Returns -1 for n == 0 (out is zeroed). */
int stats_compute(const double *values, size_t n, struct stats *out);

#endif
