#include "model/cell.h"

#include <stdio.h>
#include <string.h>

#include "util/names.h"

static const char *const names[LOAD_COUNT] = {
	[LOAD_NONE] = "none", [LOAD_CPU] = "cpu", [LOAD_MEM] = "mem",
	[LOAD_IO] = "io",     [LOAD_HDD] = "hdd", [LOAD_CUSTOM] = "custom",
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
