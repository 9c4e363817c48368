// SPDX-License-Identifier: GPL-2.0-only
#include "model/cell.h"

#include <stdio.h>
#include <string.h>

#include "util/names.h"

static const char *const names[LOAD_COUNT] = {
	[LOAD_NONE] = "none", [LOAD_CPU] = "cpu",	[LOAD_MEM] = "mem",	  [LOAD_IO] = "io",
	[LOAD_HDD] = "hdd",   [LOAD_CUSTOM] = "custom", [LOAD_DEVICE] = "device",
};

const char *load_name(enum load_type t)
{
	return (unsigned)t < LOAD_COUNT ? names[t] : "?";
}

int load_from_name(const char *name)
{
	return name_lookup(names, LOAD_COUNT, name);
}

void cell_init(struct cell *c, enum load_type load, int stressors, int repeat)
{
	memset(c, 0, sizeof(*c));
	c->load = load;
	c->stressors = load == LOAD_NONE ? 0 : stressors;
	c->repeat = repeat;
	if (load == LOAD_NONE)
		snprintf(c->name, sizeof(c->name), "none");
	else
		snprintf(c->name, sizeof(c->name), "%s-%d", names[load], c->stressors);
	if (repeat > 1) {
		size_t n = strlen(c->name);

		snprintf(c->name + n, sizeof(c->name) - n, "#%d", repeat);
	}
}

int cell_is_baseline(const struct cell *c)
{
	return c->load == LOAD_NONE;
}

static int parse_count(const char *s, int *out)
{
	int v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

int cell_parse_name(const char *name, enum load_type *load, int *stressors, int *repeat)
{
	char base[32];
	const char *hash = strchr(name, '#');
	size_t len = hash ? (size_t)(hash - name) : strlen(name);
	int rep = 1, count = 0;

	if (len == 0 || len >= sizeof(base) || (hash && (parse_count(hash + 1, &rep) || rep < 1)))
		return -1;
	memcpy(base, name, len);
	base[len] = '\0';
	char *dash = strrchr(base, '-');

	if (dash) {
		if (parse_count(dash + 1, &count) || count < 1)
			return -1;
		*dash = '\0';
	}
	int t = load_from_name(base);

	if (t < 0 || (t == LOAD_NONE) != !dash)
		return -1;
	*load = (enum load_type)t;
	*stressors = count;
	*repeat = rep;
	return 0;
}

int cells_matrix(const enum load_type *loads, int n_loads, int max_stressors, struct cell *out,
		 int max_cells)
{
	int n = 0;

	if (n_loads < 1 || max_stressors < 1 || n_loads * (max_stressors + 1) + 1 > max_cells)
		return -1;
	cell_init(&out[n++], LOAD_NONE, 0, 1);
	for (int l = 0; l < n_loads; l++) {
		if (loads[l] == LOAD_NONE || (unsigned)loads[l] >= LOAD_COUNT)
			return -1;
		for (int s = 1; s <= max_stressors; s++)
			cell_init(&out[n++], loads[l], s, 0);
		cell_init(&out[n++], LOAD_NONE, 0, l + 2);
	}
	return n;
}
