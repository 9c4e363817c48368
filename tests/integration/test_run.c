// SPDX-License-Identifier: GPL-2.0-only
/* restartprof run against a real engine: what it writes, what it leaves, how it refuses. */
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <cmocka.h>

#include "engine/docker.h"
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
		for (size_t k = 0; k < PH_COUNT; k++) {
			int64_t d = csv_get_i64(&t, r, csv_col(&t, phases[k]), -1);

			/* A phase the engine does not report is empty, not zero. */
			if (!harness_phase_reported(phase_name(k))) {
				assert_string_equal(csv_get(&t, r, csv_col(&t, phases[k])), "");
				continue;
			}
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

			if (!harness_phase_reported(csv_get(&p, k, csv_col(&p, "phase")))) {
				assert_string_equal(csv_get(&p, k, csv_col(&p, "duration_ns")), "");
				continue;
			}
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

/* Every entry of a tree with its size and modification time, one line each. */
static char tree_text[1 << 16];

static int tree_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	size_t n = strlen(tree_text);

	(void)flag;
	(void)ftw;
	snprintf(tree_text + n, sizeof(tree_text) - n, "%s %lld %lld.%09ld\n", path,
		 (long long)st->st_size, (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	return 0;
}

static char *tree_snapshot(const char *dir)
{
	tree_text[0] = '\0';
	assert_int_equal(nftw(dir, tree_entry, 16, FTW_PHYS), 0);
	return strdup(tree_text);
}

/* report DIR -o OUT: the report goes into OUT (made), DIR stays as it was, stderr says where. */
static void report_into_another_dir(const char *dir)
{
	char *out = harness_tmpdir("report-o"), sub[256], page[300], *before, *after;
	const char *args[] = {"report", dir, "-o", sub, "-q", NULL};
	struct proc_result r;
	struct stat st;

	snprintf(sub, sizeof(sub), "%s/made", out);
	before = tree_snapshot(dir);
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	snprintf(page, sizeof(page), "report in %s/report.html", sub);
	assert_non_null(strstr(r.err, page));
	snprintf(page, sizeof(page), "%s/report.html", sub);
	assert_int_equal(stat(page, &st), 0);
	snprintf(page, sizeof(page), "%s/summary.csv", sub);
	assert_int_equal(stat(page, &st), 0);
	after = tree_snapshot(dir);
	assert_string_equal(before, after);
	proc_result_free(&r);
	free(before);
	free(after);
	harness_rmtree(out);
	free(out);
}

/*
 * Whether path's filesystem keeps its data in memory, found apart from restartprof's way
 * (mountinfo): statfs's f_type, and the block device's name under /sys/dev/block.
 */
static const char *memory_kind(const char *path)
{
	char link[64], real[PATH_MAX], *base;
	struct statfs sf;
	struct stat st;

	assert_int_equal(statfs(path, &sf), 0);
	if (sf.f_type == 0x01021994) /* TMPFS_MAGIC */
		return "tmpfs";
	if ((unsigned long)sf.f_type == 0x858458f6UL) /* RAMFS_MAGIC */
		return "ramfs";
	assert_int_equal(stat(path, &st), 0);
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	if (!realpath(link, real))
		return "";
	base = strrchr(real, '/') + 1;
	if (strncmp(base, "zram", 4) == 0)
		return "zram";
	if (strncmp(base, "ram", 3) == 0 && base[3] >= '0' && base[3] <= '9')
		return "ramdisk";
	return "";
}

/* run.json's storage.in_memory against the data-root's filesystem as the test sees it, and
 * run's WARNING line on stderr (run_err) exactly when it is in memory. */
static void check_in_memory_field(const char *dir, const char *run_err)
{
	char path[512], *text;
	json_object *o;
	const char *root, *field;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	text = harness_slurp(path);
	assert_non_null(text);
	o = json_parse_buf(text, strlen(text));
	assert_non_null(o);
	root = json_str(json_path(o, "storage"), "docker_root_dir", "");
	field = json_str(json_path(o, "storage"), "in_memory", NULL);
	assert_true(*root);
	assert_non_null(field);
	assert_string_equal(field, memory_kind(root));
	assert_string_equal(json_str(json_path(o, "engine"), "kind", ""),
			    engine_kind_name(harness_engine_kind()));
	if (*field)
		assert_non_null(strstr(run_err, "WARNING: the engine's data-root"));
	else
		assert_null(strstr(run_err, "WARNING: the engine's data-root"));
	json_object_put(o);
	free(text);
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
	/* The run says where its report is. */
	assert_non_null(strstr(r.err, "/report.html"));
	report_into_another_dir(dir);
	check_in_memory_field(dir, r.err);
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

/* check's data-root line: the engine's DockerRootDir, with a WARNING exactly when it is in
 * memory (whatever /tmp is on this machine: the test engine's data-root is its own). */
static void check_tells_where_the_data_root_is(void **state)
{
	const char *args[] = {"check", NULL};
	char root[512] = "", want[64];
	struct proc_result r;
	const char *line, *kind, *p;
	size_t n;

	(void)state;
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 0);
	line = strstr(r.out, "\ndata-root ");
	assert_non_null(line);
	line += strlen("\ndata-root ");
	line += strspn(line, " ");
	p = strstr(line, "data-root ");
	if (p && p < strchr(line, '\n')) /* WARNING: the engine's data-root PATH is on KIND */
		p += strlen("data-root ");
	else
		p = line; /* PATH on FSTYPE, DEVICE */
	n = strcspn(p, " \n");
	assert_true(n > 0 && n < sizeof(root));
	memcpy(root, p, n);
	kind = memory_kind(root);
	if (*kind) {
		snprintf(want, sizeof(want), " is on %s, in memory", kind);
		assert_true(strncmp(line, "WARNING:", 8) == 0);
		assert_non_null(strstr(line, want));
	} else {
		assert_false(strncmp(line, "WARNING:", 8) == 0);
		assert_true(strncmp(p + n, " on ", 4) == 0);
	}
	fprintf(stderr, "data-root %s: %s\n", root, *kind ? kind : "on a disk");
	proc_result_free(&r);
}

/* Images built by restartprof: labelled io.restartprof.content. */
static int count_our_images(void)
{
	struct docker d;
	json_object *list = NULL;
	int n = -1;

	if (harness_docker(&d))
		return -1;
	if (docker_call(
		    &d, "image-list", "GET",
		    "/images/json?filters=%7B%22label%22%3A%5B%22io.restartprof.content%22%5D%7D",
		    NULL, 0, &list) == 0)
		n = (int)json_object_array_length(list);
	json_object_put(list);
	docker_close(&d);
	return n;
}

/* clean keeps the cached images; clean --images removes them (the next run rebuilds them). */
static void clean_images(void **state)
{
	const char *clean[] = {"clean", NULL};
	const char *images[] = {"clean", "--images", NULL};
	struct proc_result r;
	int before = count_our_images();

	(void)state;
	assert_true(before >= 1); /* the runs above built at least the service image */
	assert_int_equal(harness_run(clean, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 0);
	assert_int_equal(count_our_images(), before);
	proc_result_free(&r);
	assert_int_equal(harness_run(images, (uid_t)-1, &r), 0);
	if (r.exit_code)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	/* Podman names it localhost/restartprof-svc:... */
	assert_non_null(strstr(r.out, "removed image "));
	assert_non_null(strstr(r.out, "restartprof-svc:"));
	assert_int_equal(count_our_images(), 0);
	proc_result_free(&r);
}

/* Every subcommand's --help exits 0 with EXAMPLES and EXIT CODES; help CMD is CMD --help. */
static void help_everywhere(void **state)
{
	static const char *const cmds[] = {"run", "watch", "try", "check", "report", "clean"};
	struct proc_result r, h;

	(void)state;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *args[] = {cmds[i], "--help", NULL};
		const char *via_help[] = {"help", cmds[i], NULL};

		assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
		assert_int_equal(r.exit_code, 0);
		assert_non_null(strstr(r.out, "\nEXAMPLES:\n"));
		assert_non_null(strstr(r.out, "\nEXIT CODES:\n"));
		assert_int_equal(harness_run(via_help, (uid_t)-1, &h), 0);
		assert_int_equal(h.exit_code, 0);
		assert_string_equal(h.out, r.out);
		proc_result_free(&r);
		proc_result_free(&h);
	}
	{
		const char *args[] = {"run", "--help", NULL};

		assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
		/* Developer options under their own header, after the everyday ones. */
		assert_non_null(strstr(r.out, "Developer options"));
		assert_true(strstr(r.out, "--trials") < strstr(r.out, "Developer options"));
		assert_true(strstr(r.out, "Developer options") < strstr(r.out, "--alternate"));
		assert_true(strstr(r.out, "Developer options") < strstr(r.out, "--probe-paths"));
		proc_result_free(&r);
	}
	{
		const char *args[] = {"-V", NULL};
		const char *unknown[] = {"nope", NULL};

		assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
		assert_int_equal(r.exit_code, 0);
		assert_true(strncmp(r.out, "restartprof ", 12) == 0);
		proc_result_free(&r);
		assert_int_equal(harness_run(unknown, (uid_t)-1, &r), 0);
		assert_int_equal(r.exit_code, 2);
		assert_non_null(strstr(
			r.err, "run, try, watch, check, report, explain, clean, help, version"));
		proc_result_free(&r);
	}
}

/* version: the VERSION file's version, this machine's Debian architecture, a dynamic build,
 * and the libbpf it runs with. */
static void version_says_what_it_is(void **state)
{
	const char *args[] = {"version", NULL};
	char want[64] = "", arch[32] = "", line[128];
	struct proc_result r;
	FILE *f = fopen("VERSION", "re");
	FILE *dpkg = popen("dpkg --print-architecture", "r");

	(void)state;
	assert_non_null(f);
	assert_non_null(fgets(want, sizeof(want), f));
	fclose(f);
	want[strcspn(want, "\n")] = '\0';
	assert_non_null(dpkg);
	assert_non_null(fgets(arch, sizeof(arch), dpkg));
	pclose(dpkg);
	arch[strcspn(arch, "\n")] = '\0';
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	fprintf(stderr, "%s", r.out);
	assert_int_equal(r.exit_code, 0);
	snprintf(line, sizeof(line), "restartprof %s\n", want);
	assert_true(strncmp(r.out, line, strlen(line)) == 0);
	snprintf(line, sizeof(line), "\narch    %s\n", arch);
	assert_non_null(strstr(r.out, line));
	assert_non_null(strstr(r.out, "\nbuild   dynamic\n"));
	assert_non_null(strstr(r.out, "\ngit     "));
	assert_non_null(strstr(r.out, "\nlibbpf  1."));
	proc_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(help_everywhere),
		cmocka_unit_test(version_says_what_it_is),
		cmocka_unit_test(bad_input_is_refused),
		cmocka_unit_test(check_tells_where_the_data_root_is),
		cmocka_unit_test(baseline_run),
		cmocka_unit_test(tcp_and_log_readiness),
		cmocka_unit_test(hdd_load_run),
		cmocka_unit_test(clean_images), /* last: the runs above need the images */
	};

	if (!harness_docker_host()) {
		fprintf(stderr, "integration tests need DOCKER_HOST (run them with make test)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
