// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hand-corrupted copies of a run directory (tests/data/rundir: a few rows of a real run): report
 * and explain name the file and line and exit 2, or with --lenient warn and leave the rows out;
 * a directory that is not a run is refused before anything is written.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

#include "cli/cli.h"
#include "rundir/csv.h"
#include "support/harness.h"
#include "util/files.h"

static const char *const data_files[] = {"trials.csv", "phases.csv", "waits.csv", "stacks.csv",
					 "run.json"};

/* tests/data/rundir, found from this file's path as the compiler was given it. */
static void data_dir(char *out, size_t len)
{
	const char *slash = strrchr(__FILE__, '/');
	int n = slash ? (int)(slash - __FILE__) : 1;

	snprintf(out, len, "%.*s/../data/rundir", n, slash ? __FILE__ : ".");
}

static char *slurp(const char *dir, const char *name)
{
	char path[512], *buf = NULL;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (file_read_all(AT_FDCWD, path, 1 << 24, 0, &buf, NULL))
		return NULL;
	return buf;
}

static void put(const char *dir, const char *name, const char *text)
{
	assert_int_equal(harness_put_file(dir, name, text), 0);
}

/* A fresh copy of the run directory under /tmp. */
static char *copy_run(void)
{
	char *dir = harness_tmpdir("corrupt"), src[512];

	assert_non_null(dir);
	data_dir(src, sizeof(src));
	for (size_t i = 0; i < sizeof(data_files) / sizeof(data_files[0]); i++) {
		char *text = slurp(src, data_files[i]);

		assert_non_null(text);
		put(dir, data_files[i], text);
		free(text);
	}
	return dir;
}

static void rmtree(char *dir)
{
	harness_rmtree(dir);
	free(dir);
}

/* Runs a subcommand in this process, its stdout thrown away, its stderr into err. */
static int run_cmd(int (*cmd)(int, char **), const char *const *args, char *err, size_t errlen)
{
	char *argv[8], log[] = "/tmp/rp-test-corrupt-log.XXXXXX";
	int argc = 0, rc, fd = mkstemp(log), null = open("/dev/null", O_WRONLY);
	int saved_err = dup(2), saved_out = dup(1);
	ssize_t n;

	assert_true(fd >= 0 && null >= 0);
	while (args[argc] && argc < 7) {
		argv[argc] = (char *)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	dup2(fd, 2);
	dup2(null, 1);
	rc = cmd(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved_err, 2);
	dup2(saved_out, 1);
	close(saved_err);
	close(saved_out);
	close(null);
	n = pread(fd, err, errlen - 1, 0);
	err[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(log);
	return rc;
}

static bool exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/*
 * report and explain on dir: strictly exit 2 with where (file:line) on stderr and nothing
 * written; with --lenient exit 0 with a warning naming it.
 */
static void refused_then_lenient(const char *dir, const char *where)
{
	char err[4096], expect[600];

	snprintf(expect, sizeof(expect), "%s/%s", dir, where);
	assert_int_equal(
		run_cmd(cmd_report, (const char *[]){"report", "-q", dir, NULL}, err, sizeof(err)),
		EXIT_USAGE);
	assert_non_null(strstr(err, expect));
	assert_false(exists(dir, "report.html"));
	assert_false(exists(dir, "summary.csv"));
	assert_int_equal(
		run_cmd(cmd_explain, (const char *[]){"explain", dir, NULL}, err, sizeof(err)),
		EXIT_USAGE);
	assert_non_null(strstr(err, expect));
	assert_int_equal(run_cmd(cmd_report,
				 (const char *[]){"report", "-q", "--lenient", dir, NULL}, err,
				 sizeof(err)),
			 EXIT_OK);
	assert_non_null(strstr(err, "warning: "));
	assert_non_null(strstr(err, expect));
	assert_true(exists(dir, "report.html"));
	assert_int_equal(run_cmd(cmd_explain, (const char *[]){"explain", "--lenient", dir, NULL},
				 err, sizeof(err)),
			 EXIT_OK);
	assert_non_null(strstr(err, expect));
}

/* The copy as it is reads cleanly: what the cases below change is all that is wrong. */
static void intact_copy(void **state)
{
	char *dir = copy_run(), err[4096], want[4096];

	(void)state;
	assert_int_equal(
		run_cmd(cmd_report, (const char *[]){"report", "-q", dir, NULL}, err, sizeof(err)),
		EXIT_OK);
	/* No warning: the only line is where the page went. */
	snprintf(want, sizeof(want), "restartprof: report in %s/report.html\n", dir);
	assert_string_equal(err, want);
	assert_int_equal(
		run_cmd(cmd_explain, (const char *[]){"explain", dir, NULL}, err, sizeof(err)),
		EXIT_OK);
	assert_string_equal(err, "");
	rmtree(dir);
}

/* trials.csv whose last row is cut after "stdout,4426": not an ok trial of 4.4 us. */
static void cut_trials_row(void **state)
{
	char *dir = copy_run(), *text = slurp(dir, "trials.csv"), *cut;
	struct csv_table t;
	char path[512];

	(void)state;
	/* The fourth line: cut it after its method. */
	cut = strstr(text, ",3,ok,,stdout,");
	assert_non_null(cut);
	strcpy(cut + strlen(",3,ok,,stdout,"), "4426");
	put(dir, "trials.csv", text);
	free(text);
	refused_then_lenient(dir, "trials.csv:4: ");
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	assert_int_equal(csv_read_file(path, &t), 0);
	assert_int_equal(csv_get_i64(&t, 0, csv_col(&t, "trials"), 0), 2);
	csv_table_free(&t);
	rmtree(dir);
}

/* A stray quote in waits.csv: it would swallow every later row. */
static void stray_quote_in_waits(void **state)
{
	char *dir = copy_run(), *text = slurp(dir, "waits.csv"), *line = text;

	(void)state;
	for (int i = 1; i < 5; i++)
		line = strchr(line, '\n') + 1;
	/* The comm field of line 5 opens a quote that nothing closes. */
	line = strchr(strchr(strchr(strchr(strchr(line, ',') + 1, ',') + 1, ',') + 1, ',') + 1,
		      ',');
	memmove(line + 2, line + 1, strlen(line + 1) + 1);
	line[1] = '"';
	put(dir, "waits.csv", text);
	free(text);
	refused_then_lenient(dir, "waits.csv:5: a quote is not closed");
	rmtree(dir);
}

/* A row of phases.csv with a field too many. */
static void extra_field_in_phases(void **state)
{
	char *dir = copy_run(), *text = slurp(dir, "phases.csv"), *line, *out;

	(void)state;
	line = strchr(strchr(text, '\n') + 1, '\n'); /* the end of line 2 */
	out = malloc(strlen(text) + 8);
	snprintf(out, strlen(text) + 8, "%.*s,7%s", (int)(line - text), text, line);
	put(dir, "phases.csv", out);
	free(out);
	free(text);
	refused_then_lenient(dir, "phases.csv:2: ");
	rmtree(dir);
}

/* waits.csv that cannot be read (a directory) is not "no waits.csv". */
static void unreadable_waits(void **state)
{
	char *dir = copy_run(), path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/waits.csv", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0755), 0);
	refused_then_lenient(dir, "waits.csv: not a regular file");
	rmtree(dir);
}

/* A directory that is not a run keeps its files: refused with one line before any write, also
 * when an intact run comes first on the command line. */
static void not_a_run_directory(void **state)
{
	char *run = copy_run(), *other = copy_run(), err[4096], *html;

	(void)state;
	for (size_t i = 0; i < sizeof(data_files) / sizeof(data_files[0]); i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s", other, data_files[i]);
		unlink(path);
	}
	put(other, "report.html", "mine\n");
	put(other, "summary.csv", "mine\n");
	put(other, "trials.csv", "cell,load,stressors,trial,status,restart_ns\n");
	assert_int_equal(run_cmd(cmd_report, (const char *[]){"report", "-q", run, other, NULL},
				 err, sizeof(err)),
			 EXIT_USAGE);
	assert_non_null(strstr(err, "not a run directory"));
	assert_ptr_equal(strchr(err, '\n'), err + strlen(err) - 1); /* one line */
	html = slurp(other, "report.html");
	assert_string_equal(html, "mine\n");
	free(html);
	assert_false(exists(run, "report.html"));
	assert_false(exists(run, "summary.csv"));
	/* Another program's trials.csv, with rows. */
	put(other, "trials.csv", "cell,trial,score\na,1,3\n");
	assert_int_equal(run_cmd(cmd_report, (const char *[]){"report", "-q", other, NULL}, err,
				 sizeof(err)),
			 EXIT_USAGE);
	assert_non_null(strstr(err, "not a run directory"));
	/* A run.json that is not JSON is a problem of the run, not "no run.json". */
	put(run, "run.json", "{\"format\":");
	assert_int_equal(
		run_cmd(cmd_report, (const char *[]){"report", "-q", run, NULL}, err, sizeof(err)),
		EXIT_USAGE);
	assert_non_null(strstr(err, "run.json: not a readable JSON object"));
	assert_false(exists(run, "report.html"));
	rmtree(run);
	rmtree(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(intact_copy),		cmocka_unit_test(cut_trials_row),
		cmocka_unit_test(stray_quote_in_waits), cmocka_unit_test(extra_field_in_phases),
		cmocka_unit_test(unreadable_waits),	cmocka_unit_test(not_a_run_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
