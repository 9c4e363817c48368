// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof run against a private Podman service (ENGINE=podman tests/run-integration.sh):
 * the engine is recognised and recorded, the image imports, containers start with the limits
 * given, and the phases are Podman's: the ones it reports present, the others absent. Against
 * Docker it has nothing to test and says so.
 */
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/docker.h"
#include "model/phase.h"
#include "rundir/csv.h"
#include "support/harness.h"

#define TRIALS 3

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

static void check_trials_csv(const char *dir)
{
	struct csv_table t;
	char col[32];

	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(t.n_rows, TRIALS);
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

static void check_phases_csv(const char *dir)
{
	struct csv_table p;

	assert_int_equal(harness_csv(dir, "phases.csv", &p), 0);
	assert_int_equal(p.n_rows, TRIALS * PH_COUNT);
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

static void podman_baseline(void **state)
{
	char *dir = harness_tmpdir("podman-base");
	char n[8];
	const char *args[] = {"run", "--trials", n, "--interval", "0.2", "-o", dir, NULL};
	struct proc_result r;

	(void)state;
	snprintf(n, sizeof(n), "%d", TRIALS);
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != 0)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(r.err, "engine Podman"));
	check_run_json(dir);
	check_trials_csv(dir);
	check_phases_csv(dir);
	assert_int_equal(harness_count_containers("io.restartprof.run"), 0);
	proc_result_free(&r);
	harness_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(podman_baseline),
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
	return cmocka_run_group_tests(tests, NULL, NULL);
}
