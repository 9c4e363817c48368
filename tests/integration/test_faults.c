// SPDX-License-Identifier: GPL-2.0-only
/*
 * Faults provoked on purpose against the real engine: an engine that hangs (a forwarding
 * proxy in front of it, frozen mid-run), a SIGINT while a call to it is in flight, a load
 * that dies. Each run must end within a bound, say what happened once, and leave nothing.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/image.h"
#include "rundir/csv.h"
#include "support/freeze_proxy.h"
#include "support/harness.h"
#include "util/clock.h"

#define LABEL	   "io.restartprof.run"
#define LOAD_LABEL "io.restartprof.role=load"

/* The engine socket under test, as a path. */
static const char *engine_socket(void)
{
	return harness_docker_host() + strlen("unix://");
}

/* The service image exists before a run, so its build never goes through the proxy. */
static void ensure_service_image(void)
{
	char ref[IMAGE_REF_LEN];
	struct docker d;
	int built;

	assert_int_equal(harness_docker(&d), 0);
	assert_int_equal(image_ensure_service(&d, ref, &built, NULL), 0);
	docker_close(&d);
}

/* Whatever a run behind a frozen proxy left, a clean against the engine itself removes. */
static void clean_up_after(struct freeze_proxy *p, char *dir, const char *log_path)
{
	const char *clean[] = {"clean", NULL};
	struct proc_result r;

	freeze_proxy_thaw(p);
	freeze_proxy_stop(p);
	/* Calls the proxy had passed on before it froze may still be at work in the engine (a
	 * stop takes its grace): a removal can meet them once. */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(harness_run(clean, (uid_t)-1, &r), 0);
		if (r.exit_code == 0 && harness_count_containers(LABEL) == 0)
			break;
		fprintf(stderr, "clean after the proxy: exit %d\n%s", r.exit_code, r.err);
		proc_result_free(&r);
		sleep_ns(5 * NSEC_PER_SEC);
	}
	assert_int_equal(r.exit_code, 0);
	proc_result_free(&r);
	assert_int_equal(harness_count_containers(LABEL), 0);
	unlink(log_path);
	harness_rmtree(dir);
	free(dir);
}

static pid_t start_behind_proxy(struct freeze_proxy *p, const char *dir, const char *log_path,
				const char *engine_timeout)
{
	char sock[256];
	const char *args[] = {"run",
			      "--trials",
			      "6",
			      "--interval",
			      "2",
			      "--no-trace",
			      "--engine-timeout",
			      engine_timeout,
			      "--docker-host",
			      p->host,
			      "-o",
			      dir,
			      NULL};

	snprintf(sock, sizeof(sock), "%s.sock", dir);
	assert_int_equal(freeze_proxy_start(p, sock, engine_socket()), 0);
	pid_t pid = harness_spawn(args, log_path);

	if (harness_wait_for_text(log_path, "trial 1/6: ", 90)) {
		kill(pid, SIGKILL);
		freeze_proxy_stop(p);
		fail_msg("the run behind the proxy never finished trial 1");
	}
	return pid;
}

static void hung_engine_bounded_by_engine_timeout(void **state)
{
	char *dir = harness_tmpdir("hang"), log_path[256];
	struct freeze_proxy p;
	struct proc_result r;
	struct csv_table t;

	(void)state;
	ensure_service_image();
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	pid_t pid = start_behind_proxy(&p, dir, log_path, "5");

	freeze_proxy_freeze(&p);
	int64_t t0 = mono_ns();

	assert_int_equal(harness_wait(pid, &r, 300), 0);
	double took = (double)(mono_ns() - t0) / NSEC_PER_SEC;
	char *log = harness_slurp(log_path);

	fprintf(stderr, "hung engine: the run exited %.1f s after the freeze\n", took);
	if (getenv("RP_TEST_VERBOSE") || r.exit_code != 1 || took >= 60)
		fprintf(stderr, "%s", log);
	/* The stop's grace (10 s) plus 5, the wait for the engine (5 s), and room to spare. */
	assert_true(took < 60);
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(log, "stop: no answer from the engine within 15 s"));
	assert_null(strstr(log, "stop: stop:"));
	assert_non_null(strstr(log, "giving up"));
	/* What could not be removed is named, and how to remove it later. */
	assert_non_null(strstr(log, "left in the engine"));
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_true(t.n_rows >= 2);
	assert_string_equal(csv_get(&t, 0, csv_col(&t, "status")), "ok");
	assert_string_equal(csv_get(&t, 1, csv_col(&t, "status")), "failed");
	csv_table_free(&t);
	free(log);
	clean_up_after(&p, dir, log_path);
}

static void sigint_ends_a_frozen_call(void **state)
{
	char *dir = harness_tmpdir("hangint"), log_path[256];
	struct freeze_proxy p;
	struct proc_result r;
	struct csv_table t;

	(void)state;
	ensure_service_image();
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	/* The default engine timeout: the stop in flight would take 70 s to give up. */
	pid_t pid = start_behind_proxy(&p, dir, log_path, "60");

	freeze_proxy_freeze(&p);
	sleep_ns(4 * NSEC_PER_SEC); /* past the 2 s interval: trial 2's stop hangs */
	kill(pid, SIGINT);
	int64_t t0 = mono_ns();

	assert_int_equal(harness_wait(pid, &r, 120), 0);
	double took = (double)(mono_ns() - t0) / NSEC_PER_SEC;
	char *log = harness_slurp(log_path);

	fprintf(stderr, "hung engine: the run exited %.1f s after SIGINT\n", took);
	if (getenv("RP_TEST_VERBOSE") || r.exit_code != 130 || took >= 15)
		fprintf(stderr, "%s", log);
	assert_true(took < 15);
	assert_int_equal(r.exit_code, 130);
	assert_non_null(strstr(log, "left in the engine"));
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(t.bad_rows, 0);
	assert_true(t.n_rows >= 1);
	assert_string_equal(csv_get(&t, 0, csv_col(&t, "status")), "ok");
	if (t.n_rows > 1)
		assert_string_equal(csv_get(&t, 1, csv_col(&t, "status")), "interrupted");
	csv_table_free(&t);
	free(log);
	clean_up_after(&p, dir, log_path);
}

static void load_that_dies_at_once(void **state)
{
	char *dir = harness_tmpdir("deadload");
	const char *args[] = {"run",	"--trials", "3", "--no-trace",	  "--load",
			      "custom", "--settle", "1", "--stress-args", "--no-such-option 1",
			      "-o",	dir,	    NULL};
	struct proc_result r;
	struct csv_table t;

	(void)state;
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != 1 || harness_count_text(r.err, "run stopped: the load is gone") != 1)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(r.err, "the load is gone: stressor container"));
	assert_non_null(strstr(r.err, "exited with code 1"));
	assert_non_null(strstr(r.err, "no-such-option")); /* its own words, from its log */
	/* Once as the run's end (and as trial 1's reason if it died only during trial 1). */
	assert_int_equal(harness_count_text(r.err, "run stopped: the load is gone"), 1);
	/* No trial ran as if loaded. */
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	for (size_t i = 0; i < t.n_rows; i++)
		assert_string_not_equal(csv_get(&t, i, csv_col(&t, "status")), "ok");
	csv_table_free(&t);
	assert_int_equal(harness_count_containers(LABEL), 0);
	proc_result_free(&r);
	harness_rmtree(dir);
	free(dir);
}

/* Kills the run's one stressor container through the engine. */
static void kill_the_load(void)
{
	json_object *list;
	struct docker d;

	assert_int_equal(harness_docker(&d), 0);
	assert_int_equal(docker_containers_by_label(&d, LOAD_LABEL, &list), 0);
	assert_int_equal(json_object_array_length(list), 1);
	const char *id = json_str(json_object_array_get_idx(list, 0), "Id", "");

	assert_int_equal(docker_container_kill(&d, id, "KILL"), 0);
	json_object_put(list);
	docker_close(&d);
}

static void load_that_dies_mid_cell(void **state)
{
	char *dir = harness_tmpdir("loadkill"), log_path[256];
	const char *args[] = {"run",	    "--trials", "8",   "--interval",  "1",
			      "--no-trace", "--load",	"cpu", "--stressors", "1",
			      "--settle",   "0",	"-o",  dir,	      NULL};
	struct proc_result r;
	struct csv_table t;
	size_t ok_after = 0;

	(void)state;
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	pid_t pid = harness_spawn(args, log_path);

	if (harness_wait_for_text(log_path, "trial 2/8: ", 90)) {
		kill(pid, SIGKILL);
		fail_msg("the loaded run never finished trial 2");
	}
	kill_the_load();
	int64_t killed_wall = wall_ns();

	assert_int_equal(harness_wait(pid, &r, 120), 0);
	char *log = harness_slurp(log_path);

	if (r.exit_code != 1)
		fprintf(stderr, "%s", log);
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(log, "the load is gone"));
	assert_non_null(strstr(log, "exited with code 137"));
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_true(t.n_rows >= 2 && t.n_rows < 8);
	/* No trial whose window ends after the kill counts as a loaded one. */
	for (size_t i = 0; i < t.n_rows; i++)
		if (csv_get_i64(&t, i, csv_col(&t, "window_end_ns"), 0) > killed_wall)
			ok_after += strcmp(csv_get(&t, i, csv_col(&t, "status")), "ok") == 0;
	assert_int_equal(ok_after, 0);
	assert_int_equal(harness_count_containers(LABEL), 0);
	csv_table_free(&t);
	free(log);
	unlink(log_path);
	harness_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(load_that_dies_at_once),
		cmocka_unit_test(load_that_dies_mid_cell),
		cmocka_unit_test(hung_engine_bounded_by_engine_timeout),
		cmocka_unit_test(sigint_ends_a_frozen_call),
	};

	if (!harness_docker_host() || !getenv("RP_ENGINE_DIR")) {
		fprintf(stderr,
			"these tests need the private engine of tests/run-integration.sh\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
