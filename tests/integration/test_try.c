// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof try on the real engine and kernel: dirty's settings change in B trials only and
 * come back at the end, on SIGINT, SIGTERM and SIGHUP, and after a SIGKILL by restartprof
 * clean; load-cpus and load-fs make the stressors afresh, changed in B trials only; remedies
 * that cannot work are refused with one line; nodiscard remounts a filesystem the test makes
 * (an ext4 image on a loop device holding a second private engine's data-root).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "rundir/csv.h"
#include "support/harness.h"
#include "support/table.h"
#include "util/clock.h"
#include "util/files.h"

#define LABEL		"io.restartprof.run"
#define DIRTY_64M	67108864LL
#define SAMPLES_MAX	(64 * 1024)
#define SAMPLE_EVERY_NS (20 * NSEC_PER_MSEC)

static const char *const dirty_files[4] = {
	"/proc/sys/vm/dirty_bytes",
	"/proc/sys/vm/dirty_background_bytes",
	"/proc/sys/vm/dirty_ratio",
	"/proc/sys/vm/dirty_background_ratio",
};

static long long read_number(const char *path)
{
	char buf[64];

	if (file_read_small(path, buf, sizeof(buf)) <= 0)
		return -1;
	return atoll(buf);
}

static void read_dirty(long long v[4])
{
	for (int i = 0; i < 4; i++)
		v[i] = read_number(dirty_files[i]);
}

static void assert_dirty_as(const long long before[4])
{
	long long now[4];

	read_dirty(now);
	for (int i = 0; i < 4; i++) {
		if (now[i] != before[i])
			fprintf(stderr, "%s: %lld, was %lld\n", dirty_files[i], now[i], before[i]);
		assert_int_equal(now[i], before[i]);
	}
}

/* A thread that reads one value every 20 ms, with the wall time of each reading. */
struct sampler {
	pthread_t th;
	long long (*read)(const void *arg);
	const void *arg;
	volatile bool stop;
	int64_t at[SAMPLES_MAX];
	long long v[SAMPLES_MAX];
	size_t n;
};

static void *sample_loop(void *p)
{
	struct sampler *s = p;

	while (!s->stop && s->n < SAMPLES_MAX) {
		s->v[s->n] = s->read(s->arg);
		s->at[s->n++] = wall_ns();
		sleep_ns(SAMPLE_EVERY_NS);
	}
	return NULL;
}

static struct sampler *sampler_start(long long (*read)(const void *), const void *arg)
{
	struct sampler *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->read = read;
	s->arg = arg;
	assert_int_equal(pthread_create(&s->th, NULL, sample_loop, s), 0);
	return s;
}

static void sampler_stop(struct sampler *s)
{
	s->stop = true;
	pthread_join(s->th, NULL);
}

/* Every reading inside [begin, end] equals want; at least one was taken. */
static void window_saw(const struct sampler *s, int64_t begin, int64_t end, long long want,
		       int trial)
{
	size_t seen = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->at[i] < begin || s->at[i] > end)
			continue;
		seen++;
		if (s->v[i] != want)
			fprintf(stderr, "trial %d: read %lld, want %lld\n", trial, s->v[i], want);
		assert_int_equal(s->v[i], want);
	}
	assert_true(seen > 0);
}

static long long read_dirty_bytes(const void *arg)
{
	(void)arg;
	return read_number("/proc/sys/vm/dirty_bytes");
}

/* trials.csv: every trial ok, its variant "ABBA"[(i-1)%4], its window saw B's or A's value. */
static void check_trials(const char *dir, int n, const struct sampler *s, long long a_value,
			 long long b_value)
{
	struct csv_table t;

	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(t.n_rows, n);
	for (size_t i = 0; i < t.n_rows; i++) {
		int trial = (int)table_i64(&t, i, "trial");
		char want[2] = {"ABBA"[(trial - 1) % 4], '\0'};

		assert_string_equal(table_str(&t, i, "status"), "ok");
		assert_string_equal(table_str(&t, i, "variant"), want);
		if (s)
			window_saw(s, table_i64(&t, i, "window_begin_ns"),
				   table_i64(&t, i, "window_end_ns"),
				   want[0] == 'B' ? b_value : a_value, trial);
	}
	csv_table_free(&t);
}

/* comparison.csv: one row per phase and the restart, each with a verdict. */
static void check_comparison(const char *dir, int n)
{
	struct csv_table t;
	bool restart = false, create = false;

	assert_int_equal(harness_csv(dir, "comparison.csv", &t), 0);
	assert_true(t.n_rows >= 11);
	for (size_t i = 0; i < t.n_rows; i++) {
		restart |= strcmp(table_str(&t, i, "phase"), "restart") == 0;
		create |= strcmp(table_str(&t, i, "phase"), "create") == 0;
		assert_int_equal(table_i64(&t, i, "n_a") + table_i64(&t, i, "n_b"), n);
		assert_true(table_str(&t, i, "verdict")[0] != '\0');
	}
	assert_true(restart && create);
	csv_table_free(&t);
}

static void dirty_in_b_trials_only(void **state)
{
	char *dir = harness_tmpdir("try-dirty");
	const char *args[] = {
		"try",	      "dirty=64M:16M", "--load",     "hdd",	 "--stressors",
		"1",	      "--trials",      "8",	     "--settle", "1",
		"--interval", "0.3",	       "--no-trace", "-o",	 dir,
		NULL};
	long long before[4];
	struct proc_result r;
	struct sampler *s;
	char *json, path[512];

	(void)state;
	read_dirty(before);
	assert_int_not_equal(before[0], DIRTY_64M);
	s = sampler_start(read_dirty_bytes, NULL);
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	sampler_stop(s);
	if (r.exit_code != 0)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	assert_dirty_as(before);
	check_trials(dir, 8, s, before[0], DIRTY_64M);
	check_comparison(dir, 8);
	assert_non_null(strstr(r.out, "verdict"));
	snprintf(path, sizeof(path), "%s/run.json", dir);
	json = harness_slurp(path);
	assert_non_null(json);
	assert_non_null(strstr(json, "ABBA per trial"));
	assert_non_null(strstr(json, "dirty=64M:16M"));
	assert_int_equal(harness_count_containers(LABEL), 0);
	free(json);
	free(s);
	proc_result_free(&r);
	harness_rmtree(dir);
	free(dir);
}

static pid_t spawn_dirty(const char *dir, const char *log_path)
{
	const char *args[] = {
		"try",	      "dirty=64M:16M", "--load",     "hdd",	 "--stressors",
		"1",	      "--trials",      "40",	     "--settle", "1",
		"--interval", "0.3",	       "--no-trace", "-o",	 dir,
		NULL};
	pid_t pid = harness_spawn(args, log_path);

	if (harness_wait_for_text(log_path, "trial 2/", 120)) {
		kill(pid, SIGKILL);
		fail_msg("the run never finished trial 2");
	}
	return pid;
}

static void signals_restore_everything(void **state)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	unsigned seed = (unsigned)time(NULL);
	long long before[4];

	(void)state;
	srand(seed);
	read_dirty(before);
	for (size_t k = 0; k < 3; k++) {
		char *dir = harness_tmpdir("try-sig"), log_path[512];
		int64_t delay_ms = rand() % 3000;
		struct proc_result r;
		pid_t pid;

		snprintf(log_path, sizeof(log_path), "%s.log", dir);
		pid = spawn_dirty(dir, log_path);
		sleep_ns(delay_ms * NSEC_PER_MSEC);
		kill(pid, sigs[k]);
		assert_int_equal(harness_wait(pid, &r, 180), 0);
		if (r.exit_code != 128 + sigs[k]) {
			char *log = harness_slurp(log_path);

			fprintf(stderr, "signal %d after %lld ms (seed %u): exit %d\n%s", sigs[k],
				(long long)delay_ms, seed, r.exit_code, log ? log : "");
			free(log);
		}
		assert_int_equal(r.exit_code, 128 + sigs[k]);
		assert_dirty_as(before);
		assert_int_equal(harness_count_containers(LABEL), 0);
		unlink(log_path);
		harness_rmtree(dir);
		free(dir);
	}
}

static void sigkill_then_clean_restores(void **state)
{
	char *dir = harness_tmpdir("try-kill"), log_path[512];
	const char *clean[] = {"clean", NULL};
	long long before[4];
	struct proc_result r;
	bool changed;
	pid_t pid;

	(void)state;
	read_dirty(before);
	snprintf(log_path, sizeof(log_path), "%s.log", dir);
	pid = spawn_dirty(dir, log_path);
	kill(pid, SIGKILL);
	harness_wait(pid, &r, 10);
	proc_result_free(&r);
	/* Trial 3 is a B: killed after trial 2, the settings are most likely still changed. */
	changed = read_number(dirty_files[0]) != before[0];
	assert_int_equal(harness_run(clean, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 0);
	if (changed && !strstr(r.err, "dirty_bytes") && !strstr(r.out, "dirty_bytes"))
		fail_msg("clean restored vm.dirty_bytes without saying so:\n%s%s", r.out, r.err);
	assert_dirty_as(before);
	assert_int_equal(harness_count_containers(LABEL), 0);
	proc_result_free(&r);
	unlink(log_path);
	harness_rmtree(dir);
	free(dir);
}

/* Exit 2, one line on stderr that contains what; nothing changed. */
static void refused(const char *const *args, const char *what)
{
	long long before[4];
	struct proc_result r;

	read_dirty(before);
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != 2 || r.err_lines != 1 || (what && !strstr(r.err, what)))
		fprintf(stderr, "%s: exit %d, stderr:\n%s", args[1], r.exit_code, r.err);
	assert_int_equal(r.exit_code, 2);
	assert_int_equal(r.err_lines, 1);
	if (what)
		assert_non_null(strstr(r.err, what));
	assert_dirty_as(before);
	proc_result_free(&r);
}

static void refusals(void **state)
{
	char *dir = harness_tmpdir("try-refuse"), file[512], out[512];
	const char *unknown[] = {"try", "nosuch=1", "--no-trace", NULL};
	const char *matrix[] = {"try", "dirty=64M", "--matrix", "--no-trace", NULL};
	/* The private engine's data-root is under /var/tmp: the same filesystem. */
	const char *same_fs[] = {"try", "load-fs=/var/tmp", "--load", "hdd", "--no-trace", NULL};
	const char *user[] = {"try", "passwd=1", "--remedies", file, "--no-trace", NULL};
	const char *wbps[] = {"try", "load-wbps=10M", "--load", "hdd", "--no-trace", NULL};
	FILE *f;

	(void)state;
	snprintf(file, sizeof(file), "%s/my.remedies", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fprintf(f, "remedy passwd\nabout writes where no remedy may\nargs N\narg 1 number\n"
		   "set /etc/passwd $1\n");
	fclose(f);
	refused(unknown, "nosuch");
	refused(matrix, "--matrix");
	refused(same_fs, NULL);
	refused(user, NULL);
	/* Without load-fs (and on cgroup v1) refused unless --insist. */
	refused(wbps, "load-wbps");
	assert_int_equal(harness_count_containers(LABEL), 0);
	harness_rmtree(dir);
	free(dir);
}

/* Runs a program (no shell) and waits: its exit code, or -1. */
static int run_prog(const char *const *argv)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The mount options of mount point mp (from /proc/self/mounts) include "discard". */
static long long has_discard(const void *arg)
{
	const char *mp = arg;
	char *text = harness_slurp("/proc/self/mounts"), *line, *save = NULL;
	long long found = -1;

	if (!text)
		return -1;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char dev[512], at[512], type[64], opts[1024];

		if (sscanf(line, "%511s %511s %63s %1023s", dev, at, type, opts) != 4 ||
		    strcmp(at, mp) != 0)
			continue;
		found = strstr(opts, "discard") && !strstr(opts, "nodiscard") ? 1 : 0;
	}
	free(text);
	return found;
}

/* The load's containers as the engine made them: 1 when the cpuset is set, + 2 when a
 * directory is bound in; -1 when no stressor runs. */
static long long load_made(const void *arg)
{
	struct docker *d = (struct docker *)arg;
	json_object *list, *c, *hc, *v;
	long long made = -1;

	if (docker_containers_by_label(d, "io.restartprof.role=load", &list))
		return -1;
	if (json_object_array_length(list) > 0 &&
	    json_object_object_get_ex(json_object_array_get_idx(list, 0), "Id", &v) &&
	    docker_container_inspect(d, json_object_get_string(v), &c) == 0) {
		made = 0;
		if (json_object_object_get_ex(c, "HostConfig", &hc)) {
			if (json_object_object_get_ex(hc, "CpusetCpus", &v) &&
			    json_object_get_string_len(v) > 0)
				made |= 1;
			if (json_object_object_get_ex(hc, "Binds", &v) &&
			    json_object_is_type(v, json_type_array) && json_object_array_length(v))
				made |= 2;
		}
		json_object_put(c);
	}
	json_object_put(list);
	return made;
}

/* load-cpus and load-fs: the stressors are made afresh at each switch, changed in B only. */
static void load_changes_in_b_trials_only(void **state)
{
	char *dir = harness_tmpdir("try-load"), fs_dir[] = "/dev/shm/rp-try-fs.XXXXXX", spec[128];
	const char *args[] = {"try",	    spec, "--load",   "cpu", "--stressors", "1",
			      "--trials",   "4",  "--settle", "0.5", "--interval",  "0.2",
			      "--no-trace", "-o", dir,	      NULL};
	struct statfs sf;
	struct proc_result r;
	struct sampler *s;
	struct docker d;

	(void)state;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 || statfs("/dev/shm", &sf) != 0 ||
	    sf.f_type != 0x01021994) {
		harness_rmtree(dir);
		free(dir);
		skip(); /* needs two CPUs and a tmpfs apart from the data-root */
	}
	assert_non_null(mkdtemp(fs_dir));
	snprintf(spec, sizeof(spec), "load-cpus=1,load-fs=%s", fs_dir);
	assert_int_equal(harness_docker(&d), 0);
	s = sampler_start(load_made, &d);
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	sampler_stop(s);
	docker_close(&d);
	if (r.exit_code != 0)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	check_trials(dir, 4, s, 0, 3);
	/* What the stressors had there went with them. */
	assert_int_equal(rmdir(fs_dir), 0);
	assert_int_equal(harness_count_containers(LABEL), 0);
	free(s);
	proc_result_free(&r);
	harness_rmtree(dir);
	free(dir);
}

/* The second engine and its filesystem, removed whatever the test's outcome. */
static char nd_base[64];

static int nodiscard_teardown(void **state)
{
	const char *stop[] = {"bash", "scripts/private-dockerd.sh", "stop", nd_base, NULL};
	char img[128];

	(void)state;
	if (!nd_base[0])
		return 0;
	run_prog(stop); /* unmounts what is under it (the image too) and removes it */
	snprintf(img, sizeof(img), "%s.img", nd_base);
	unlink(img);
	nd_base[0] = '\0';
	return 0;
}

static void nodiscard_on_a_loop_filesystem(void **state)
{
	char img[128], root[128], host[128], *out;
	struct sampler *s;
	struct proc_result r;

	(void)state;
	snprintf(nd_base, sizeof(nd_base), "/var/tmp/rp-try-nd.XXXXXX");
	assert_non_null(mkdtemp(nd_base));
	snprintf(img, sizeof(img), "%s.img", nd_base);
	snprintf(root, sizeof(root), "%s/root", nd_base);
	snprintf(host, sizeof(host), "unix://%s/docker.sock", nd_base);
	{
		const char *truncate[] = {"truncate", "-s", "1G", img, NULL};
		const char *mkfs[] = {"mkfs.ext4", "-q", "-F", img, NULL};
		const char *mount[] = {"mount", "-o", "loop", img, root, NULL};
		const char *start[] = {"bash", "scripts/private-dockerd.sh", "start", nd_base,
				       NULL};

		assert_int_equal(run_prog(truncate), 0);
		assert_int_equal(run_prog(mkfs), 0);
		assert_int_equal(mkdir(root, 0700), 0);
		assert_int_equal(run_prog(mount), 0);
		assert_int_equal(run_prog(start), 0);
	}
	/* Without discard: nothing to take away. */
	{
		const char *args[] = {"try",	       "nodiscard", "--no-trace",
				      "--docker-host", host,	    NULL};

		refused(args, "discard");
	}
	{
		const char *remount[] = {"mount", "-o", "remount,discard", root, NULL};

		assert_int_equal(run_prog(remount), 0);
		assert_int_equal(has_discard(root), 1);
	}
	out = harness_tmpdir("try-nd");
	{
		const char *args[] = {"try",	    "nodiscard",     "--trials",   "4",
				      "--interval", "0.3",	     "--no-trace", "-o",
				      out,	    "--docker-host", host,	   NULL};

		s = sampler_start(has_discard, root);
		assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
		sampler_stop(s);
		if (r.exit_code != 0)
			fprintf(stderr, "%s", r.err);
	}
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(has_discard(root), 1);
	check_trials(out, 4, s, 1, 0);
	free(s);
	proc_result_free(&r);
	harness_rmtree(out);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refusals),
		cmocka_unit_test(dirty_in_b_trials_only),
		cmocka_unit_test(signals_restore_everything),
		cmocka_unit_test(sigkill_then_clean_restores),
		cmocka_unit_test(load_changes_in_b_trials_only),
		cmocka_unit_test_teardown(nodiscard_on_a_loop_filesystem, nodiscard_teardown),
	};

	if (!harness_docker_host()) {
		fprintf(stderr, "integration tests need DOCKER_HOST (run them with make test)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
