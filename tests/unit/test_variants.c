// SPDX-License-Identifier: GPL-2.0-only
/* try's variants: ABBA per four trials, and A against B from the ok trials of each. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "model/trial.h"
#include "trial/variants.h"
#include "util/clock.h"

static void abba_per_four_trials(void **state)
{
	static const char want[] = "ABBAABBAABBA";

	(void)state;
	for (int i = 1; i <= 12; i++) {
		char v[2] = {want[i - 1], '\0'};

		assert_string_equal(try_variant_name(i), v);
		assert_int_equal(try_trial_on(i), want[i - 1] == 'B');
	}
	/* A switch every second trial only, the first after trial 1. */
	for (int i = 2; i <= 12; i++)
		assert_int_equal(try_trial_on(i) != try_trial_on(i - 1), i % 2 == 0);
}

/* An ok trial of variant v whose window is restart_ms long, create taking create_ms of it. */
static struct trial make_trial(const char *v, int64_t restart_ms, int64_t create_ms)
{
	struct trial t = {.status = TRIAL_OK, .method = RM_STDOUT, .variant = v};
	int64_t b = 1000 * NSEC_PER_SEC, e = b + restart_ms * NSEC_PER_MSEC;

	t.window[RM_STDOUT] = (struct trial_window){b, e};
	t.have_window[RM_STDOUT] = 1;
	t.event_ns[PH_CREATE] = b + create_ms * NSEC_PER_MSEC;
	assert_int_equal(trial_tile_phases(&t), 0);
	return t;
}

static void b_faster_helps(void **state)
{
	struct try_samples ts;
	struct comparison c[TRY_ROWS];
	struct trial failed = make_trial("B", 1, 1);

	(void)state;
	memset(&ts, 0, sizeof(ts));
	for (int i = 0; i < 8; i++) {
		struct trial a = make_trial("A", 2000 + i * 10, 600 + i);
		struct trial b = make_trial("B", 900 + i * 10, 70 + i);

		assert_int_equal(try_samples_add(&ts, &a), 0);
		assert_int_equal(try_samples_add(&ts, &b), 0);
	}
	failed.status = TRIAL_FAILED;
	assert_int_equal(try_samples_add(&ts, &failed), 0); /* counts nowhere */
	assert_int_equal(try_compare(&ts, c), 0);
	assert_int_equal(c[TRY_ROW_RESTART].n_a, 8);
	assert_int_equal(c[TRY_ROW_RESTART].n_b, 8);
	assert_true(c[TRY_ROW_RESTART].diff < -1.0);
	assert_int_equal(c[TRY_ROW_RESTART].verdict, VERDICT_HELPS);
	assert_int_equal(c[PH_CREATE].verdict, VERDICT_HELPS);
	assert_string_equal(try_row_name(TRY_ROW_RESTART), "restart");
	assert_string_equal(try_row_name(PH_CREATE), "create");
	try_samples_free(&ts);
}

static void other_variants_are_ignored(void **state)
{
	struct try_samples ts;
	struct comparison c[TRY_ROWS];
	struct trial t = make_trial("trace", 1000, 10), none = make_trial(NULL, 1000, 10);

	(void)state;
	memset(&ts, 0, sizeof(ts));
	assert_int_equal(try_samples_add(&ts, &t), 0);
	assert_int_equal(try_samples_add(&ts, &none), 0);
	assert_int_equal(try_compare(&ts, c), 0);
	assert_int_equal(c[TRY_ROW_RESTART].n_a + c[TRY_ROW_RESTART].n_b, 0);
	assert_int_equal(c[TRY_ROW_RESTART].verdict, VERDICT_NONE);
	try_samples_free(&ts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(abba_per_four_trials),
		cmocka_unit_test(b_faster_helps),
		cmocka_unit_test(other_variants_are_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
