// SPDX-License-Identifier: GPL-2.0-only
/* The A/B comparison: medians, their difference, a percentile-bootstrap interval, a verdict. */
#include "model/compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/stats.h"

#define COMPARE_SEED 0x5eed2026c0ffee01ull

/* splitmix64: small, fast, and the same sequence everywhere from the same seed. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* An index below n, uniform enough for n far below 2^32. */
static size_t random_index(uint64_t *state, size_t n)
{
	return (size_t)(((next_random(state) >> 32) * (uint64_t)n) >> 32);
}

/* Shell sort: no worst case on the many ties that bootstrap replicates are made of. */
static void sort_values(double *v, size_t n)
{
	for (size_t gap = n / 2; gap > 0; gap /= 2)
		for (size_t i = gap; i < n; i++) {
			double t = v[i];
			size_t j = i;

			for (; j >= gap && v[j - gap] > t; j -= gap)
				v[j] = v[j - gap];
			v[j] = t;
		}
}

/* The value of rank k (0-based) of a resample of sorted[0..n), given how often each was drawn. */
static double ranked(const double *sorted, const size_t *count, size_t n, size_t k)
{
	size_t seen = 0;

	for (size_t i = 0; i < n; i++) {
		seen += count[i];
		if (k < seen)
			return sorted[i];
	}
	return sorted[n - 1];
}

/* The median (R's type 7, as stats.h) of one resample of sorted[0..n), drawn with replacement:
 * counting how often each value is drawn needs no sort of the resample. */
static double resample_median(const double *sorted, size_t *count, size_t n, uint64_t *state)
{
	size_t lo = (n - 1) / 2;

	memset(count, 0, n * sizeof(*count));
	for (size_t i = 0; i < n; i++)
		count[random_index(state, n)]++;
	if (n % 2)
		return ranked(sorted, count, n, lo);
	return (ranked(sorted, count, n, lo) + ranked(sorted, count, n, lo + 1)) / 2;
}

static double *sorted_copy(const double *v, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));

	if (s && n) {
		memcpy(s, v, n * sizeof(*s));
		sort_values(s, n);
	}
	return s;
}

static int bootstrap(const double *a, size_t n_a, const double *b, size_t n_b,
		     struct comparison *out)
{
	size_t *count = malloc((n_a > n_b ? n_a : n_b) * sizeof(*count));
	double *diff = malloc(COMPARE_REPS * sizeof(*diff));
	uint64_t state = COMPARE_SEED;

	if (!count || !diff) {
		free(count);
		free(diff);
		return -ENOMEM;
	}
	for (size_t r = 0; r < COMPARE_REPS; r++) {
		double ma = resample_median(a, count, n_a, &state);

		diff[r] = resample_median(b, count, n_b, &state) - ma;
	}
	sort_values(diff, COMPARE_REPS);
	out->lo = quantile_sorted(diff, COMPARE_REPS, 0.025);
	out->hi = quantile_sorted(diff, COMPARE_REPS, 0.975);
	free(count);
	free(diff);
	return 0;
}

int compare_samples(const double *a, size_t n_a, const double *b, size_t n_b,
		    struct comparison *out)
{
	double *sa = sorted_copy(a, n_a), *sb = sorted_copy(b, n_b);
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->n_a = n_a;
	out->n_b = n_b;
	out->verdict = VERDICT_NONE;
	out->lo = out->hi = NAN;
	if (!sa || !sb) {
		rc = -ENOMEM;
		goto done;
	}
	out->median_a = n_a ? quantile_sorted(sa, n_a, 0.5) : 0;
	out->median_b = n_b ? quantile_sorted(sb, n_b, 0.5) : 0;
	out->diff = out->median_b - out->median_a;
	if (n_a < 2 || n_b < 2)
		goto done;
	rc = bootstrap(sa, n_a, sb, n_b, out);
	if (rc)
		goto done;
	if (out->hi < 0)
		out->verdict = VERDICT_HELPS;
	else if (out->lo > 0)
		out->verdict = VERDICT_HURTS;
	else
		out->verdict = VERDICT_NO_EFFECT;
done:
	free(sa);
	free(sb);
	return rc;
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_HELPS:
		return "helps";
	case VERDICT_HURTS:
		return "hurts";
	case VERDICT_NO_EFFECT:
		return "no measurable effect";
	default:
		return "too few trials";
	}
}
