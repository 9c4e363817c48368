// SPDX-License-Identifier: GPL-2.0-only
/* From --load, --stressors, --matrix, --quick and --stress-args to the cells of a run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

struct cells_ctx {
	const struct cell_options *co;
	struct run_config *cfg;
	char *err;
	size_t errlen;
};

static int split_words(const char *text, char **argv, int max)
{
	int n = 0;
	const char *p = text;

	while (*p) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		size_t len = strcspn(p, " \t");

		if (n == max)
			return -1;
		argv[n++] = strndup(p, len);
		p += len;
	}
	return n;
}

/* --stress-args split into the configuration's words. 0, or -1 with c->err. */
static int split_stress_args(struct cells_ctx *c)
{
	struct run_config *cfg = c->cfg;

	cfg->n_stress_args = split_words(c->co->stress_args, cfg->stress_args, CONFIG_MAX_ARGS);
	if (cfg->n_stress_args > 0)
		return 0;
	snprintf(c->err, c->errlen, "--stress-args: give 1 to %d words", CONFIG_MAX_ARGS);
	return -1;
}

/* --load for --matrix: a comma-separated list of distinct loads other than none. */
static int parse_load_list(struct cells_ctx *c, enum load_type *loads, int *n)
{
	const char *p = c->co->load;

	*n = 0;
	if (!p) {
		static const enum load_type paper[] = {LOAD_CPU, LOAD_MEM, LOAD_IO, LOAD_HDD};

		for (size_t i = 0; i < sizeof(paper) / sizeof(paper[0]); i++)
			loads[(*n)++] = paper[i];
		return 0;
	}
	while (*p) {
		char name[16];
		size_t len = strcspn(p, ",");
		int t;

		snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : 0), p);
		t = load_from_name(name);
		if (t < 0 || t == LOAD_NONE || t == LOAD_DEVICE) {
			snprintf(c->err, c->errlen,
				 "--matrix --load '%.100s': give a list of cpu, mem, io, hdd or "
				 "custom "
				 "(the baseline is always run)",
				 c->co->load);
			return -1;
		}
		for (int i = 0; i < *n; i++)
			if (loads[i] == (enum load_type)t) {
				snprintf(c->err, c->errlen, "--load '%.100s' names %s twice",
					 c->co->load, name);
				return -1;
			}
		loads[(*n)++] = (enum load_type)t;
		p += len;
		if (*p == ',' && *++p == '\0') {
			snprintf(c->err, c->errlen, "--load '%.100s' ends with a comma",
				 c->co->load);
			return -1;
		}
	}
	return 0;
}

static int matrix_cells(struct cells_ctx *c)
{
	struct run_config *cfg = c->cfg;
	enum load_type loads[LOAD_COUNT];
	int n_loads, max = c->co->stressors ? c->co->stressors : c->co->quick ? 2 : 4, n;

	if (parse_load_list(c, loads, &n_loads))
		return -1;
	for (int i = 0; i < n_loads; i++)
		if ((loads[i] == LOAD_CUSTOM) != (c->co->stress_args != NULL)) {
			snprintf(c->err, c->errlen, "--load custom and --stress-args go together");
			return -1;
		}
	if (c->co->stress_args && split_stress_args(c))
		return -1;
	n = cells_matrix(loads, n_loads, max, cfg->cells, CONFIG_MAX_CELLS);
	if (n < 0) {
		snprintf(c->err, c->errlen,
			 "--matrix with %d loads and up to %d stressors makes %d cells, more than "
			 "%d: give fewer --stressors",
			 n_loads, max, n_loads * (max + 1) + 1, CONFIG_MAX_CELLS);
		return -1;
	}
	cfg->n_cells = n;
	cfg->matrix = true;
	return 0;
}

/* One cell, from --load and --stressors. */
static int single_cell(struct cells_ctx *c)
{
	struct run_config *cfg = c->cfg;
	int load = LOAD_NONE;

	if (c->co->load && strchr(c->co->load, ',')) {
		snprintf(c->err, c->errlen, "a list of loads ('%.100s') needs --matrix",
			 c->co->load);
		return -1;
	}
	if (c->co->load) {
		load = load_from_name(c->co->load);
		if (load < 0 || load == LOAD_DEVICE) {
			snprintf(c->err, c->errlen,
				 "unknown load '%.50s': use none, cpu, mem, io, hdd or custom",
				 c->co->load);
			return -1;
		}
	}
	if (c->co->stress_args) {
		if (c->co->load && load != LOAD_CUSTOM) {
			snprintf(c->err, c->errlen, "--stress-args goes with --load custom");
			return -1;
		}
		load = LOAD_CUSTOM;
		if (split_stress_args(c))
			return -1;
	} else if (load == LOAD_CUSTOM) {
		snprintf(c->err, c->errlen, "--load custom needs --stress-args");
		return -1;
	}
	if (c->co->stressors && load == LOAD_NONE) {
		snprintf(c->err, c->errlen, "--stressors needs a --load other than none");
		return -1;
	}
	cell_init(&cfg->cells[0], load, c->co->stressors ? c->co->stressors : 1, 0);
	cfg->n_cells = 1;
	return 0;
}

int run_cells_from_options(const struct cell_options *co, struct run_config *cfg, char *err,
			   size_t errlen)
{
	struct cells_ctx c = {co, cfg, err, errlen};

	return co->matrix ? matrix_cells(&c) : single_cell(&c);
}
