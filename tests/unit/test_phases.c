// SPDX-License-Identifier: GPL-2.0-only
/* Phases tile the restart window exactly, whatever order or gaps the events come in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "model/phase.h"
#include "model/trial.h"

static int64_t sum(const struct phase_span *s)
{
	int64_t t = 0;

	for (int p = 0; p < PH_COUNT; p++)
		t += s[p].end_ns - s[p].start_ns;
	return t;
}

static void assert_contiguous_and_nonnegative(const struct phase_span *s, int64_t b, int64_t e)
{
	for (int p = 0; p < PH_COUNT; p++) {
		assert_true(s[p].start_ns <= s[p].end_ns);
		assert_true(s[p].start_ns >= b && s[p].end_ns <= e);
	}
	assert_int_equal(sum(s), e - b);
}

static void in_order(void **state)
{
	int64_t ev[PH_COUNT] = {0};
	struct phase_span s[PH_COUNT];

	(void)state;
	for (int p = 0; p < PH_READY; p++)
		ev[p] = 1000 + 10 * (p + 1);
	assert_int_equal(phases_tile(1000, 1200, ev, s), 0);
	assert_int_equal(s[PH_KILL].start_ns, 1000);
	assert_int_equal(s[PH_KILL].end_ns, 1010);
	assert_int_equal(s[PH_DIE].end_ns - s[PH_DIE].start_ns, 10);
	assert_int_equal(s[PH_READY].start_ns, 1090);
	assert_int_equal(s[PH_READY].end_ns, 1200);
	assert_contiguous_and_nonnegative(s, 1000, 1200);
}

static void out_of_order_events_follow_time(void **state)
{
	int64_t ev[PH_COUNT] = {0};
	struct phase_span s[PH_COUNT];

	(void)state;
	ev[PH_KILL] = 10;
	ev[PH_DIE] = 20;
	ev[PH_DISCONNECT] = 40; /* after stop */
	ev[PH_STOP] = 30;
	ev[PH_DESTROY] = 50;
	assert_int_equal(phases_tile(0, 100, ev, s), 0);
	assert_int_equal(s[PH_STOP].start_ns, 20);
	assert_int_equal(s[PH_STOP].end_ns, 30);
	assert_int_equal(s[PH_DISCONNECT].start_ns, 30);
	assert_int_equal(s[PH_DISCONNECT].end_ns, 40);
	assert_contiguous_and_nonnegative(s, 0, 100);
}

static void missing_events_are_empty(void **state)
{
	int64_t ev[PH_COUNT] = {0};
	struct phase_span s[PH_COUNT];

	(void)state;
	ev[PH_DIE] = 30;
	ev[PH_START] = 80;
	assert_int_equal(phases_tile(0, 100, ev, s), 0);
	assert_int_equal(s[PH_KILL].end_ns - s[PH_KILL].start_ns, 0);
	assert_int_equal(s[PH_CONNECT].end_ns - s[PH_CONNECT].start_ns, 0);
	assert_int_equal(s[PH_DIE].end_ns - s[PH_DIE].start_ns, 30);
	assert_int_equal(s[PH_START].end_ns - s[PH_START].start_ns, 50);
	assert_int_equal(s[PH_READY].end_ns - s[PH_READY].start_ns, 20);
	assert_contiguous_and_nonnegative(s, 0, 100);
}

static void events_outside_window_are_clamped(void **state)
{
	int64_t ev[PH_COUNT] = {0};
	struct phase_span s[PH_COUNT];

	(void)state;
	ev[PH_KILL] = 5;    /* before the window */
	ev[PH_START] = 250; /* after the service already printed its stamp */
	ev[PH_CREATE] = 150;
	assert_int_equal(phases_tile(100, 200, ev, s), 0);
	assert_int_equal(s[PH_KILL].end_ns - s[PH_KILL].start_ns, 0);
	assert_int_equal(s[PH_START].end_ns, 200);
	assert_int_equal(s[PH_READY].end_ns - s[PH_READY].start_ns, 0);
	assert_contiguous_and_nonnegative(s, 100, 200);
}

static void inverted_window_is_refused(void **state)
{
	int64_t ev[PH_COUNT] = {0};
	struct phase_span s[PH_COUNT];

	(void)state;
	assert_int_equal(phases_tile(200, 100, ev, s), -1);
}

static void names_round_trip(void **state)
{
	(void)state;
	for (int p = 0; p < PH_COUNT; p++)
		assert_int_equal(phase_from_name(phase_name(p)), p);
	assert_int_equal(phase_from_name("nope"), -1);
	for (int m = 0; m < RM_COUNT; m++)
		assert_int_equal(restart_method_from_name(restart_method_name(m)), m);
}

static void trial_tiles_its_method_window(void **state)
{
	struct trial t = {.method = RM_TCP};

	(void)state;
	assert_int_equal(trial_tile_phases(&t), -1);
	t.window[RM_TCP] = (struct trial_window){1000, 4000};
	t.have_window[RM_TCP] = 1;
	t.event_ns[PH_CREATE] = 2000;
	assert_int_equal(trial_tile_phases(&t), 0);
	assert_int_equal(trial_restart_ns(&t, RM_TCP), 3000);
	assert_int_equal(trial_restart_ns(&t, RM_STDOUT), -1);
	assert_int_equal(sum(t.phases), 3000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(in_order),
		cmocka_unit_test(out_of_order_events_follow_time),
		cmocka_unit_test(missing_events_are_empty),
		cmocka_unit_test(events_outside_window_are_clamped),
		cmocka_unit_test(inverted_window_is_refused),
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(trial_tiles_its_method_window),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
