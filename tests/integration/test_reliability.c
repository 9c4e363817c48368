// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interruptions and faults around a run, provoked for real: signals at random moments,
 * SIGKILL, the engine going away and coming back, targets that never serve.
 * Nothing measured may be lost, nothing created may be left behind.
 */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/image.h"
#include "rundir/csv.h"
#include "support/harness.h"
#include "util/clock.h"

#define LABEL "io.restartprof.run"

/* Rows whole, statuses known, every trial the log reported as measured is in the file. */
static void check_csvs_whole(const char *dir, const char *log)
{
	struct csv_table t;
	int ok = 0, interrupted = 0;

	if (harness_csv(dir, "trials.csv", &t) != 0)
		return; /* interrupted before the files were made: nothing to lose */
	assert_int_equal(t.bad_rows, 0);
	for (size_t r = 0; r < t.n_rows; r++) {
		const char *st = csv_get(&t, r, csv_col(&t, "status"));

		assert_true(strcmp(st, "ok") == 0 || strcmp(st, "failed") == 0 ||
			    strcmp(st, "interrupted") == 0);
		if (strcmp(st, "ok") == 0) {
			ok++;
			assert_true(csv_get_i64(&t, r, csv_col(&t, "restart_ns"), -1) > 0);
		}
		interrupted += strcmp(st, "interrupted") == 0;
	}
	/* Each measured trial is announced as "trial N/M: X.XXX s" after its row is written. */
	assert_true(ok >= harness_count_text(log, " s\n") - 0);
	assert_true(interrupted <= 1);
	csv_table_free(&t);
}

static void check_no_temporaries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		assert_false(e->d_name[0] == '.' && strcmp(e->d_name, ".") &&
			     strcmp(e->d_name, ".."));
	closedir(d);
}

static int tracefs_mounts(void)
{
	char *m = harness_slurp("/proc/self/mounts");
	int n = harness_count_text(m, " tracefs ");

	free(m);
	return n;
}

static const char *stage_of(const char *log)
{
	const char *last = NULL, *p;

	if (!log)
		return "before any output";
	for (p = log; (p = strstr(p, "restartprof: ")); p++)
		last = p;
	if (!last || strstr(last, "run stopped") || strstr(last, "restart time"))
		return "unknown";
	if (strstr(last, "service image"))
		return "building the service image";
	if (strstr(last, "stress image"))
		return "building the stress image";
	if (strstr(last, "starting the load"))
		return "starting the load";
	if (strstr(last, "starting the target"))
		return "starting the first target";
	if (strstr(last, "removing the load"))
		return "removing the load";
	if (strstr(last, "trial"))
		return "between or inside trials";
	if (strstr(last, "kernel tracing") || strstr(last, "probes"))
		return "loading BPF programs";
	if (strstr(last, "report"))
		return "writing the report";
	return "setting up";
}

static void remove_images(void)
{
	struct docker d;
	json_object *list;

	if (harness_docker(&d))
		return;
	if (docker_call(&d, "list", "GET", "/images/json", NULL, 0, &list) == 0) {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			json_object *tags =
				json_path(json_object_array_get_idx(list, i), "RepoTags");

			for (size_t k = 0; tags && k < json_object_array_length(tags); k++) {
				const char *tag =
					json_object_get_string(json_object_array_get_idx(tags, k));

				if (tag && strncmp(tag, "restartprof-", 12) == 0)
					docker_image_remove(&d, tag);
			}
		}
		json_object_put(list);
	}
	docker_close(&d);
}

static void signals_at_random_points(void **state)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	const char *env = getenv("RP_SIGNAL_ROUNDS");
	int rounds = env ? atoi(env) : 8;
	unsigned seed = (unsigned)time(NULL);
	struct {
		const char *stage;
		int n;
	} hist[16] = {{0}};
	int n_hist = 0, counted = 0;

	int tracefs_before = tracefs_mounts();

	(void)state;
	srand(seed);
	fprintf(stderr, "signals: %d rounds, seed %u\n", rounds, seed);
	for (int round = 0; round < rounds; round++) {
		char *dir = harness_tmpdir("sig"), log_path[256];
		int variant = round % 3, sig = sigs[rand() % 3];
		/* Early rounds start from no images, so some signals land in the image build. */
		int64_t delay_ms = variant == 0 ? rand() % 2500 : 300 + rand() % 5000;
		/* Traced: the BPF programs must be gone however the run ends. */
		const char *args[] = {
			"run",	    "--trials", "20", "--interval", "0.2",
			"--settle", "1",	"-o", dir,	    variant == 1 ? NULL : "--load",
			"cpu",	    NULL};
		struct proc_result r;

		if (variant == 0)
			remove_images();
		snprintf(log_path, sizeof(log_path), "%s.log", dir);
		pid_t pid = harness_spawn(args, log_path);

		/* Before its handlers are in place the signal's default action ends any program;
		 * the points tested start when run catches signals. */
		assert_int_equal(harness_wait_caught(pid, sig, 10), 0);
		sleep_ns(delay_ms * NSEC_PER_MSEC);
		char *before = harness_slurp(log_path);
		const char *stage = stage_of(before);

		kill(pid, sig);
		/* Generous: a stop in flight finishes first, and CI machines can be slow. */
		assert_int_equal(harness_wait(pid, &r, 180), 0);
		char *log = harness_slurp(log_path);

		if (r.exit_code != 128 + sig)
			fprintf(stderr, "round %d (signal %d after %lld ms): exit %d\n%s", round,
				sig, (long long)delay_ms, r.exit_code, log ? log : "");
		assert_int_equal(r.exit_code, 128 + sig);
		check_csvs_whole(dir, log ? log : "");
		check_no_temporaries(dir);
		assert_int_equal(harness_count_containers(LABEL), 0);
		assert_int_equal(harness_leaked_bpf_maps(), 0);
		assert_int_equal(tracefs_mounts(), tracefs_before);
		int k = 0;

		while (k < n_hist && strcmp(hist[k].stage, stage) != 0)
			k++;
		if (k == n_hist && n_hist < 16)
			hist[n_hist++].stage = stage;
		if (k < 16)
			hist[k].n++;
		counted++;
		free(before);
		free(log);
		unlink(log_path);
		harness_rmtree(dir);
		free(dir);
	}
	fprintf(stderr, "signals: %d interruptions, where they landed:\n", counted);
	for (int k = 0; k < n_hist; k++)
		fprintf(stderr, "  %-28s %d\n", hist[k].stage, hist[k].n);
}

static pid_t spawn_until(const char *const *args, const char *log_path, const char *text)
{
	pid_t pid = harness_spawn(args, log_path);

	if (harness_wait_for_text(log_path, text, 60)) {
		kill(pid, SIGKILL);
		fail_msg("the run never printed '%s'", text);
	}
	return pid;
}

static void second_sigint_exits_at_once(void **state)
{
	char *dir = harness_tmpdir("int2"), log_path[256];
	const char *args[] = {"run",	    "--trials", "50", "--interval", "0.5",
			      "--no-trace", "-o",	dir,  NULL};
	const char *clean[] = {"clean", NULL};
	struct proc_result r;
	struct csv_table t;

	(void)state;
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	pid_t pid = spawn_until(args, log_path, "trial 2/");

	kill(pid, SIGINT);
	kill(pid, SIGINT);
	int64_t t0 = mono_ns();

	assert_int_equal(harness_wait(pid, &r, 30), 0);
	/* "At once": no trial is finished, no container removed (those take seconds under load);
	 * the bound leaves room for a loaded machine's scheduling. */
	assert_true(mono_ns() - t0 < 5 * NSEC_PER_SEC);
	assert_int_equal(r.exit_code, 130);
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(t.bad_rows, 0);
	assert_true(t.n_rows >= 2);
	csv_table_free(&t);
	/* What the hasty exit left, the next start removes, and says so. */
	assert_int_equal(harness_run(clean, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(harness_count_containers(LABEL), 0);
	proc_result_free(&r);
	unlink(log_path);
	harness_rmtree(dir);
	free(dir);
}

static int create_foreign(struct docker *d, const char *image, char id[65])
{
	json_object *c = json_object_new_object();
	int rc;

	json_object_object_add(c, "Image", json_object_new_string(image));
	rc = docker_container_create(d, "rp-test-not-ours", c, id);
	json_object_put(c);
	return rc;
}

static void sigkill_leftovers_removed_by_next_start(void **state)
{
	char *dir = harness_tmpdir("kill"), *dir2 = harness_tmpdir("kill2"), log_path[256];
	const char *args[] = {"run", "--trials", "50",	"--interval", "0.3", "--no-trace", "-o",
			      dir,   "--load",	 "cpu", "--settle",   "0",   NULL};
	const char *next[] = {"run", "--trials", "1", "--no-trace", "-o", dir2, NULL};
	struct proc_result r;
	struct docker d;
	char foreign[65], svc_ref[IMAGE_REF_LEN];
	int built;

	(void)state;
	assert_int_equal(harness_docker(&d), 0);
	assert_int_equal(image_ensure_service(&d, svc_ref, &built, NULL), 0);
	assert_int_equal(create_foreign(&d, svc_ref, foreign), 0);
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	pid_t pid = spawn_until(args, log_path, "trial 2/");

	kill(pid, SIGKILL);
	harness_wait(pid, &r, 10);
	int left = harness_count_containers(LABEL);

	assert_true(left >= 2); /* the target and the stressor */
	/* A live run's containers are not leftovers: a run started meanwhile keeps its own. */
	assert_int_equal(harness_run(next, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(harness_count_text(r.err, "removed container"), left);
	assert_int_equal(harness_count_containers(LABEL), 0);
	/* The container restartprof did not create is untouched. */
	json_object *o;

	assert_int_equal(docker_container_inspect(&d, foreign, &o), 0);
	json_object_put(o);
	docker_container_remove(&d, foreign, 1);
	docker_close(&d);
	proc_result_free(&r);
	unlink(log_path);
	harness_rmtree(dir);
	harness_rmtree(dir2);
	free(dir);
	free(dir2);
}

static void engine_restart_mid_run(void **state)
{
	char *dir = harness_tmpdir("eng"), log_path[256];
	const char *args[] = {"run", "--trials", "10",	"--interval", "0.3", "--no-trace", "-o",
			      dir,   "--load",	 "cpu", "--settle",   "0",   NULL};
	struct proc_result r;
	struct csv_table t;
	int ok = 0, failed = 0;

	(void)state;
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	pid_t pid = spawn_until(args, log_path, "trial 3/");

	assert_int_equal(harness_engine("halt"), 0);
	sleep_ns(2 * NSEC_PER_SEC);
	assert_int_equal(harness_engine("resume"), 0);
	assert_int_equal(harness_wait(pid, &r, 180), 0);
	char *log = harness_slurp(log_path);

	if (r.exit_code != 0)
		fprintf(stderr, "%s", log);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(log, "the engine answers again"));
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(t.n_rows, 10);
	for (size_t i = 0; i < t.n_rows; i++) {
		const char *st = csv_get(&t, i, csv_col(&t, "status"));

		ok += strcmp(st, "ok") == 0;
		failed += strcmp(st, "failed") == 0;
	}
	assert_true(failed >= 1);
	assert_true(ok >= 6);
	assert_int_equal(harness_count_containers(LABEL), 0);
	csv_table_free(&t);
	free(log);
	unlink(log_path);
	harness_rmtree(dir);
	free(dir);
}

static void engine_gone_for_good(void **state)
{
	char *dir = harness_tmpdir("gone"), log_path[256];
	const char *args[] = {"run",	    "--trials",		"30", "--interval", "0.3",
			      "--no-trace", "--engine-timeout", "3",  "-o",	    dir,
			      NULL};
	const char *clean[] = {"clean", NULL};
	struct proc_result r;
	struct csv_table t;

	(void)state;
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	pid_t pid = spawn_until(args, log_path, "trial 3/");

	assert_int_equal(harness_engine("halt"), 0);
	assert_int_equal(harness_wait(pid, &r, 60), 0);
	char *log = harness_slurp(log_path);

	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(log, "did not answer for 3 s; giving up"));
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_true(t.n_rows >= 3);
	assert_string_equal(csv_get(&t, 0, csv_col(&t, "status")), "ok");
	csv_table_free(&t);
	/* Back up, the engine still holds the dead run's container: clean removes it. */
	assert_int_equal(harness_engine("resume"), 0);
	assert_int_equal(harness_run(clean, (uid_t)-1, &r), 0);
	assert_int_equal(harness_count_containers(LABEL), 0);
	proc_result_free(&r);
	free(log);
	unlink(log_path);
	harness_rmtree(dir);
	free(dir);
}

static void run_expecting(const char *const *args, int code, const char *reason, int rows)
{
	const char *dir = NULL;
	struct proc_result r;
	struct csv_table t;

	for (int i = 0; args[i]; i++)
		if (strcmp(args[i], "-o") == 0)
			dir = args[i + 1];
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != code)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, code);
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(t.n_rows, rows);
	for (size_t i = 0; i < t.n_rows; i++) {
		const char *why = csv_get(&t, i, csv_col(&t, "reason"));

		if (!strstr(why, reason))
			fprintf(stderr, "reason of trial %zu: %s\n", i + 1, why);
		assert_string_equal(csv_get(&t, i, csv_col(&t, "status")), "failed");
		assert_non_null(strstr(why, reason));
	}
	assert_non_null(strstr(r.err, "in a row failed"));
	assert_int_equal(harness_count_containers(LABEL), 0);
	csv_table_free(&t);
	proc_result_free(&r);
}

static void targets_that_never_serve(void **state)
{
	char *d1 = harness_tmpdir("nolisten"), *d2 = harness_tmpdir("exit"),
	     *d3 = harness_tmpdir("nostart");
	const char *never[] = {"run",	   "--trials",	"5",  "--no-trace",	"--ready",
			       "tcp:8080", "--timeout", "1",  "--max-failures", "2",
			       "-o",	   d1,		"--", "--no-listen",	NULL};
	const char *exits[] = {"run", "--trials", "5", "--no-trace", "--max-failures",
			       "2",   "-o",	  d2,  "--",	     "--exit-code",
			       "7",   NULL};
	static const char *const changes[] = {"LABEL purpose=restartprof-test"};
	struct rootfs_file f = {.path = "/empty", .blob = "x", .blob_len = 1, .mode = 0644};
	struct image_spec spec = {.repo = "restartprof-test-nostart",
				  .changes = changes,
				  .n_changes = 1,
				  .files = &f,
				  .n_files = 1};
	char ref[IMAGE_REF_LEN];
	struct docker d;
	int built;

	(void)state;
	run_expecting(never, 3, "not ready within 1.0 s", 2);
	run_expecting(exits, 3, "exited with code 7", 2);
	/* An image whose command does not exist: the engine refuses to start it. */
	assert_int_equal(harness_docker(&d), 0);
	assert_int_equal(image_ensure(&d, &spec, ref, &built, NULL), 0);
	const char *nostart[] = {"run", "--trials",	   "5", "--no-trace", "--max-failures",
				 "2",	"--image",	   ref, "-o",	      d3,
				 "--",	"/does-not-exist", NULL};

	run_expecting(nostart, 3, "start", 2);
	docker_image_remove(&d, ref);
	docker_close(&d);
	harness_rmtree(d1);
	harness_rmtree(d2);
	harness_rmtree(d3);
	free(d1);
	free(d2);
	free(d3);
}

static void run_goes_on_after_a_failed_trial(void **state)
{
	char *dir = harness_tmpdir("goon"), log_path[256], run_id[64], name[128], id[65];
	const char *args[] = {"run",	    "--trials", "6", "--interval", "0.5",
			      "--no-trace", "-o",	dir, NULL};
	struct proc_result r;
	struct csv_table t;
	struct docker d;
	char svc_ref[IMAGE_REF_LEN];
	int built;

	(void)state;
	assert_int_equal(harness_docker(&d), 0);
	assert_int_equal(image_ensure_service(&d, svc_ref, &built, NULL), 0);
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	pid_t pid = harness_spawn(args, log_path);

	/* Take the name trial 3's container will want (target-1 serves first, then 2, 3, 4). */
	assert_int_equal(harness_run_id(log_path, run_id, sizeof(run_id), 60), 0);
	snprintf(name, sizeof(name), "restartprof-%s-target-4", run_id);
	json_object *c = json_object_new_object();

	json_object_object_add(c, "Image", json_object_new_string(svc_ref));
	assert_int_equal(docker_container_create(&d, name, c, id), 0);
	json_object_put(c);
	assert_int_equal(harness_wait(pid, &r, 120), 0);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(t.n_rows, 6);
	assert_string_equal(csv_get(&t, 2, csv_col(&t, "status")), "failed");
	assert_non_null(strstr(csv_get(&t, 2, csv_col(&t, "reason")), "create"));
	for (size_t i = 3; i < 6; i++)
		assert_string_equal(csv_get(&t, i, csv_col(&t, "status")), "ok");
	/* Ours are gone; the one the test made, unlabelled, was left alone. */
	assert_int_equal(harness_count_containers(LABEL), 0);
	assert_int_equal(docker_container_remove(&d, id, 1), 0);
	csv_table_free(&t);
	docker_close(&d);
	unlink(log_path);
	harness_rmtree(dir);
	free(dir);
}

static void not_a_socket_and_no_btf(void **state)
{
	char *dir = harness_tmpdir("sock"), file[256], link[256];
	struct proc_result r;
	FILE *f;

	(void)state;
	snprintf(file, sizeof(file), "%s/plain", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	f = fopen(file, "w");
	fclose(f);
	assert_int_equal(symlink(file, link), 0);
	char host1[300], host2[300];

	snprintf(host1, sizeof(host1), "unix://%s", file);
	snprintf(host2, sizeof(host2), "unix://%s", link);
	const char *a1[] = {"run", "--no-trace", "--docker-host", host1, NULL};
	const char *a2[] = {"run", "--no-trace", "--docker-host", host2, NULL};
	const char *a3[] = {"run", "--btf", "/nonexistent/vmlinux", NULL};

	for (int i = 0; i < 2; i++) {
		assert_int_equal(harness_run(i ? a2 : a1, (uid_t)-1, &r), 0);
		assert_int_equal(r.exit_code, 1);
		assert_int_equal(r.err_lines, 1);
		assert_non_null(strstr(r.err, "is not a socket"));
		proc_result_free(&r);
	}
	assert_int_equal(harness_run(a3, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 2);
	assert_int_equal(r.err_lines, 1);
	assert_non_null(strstr(r.err, "no kernel BTF at /nonexistent/vmlinux"));
	proc_result_free(&r);
	harness_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(not_a_socket_and_no_btf),
		cmocka_unit_test(targets_that_never_serve),
		cmocka_unit_test(run_goes_on_after_a_failed_trial),
		cmocka_unit_test(second_sigint_exits_at_once),
		cmocka_unit_test(sigkill_leftovers_removed_by_next_start),
		cmocka_unit_test(signals_at_random_points),
		cmocka_unit_test(engine_restart_mid_run),
		cmocka_unit_test(engine_gone_for_good),
	};

	if (!harness_docker_host() || !getenv("RP_ENGINE_DIR")) {
		fprintf(stderr,
			"these tests need the private engine of tests/run-integration.sh\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
