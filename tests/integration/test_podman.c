// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof run against a private Podman service (ENGINE=podman tests/run-integration.sh):
 * the engine is recognised and recorded, the image imports, containers start with the limits
 * given, and the phases are Podman's: the ones it reports present, the others absent. Under
 * disk load, traced: the load's block I/O is recorded, Podman's programs (podman, conmon,
 * runc, netavark) are the engine, and explain names causes whose times add up in every phase.
 * Against Docker it has nothing to test and says so. Each step prints its time.
 */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "engine/docker.h"
#include "model/phase.h"
#include "rundir/csv.h"
#include "support/explain_text.h"
#include "support/harness.h"
#include "support/table.h"
#include "util/clock.h"

#define TRIALS	   2
#define HDD_TRIALS 2

/* Kept for the steps after the run that made them; removed at teardown. */
static char *base_dir, *hdd_dir;

/* Phases whose events Podman reports on every restart, and those it never reports. */
static const char *const reported[] = {"die", "destroy", "create", "attach", "start"};
static const char *const absent[] = {"kill", "disconnect", "connect"};

static void check_run_json(const char *dir)
{
	char path[300];
	json_object *info;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	info = json_object_from_file(path);
	assert_non_null(info);
	assert_string_equal(json_str(json_path(info, "engine"), "kind", ""), "podman");
	json_object_put(info);
}

static void check_trials_csv(const char *dir, size_t trials)
{
	struct csv_table t;
	char col[32];

	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(t.n_rows, trials);
	for (size_t r = 0; r < t.n_rows; r++) {
		assert_string_equal(csv_get(&t, r, csv_col(&t, "status")), "ok");
		assert_true(csv_get_i64(&t, r, csv_col(&t, "restart_ns"), -1) > 1000000);
		for (size_t k = 0; k < sizeof(reported) / sizeof(reported[0]); k++) {
			snprintf(col, sizeof(col), "%s_ns", reported[k]);
			assert_true(csv_get_i64(&t, r, csv_col(&t, col), -1) > 0);
		}
		/* Podman's stop event comes only when its stop call, not the exit's cleanup,
		 * marks the container stopped: present, maybe empty in time. */
		assert_true(csv_get_i64(&t, r, csv_col(&t, "stop_ns"), -1) >= 0);
		for (size_t k = 0; k < sizeof(absent) / sizeof(absent[0]); k++) {
			snprintf(col, sizeof(col), "%s_ns", absent[k]);
			assert_string_equal(csv_get(&t, r, csv_col(&t, col)), "");
		}
	}
	csv_table_free(&t);
}

static void check_phases_csv(const char *dir, size_t trials)
{
	struct csv_table p;

	assert_int_equal(harness_csv(dir, "phases.csv", &p), 0);
	assert_int_equal(p.n_rows, trials * PH_COUNT);
	for (size_t r = 0; r < p.n_rows; r++) {
		const char *name = csv_get(&p, r, csv_col(&p, "phase"));
		const char *dur = csv_get(&p, r, csv_col(&p, "duration_ns"));
		bool missing = false;

		for (size_t k = 0; k < sizeof(absent) / sizeof(absent[0]); k++)
			missing = missing || strcmp(name, absent[k]) == 0;
		if (missing) {
			assert_string_equal(dur, "");
			assert_string_equal(csv_get(&p, r, csv_col(&p, "event_ns")), "");
		} else {
			assert_true(csv_get_i64(&p, r, csv_col(&p, "duration_ns"), -1) >= 0);
		}
	}
	csv_table_free(&p);
}

/* Prints how long a step took since *t0, and restarts the count. */
static void step_done(const char *step, int64_t *t0)
{
	int64_t now = mono_ns();

	fprintf(stderr, "test_podman: %s took %.1f s\n", step, (double)(now - *t0) / 1e9);
	*t0 = now;
}

/* restartprof run with args after "run" and "-o DIR"; exit 0 and the engine named. */
static char *run_podman(const char *tag, const char *const *extra)
{
	const char *args[24] = {"run", "--interval", "0.2", "-o"};
	char *dir = harness_tmpdir(tag);
	struct proc_result r;
	int n = 4;

	assert_non_null(dir);
	args[n++] = dir;
	for (int i = 0; extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != 0 || !strstr(r.err, "kernel tracing with"))
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(r.err, "engine Podman"));
	assert_non_null(strstr(r.err, "kernel tracing with"));
	proc_result_free(&r);
	return dir;
}

static void podman_baseline(void **state)
{
	const char *extra[] = {"--trials", "2", NULL};
	int64_t t0 = mono_ns();

	(void)state;
	base_dir = run_podman("podman-base", extra);
	check_run_json(base_dir);
	check_trials_csv(base_dir, TRIALS);
	check_phases_csv(base_dir, TRIALS);
	assert_int_equal(harness_count_containers("io.restartprof.run"), 0);
	step_done("baseline, 2 trials", &t0);
}

/* Summed over the run's trials and phases; -1 (not measured) fails. */
static int64_t phases_sum(const struct csv_table *p, const char *column)
{
	int64_t sum = 0;

	for (size_t i = 0; i < p->n_rows; i++) {
		if (!table_str(p, i, "duration_ns")[0])
			continue; /* a phase Podman does not report */
		assert_true(table_i64(p, i, column) >= 0);
		sum += table_i64(p, i, column);
	}
	return sum;
}

/* Whether an engine task of that comm (or name prefix) did kernel work in the window. */
static bool engine_comm(const struct csv_table *events, const char *prefix)
{
	for (size_t i = 0; i < events->n_rows; i++)
		if (strcmp(table_str(events, i, "actor"), "engine") == 0 &&
		    strncmp(table_str(events, i, "comm"), prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/* Who did the work: the load is stress-ng, the target the service, and the engine is
 * Podman's programs: podman, conmon, runc, and netavark setting up the network in attach. */
static void check_actors(const struct csv_table *events, const struct csv_table *execs)
{
	static const char *const engine[] = {"podman", "conmon", "runc"};
	int load = 0, target = 0, netavark = 0;

	for (size_t i = 0; i < events->n_rows; i++) {
		const char *comm = table_str(events, i, "comm"),
			   *actor = table_str(events, i, "actor");
		bool stress = strncmp(comm, "stress-ng", 9) == 0;
		bool svc = strcmp(comm, "restartprof-svc") == 0;

		if (strcmp(actor, "load") == 0 && !stress)
			fprintf(stderr, "load: %s\n", comm);
		assert_true(strcmp(actor, "load") != 0 || stress);
		load += stress && strcmp(actor, "load") == 0;
		target += svc && strcmp(actor, "target") == 0;
		if (strcmp(actor, "engine") == 0)
			assert_false(stress || svc);
	}
	for (size_t k = 0; k < sizeof(engine) / sizeof(engine[0]); k++) {
		if (!engine_comm(events, engine[k]))
			fprintf(stderr, "no engine work by %s\n", engine[k]);
		assert_true(engine_comm(events, engine[k]));
	}
	for (size_t i = 0; i < execs->n_rows; i++)
		netavark += strcmp(table_str(execs, i, "name"), "netavark") == 0 &&
			    strcmp(table_str(execs, i, "actor"), "engine") == 0 &&
			    strcmp(table_str(execs, i, "phase"), "attach") == 0;
	fprintf(stderr, "events: load %d, target %d; netavark execs in attach: %d\n", load, target,
		netavark);
	assert_true(load > 0);
	assert_true(target > 0);
	assert_int_equal(netavark, HDD_TRIALS);
}

static void podman_hdd_traced(void **state)
{
	const char *extra[] = {"--trials", "2",	       "--load", "hdd",	     "--stressors",
			       "1",	   "--settle", "1",	 "--events", NULL};
	struct csv_table phases, events, execs;
	int64_t t0 = mono_ns(), load_bio, engine_bio;

	(void)state;
	hdd_dir = run_podman("podman-hdd", extra);
	check_trials_csv(hdd_dir, HDD_TRIALS);
	check_phases_csv(hdd_dir, HDD_TRIALS);
	assert_int_equal(harness_csv(hdd_dir, "phases.csv", &phases), 0);
	assert_int_equal(harness_csv(hdd_dir, "events.csv", &events), 0);
	assert_int_equal(harness_csv(hdd_dir, "execs.csv", &execs), 0);
	load_bio = phases_sum(&phases, "load_bio_reqs");
	engine_bio = phases_sum(&phases, "engine_bio_reqs");
	fprintf(stderr, "block I/O requests in the windows: load %lld, engine %lld\n",
		(long long)load_bio, (long long)engine_bio);
	assert_true(load_bio > 0);
	assert_true(phases_sum(&phases, "load_bio_bytes") > 0);
	assert_true(engine_bio > 0);
	check_actors(&events, &execs);
	csv_table_free(&phases);
	csv_table_free(&events);
	csv_table_free(&execs);
	assert_int_equal(harness_count_containers("io.restartprof.run"), 0);
	assert_int_equal(harness_leaked_bpf_maps(), 0);
	step_done("hdd-1, 2 trials, traced", &t0);
}

/* restartprof explain with args; its stdout, exit 0. */
static char *explain(const char *const *args)
{
	struct proc_result r;
	char *out;

	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	out = strdup(r.out);
	proc_result_free(&r);
	return out;
}

static void podman_explain(void **state)
{
	const char *args[] = {"explain", hdd_dir, NULL};
	int64_t t0 = mono_ns();
	char *text;

	(void)state;
	if (!hdd_dir)
		skip();
	text = explain(args);
	explain_text_check(text);
	/* attach runs Podman's init (runtime create, netavark): the largest phase, explained. */
	assert_true(explain_text_phase_causes(text, "attach") > 0);
	for (size_t k = 0; k < sizeof(absent) / sizeof(absent[0]); k++)
		assert_int_equal(explain_text_phase_causes(text, absent[k]), 0);
	/* The remedies are Podman's: no Docker unit or daemon flag. */
	assert_null(strstr(text, "docker.service"));
	assert_null(strstr(text, "dockerd --"));
	free(text);
	step_done("explain", &t0);
}

/* A copy of tests/data/rundir (a few rows of a real Docker 20.10 run, cell none), found from
 * this file's path as the compiler was given it: report writes into the directories it reads. */
static char *docker_fixture(void)
{
	static const char *const files[] = {"trials.csv", "phases.csv", "waits.csv", "stacks.csv",
					    "run.json"};
	const char *slash = strrchr(__FILE__, '/');
	char *dir = harness_tmpdir("docker-fixture"), path[512];

	assert_non_null(dir);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *text;

		snprintf(path, sizeof(path), "%.*s/../data/rundir/%s",
			 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".", files[i]);
		text = harness_slurp(path);
		assert_non_null(text);
		assert_int_equal(harness_put_file(dir, files[i], text), 0);
		free(text);
	}
	return dir;
}

/* A line of the comparison with another run that gives phase a change: none may, when one
 * side does not report it. */
static bool phase_changed(const char *text, const char *phase)
{
	char plus[40], minus[40];

	snprintf(plus, sizeof(plus), "\n  %s +", phase);
	snprintf(minus, sizeof(minus), "\n  %s -", phase);
	return strstr(text, plus) || strstr(text, minus);
}

/* explain between the Podman baseline and a Docker one, both ways: the engines are named,
 * the phases Podman does not report are said absent, never given a change. */
static void explain_across_engines(const char *podman, const char *docker)
{
	const char *pd[] = {"explain", podman, "--against", docker, NULL};
	const char *dp[] = {"explain", docker, "--against", podman, NULL};
	char *a = explain(pd), *b = explain(dp), want[96];

	assert_non_null(strstr(a, "(Docker; this run: Podman)"));
	assert_non_null(strstr(a, "engines differ: this run is Podman's, the baseline Docker's"));
	assert_non_null(strstr(b, "(Podman; this run: Docker)"));
	for (size_t k = 0; k < sizeof(absent) / sizeof(absent[0]); k++) {
		snprintf(want, sizeof(want), "\n  %s: absent in this run (Podman); ", absent[k]);
		assert_non_null(strstr(a, want));
		snprintf(want, sizeof(want), "\n  %s: absent in the baseline (Podman); ",
			 absent[k]);
		assert_non_null(strstr(b, want));
		assert_false(phase_changed(a, absent[k]));
		assert_false(phase_changed(b, absent[k]));
	}
	free(a);
	free(b);
}

/* report DOCKER PODMAN: the engines named, Podman's absent phases absent in the phase table. */
static void report_across_engines(const char *podman, const char *docker)
{
	char *out = harness_tmpdir("podman-compare"), path[600], *html;
	const char *args[] = {"report", docker, podman, "-o", out, NULL};
	struct proc_result r;

	assert_non_null(out);
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(r.out, "engines differ: run 1 Docker, run 2 Podman;"));
	proc_result_free(&r);
	snprintf(path, sizeof(path), "%s/compare.html", out);
	html = harness_slurp(path);
	assert_non_null(html);
	assert_non_null(strstr(html, "different engines: run 1 Docker, run 2 Podman."));
	assert_non_null(strstr(html, "<td>Podman "));
	/* One cell in common (none): run 2's kill, disconnect and connect. */
	assert_int_equal(harness_count_text(html, "absent</span></td>"),
			 (int)(sizeof(absent) / sizeof(absent[0])));
	free(html);
	harness_rmtree(out);
	free(out);
}

static void podman_against_docker(void **state)
{
	int64_t t0 = mono_ns();
	char *docker;

	(void)state;
	if (!base_dir)
		skip();
	docker = docker_fixture();
	explain_across_engines(base_dir, docker);
	report_across_engines(base_dir, docker);
	harness_rmtree(docker);
	free(docker);
	step_done("against a Docker run", &t0);
}

static int teardown(void **state)
{
	(void)state;
	if (base_dir)
		harness_rmtree(base_dir);
	if (hdd_dir)
		harness_rmtree(hdd_dir);
	free(base_dir);
	free(hdd_dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(podman_baseline),
		cmocka_unit_test(podman_hdd_traced),
		cmocka_unit_test(podman_explain),
		cmocka_unit_test(podman_against_docker),
	};
	struct docker d;
	bool podman;

	if (!harness_docker_host()) {
		fprintf(stderr, "integration tests need DOCKER_HOST (run them with make test)\n");
		return 1;
	}
	if (harness_docker(&d)) {
		fprintf(stderr, "test_podman: no engine answers at DOCKER_HOST\n");
		return 1;
	}
	podman = d.kind == ENGINE_PODMAN;
	docker_close(&d);
	if (!podman) {
		fprintf(stderr, "test_podman: the engine at DOCKER_HOST is not Podman (run it with "
				"make integration-podman)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, teardown);
}
