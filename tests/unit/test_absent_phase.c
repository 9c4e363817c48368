// SPDX-License-Identifier: GPL-2.0-only
/*
 * A phase the engine does not report (Podman: kill, disconnect, connect) is absent from the
 * diagnosis, not 0 ms, and it is not compared with a run of an engine that reports it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "model/diagnosis.h"
#include "model/rules.h"

/* Two trials with a time for each phase listed (ms), and none for the others. */
static void finish(const struct rules *r, const int *phases, const int64_t *ms, int n,
		   struct diagnosis_cell *out)
{
	struct diagnosis_builder *b = diagnosis_builder_new(r);

	assert_non_null(b);
	for (int trial = 0; trial < 2; trial++) {
		diagnosis_add_trial(b);
		for (int i = 0; i < n; i++)
			diagnosis_add_phase_time(b, phases[i], ms[i] * 1000000);
	}
	assert_int_equal(diagnosis_finish_cell(b, out), 0);
	diagnosis_builder_free(b);
}

static void absent_is_not_compared(void **state)
{
	static const int podman[] = {PH_DIE, PH_STOP, PH_CREATE, PH_ATTACH, PH_START, PH_READY};
	static const int64_t podman_ms[] = {50, 0, 80, 300, 40, 5};
	static const int docker[] = {PH_KILL,	PH_DIE,	   PH_DISCONNECT, PH_STOP,  PH_DESTROY,
				     PH_CREATE, PH_ATTACH, PH_CONNECT,	  PH_START, PH_READY};
	static const int64_t docker_ms[] = {4, 60, 80, 10, 10, 15, 2, 50, 370, 5};
	struct rules r;
	struct diagnosis_cell p, d;
	struct diagnosis_diff diff;

	(void)state;
	memset(&r, 0, sizeof(r));
	finish(&r, podman, podman_ms, 6, &p);
	finish(&r, docker, docker_ms, 10, &d);
	assert_true(p.phase[PH_CONNECT].absent);
	assert_true(p.phase[PH_KILL].absent);
	assert_true(p.phase[PH_DESTROY].absent);
	/* A phase of 0 ms in every trial is present. */
	assert_false(p.phase[PH_STOP].absent);
	for (int k = 0; k < 10; k++)
		assert_false(d.phase[docker[k]].absent);
	assert_false(diagnosis_comparable(&p.phase[PH_CONNECT], &d.phase[PH_CONNECT]));
	diagnosis_compare(&d.phase[PH_CONNECT], &p.phase[PH_CONNECT], &diff);
	assert_true(diff.measured_ms == 0 && diff.n == 0);
	assert_true(diagnosis_comparable(&p.phase[PH_ATTACH], &d.phase[PH_ATTACH]));
	diagnosis_compare(&p.phase[PH_ATTACH], &d.phase[PH_ATTACH], &diff);
	assert_true(diff.measured_ms > 297.9 && diff.measured_ms < 298.1);
	diagnosis_cell_free(&p);
	diagnosis_cell_free(&d);
}

/* No phase times at all (a run directory without phases.csv): nothing is absent. */
static void no_times_no_absence(void **state)
{
	struct rules r;
	struct diagnosis_cell c;

	(void)state;
	memset(&r, 0, sizeof(r));
	finish(&r, NULL, NULL, 0, &c);
	for (int p = 0; p < PH_COUNT; p++)
		assert_false(c.phase[p].absent);
	diagnosis_cell_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(absent_is_not_compared),
		cmocka_unit_test(no_times_no_absence),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
