/* CSV written by restartprof reads back the same; odd files read the way a user expects. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/stats.h"
#include "output/csv.h"
#include "output/summary.h"

static void round_trip_with_quoting(void **state)
{
	char dir[] = "/tmp/rp-test-csv.XXXXXX";
	const char *cols[] = {"a", "b", "c"};
	struct csv_writer w;
	struct csv_table t;
	char path[64];
	int dfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(csv_create(&w, dfd, "x.csv", cols, 3), 0);
	csv_str(&w, "plain");
	csv_str(&w, "with, comma and \"quotes\"\nand a newline");
	csv_i64_opt(&w, -1);
	assert_int_equal(csv_end_row(&w), 0);
	csv_i64(&w, -42);
	csv_f64(&w, 1.5, 3);
	csv_str(&w, "");
	assert_int_equal(csv_end_row(&w), 0);
	assert_int_equal(csv_close(&w), 0);
	/* Never overwrites. */
	assert_int_equal(csv_create(&w, dfd, "x.csv", cols, 3), -EEXIST);
	snprintf(path, sizeof(path), "%s/x.csv", dir);
	assert_int_equal(csv_read_file(path, &t), 0);
	assert_int_equal(t.n_cols, 3);
	assert_int_equal(t.n_rows, 2);
	assert_string_equal(csv_get(&t, 0, 1), "with, comma and \"quotes\"\nand a newline");
	assert_string_equal(csv_get(&t, 0, 2), "");
	assert_int_equal(csv_get_i64(&t, 0, 2, 7), 7);
	assert_int_equal(csv_get_i64(&t, 1, 0, 0), -42);
	assert_true(csv_get_f64(&t, 1, 1, 0) == 1.5);
	csv_table_free(&t);
	unlink(path);
	close(dfd);
	rmdir(dir);
}

static void missing_and_extra_columns(void **state)
{
	const char text[] = "x,y,z\r\n1,2\r\n1,2,3,4\n\n\"q\"\"q\",,\n";
	struct csv_table t;

	(void)state;
	assert_int_equal(csv_parse(text, strlen(text), &t), 0);
	assert_int_equal(t.n_rows, 2);
	assert_int_equal(t.bad_rows, 1);
	assert_string_equal(csv_get(&t, 0, 2), "");
	assert_string_equal(csv_get(&t, 1, 0), "q\"q");
	assert_int_equal(csv_col(&t, "z"), 2);
	assert_int_equal(csv_col(&t, "nope"), -1);
	assert_string_equal(csv_get(&t, 0, -1), "");
	assert_int_equal(csv_get_i64(&t, 0, csv_col(&t, "nope"), 9), 9);
	csv_table_free(&t);
	assert_int_equal(csv_parse("", 0, &t), -1);
}

static void stats_known_values(void **state)
{
	const double odd[] = {5, 1, 3};
	const double even[] = {4, 1, 3, 2};
	const double ties[] = {2, 2, 2, 2, 9};
	const double one[] = {7};
	struct stats s;

	(void)state;
	assert_int_equal(stats_compute(odd, 3, &s), 0);
	assert_true(s.median == 3 && s.min == 1 && s.max == 5 && s.mean == 3);
	assert_true(s.stddev == 2);
	assert_int_equal(stats_compute(even, 4, &s), 0);
	assert_true(s.median == 2.5);
	assert_true(s.p5 > 1.14 && s.p5 < 1.16);   /* 1 + 0.15 */
	assert_true(s.p95 > 3.84 && s.p95 < 3.86); /* 3 + 0.85 */
	assert_int_equal(stats_compute(ties, 5, &s), 0);
	assert_true(s.median == 2 && s.max == 9);
	assert_int_equal(stats_compute(one, 1, &s), 0);
	assert_true(s.median == 7 && s.p5 == 7 && s.p95 == 7 && s.stddev == 0);
	assert_int_equal(stats_compute(one, 0, &s), -1);
	assert_int_equal(s.n, 0);
}

static void summary_per_cell(void **state)
{
	const char text[] = "cell,load,stressors,status,restart_ns\n"
			    "none,none,0,ok,1000000000\n"
			    "none,none,0,ok,3000000000\n"
			    "hdd-2,hdd,2,ok,4000000000\n"
			    "hdd-2,hdd,2,failed,\n"
			    "cpu-1,cpu,1,failed,\n";
	struct csv_table t;
	struct cell_summary *c;
	size_t n;

	(void)state;
	assert_int_equal(csv_parse(text, strlen(text), &t), 0);
	assert_int_equal(summary_compute(&t, &c, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].cell, "none");
	assert_true(c[0].restart_s.median == 2.0);
	assert_int_equal(c[1].failures, 1);
	assert_true(c[1].change_pct == 100.0);
	assert_int_equal(c[2].restart_s.n, 0); /* all failed */
	free(c);
	csv_table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_with_quoting),
		cmocka_unit_test(missing_and_extra_columns),
		cmocka_unit_test(stats_known_values),
		cmocka_unit_test(summary_per_cell),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
