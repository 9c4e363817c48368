// SPDX-License-Identifier: GPL-2.0-only
/* restartprof run against a real engine: what it writes, what it leaves, how it refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/phase.h"
#include "rundir/csv.h"
#include "support/harness.h"

#define PHASE_COLS                                                                                 \
	"kill_ns", "die_ns", "disconnect_ns", "stop_ns", "destroy_ns", "create_ns", "attach_ns",   \
		"connect_ns", "start_ns", "ready_ns"

static void check_trials(const char *dir, int want_rows, const char *method, int64_t max_ns)
{
	static const char *const phases[] = {PHASE_COLS};
	struct csv_table t, p, a;

	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(harness_csv(dir, "phases.csv", &p), 0);
	assert_int_equal(harness_csv(dir, "api_calls.csv", &a), 0);
	assert_int_equal(t.n_rows, want_rows);
	assert_int_equal(p.n_rows, want_rows * PH_COUNT);
	assert_true(a.n_rows >= (size_t)want_rows * 5); /* stop, remove, create, attach, start */
	for (size_t r = 0; r < t.n_rows; r++) {
		int64_t restart = csv_get_i64(&t, r, csv_col(&t, "restart_ns"), -1), sum = 0;
		int64_t by_method =
			csv_get_i64(&t, r,
				    csv_col(&t, method[0] == 't'   ? "restart_tcp_ns"
						: method[0] == 'l' ? "restart_log_ns"
								   : "restart_stdout_ns"),
				    -1);

		assert_string_equal(csv_get(&t, r, csv_col(&t, "status")), "ok");
		assert_string_equal(csv_get(&t, r, csv_col(&t, "method")), method);
		/* Plausible: more than a millisecond, less than the bound for this load. */
		assert_true(restart > 1000000);
		assert_true(restart < max_ns);
		assert_int_equal(restart, by_method);
		for (size_t k = 0; k < sizeof(phases) / sizeof(phases[0]); k++) {
			int64_t d = csv_get_i64(&t, r, csv_col(&t, phases[k]), -1);

			assert_true(d >= 0);
			sum += d;
		}
		assert_int_equal(sum, restart);
		/* The engine's own view is there too, and the create event was seen. */
		assert_true(csv_get_i64(&t, r, csv_col(&t, "restart_events_ns"), -1) > 0);
	}
	/* phases.csv: per trial, the durations add up to the window, and start at its begin. */
	for (size_t r = 0; r < p.n_rows; r += PH_COUNT) {
		int64_t begin = INT64_MAX, end = 0, sum = 0;

		for (size_t k = r; k < r + PH_COUNT; k++) {
			int64_t s = csv_get_i64(&p, k, csv_col(&p, "start_ns"), -1);
			int64_t e = csv_get_i64(&p, k, csv_col(&p, "end_ns"), -1);

			assert_true(s > 0 && e >= s);
			assert_int_equal(csv_get_i64(&p, k, csv_col(&p, "duration_ns"), -1), e - s);
			begin = s < begin ? s : begin;
			end = e > end ? e : end;
			sum += e - s;
		}
		assert_int_equal(sum, end - begin);
		assert_true(csv_get_i64(&p, r + PH_CREATE, csv_col(&p, "event_ns"), -1) > 0);
	}
	csv_table_free(&t);
	csv_table_free(&p);
	csv_table_free(&a);
}

static void baseline_run(void **state)
{
	char *dir = harness_tmpdir("base");
	const char *args[] = {"run",	    "--trials", "4", "--interval", "0.2",
			      "--no-trace", "-o",	dir, NULL};
	struct proc_result r;

	(void)state;
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != 0)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(r.out, "none"));
	check_trials(dir, 4, "stdout", 30LL * 1000000000);
	assert_int_equal(harness_count_containers("io.restartprof.run"), 0);
	proc_result_free(&r);
	harness_rmtree(dir);
	free(dir);
}

static void hdd_load_run(void **state)
{
	char *dir = harness_tmpdir("hdd");
	const char *args[] = {"run",	     "--trials",   "3",	       "--load", "hdd",
			      "--stressors", "2",	   "--settle", "1",	 "--interval",
			      "0.2",	     "--no-trace", "-o",       dir,	 NULL};
	struct proc_result r;

	(void)state;
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != 0)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	check_trials(dir, 3, "stdout", 120LL * 1000000000);
	/* The stressors are gone with the run. */
	assert_int_equal(harness_count_containers("io.restartprof.role=load"), 0);
	assert_int_equal(harness_count_containers("io.restartprof.run"), 0);
	proc_result_free(&r);
	harness_rmtree(dir);
	free(dir);
}

static void tcp_and_log_readiness(void **state)
{
	char *dir1 = harness_tmpdir("tcp"), *dir2 = harness_tmpdir("log");
	const char *tcp[] = {"run",	"--trials", "3",  "--interval", "0.1", "--no-trace",
			     "--ready", "tcp:8080", "-o", dir1,		NULL};
	const char *log[] = {"run", "--trials",	  "3",	     "--interval",
			     "0.1", "--no-trace", "--ready", "log:^restartprof-svc ready",
			     "-o",  dir2,	  NULL};
	struct proc_result r;

	(void)state;
	assert_int_equal(harness_run(tcp, (uid_t)-1, &r), 0);
	if (r.exit_code)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	check_trials(dir1, 3, "tcp", 30LL * 1000000000);
	proc_result_free(&r);
	assert_int_equal(harness_run(log, (uid_t)-1, &r), 0);
	if (r.exit_code)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	check_trials(dir2, 3, "log", 30LL * 1000000000);
	proc_result_free(&r);
	assert_int_equal(harness_count_containers("io.restartprof.run"), 0);
	harness_rmtree(dir1);
	harness_rmtree(dir2);
	free(dir1);
	free(dir2);
}

/* One line on stderr, the given exit code, nothing created. */
static void refused(const char *const *args, int code, const char *needle, uid_t uid)
{
	struct proc_result r;

	assert_int_equal(harness_run(args, uid, &r), 0);
	if (r.exit_code != code || r.err_lines != 1 || !strstr(r.err, needle))
		fprintf(stderr, "unexpected (exit %d): %s", r.exit_code, r.err);
	assert_int_equal(r.exit_code, code);
	assert_int_equal(r.err_lines, 1);
	assert_non_null(strstr(r.err, needle));
	proc_result_free(&r);
}

static void bad_input_is_refused(void **state)
{
	const char *unknown_load[] = {"run", "--load", "disk", NULL};
	const char *negative[] = {"run", "--trials", "-1", NULL};
	const char *huge[] = {"run", "--stressors", "1000", "--load", "cpu", NULL};
	const char *bad_ready[] = {"run", "--ready", "tcp:http", NULL};
	const char *missing_image[] = {"run", "--no-trace",	    "--image", "no-such-image:1",
				       "-o",  "/tmp/rp-test-never", NULL};
	const char *no_engine[] = {"run", "--no-trace", "--docker-host",
				   "unix:///tmp/rp-no-engine.sock", NULL};
	const char *tcp_host[] = {"run", "--docker-host", "tcp://127.0.0.1:2375", NULL};
	const char *unwritable[] = {"run", "--no-trace", "-o", "/proc/rp-cannot-write", NULL};
	const char *not_root[] = {"run", "--trials", "1", NULL};

	(void)state;
	refused(unknown_load, 2, "unknown load 'disk'", (uid_t)-1);
	refused(negative, 2, "--trials", (uid_t)-1);
	refused(huge, 2, "--stressors", (uid_t)-1);
	refused(bad_ready, 2, "tcp:http", (uid_t)-1);
	refused(missing_image, 2, "no-such-image:1", (uid_t)-1);
	refused(no_engine, 1, "/tmp/rp-no-engine.sock", (uid_t)-1);
	refused(tcp_host, 2, "not a unix:// socket", (uid_t)-1);
	refused(unwritable, 2, "/proc/rp-cannot-write", (uid_t)-1);
	refused(not_root, 2, "CAP_BPF", 65534);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_input_is_refused),
		cmocka_unit_test(baseline_run),
		cmocka_unit_test(tcp_and_log_readiness),
		cmocka_unit_test(hdd_load_run),
	};

	if (!harness_docker_host()) {
		fprintf(stderr, "integration tests need DOCKER_HOST (run them with make test)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
