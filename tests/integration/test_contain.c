// SPDX-License-Identifier: GPL-2.0-only
/*
 * Containment under faults, provoked for real against the private engine: a symlinked output
 * path, a second PID namespace, a full disk, a cell whose trials all fail, a bad --image, an
 * old run directory, two runs at once. What a run is refused or fails on changes nothing it
 * should not, and what it measured stays whole.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "rundir/csv.h"
#include "support/harness.h"

#define LABEL	"io.restartprof.run"
#define UNSHARE "/usr/bin/unshare"

static char binary[PATH_MAX];

/* restartprof run by `unshare --pid --fork --mount-proc`: its own PID namespace and /proc. */
static int run_in_new_pid_ns(const char *const *args, struct proc_result *r)
{
	const char *argv[32] = {"--pid", "--fork", "--mount-proc", binary};
	int n = 4, rc;

	for (int i = 0; args[i] && n < 31; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	setenv("RESTARTPROF", UNSHARE, 1);
	rc = harness_run(argv, (uid_t)-1, r);
	setenv("RESTARTPROF", binary, 1);
	return rc;
}

static pid_t spawn_until(const char *const *args, const char *log_path, const char *text)
{
	pid_t pid = harness_spawn(args, log_path);

	if (harness_wait_for_text(log_path, text, 120)) {
		kill(pid, SIGKILL);
		fail_msg("the run never printed '%s'", text);
	}
	return pid;
}

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static int exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static void refused_with(const char *const *args, const char *text)
{
	struct proc_result r;

	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != 2 || !strstr(r.err, text))
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 2);
	assert_non_null(strstr(r.err, text));
	proc_result_free(&r);
}

/* Point 3: a symlinked parent (or last component) is refused, by openat2 and by the walk. */
static void symlinked_output_path_is_refused(void **state)
{
	char *dir = harness_tmpdir("link"), real[256], evil[256], out[300], deep[300], last[300];

	(void)state;
	snprintf(real, sizeof(real), "%s/real", dir);
	snprintf(evil, sizeof(evil), "%s/evil", dir);
	snprintf(out, sizeof(out), "%s/rp-test", evil);
	snprintf(deep, sizeof(deep), "%s/a/b", evil);
	snprintf(last, sizeof(last), "%s", evil);
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, evil), 0);
	for (int fallback = 0; fallback < 2; fallback++) {
		const char *a1[] = {"run", "--trials", "1", "--no-trace", "-o", out, NULL};
		const char *a2[] = {"run", "--trials", "1", "--no-trace", "-o", deep, NULL};
		const char *a3[] = {"run", "--trials", "1", "--no-trace", "-o", last, NULL};
		const char *const *cases[] = {a1, a2, a3};
		char want[300];
		struct proc_result r;

		if (fallback)
			setenv("RESTARTPROF_NO_OPENAT2", "1", 1);
		snprintf(want, sizeof(want), "%s is a symbolic link", evil);
		for (int k = 0; k < 3; k++) {
			assert_int_equal(harness_run(cases[k], (uid_t)-1, &r), 0);
			if (r.exit_code != 2 || !strstr(r.err, want))
				fprintf(stderr, "%s", r.err);
			assert_int_equal(r.exit_code, 2);
			assert_int_equal(r.err_lines, 1);
			assert_non_null(strstr(r.err, want));
			proc_result_free(&r);
		}
		/* Nothing was written through the link. */
		assert_int_equal(entries(real), 0);
		unsetenv("RESTARTPROF_NO_OPENAT2");
	}
	harness_rmtree(dir);
	free(dir);
}

/* Point 4: clean, and a run's start-up clean, from another PID namespace spare a live run. */
static void another_pid_namespace_spares_a_live_run(void **state)
{
	char *dir = harness_tmpdir("live"), *dir2 = harness_tmpdir("ns"), log_path[256];
	const char *args[] = {"run",	    "--trials", "6", "--interval", "0.5",
			      "--no-trace", "-o",	dir, NULL};
	const char *clean[] = {"clean", NULL};
	const char *second[] = {"run", "--trials", "1", "--no-trace", "-o", dir2, NULL};
	struct proc_result r;
	struct csv_table t;

	(void)state;
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	pid_t pid = spawn_until(args, log_path, "trial 1/");

	assert_true(harness_count_containers(LABEL) >= 1);
	assert_int_equal(run_in_new_pid_ns(clean, &r), 0);
	if (r.exit_code != 0)
		fprintf(stderr, "%s%s", r.out, r.err);
	assert_int_equal(r.exit_code, 0);
	assert_null(strstr(r.out, "removed container"));
	assert_non_null(strstr(r.out, "0 leftover containers removed"));
	proc_result_free(&r);
	assert_int_equal(run_in_new_pid_ns(second, &r), 0);
	assert_int_equal(r.exit_code, 0);
	assert_null(strstr(r.err, "removed container"));
	proc_result_free(&r);
	assert_int_equal(harness_wait(pid, &r, 180), 0);
	if (r.exit_code != 0) {
		char *log = harness_slurp(log_path);

		fprintf(stderr, "%s", log ? log : "");
		free(log);
	}
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(t.n_rows, 6);
	for (size_t i = 0; i < t.n_rows; i++)
		assert_string_equal(csv_get(&t, i, csv_col(&t, "status")), "ok");
	csv_table_free(&t);
	assert_int_equal(harness_count_containers(LABEL), 0);
	unlink(log_path);
	harness_rmtree(dir);
	harness_rmtree(dir2);
	free(dir);
	free(dir2);
}

/* Fields of the last line of a CSV text (quotes respected); -1 if it lacks its newline. */
static int fields_of_last_row(const char *text)
{
	size_t n = strlen(text);
	const char *p;
	int fields = 1, quoted = 0;

	if (!n || text[n - 1] != '\n')
		return -1;
	p = text + n - 1;
	while (p > text && p[-1] != '\n')
		p--;
	for (; *p && *p != '\n'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted)
			fields++;
	}
	return fields;
}

/* Every CSV of dir ends in a whole row with as many fields as its header. */
static void rows_whole(const char *dir, const char *name)
{
	char path[512];
	struct csv_table t;
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!exists(path))
		return;
	text = harness_slurp(path);
	assert_non_null(text);
	assert_int_equal(harness_csv(dir, name, &t), 0);
	if (fields_of_last_row(text) != (int)t.n_cols)
		fprintf(stderr, "%s: last row has %d fields, header %zu\n", name,
			fields_of_last_row(text), t.n_cols);
	assert_int_equal(fields_of_last_row(text), (int)t.n_cols);
	assert_int_equal(t.bad_rows, 0);
	csv_table_free(&t);
	free(text);
}

static char full_mount[128]; /* the tmpfs of full_disk_keeps_whole_trials, unmounted after */

static int unmount_full(void **state)
{
	(void)state;
	if (!full_mount[0])
		return 0;
	if (umount(full_mount) != 0)
		umount2(full_mount, MNT_DETACH);
	harness_rmtree(full_mount);
	full_mount[0] = '\0';
	return 0;
}

/* Point 5: on a small tmpfs the run fails with ENOSPC and leaves whole trials only. */
static void full_disk_keeps_whole_trials(void **state)
{
	char *dir = harness_tmpdir("full"), out[300], path[400];
	const char *args[] = {"run", "--trials", "40", "--interval", "0.1", "-o", out, NULL};
	static const char *const csvs[] = {"trials.csv", "phases.csv", "api_calls.csv",
					   "execs.csv",	 "waits.csv",  "stacks.csv"};
	struct proc_result r;
	struct csv_table trials, phases;
	char *json;
	int ok = 0;

	(void)state;
	assert_int_equal(mount("tmpfs", dir, "tmpfs", 0, "size=400k"), 0);
	snprintf(full_mount, sizeof(full_mount), "%s", dir);
	snprintf(out, sizeof(out), "%s/run", dir);
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != 1 || !strstr(r.err, "No space left on device"))
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(r.err, "No space left on device"));
	assert_null(strstr(r.err, "Input/output error"));
	assert_null(strstr(r.err, "CSVs are complete"));
	for (size_t i = 0; i < sizeof(csvs) / sizeof(csvs[0]); i++)
		rows_whole(out, csvs[i]);
	/* A phases row for every ok trial row, and none for a trial without one. */
	assert_int_equal(harness_csv(out, "trials.csv", &trials), 0);
	assert_int_equal(harness_csv(out, "phases.csv", &phases), 0);
	for (size_t i = 0; i < trials.n_rows; i++)
		ok += strcmp(csv_get(&trials, i, csv_col(&trials, "status")), "ok") == 0;
	assert_true(trials.n_rows < 40);
	assert_int_equal(phases.n_rows % 10, 0);
	assert_int_equal((int)phases.n_rows / 10, ok);
	if (phases.n_rows)
		assert_true(csv_get_i64(&phases, phases.n_rows - 1, csv_col(&phases, "trial"), 0) <=
			    (int64_t)trials.n_rows);
	csv_table_free(&trials);
	csv_table_free(&phases);
	snprintf(path, sizeof(path), "%s/run.json", out);
	json = harness_slurp(path);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"state\":\"failed\""));
	assert_non_null(strstr(json, "No space left on device"));
	free(json);
	proc_result_free(&r);
	assert_int_equal(harness_count_containers(LABEL), 0);
	free(dir);
}

/* Point 8: every trial of the cell fails, below --max-failures: exit 1, state failed. */
static void a_cell_without_an_ok_trial_fails_the_run(void **state)
{
	char *dir = harness_tmpdir("allfail"), path[300];
	const char *args[] = {"run",	  "--trials",  "2",  "--no-trace",     "--ready",
			      "tcp:8080", "--timeout", "1",  "--max-failures", "5",
			      "-o",	  dir,	       "--", "--no-listen",    NULL};
	struct proc_result r;
	char *json;

	(void)state;
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != 1)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 1);
	assert_non_null(strstr(r.err, "no trial of cell none succeeded"));
	snprintf(path, sizeof(path), "%s/run.json", dir);
	json = harness_slurp(path);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"state\":\"failed\""));
	assert_non_null(strstr(json, "no trial of cell none succeeded"));
	free(json);
	proc_result_free(&r);
	harness_rmtree(dir);
	free(dir);
}

/* Point 8: a bad --image leaves no directory the run made, and keeps those it did not. */
static void a_bad_image_leaves_no_directory(void **state)
{
	char *dir = harness_tmpdir("img"), cwd[PATH_MAX], deep[300], top[300], keep[300];
	const char *dflt[] = {"run",	 "--trials",	 "1", "--no-trace",
			      "--image", "rp-no-such:1", NULL};
	const char *given[] = {"run",	       "--trials", "1",	 "--no-trace", "--image",
			       "rp-no-such:1", "-o",	   deep, NULL};

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	refused_with(dflt, "rp-no-such:1 is not in the engine");
	assert_int_equal(entries("."), 0); /* not even results/ */
	assert_int_equal(mkdir("results", 0755), 0);
	snprintf(keep, sizeof(keep), "results/keep");
	assert_int_equal(mkdir(keep, 0755), 0);
	refused_with(dflt, "rp-no-such:1 is not in the engine");
	assert_int_equal(entries("results"), 1); /* results/ and what it held stay */
	assert_int_equal(chdir(cwd), 0);
	snprintf(top, sizeof(top), "%s/new", dir);
	snprintf(deep, sizeof(deep), "%s/new/a/b", dir);
	for (int fallback = 0; fallback < 2; fallback++) {
		if (fallback)
			setenv("RESTARTPROF_NO_OPENAT2", "1", 1);
		refused_with(given, "rp-no-such:1 is not in the engine");
		assert_false(exists(top));
		unsetenv("RESTARTPROF_NO_OPENAT2");
	}
	harness_rmtree(dir);
	free(dir);
}

/* Point 7: an old run directory missing only trials.csv is refused and left as it was. */
static void an_old_run_directory_is_left_as_it_was(void **state)
{
	char *dir = harness_tmpdir("old"), path[300];
	const char *args[] = {"run", "--trials", "1", "--no-trace", "-o", dir, NULL};
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/phases.csv", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("run_id,cell\n", f);
	fclose(f);
	refused_with(args, "it holds an earlier run");
	assert_int_equal(entries(dir), 1);
	harness_rmtree(dir);
	free(dir);
}

/* Point 9: a run says another is active and records it; --exclusive refuses beside one. */
static void concurrent_runs_are_told(void **state)
{
	char *dir = harness_tmpdir("first"), *dir2 = harness_tmpdir("second"),
	     *dir3 = harness_tmpdir("third"), log_path[256], first_id[64], path[300];
	const char *args[] = {"run",	    "--trials", "5", "--interval", "0.5",
			      "--no-trace", "-o",	dir, NULL};
	const char *second[] = {"run", "--trials", "1", "--no-trace", "-o", dir2, NULL};
	const char *third[] = {"run",	      "--trials", "1",	"--no-trace",
			       "--exclusive", "-o",	  dir3, NULL};
	struct proc_result r;
	char *json;

	(void)state;
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	pid_t pid = spawn_until(args, log_path, "trial 1/");

	assert_int_equal(harness_run_id(log_path, first_id, sizeof(first_id), 10), 0);
	assert_int_equal(harness_run(second, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(r.err, "another restartprof run is active"));
	assert_non_null(strstr(r.err, first_id));
	proc_result_free(&r);
	snprintf(path, sizeof(path), "%s/run.json", dir2);
	json = harness_slurp(path);
	assert_non_null(json);
	assert_non_null(strstr(json, "\"concurrent_runs\""));
	assert_non_null(strstr(json, first_id));
	free(json);
	assert_int_equal(harness_run(third, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 2);
	assert_int_equal(r.err_lines, 1);
	assert_non_null(strstr(r.err, "--exclusive"));
	assert_int_equal(entries(dir3), 0);
	proc_result_free(&r);
	assert_int_equal(harness_wait(pid, &r, 180), 0);
	assert_int_equal(r.exit_code, 0);
	/* Once it is over, nothing is active: --exclusive starts. */
	assert_int_equal(harness_run(third, (uid_t)-1, &r), 0);
	if (r.exit_code != 0)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	proc_result_free(&r);
	assert_int_equal(harness_count_containers(LABEL), 0);
	unlink(log_path);
	harness_rmtree(dir);
	harness_rmtree(dir2);
	harness_rmtree(dir3);
	free(dir);
	free(dir2);
	free(dir3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(symlinked_output_path_is_refused),
		cmocka_unit_test(an_old_run_directory_is_left_as_it_was),
		cmocka_unit_test(a_bad_image_leaves_no_directory),
		cmocka_unit_test(a_cell_without_an_ok_trial_fails_the_run),
		cmocka_unit_test(another_pid_namespace_spares_a_live_run),
		cmocka_unit_test(concurrent_runs_are_told),
		cmocka_unit_test_teardown(full_disk_keeps_whole_trials, unmount_full),
	};

	if (!harness_docker_host() || !getenv("RP_ENGINE_DIR")) {
		fprintf(stderr,
			"these tests need the private engine of tests/run-integration.sh\n");
		return 1;
	}
	/* Absolute: one test runs restartprof from another working directory. */
	if (!realpath(harness_binary(), binary)) {
		fprintf(stderr, "no restartprof at %s\n", harness_binary());
		return 1;
	}
	setenv("RESTARTPROF", binary, 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
