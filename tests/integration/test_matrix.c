// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof run --matrix --quick on a small grid against the real engine: every file a run
 * and its report produce is there, and they agree with each other.
 */
#include <json-c/json.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "model/stats.h"
#include "rundir/csv.h"
#include "support/harness.h"

static const char *const cells[] = {"none", "cpu-1", "none#2", "hdd-1", "none#3"};
#define N_CELLS 5
#define TRIALS	2

static off_t size_of(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : -1;
}

static char *slurp(const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

/* summary.csv: one row per cell in run order, medians as trials.csv says. */
static void check_summary(const char *dir)
{
	struct csv_table s, t;

	assert_int_equal(harness_csv(dir, "summary.csv", &s), 0);
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(t.n_rows, N_CELLS * TRIALS);
	assert_int_equal(s.n_rows, N_CELLS);
	for (size_t r = 0; r < s.n_rows; r++) {
		double v[TRIALS];
		size_t n = 0;
		struct stats st;

		assert_string_equal(csv_get(&s, r, csv_col(&s, "cell")), cells[r]);
		for (size_t k = 0; k < t.n_rows; k++)
			if (strcmp(csv_get(&t, k, csv_col(&t, "cell")), cells[r]) == 0 &&
			    strcmp(csv_get(&t, k, csv_col(&t, "status")), "ok") == 0)
				v[n++] = (double)csv_get_i64(&t, k, csv_col(&t, "restart_ns"), 0) /
					 1e9;
		assert_int_equal(n, TRIALS);
		assert_int_equal(stats_compute(v, n, &st), 0);
		assert_true(fabs(csv_get_f64(&s, r, csv_col(&s, "median_s"), -1) - st.median) <
			    1e-6);
		assert_int_equal(csv_get_i64(&s, r, csv_col(&s, "trials"), -1), TRIALS);
	}
	csv_table_free(&s);
	csv_table_free(&t);
	assert_int_equal(harness_csv(dir, "summary_loads.csv", &s), 0);
	assert_int_equal(s.n_rows, 3); /* none, cpu, hdd */
	csv_table_free(&s);
}

static void check_run_json(const char *dir)
{
	char path[512];
	json_object *o, *v, *exp, *c;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	o = json_object_from_file(path);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "state", &v));
	assert_string_equal(json_object_get_string(v), "done");
	assert_true(json_object_object_get_ex(o, "start_ns", &v));
	int64_t start = json_object_get_int64(v);

	assert_true(json_object_object_get_ex(o, "end_ns", &v));
	assert_true(json_object_get_int64(v) > start && start > 0);
	assert_true(json_object_object_get_ex(o, "command_line", &v));
	assert_non_null(strstr(json_object_get_string(v), "--matrix"));
	assert_true(json_object_object_get_ex(o, "engine", &v));
	assert_true(json_object_object_get_ex(v, "cgroup_version", &c));
	assert_true(strlen(json_object_get_string(c)) > 0);
	assert_true(json_object_object_get_ex(o, "storage", &v));
	assert_true(json_object_object_get_ex(v, "docker_root_dir", &c));
	assert_true(strlen(json_object_get_string(c)) > 0);
	assert_true(json_object_object_get_ex(v, "fstype", &c));
	assert_true(strlen(json_object_get_string(c)) > 0);
	assert_true(json_object_object_get_ex(o, "experiment", &exp));
	assert_true(json_object_object_get_ex(exp, "cells", &c));
	assert_int_equal(json_object_array_length(c), N_CELLS);
	for (size_t i = 0; i < N_CELLS; i++) {
		assert_true(json_object_object_get_ex(json_object_array_get_idx(c, i), "name", &v));
		assert_string_equal(json_object_get_string(v), cells[i]);
	}
	json_object_put(o);
}

static void check_timeline(const char *dir)
{
	char path[512];
	json_object *o, *events;
	double last = -1;
	int processes = 0, slices = 0;

	snprintf(path, sizeof(path), "%s/timeline.json", dir);
	o = json_object_from_file(path);
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "traceEvents", &events));
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		json_object *e = json_object_array_get_idx(events, i), *v;
		const char *ph;

		assert_true(json_object_object_get_ex(e, "ts", &v));
		assert_true(json_object_get_double(v) >= last);
		last = json_object_get_double(v);
		json_object_object_get_ex(e, "ph", &v);
		ph = json_object_get_string(v);
		slices += strcmp(ph, "X") == 0;
		json_object_object_get_ex(e, "name", &v);
		processes += strcmp(ph, "M") == 0 &&
			     strcmp(json_object_get_string(v), "process_name") == 0;
	}
	assert_int_equal(processes, N_CELLS);
	assert_true(slices >= N_CELLS * 3); /* at least a few phases and API calls per cell */
	json_object_put(o);
}

static void check_figures_and_page(const char *dir)
{
	static const char *const figs[] = {"fig3-cdf", "fig4-medians", "fig5-phases"};
	static const char *const ext[] = {"svg", "png", "gp", "dat"};
	char *html = slurp(dir, "report.html");
	char name[128];

	for (size_t i = 0; i < 3; i++) {
		for (size_t k = 0; k < 4; k++) {
			snprintf(name, sizeof(name), "figures/%s.%s", figs[i], ext[k]);
			if (size_of(dir, name) <= 0)
				fprintf(stderr, "missing %s\n", name);
			assert_true(size_of(dir, name) > 0);
			/* The page links every file of every figure. */
			assert_non_null(strstr(html, name));
		}
		snprintf(name, sizeof(name), "<figure id=\"%s\">", figs[i]);
		assert_non_null(strstr(html, name));
	}
	/* Inline SVG, nothing fetched. */
	assert_non_null(strstr(html, "<svg"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "src="));
	for (size_t i = 0; i < N_CELLS; i++)
		assert_non_null(strstr(html, cells[i]));
	free(html);
}

static void quick_matrix(void **state)
{
	char *dir = harness_tmpdir("matrix");
	const char *args[] = {"run", "--matrix",   "--quick", "--load",	  "cpu,hdd", "--stressors",
			      "1",   "--trials",   "2",	      "--settle", "1",	     "--interval",
			      "0.2", "--no-trace", "-o",      dir,	  NULL};
	static const char *const files[] = {
		"run.json",	    "trials.csv",    "phases.csv",
		"api_calls.csv",    "summary.csv",   "summary_loads.csv",
		"phase_shares.csv", "timeline.json", "report.html"};
	struct proc_result r;

	(void)state;
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != 0)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	/* The table on stdout; on stderr (not a terminal) plain lines, one per trial. */
	assert_non_null(strstr(r.out, "none#3"));
	assert_non_null(strstr(r.out, "mean of medians"));
	assert_non_null(strstr(r.err, "hdd-1 trial 2/2:"));
	assert_null(strchr(r.err, '\r'));
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (size_of(dir, files[i]) <= 0)
			fprintf(stderr, "missing %s\n", files[i]);
		assert_true(size_of(dir, files[i]) > 0);
	}
	check_summary(dir);
	check_run_json(dir);
	check_timeline(dir);
	check_figures_and_page(dir);
	assert_int_equal(harness_count_containers("io.restartprof.run"), 0);
	proc_result_free(&r);
	/* report again, from the files alone: the same table. */
	const char *again[] = {"report", dir, NULL};

	assert_int_equal(harness_run(again, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(r.out, "none#3"));
	proc_result_free(&r);
	harness_rmtree(dir);
	free(dir);
}

static void report_refusals(void **state)
{
	const char *none[] = {"report", NULL};
	const char *missing[] = {"report", "/tmp/rp-test-no-such-run", NULL};
	const char *bad_list[] = {"run", "--load", "cpu,hdd", NULL};
	struct proc_result r;

	(void)state;
	assert_int_equal(harness_run(none, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 2);
	assert_int_equal(r.err_lines, 1);
	proc_result_free(&r);
	assert_int_equal(harness_run(missing, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 2);
	assert_non_null(strstr(r.err, "/tmp/rp-test-no-such-run/trials.csv"));
	assert_int_equal(r.err_lines, 1);
	proc_result_free(&r);
	assert_int_equal(harness_run(bad_list, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 2);
	assert_non_null(strstr(r.err, "needs --matrix"));
	proc_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(report_refusals),
		cmocka_unit_test(quick_matrix),
	};

	if (!harness_docker_host()) {
		fprintf(stderr, "integration tests need DOCKER_HOST (run them with make test)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
