// SPDX-License-Identifier: GPL-2.0-only
/*
 * What make bench relies on to measure restartprof itself: --alternate (which trials run with
 * the thing on), its options, and --prog-stats' difference of two snapshots of BPF programs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "model/trial.h"
#include "trace/progstats.h"

static void odd_trials_on_even_off(void **state)
{
	(void)state;
	assert_true(alternate_on(1));
	assert_false(alternate_on(2));
	assert_true(alternate_on(99));
	assert_false(alternate_on(100));
	assert_string_equal(alternate_variant(ALT_TRACE, 1), "trace");
	assert_string_equal(alternate_variant(ALT_TRACE, 2), "no-trace");
	assert_string_equal(alternate_variant(ALT_STACKS, 3), "stacks");
	assert_string_equal(alternate_variant(ALT_STACKS, 4), "no-stacks");
	assert_string_equal(alternate_variant(ALT_ONCPU, 5), "oncpu");
	assert_string_equal(alternate_variant(ALT_ONCPU, 6), "no-oncpu");
	assert_int_equal(alternate_from_name("oncpu"), ALT_ONCPU);
	assert_null(alternate_variant(ALT_NONE, 1));
	assert_int_equal(alternate_from_name("trace"), ALT_TRACE);
	assert_int_equal(alternate_from_name("stacks"), ALT_STACKS);
	assert_int_equal(alternate_from_name("links"), -1);
	assert_string_equal(alternate_name(ALT_NONE), "none");
}

static int parse(struct run_config *cfg, char *err, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = "run";
	for (; *args; args++)
		argv[argc++] = (char *)*args;
	argv[argc] = NULL;
	return run_options_parse(argc, argv, cfg, err, 256);
}

static void options(void **state)
{
	struct run_config *cfg = calloc(1, sizeof(*cfg));
	char err[256];
	const char *trace[] = {"--alternate", "trace", "--prog-stats", NULL};
	const char *stacks[] = {"--alternate", "stacks", NULL};
	const char *none[] = {NULL};
	const char *unknown[] = {"--alternate", "links", NULL};
	const char *no_trace[] = {"--alternate", "trace", "--no-trace", NULL};
	const char *no_stacks[] = {"--alternate", "stacks", "--no-stacks", NULL};
	const char *stats_no_trace[] = {"--prog-stats", "--no-trace", NULL};
	const char *oncpu[] = {"--alternate", "oncpu", NULL};
	const char *no_oncpu[] = {"--oncpu-hz", "0", "--alternate", "oncpu", NULL};
	const char *const *bad[] = {unknown, no_trace, no_stacks, stats_no_trace, no_oncpu};
	const char *const needles[] = {"give trace, stacks or oncpu", "needs kernel tracing",
				       "contradict", "needs kernel tracing", "contradict"};

	(void)state;
	setenv("DOCKER_HOST", "unix:///tmp/rp-test-none.sock", 1);
	assert_int_equal(parse(cfg, err, trace), 0);
	assert_int_equal(cfg->alternate, ALT_TRACE);
	assert_true(cfg->prog_stats);
	run_config_free(cfg);
	assert_int_equal(parse(cfg, err, stacks), 0);
	assert_int_equal(cfg->alternate, ALT_STACKS);
	assert_false(cfg->prog_stats);
	run_config_free(cfg);
	assert_int_equal(parse(cfg, err, oncpu), 0);
	assert_int_equal(cfg->alternate, ALT_ONCPU);
	run_config_free(cfg);
	assert_int_equal(parse(cfg, err, none), 0);
	assert_int_equal(cfg->alternate, ALT_NONE);
	run_config_free(cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(cfg, err, bad[i]), -1);
		if (!strstr(err, needles[i]))
			fprintf(stderr, "case %zu: %s\n", i, err);
		assert_non_null(strstr(err, needles[i]));
		run_config_free(cfg);
	}
	free(cfg);
}

static const struct kprog *row(const struct kprog *rows, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].id == id)
			return &rows[i];
	return NULL;
}

static void prog_stats_difference(void **state)
{
	struct prog_snap b[] = {
		{.id = 10,
		 .run_cnt = 100,
		 .run_time_ns = 5000,
		 .name = "sched_switch_bt",
		 .type = "tracing"},
		{.id = 11,
		 .run_cnt = 7,
		 .run_time_ns = 70,
		 .name = "fdb_delete_btf",
		 .type = "tracing"},
		{.id = 20, .run_cnt = 50, .run_time_ns = 900, .name = "peer", .type = "tracepoint"},
		{.id = 21, .run_cnt = 9, .run_time_ns = 90, .name = "idle", .type = "kprobe"},
		{.id = 22, .run_cnt = 900, .run_time_ns = 9000, .name = "gone", .type = "kprobe"},
		{.id = 23, .run_cnt = 500, .run_time_ns = 5000, .name = "old", .type = "kprobe"},
	};
	struct prog_snap a[] = {
		{.id = 10,
		 .run_cnt = 160,
		 .run_time_ns = 8000,
		 .name = "sched_switch_bt",
		 .type = "tracing"},
		{.id = 11,
		 .run_cnt = 7,
		 .run_time_ns = 70,
		 .name = "fdb_delete_btf",
		 .type = "tracing"},
		{.id = 20,
		 .run_cnt = 80,
		 .run_time_ns = 1500,
		 .name = "peer",
		 .type = "tracepoint"},
		{.id = 21, .run_cnt = 9, .run_time_ns = 90, .name = "idle", .type = "kprobe"},
		{.id = 23, .run_cnt = 4, .run_time_ns = 40, .name = "reused", .type = "kprobe"},
		{.id = 30,
		 .run_cnt = 3,
		 .run_time_ns = 30,
		 .name = "new",
		 .type = "raw_tracepoint"},
	};
	struct prog_snaps before = {b, sizeof(b) / sizeof(b[0]), 0};
	struct prog_snaps after = {a, sizeof(a) / sizeof(a[0]), 0};
	struct own_prog own[] = {{10, "sched_switch_btf"}, {11, "fdb_delete_btf"}};
	struct kprog *rows;
	const struct kprog *r;
	size_t n;

	(void)state;
	assert_int_equal(prog_snaps_delta(&before, &after, own, 2, &rows, &n), 0);
	assert_int_equal(n, 5); /* 10, 11 (ours, idle), 20, 23, 30; not 21 (idle), not 22 (gone) */
	r = row(rows, n, 10);
	assert_non_null(r);
	assert_true(r->own);
	assert_string_equal(r->name, "sched_switch_btf"); /* the full name, not the kernel's 15 */
	assert_int_equal(r->run_cnt, 60);
	assert_int_equal(r->run_time_ns, 3000);
	r = row(rows, n, 11);
	assert_non_null(r);
	assert_int_equal(r->run_cnt, 0);
	r = row(rows, n, 20);
	assert_non_null(r);
	assert_false(r->own);
	assert_string_equal(r->type, "tracepoint");
	assert_int_equal(r->run_cnt, 30);
	assert_int_equal(r->run_time_ns, 600);
	r = row(rows, n, 23); /* counters went down: another program got the id, counted from 0 */
	assert_non_null(r);
	assert_int_equal(r->run_cnt, 4);
	r = row(rows, n, 30); /* loaded during the trial */
	assert_non_null(r);
	assert_int_equal(r->run_cnt, 3);
	assert_null(row(rows, n, 21));
	assert_null(row(rows, n, 22));
	free(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(odd_trials_on_even_off),
		cmocka_unit_test(options),
		cmocka_unit_test(prog_stats_difference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
