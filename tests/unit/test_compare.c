// SPDX-License-Identifier: GPL-2.0-only
/* The A/B comparison: medians, the bootstrap interval of their difference, the verdict. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/compare.h"

#define near(a, b) (fabs((a) - (b)) < 1e-9)

/* A small deterministic generator for samples (not the one the comparison uses). */
static double noise(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return (double)(*s >> 8) / (double)(1u << 24); /* [0, 1) */
}

static void known_samples(void **state)
{
	const double a[] = {700, 652, 690, 610, 640}; /* median 652 */
	const double b[] = {80, 73, 60, 95};	      /* median 76.5 */
	double ca[5], cb[4];
	struct comparison c;

	(void)state;
	memcpy(ca, a, sizeof(a));
	memcpy(cb, b, sizeof(b));
	assert_int_equal(compare_samples(a, 5, b, 4, &c), 0);
	assert_memory_equal(a, ca, sizeof(a)); /* inputs untouched */
	assert_memory_equal(b, cb, sizeof(b));
	assert_true(c.n_a == 5 && c.n_b == 4);
	assert_true(near(c.median_a, 652) && near(c.median_b, 76.5));
	assert_true(near(c.diff, 76.5 - 652));
	/* Every resampled difference lies between min(B) - max(A) and max(B) - min(A). */
	assert_true(c.lo >= 60 - 700 && c.hi <= 95 - 610 && c.lo <= c.diff && c.diff <= c.hi);
	assert_int_equal(c.verdict, VERDICT_HELPS);
	assert_string_equal(verdict_name(c.verdict), "helps");
	/* B against A: the same distance, the other way round. */
	assert_int_equal(compare_samples(b, 4, a, 5, &c), 0);
	assert_int_equal(c.verdict, VERDICT_HURTS);
	assert_true(c.lo > 0);
}

static void same_input_same_answer(void **state)
{
	const double a[] = {3, 1, 4, 1, 5, 9, 2, 6}, b[] = {2, 7, 1, 8, 2, 8};
	struct comparison x, y;

	(void)state;
	assert_int_equal(compare_samples(a, 8, b, 6, &x), 0);
	assert_int_equal(compare_samples(a, 8, b, 6, &y), 0);
	assert_true(x.lo == y.lo && x.hi == y.hi && x.verdict == y.verdict);
}

static void ties(void **state)
{
	const double a[] = {5, 5, 5, 6, 5, 5, 4, 5}, b[] = {5, 5, 4, 5, 5, 5, 5, 6};
	const double same[] = {2, 2, 2, 2, 2, 2};
	double many[400];
	struct comparison c;

	(void)state;
	assert_int_equal(compare_samples(a, 8, b, 8, &c), 0);
	assert_true(near(c.median_a, 5) && near(c.median_b, 5) && c.diff == 0);
	assert_true(c.lo <= 0 && c.hi >= 0);
	assert_int_equal(c.verdict, VERDICT_NO_EFFECT);
	/* All equal: the interval is the point 0. */
	assert_int_equal(compare_samples(same, 6, same, 6, &c), 0);
	assert_true(c.lo == 0 && c.hi == 0 && c.diff == 0);
	assert_int_equal(c.verdict, VERDICT_NO_EFFECT);
	assert_string_equal(verdict_name(c.verdict), "no measurable effect");
	/* Large samples of two values only. */
	for (int i = 0; i < 400; i++)
		many[i] = i % 3 ? 1 : 2;
	assert_int_equal(compare_samples(many, 400, many, 400, &c), 0);
	assert_int_equal(c.verdict, VERDICT_NO_EFFECT);
}

static void no_effect_holds_zero(void **state)
{
	double a[30], b[30];
	uint32_t s = 7;
	struct comparison c;

	(void)state;
	/* The same distribution on both sides, in several draws: the interval holds 0. */
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 30; i++) {
			a[i] = 1000 + 400 * noise(&s);
			b[i] = 1000 + 400 * noise(&s);
		}
		assert_int_equal(compare_samples(a, 30, b, 30, &c), 0);
		assert_true(c.lo <= 0 && c.hi >= 0);
		assert_int_equal(c.verdict, VERDICT_NO_EFFECT);
	}
}

static void clear_effect(void **state)
{
	double a[20], b[20];
	uint32_t s = 11;
	struct comparison c;

	(void)state;
	for (int i = 0; i < 20; i++) {
		a[i] = 2000 + 300 * noise(&s);
		b[i] = 900 + 300 * noise(&s);
	}
	assert_int_equal(compare_samples(a, 20, b, 20, &c), 0);
	assert_int_equal(c.verdict, VERDICT_HELPS);
	assert_true(c.hi < 0 && c.lo < c.hi && c.diff < -700 && c.diff > -1400);
	assert_int_equal(compare_samples(b, 20, a, 20, &c), 0);
	assert_int_equal(c.verdict, VERDICT_HURTS);
	assert_string_equal(verdict_name(c.verdict), "hurts");
}

static void too_few(void **state)
{
	const double a[] = {1, 2, 3}, one[] = {9};
	struct comparison c;

	(void)state;
	assert_int_equal(compare_samples(a, 3, one, 1, &c), 0);
	assert_int_equal(c.verdict, VERDICT_NONE);
	assert_true(near(c.median_b, 9) && near(c.diff, 7) && isnan(c.lo) && isnan(c.hi));
	assert_int_equal(compare_samples(one, 1, a, 3, &c), 0);
	assert_int_equal(c.verdict, VERDICT_NONE);
	assert_int_equal(compare_samples(NULL, 0, NULL, 0, &c), 0);
	assert_int_equal(c.verdict, VERDICT_NONE);
	assert_true(c.n_a == 0 && c.n_b == 0);
	assert_string_equal(verdict_name(c.verdict), "too few trials");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(known_samples), cmocka_unit_test(same_input_same_answer),
		cmocka_unit_test(ties),		 cmocka_unit_test(no_effect_holds_zero),
		cmocka_unit_test(clear_effect),	 cmocka_unit_test(too_few),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
