// SPDX-License-Identifier: GPL-2.0-only
/* Statistics against known values, and the summary built from them: baselines, drift, loads. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/stats.h"
#include "report/summary.h"
#include "rundir/csv.h"

#define near(a, b) (fabs((a) - (b)) < 1e-9)

/* Values from R: quantile(x, type = 7), sd(x). */
static void quantiles_like_r(void **state)
{
	const double ten[] = {7, 3, 10, 1, 5, 9, 2, 8, 4, 6}; /* 1..10, shuffled */
	const double sd8[] = {2, 4, 4, 4, 5, 5, 7, 9};
	double copy[10];
	struct stats s;

	(void)state;
	memcpy(copy, ten, sizeof(copy));
	assert_int_equal(stats_compute(ten, 10, &s), 0);
	assert_true(near(s.median, 5.5) && near(s.p5, 1.45) && near(s.p95, 9.55));
	assert_true(near(s.mean, 5.5) && near(s.stddev, 3.0276503540974917));
	assert_memory_equal(ten, copy, sizeof(copy)); /* input untouched */
	assert_int_equal(stats_compute(sd8, 8, &s), 0);
	assert_true(near(s.median, 4.5) && near(s.stddev, 2.138089935299395));
	assert_true(near(s.p5, 2.7) && near(s.p95, 8.3));
}

static void odd_even_ties_one_none(void **state)
{
	const double odd[] = {0.9, 0.3, 0.5, 0.7, 0.1};
	const double even[] = {0.4, 0.1, 0.3, 0.2};
	const double ties[] = {1, 1, 1, 1};
	const double mixed_ties[] = {3, 1, 3, 3, 2, 3};
	const double one[] = {10.788};
	struct stats s;

	(void)state;
	assert_int_equal(stats_compute(odd, 5, &s), 0);
	assert_true(near(s.median, 0.5) && near(s.min, 0.1) && near(s.max, 0.9));
	assert_int_equal(stats_compute(even, 4, &s), 0);
	assert_true(near(s.median, 0.25)); /* mean of the two middle ones */
	assert_int_equal(stats_compute(ties, 4, &s), 0);
	assert_true(s.median == 1 && s.p5 == 1 && s.p95 == 1 && s.stddev == 0);
	assert_int_equal(stats_compute(mixed_ties, 6, &s), 0);
	assert_true(s.median == 3 && near(s.p5, 1.25));
	assert_int_equal(stats_compute(one, 1, &s), 0);
	assert_true(s.n == 1 && s.median == 10.788 && s.min == s.max && s.stddev == 0);
	assert_true(s.p5 == 10.788 && s.p95 == 10.788);
	assert_int_equal(stats_compute(NULL, 0, &s), -1); /* all failed: nothing to say */
	assert_true(s.n == 0 && s.median == 0);
	assert_true(isnan(quantile_sorted(NULL, 0, 0.5)));
}

static const char matrix_csv[] =
	"run_id,cell,load,stressors,trial,status,reason,method,restart_ns\n"
	"r,none,none,0,1,ok,,stdout,1000000000\n"
	"r,none,none,0,2,ok,,stdout,1200000000\n"
	"r,cpu-1,cpu,1,1,ok,,stdout,1500000000\n"
	"r,cpu-1,cpu,1,2,ok,,stdout,1700000000\n"
	"r,cpu-2,cpu,2,1,ok,,stdout,2000000000\n"
	"r,cpu-2,cpu,2,2,failed,\"no window, none\",stdout,\n"
	"r,none#2,none,0,1,ok,,stdout,1400000000\n"
	"r,none#2,none,0,2,ok,,stdout,1400000000\n"
	"r,hdd-1,hdd,1,1,failed,x,stdout,\n"
	"r,hdd-1,hdd,1,2,failed,x,stdout,\n"
	"r,none#3,none,0,1,ok,,stdout,1300000000\n";

static void matrix_summary(void **state)
{
	struct csv_table t;
	struct run_summary s;
	const struct cell_summary *c;
	const struct load_summary *l;

	(void)state;
	assert_int_equal(csv_parse(matrix_csv, strlen(matrix_csv), &t), 0);
	assert_int_equal(summary_compute_run(&t, &s), 0);
	assert_int_equal(s.n_cells, 6);
	/* The pooled baseline: 1.0 1.2 1.3 1.4 1.4 -> 1.3. */
	assert_true(near(s.baseline_median_s, 1.3));
	assert_int_equal(s.baseline_cells, 3);
	/* Baseline cell medians 1.1, 1.4, 1.3: spread 0.3 of 1.3. */
	assert_true(near(s.baseline_drift_pct, 0.3 / 1.3 * 100));
	c = &s.cells[1];
	assert_string_equal(c->cell, "cpu-1");
	assert_int_equal(c->order, 1);
	assert_true(near(c->restart_s.median, 1.6));
	assert_true(near(c->change_pct, (1.6 / 1.3 - 1) * 100));
	/* Bracketed by none (1.1) and none#2 (1.4): against 1.25. */
	assert_true(near(c->change_adjacent_pct, (1.6 / 1.25 - 1) * 100));
	c = &s.cells[2];
	assert_int_equal(c->trials, 2);
	assert_int_equal(c->failures, 1);
	assert_int_equal(c->restart_s.n, 1);
	c = &s.cells[4];
	assert_string_equal(c->cell, "hdd-1");
	assert_int_equal(c->restart_s.n, 0); /* all failed */
	assert_true(isnan(c->change_pct) && isnan(c->change_adjacent_pct));
	assert_int_equal(s.cells[3].repeat, 2);
	assert_true(isnan(s.cells[3].change_adjacent_pct)); /* a baseline has no adjacent one */
	/* Loads: the baseline first; the mean of the cell medians, as the paper quotes them. */
	assert_int_equal(s.n_loads, 3);
	l = &s.loads[0];
	assert_string_equal(l->load, "none");
	assert_true(near(l->mean_median_s, (1.1 + 1.4 + 1.3) / 3));
	assert_true(near(l->change_pct, 0));
	l = &s.loads[1];
	assert_string_equal(l->load, "cpu");
	assert_int_equal(l->cells, 2);
	assert_true(l->min_stressors == 1 && l->max_stressors == 2);
	assert_true(near(l->mean_median_s, (1.6 + 2.0) / 2));
	assert_true(near(l->change_pct, (1.8 / ((1.1 + 1.4 + 1.3) / 3) - 1) * 100));
	assert_int_equal(l->pooled.n, 3);
	l = &s.loads[2];
	assert_int_equal(l->cells, 0);
	assert_true(isnan(l->mean_median_s) && isnan(l->change_pct));
	assert_int_equal(summary_find_load(&s, "hdd"), 2);
	assert_int_equal(summary_find_cell(&s, "none#3"), 5);
	run_summary_free(&s);
	csv_table_free(&t);
}

static void no_baseline(void **state)
{
	const char text[] = "cell,load,stressors,status,restart_ns\n"
			    "hdd-2,hdd,2,ok,4000000000\n";
	struct csv_table t;
	struct run_summary s;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	assert_int_equal(csv_parse(text, strlen(text), &t), 0);
	assert_int_equal(summary_compute_run(&t, &s), 0);
	assert_true(isnan(s.baseline_median_s) && isnan(s.baseline_drift_pct));
	assert_true(isnan(s.cells[0].change_pct) && isnan(s.cells[0].change_adjacent_pct));
	f = open_memstream(&out, &len);
	summary_print(f, &s);
	fclose(f);
	assert_non_null(strstr(out, "hdd-2             1      0    4.000"));
	assert_null(strstr(out, "drift"));
	free(out);
	run_summary_free(&s);
	csv_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quantiles_like_r),
		cmocka_unit_test(odd_even_ties_one_none),
		cmocka_unit_test(matrix_summary),
		cmocka_unit_test(no_baseline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
