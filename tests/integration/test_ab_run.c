// SPDX-License-Identifier: GPL-2.0-only
/*
 * The A/B modes make bench measures restartprof with, on the real engine and real BPF:
 * --alternate trace records odd trials only (their kernel columns filled, the even ones'
 * empty) and still attributes the container made while detached; --alternate stacks takes
 * stacks in odd trials only; --prog-stats lists our programs' work per recorded trial; and
 * nothing of ours stays in the kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rundir/csv.h"
#include "support/harness.h"
#include "support/table.h"

#define TRIALS 4

static char *run(const char *tag, const char *const *extra)
{
	const char *args[32] = {"run", "--trials", "4", "--interval", "0.2", "-o"};
	struct proc_result pr;
	char *dir = harness_tmpdir(tag);
	int n = 6;

	assert_non_null(dir);
	args[n++] = dir;
	for (int i = 0; extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	assert_int_equal(harness_run(args, (uid_t)-1, &pr), 0);
	if (pr.exit_code != 0)
		fprintf(stderr, "%s", pr.err);
	assert_int_equal(pr.exit_code, 0);
	assert_null(strstr(pr.err, "not attached again"));
	proc_result_free(&pr);
	return dir;
}

static void trace_on_odd_trials_only(void **state)
{
	const char *extra[] = {"--alternate", "trace", "--prog-stats", NULL};
	struct csv_table trials, phases, progs;
	char *dir;
	int64_t target_exits = 0;

	(void)state;
	dir = run("alt-trace", extra);
	assert_int_equal(harness_csv(dir, "trials.csv", &trials), 0);
	assert_int_equal(harness_csv(dir, "phases.csv", &phases), 0);
	assert_int_equal(harness_csv(dir, "progstats.csv", &progs), 0);
	assert_int_equal(trials.n_rows, TRIALS);
	for (size_t i = 0; i < trials.n_rows; i++) {
		bool odd = table_i64(&trials, i, "trial") % 2 == 1;

		assert_string_equal(table_str(&trials, i, "status"), "ok");
		assert_string_equal(table_str(&trials, i, "variant"), odd ? "trace" : "no-trace");
		if (odd) {
			assert_true(table_i64(&trials, i, "kernel_drops") >= 0);
			assert_true(table_i64(&trials, i, "restart_kernel_ns") > 0);
		} else {
			assert_int_equal(table_i64(&trials, i, "kernel_drops"), -1);
			assert_int_equal(table_i64(&trials, i, "restart_kernel_ns"), -1);
		}
	}
	/* Trial 3's old container was made in trial 2, detached: its service is still `target`. */
	for (size_t i = 0; i < phases.n_rows; i++)
		if (table_i64(&phases, i, "trial") == 3)
			target_exits += table_i64(&phases, i, "target_exits");
	assert_true(target_exits >= 1);
	/* Our programs, for the recorded trials only; the scheduler's ran. */
	for (size_t i = 0; i < progs.n_rows; i++) {
		assert_true(table_i64(&progs, i, "trial") % 2 == 1);
		assert_true(table_i64(&progs, i, "record_ns") > 0);
		if (strcmp(table_str(&progs, i, "program"), "sched_switch_btf") == 0 ||
		    strcmp(table_str(&progs, i, "program"), "sched_switch_raw") == 0 ||
		    strcmp(table_str(&progs, i, "program"), "sched_switch_tp") == 0) {
			assert_string_equal(table_str(&progs, i, "owner"), "restartprof");
			assert_true(table_i64(&progs, i, "run_cnt") > 0);
		}
	}
	assert_true(progs.n_rows >= 2 * 10);
	csv_table_free(&trials);
	csv_table_free(&phases);
	csv_table_free(&progs);
	harness_rmtree(dir);
	free(dir);
	assert_int_equal(harness_leaked_bpf_maps(), 0);
}

static void stacks_on_odd_trials_only(void **state)
{
	const char *extra[] = {"--alternate", "stacks", "--events", NULL};
	struct csv_table trials, events;
	size_t with[TRIALS + 1] = {0}, offcpu[TRIALS + 1] = {0};
	char *dir;

	(void)state;
	dir = run("alt-stacks", extra);
	assert_int_equal(harness_csv(dir, "trials.csv", &trials), 0);
	assert_int_equal(harness_csv(dir, "events.csv", &events), 0);
	for (size_t i = 0; i < trials.n_rows; i++) {
		bool odd = table_i64(&trials, i, "trial") % 2 == 1;

		assert_string_equal(table_str(&trials, i, "variant"), odd ? "stacks" : "no-stacks");
		assert_true(table_i64(&trials, i, "kernel_drops") >= 0);
		/* The captures counted in the kernel: some in odd trials, none in even ones. */
		if (odd)
			assert_true(table_i64(&trials, i, "stacks") > 0);
		else
			assert_int_equal(table_i64(&trials, i, "stacks"), 0);
	}
	for (size_t i = 0; i < events.n_rows; i++) {
		int64_t t = table_i64(&events, i, "trial");

		if (strcmp(table_str(&events, i, "type"), "offcpu") != 0 || t < 1 || t > TRIALS)
			continue;
		offcpu[t]++;
		if (!strstr(table_str(&events, i, "detail"), "stackid=-1"))
			with[t]++;
	}
	for (int t = 1; t <= TRIALS; t++) {
		assert_true(offcpu[t] > 0);
		if (t % 2)
			assert_true(with[t] > 0);
		else
			assert_int_equal(with[t], 0);
	}
	csv_table_free(&trials);
	csv_table_free(&events);
	harness_rmtree(dir);
	free(dir);
	assert_int_equal(harness_leaked_bpf_maps(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(trace_on_odd_trials_only),
		cmocka_unit_test(stacks_on_odd_trials_only),
	};

	if (!harness_docker_host()) {
		fprintf(stderr, "integration tests need DOCKER_HOST (run them with make test)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
