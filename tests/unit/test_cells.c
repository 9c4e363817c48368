// SPDX-License-Identifier: GPL-2.0-only
/* The matrix of cells: its order, its names read back, and the options that make it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/cli.h"
#include "model/cell.h"

static void matrix_order_brackets_each_load(void **state)
{
	const enum load_type loads[] = {LOAD_CPU, LOAD_HDD};
	const char *const want[] = {"none",  "cpu-1", "cpu-2", "cpu-3", "none#2",
				    "hdd-1", "hdd-2", "hdd-3", "none#3"};
	struct cell cells[CONFIG_MAX_CELLS];
	int n;

	(void)state;
	n = cells_matrix(loads, 2, 3, cells, CONFIG_MAX_CELLS);
	assert_int_equal(n, 9);
	for (int i = 0; i < n; i++)
		assert_string_equal(cells[i].name, want[i]);
	assert_int_equal(cells[0].repeat, 1);
	assert_int_equal(cells[8].repeat, 3);
	assert_int_equal(cells[3].stressors, 3);
	assert_true(cell_is_baseline(&cells[4]) && !cell_is_baseline(&cells[5]));
	/* Every load block has a baseline right before and right after it. */
	for (int i = 0; i < n; i++)
		if (!cell_is_baseline(&cells[i])) {
			int b = i, a = i;

			while (b >= 0 && !cell_is_baseline(&cells[b]))
				b--;
			while (a < n && !cell_is_baseline(&cells[a]))
				a++;
			assert_true(b >= 0 && a < n);
		}
}

static void matrix_limits(void **state)
{
	const enum load_type four[] = {LOAD_CPU, LOAD_MEM, LOAD_IO, LOAD_HDD};
	const enum load_type none[] = {LOAD_NONE};
	struct cell cells[CONFIG_MAX_CELLS];

	(void)state;
	assert_int_equal(cells_matrix(four, 4, 4, cells, CONFIG_MAX_CELLS), 21);
	assert_int_equal(cells_matrix(four, 4, 14, cells, CONFIG_MAX_CELLS), 61);
	assert_int_equal(cells_matrix(four, 4, 15, cells, CONFIG_MAX_CELLS), -1); /* 65 cells */
	assert_int_equal(cells_matrix(four, 4, 16, cells, CONFIG_MAX_CELLS), -1);
	assert_int_equal(cells_matrix(none, 1, 2, cells, CONFIG_MAX_CELLS), -1);
	assert_int_equal(cells_matrix(four, 0, 2, cells, CONFIG_MAX_CELLS), -1);
}

static void names_read_back(void **state)
{
	enum load_type l;
	int s, r;

	(void)state;
	assert_int_equal(cell_parse_name("none", &l, &s, &r), 0);
	assert_true(l == LOAD_NONE && s == 0 && r == 1);
	assert_int_equal(cell_parse_name("none#3", &l, &s, &r), 0);
	assert_true(l == LOAD_NONE && r == 3);
	assert_int_equal(cell_parse_name("hdd-2", &l, &s, &r), 0);
	assert_true(l == LOAD_HDD && s == 2 && r == 1);
	assert_int_equal(cell_parse_name("custom-12#2", &l, &s, &r), 0);
	assert_true(l == LOAD_CUSTOM && s == 12 && r == 2);
	assert_int_equal(cell_parse_name("hdd", &l, &s, &r), -1);
	assert_int_equal(cell_parse_name("none-1", &l, &s, &r), -1);
	assert_int_equal(cell_parse_name("disk-1", &l, &s, &r), -1);
	assert_int_equal(cell_parse_name("cpu-", &l, &s, &r), -1);
	assert_int_equal(cell_parse_name("cpu-1#", &l, &s, &r), -1);
	assert_int_equal(cell_parse_name("cpu-1#0", &l, &s, &r), -1);
	assert_int_equal(cell_parse_name("", &l, &s, &r), -1);
	/* Every name cell_init makes reads back to the same cell. */
	for (int t = LOAD_NONE; t < LOAD_COUNT; t++)
		for (int k = 1; k <= 3; k++) {
			struct cell c;

			cell_init(&c, (enum load_type)t, k, t == LOAD_NONE ? k : 0);
			assert_int_equal(cell_parse_name(c.name, &l, &s, &r), 0);
			assert_int_equal(l, t);
			assert_int_equal(s, c.stressors);
		}
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

static void options_make_the_matrix(void **state)
{
	struct run_config *cfg = calloc(1, sizeof(*cfg));
	char err[256];
	const char *paper[] = {"--matrix", NULL};
	const char *quick[] = {"--matrix", "--quick",  "--load", "cpu,hdd", "--stressors",
			       "1",	   "--settle", "1",	 NULL};
	const char *quick_default[] = {"--matrix", "--quick", NULL};

	(void)state;
	setenv("DOCKER_HOST", "unix:///tmp/rp-test-none.sock", 1);
	assert_int_equal(parse(cfg, err, paper), 0);
	assert_true(cfg->matrix);
	assert_int_equal(cfg->n_cells, 21); /* 4 loads x 4 stressors + 5 baselines */
	assert_int_equal(cfg->trials, 100);
	assert_string_equal(cfg->cells[1].name, "cpu-1");
	assert_string_equal(cfg->cells[20].name, "none#5");
	run_config_free(cfg);
	assert_int_equal(parse(cfg, err, quick), 0);
	assert_int_equal(cfg->n_cells, 5);
	assert_int_equal(cfg->trials, 5);
	assert_true(cfg->load_settle_ns == 1000000000LL); /* --settle wins over --quick */
	assert_string_equal(cfg->cells[3].name, "hdd-1");
	run_config_free(cfg);
	assert_int_equal(parse(cfg, err, quick_default), 0);
	assert_int_equal(cfg->n_cells, 13); /* 4 loads x 2 stressors + 5 baselines */
	run_config_free(cfg);
	free(cfg);
}

static void bad_matrix_options(void **state)
{
	struct run_config *cfg = calloc(1, sizeof(*cfg));
	char err[256];
	const char *list_without_matrix[] = {"--load", "cpu,hdd", NULL};
	const char *none_in_list[] = {"--matrix", "--load", "none,cpu", NULL};
	const char *twice[] = {"--matrix", "--load", "cpu,cpu", NULL};
	const char *trailing[] = {"--matrix", "--load", "cpu,", NULL};
	const char *unknown[] = {"--matrix", "--load", "cpu,disk", NULL};
	const char *too_big[] = {"--matrix", "--stressors", "16", NULL};
	const char *custom_no_args[] = {"--matrix", "--load", "custom", NULL};
	const char *const *bad[] = {
		list_without_matrix, none_in_list, twice, trailing, unknown, too_big,
		custom_no_args};
	const char *const needles[] = {
		"needs --matrix", "baseline is always run", "twice",	  "ends with a comma",
		"cpu,disk",	  "more than 64",	    "go together"};

	(void)state;
	setenv("DOCKER_HOST", "unix:///tmp/rp-test-none.sock", 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(cfg, err, bad[i]), -1);
		if (!strstr(err, needles[i]))
			fprintf(stderr, "case %zu: %s\n", i, err);
		assert_non_null(strstr(err, needles[i]));
		run_config_free(cfg);
	}
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(matrix_order_brackets_each_load),
		cmocka_unit_test(matrix_limits),
		cmocka_unit_test(names_read_back),
		cmocka_unit_test(options_make_the_matrix),
		cmocka_unit_test(bad_matrix_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
