// SPDX-License-Identifier: GPL-2.0-only
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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/stats.h"
#include "report/summary.h"
#include "rundir/csv.h"

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

/* A batched writer holds whole rows until the batch fills or a flush; the close writes the rest. */
static void batched_rows(void **state)
{
	char dir[] = "/tmp/rp-test-csv.XXXXXX";
	const char *cols[] = {"a"};
	struct csv_writer w;
	struct stat st;
	off_t header;
	int dfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(csv_create(&w, dfd, "b.csv", cols, 1), 0);
	header = lseek(w.fd, 0, SEEK_CUR);
	w.batch = 8;
	csv_str(&w, "one");
	assert_int_equal(csv_end_row(&w), 0);
	assert_int_equal(lseek(w.fd, 0, SEEK_CUR), header); /* held */
	csv_str(&w, "two");
	assert_int_equal(csv_end_row(&w), 0);
	assert_int_equal(lseek(w.fd, 0, SEEK_CUR), header + 8); /* the batch filled */
	csv_str(&w, "three");
	assert_int_equal(csv_end_row(&w), 0);
	assert_int_equal(csv_flush(&w), 0);
	assert_int_equal(lseek(w.fd, 0, SEEK_CUR), header + 14);
	csv_str(&w, "four");
	assert_int_equal(csv_end_row(&w), 0);
	assert_int_equal(csv_close(&w), 0);
	assert_int_equal(fstatat(dfd, "b.csv", &st, 0), 0);
	assert_int_equal(st.st_size, header + 19);
	unlinkat(dfd, "b.csv", 0);
	close(dfd);
	rmdir(dir);
}

/* A record with another field count than the header is never a row: strictly it fails the
 * parse, naming its line; leniently it is left out and counted. */
static void missing_and_extra_columns(void **state)
{
	const char text[] = "x,y,z\r\n1,2\r\n1,2,3,4\n\n\"q\"\"q\",,\n";
	struct csv_table t;

	(void)state;
	assert_int_equal(csv_parse(text, strlen(text), &t), -EBADMSG);
	assert_int_equal(t.n_rows, 0);
	assert_null(t.rows);
	assert_int_equal(t.bad_line, 2);
	assert_string_equal(t.bad_what, "2 fields where the header has 3");
	assert_int_equal(csv_parse_flags(text, strlen(text), CSV_LENIENT, &t), 0);
	assert_int_equal(t.n_rows, 1);
	assert_int_equal(t.bad_rows, 2);
	assert_int_equal(t.bad_line, 2);
	assert_string_equal(csv_get(&t, 0, 0), "q\"q");
	assert_string_equal(csv_get(&t, 0, 2), "");
	assert_int_equal(csv_col(&t, "z"), 2);
	assert_int_equal(csv_col(&t, "nope"), -1);
	assert_string_equal(csv_get(&t, 0, -1), "");
	assert_int_equal(csv_get_i64(&t, 0, csv_col(&t, "nope"), 9), 9);
	csv_table_free(&t);
	assert_int_equal(csv_parse("", 0, &t), -ENODATA);
	assert_int_equal(csv_parse("\n\n", 2, &t), -ENODATA);
}

/* trials.csv whose last row was cut (a full disk, a copy stopped): not an ok trial of 4.4 us. */
static void cut_last_row(void **state)
{
	const char text[] = "cell,load,stressors,trial,status,method,restart_ns,variant\n"
			    "none,none,0,1,ok,stdout,604810964,\n"
			    "none,none,0,2,ok,stdout,4426";
	const char cut_in_last_field[] = "cell,trial,restart_ns\nnone,1,604810964\nnone,2,44";
	struct csv_table t;

	(void)state;
	assert_int_equal(csv_parse(text, strlen(text), &t), -EBADMSG);
	assert_int_equal(t.bad_line, 3);
	assert_string_equal(t.bad_what, "the row is cut: 7 fields where the header has 8");
	assert_int_equal(csv_parse_flags(text, strlen(text), CSV_LENIENT, &t), 0);
	assert_int_equal(t.n_rows, 1);
	assert_int_equal(t.bad_rows, 1);
	csv_table_free(&t);
	/* Cut inside its last field: the count is right, the end of line is missing. */
	assert_int_equal(csv_parse(cut_in_last_field, strlen(cut_in_last_field), &t), -EBADMSG);
	assert_int_equal(t.bad_line, 3);
	assert_non_null(strstr(t.bad_what, "cut"));
	assert_int_equal(
		csv_parse_flags(cut_in_last_field, strlen(cut_in_last_field), CSV_LENIENT, &t), 0);
	assert_int_equal(t.n_rows, 1);
	assert_int_equal(csv_get_i64(&t, 0, 2, 0), 604810964);
	csv_table_free(&t);
	/* A header cut short is no header, even leniently. */
	assert_int_equal(csv_parse_flags("a,b", 3, CSV_LENIENT, &t), -EBADMSG);
	assert_int_equal(t.bad_line, 1);
	assert_string_equal(t.bad_what, "the header is cut: the file ends before its end of line");
	assert_int_equal(csv_parse_flags("a,\"b\n1,2\n", 9, CSV_LENIENT, &t), -EBADMSG);
	assert_int_equal(t.bad_rows, 1);
	assert_string_equal(t.bad_what, "a quote in the header is not closed");
}

/* A stray quote must not swallow the rows after it: strictly its line is named; leniently
 * only its own row is lost. */
static void stray_quote(void **state)
{
	const char open_to_end[] = "cell,trial,comm,offcpu_ns\n"
				   "none,1,dockerd,100\n"
				   "none,1,\"runc,200\n"
				   "none,1,containerd,300\n"
				   "none,2,dockerd,400\n";
	const char closed_later[] = "cell,trial,comm,offcpu_ns\n"
				    "none,1,dockerd,100\n"
				    "none,1,\"runc,200\n"
				    "none,1,containerd,300\n"
				    "none,2,shim,4\"00\n"
				    "none,2,dockerd,500\n";
	struct csv_table t;

	(void)state;
	assert_int_equal(csv_parse(open_to_end, strlen(open_to_end), &t), -EBADMSG);
	assert_int_equal(t.bad_line, 3);
	assert_string_equal(t.bad_what, "a quote is not closed before the end of the file");
	assert_int_equal(csv_parse_flags(open_to_end, strlen(open_to_end), CSV_LENIENT, &t), 0);
	assert_int_equal(t.n_rows, 3);
	assert_int_equal(t.bad_rows, 1);
	assert_string_equal(csv_get(&t, 1, 2), "containerd");
	assert_int_equal(csv_get_i64(&t, 2, 3, 0), 400);
	csv_table_free(&t);
	/* A second stray quote closes the first: one record of the wrong count over 3 lines.
	 * Leniently, reading goes on at line 4, where that quote inside a field is a letter. */
	assert_int_equal(csv_parse(closed_later, strlen(closed_later), &t), -EBADMSG);
	assert_int_equal(t.bad_line, 3);
	assert_string_equal(t.bad_what, "3 fields where the header has 4");
	assert_int_equal(csv_parse_flags(closed_later, strlen(closed_later), CSV_LENIENT, &t), 0);
	assert_int_equal(t.n_rows, 4);
	assert_int_equal(t.bad_rows, 1);
	assert_string_equal(csv_get(&t, 1, 2), "containerd");
	assert_string_equal(csv_get(&t, 2, 3), "4\"00");
	assert_int_equal(csv_get_i64(&t, 3, 3, 0), 500);
	csv_table_free(&t);
}

/* Lines are counted in the file, also inside quoted fields that hold newlines. */
static void line_numbers(void **state)
{
	const char text[] = "a,b\n"
			    "\"x\ny\",1\n"
			    "\"p\r\nq\",2\n"
			    "3\n";
	struct csv_table t;
	char msg[256];

	(void)state;
	assert_int_equal(csv_parse(text, strlen(text), &t), -EBADMSG);
	assert_int_equal(t.bad_line, 6);
	csv_problem("run", "w.csv", -EBADMSG, &t, msg, sizeof(msg));
	assert_string_equal(msg, "run/w.csv:6: 1 fields where the header has 2");
	csv_problem("run", "w.csv", -EINVAL, &t, msg, sizeof(msg));
	assert_string_equal(msg, "run/w.csv: not a regular file");
	csv_problem("run", "w.csv", 0, &(struct csv_table){0}, msg, sizeof(msg));
	assert_string_equal(msg, "");
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
	struct run_summary s;

	(void)state;
	assert_int_equal(csv_parse(text, strlen(text), &t), 0);
	assert_int_equal(summary_compute_run(&t, &s), 0);
	assert_int_equal(s.n_cells, 3);
	assert_string_equal(s.cells[0].cell, "none");
	assert_true(s.cells[0].restart_s.median == 2.0);
	assert_int_equal(s.cells[1].failures, 1);
	assert_true(s.cells[1].change_pct == 100.0);
	assert_int_equal(s.cells[2].restart_s.n, 0); /* all failed */
	run_summary_free(&s);
	csv_table_free(&t);
}

/* Quoted fields may hold the separator, quotes, CR and LF; a quoted empty field is empty. */
static void quoting(void **state)
{
	const char text[] = "cell,reason,restart_ns\r\n"
			    "\"none\",\"a, b\r\nc \"\"d\"\"\",\"1000\"\r\n"
			    "hdd-1,\"\",2000\r\n"
			    "\"cpu-1\",plain \"mid\" quote,\n";
	struct csv_table t;

	(void)state;
	assert_int_equal(csv_parse(text, strlen(text), &t), 0);
	assert_int_equal(t.n_rows, 3);
	assert_string_equal(csv_get(&t, 0, 0), "none");
	assert_string_equal(csv_get(&t, 0, 1), "a, b\r\nc \"d\"");
	assert_int_equal(csv_get_i64(&t, 0, 2, -1), 1000);
	assert_string_equal(csv_get(&t, 1, 1), "");
	assert_int_equal(csv_get_i64(&t, 2, 2, -1), -1);
	csv_table_free(&t);
	/* No final newline: the last row is cut (restartprof ends every row with one). */
	assert_int_equal(csv_parse("a,b\n1,2", 7, &t), -EBADMSG);
	assert_int_equal(t.bad_line, 2);
	/* A header only. */
	assert_int_equal(csv_parse("a,b\n", 4, &t), 0);
	assert_int_equal(t.n_rows, 0);
	csv_table_free(&t);
}

/*
 * A trials.csv of an older restartprof: no load, stressors, status or restart_ns columns, the
 * restart time only under its method's column, columns in another order.
 */
static void older_column_set(void **state)
{
	const char text[] = "trial,restart_stdout_ns,method,cell\n"
			    "1,1000000000,stdout,none\n"
			    "2,2000000000,stdout,none\n"
			    "1,3000000000,stdout,hdd-2\n"
			    "2,,stdout,hdd-2\n"
			    "1,500000000,tcp,none#2\n";
	const char no_cell[] = "load,stressors,status,restart_ns\n"
			       "none,0,ok,1000000000\n"
			       "cpu,3,ok,2000000000\n";
	struct csv_table t;
	struct run_summary s;

	(void)state;
	assert_int_equal(csv_parse(text, strlen(text), &t), 0);
	assert_int_equal(summary_compute_run(&t, &s), 0);
	assert_int_equal(s.n_cells, 3);
	assert_string_equal(s.cells[1].load, "hdd");
	assert_int_equal(s.cells[1].stressors, 2);
	assert_int_equal(s.cells[1].failures, 1); /* no status: a row without a time failed */
	assert_true(s.cells[1].restart_s.median == 3.0);
	assert_string_equal(s.cells[2].load, "none");
	assert_int_equal(s.cells[2].repeat, 2);
	/* restart_tcp_ns is missing: the row has no time under its method (another method's
	 * time is not taken for it). */
	assert_int_equal(s.cells[2].restart_s.n, 0);
	run_summary_free(&s);
	csv_table_free(&t);
	assert_int_equal(csv_parse(no_cell, strlen(no_cell), &t), 0);
	assert_int_equal(summary_compute_run(&t, &s), 0);
	assert_int_equal(s.n_cells, 2);
	assert_string_equal(s.cells[1].cell, "cpu-3");
	assert_true(s.cells[1].change_pct == 100.0);
	run_summary_free(&s);
	csv_table_free(&t);
	assert_int_equal(csv_parse("trial,restart_ns\n1,5\n", 21, &t), 0);
	assert_int_equal(summary_compute_run(&t, &s), -1); /* neither cell nor load */
	csv_table_free(&t);
}

static int two_rows(struct csv_writer *w, const void *ctx)
{
	(void)ctx;
	csv_str(w, "x");
	csv_end_row(w);
	csv_str(w, "y");
	return csv_end_row(w);
}

static int failing_rows(struct csv_writer *w, const void *ctx)
{
	(void)w, (void)ctx;
	return -EIO;
}

/* Summaries are replaced whole or not at all, and never through a symlink. */
static void atomic_replace(void **state)
{
	char dir[] = "/tmp/rp-test-csv.XXXXXX", path[64], link[64];
	const char *cols[] = {"v"};
	struct csv_table t;
	int dfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	snprintf(path, sizeof(path), "%s/s.csv", dir);
	assert_int_equal(csv_write_atomic(dfd, "s.csv", cols, 1, two_rows, NULL), 0);
	assert_int_equal(csv_write_atomic(dfd, "s.csv", cols, 1, failing_rows, NULL), -EIO);
	assert_int_equal(csv_read_file(path, &t), 0);
	assert_int_equal(t.n_rows, 2); /* the failed write left the old file */
	csv_table_free(&t);
	snprintf(link, sizeof(link), "%s/l.csv", dir);
	assert_int_equal(symlink("/tmp/rp-test-csv-target-never", link), 0);
	assert_int_equal(csv_write_atomic(dfd, "l.csv", cols, 1, two_rows, NULL), 0);
	assert_int_equal(access("/tmp/rp-test-csv-target-never", F_OK), -1);
	unlink(link);
	unlink(path);
	close(dfd);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip_with_quoting),
		cmocka_unit_test(batched_rows),
		cmocka_unit_test(missing_and_extra_columns),
		cmocka_unit_test(cut_last_row),
		cmocka_unit_test(stray_quote),
		cmocka_unit_test(line_numbers),
		cmocka_unit_test(stats_known_values),
		cmocka_unit_test(summary_per_cell),
		cmocka_unit_test(quoting),
		cmocka_unit_test(older_column_set),
		cmocka_unit_test(atomic_replace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
