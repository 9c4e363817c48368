// SPDX-License-Identifier: GPL-2.0-only
/*
 * Go pclntabs: parsed as a table and searched for inside data; every function's range and
 * name, and addresses around them, looked up. A name found lies inside the bytes and ends
 * there; the function found for an address holds it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/gopclntab.h"

/* Functions visited per table, spread over it. */
#define VISITS 256

static void check_name(const struct gopcln *t, const char *name)
{
	const uint8_t *p = (const uint8_t *)name;

	if (!name)
		return;
	if (p < t->data || p >= t->data + t->len ||
	    !memchr(p, '\0', t->len - (size_t)(p - t->data)))
		abort();
}

static void look(const struct gopcln *t, uint64_t pc)
{
	uint64_t entry = 0, lo, hi;
	long i = gopcln_find(t, pc);
	const char *name = gopcln_lookup(t, pc, &entry);

	check_name(t, name);
	if (i < 0) {
		if (name)
			abort();
		return;
	}
	gopcln_range(t, (size_t)i, &lo, &hi);
	if (pc < lo || pc >= hi || (name && entry != lo))
		abort();
}

static void walk(const struct gopcln *t)
{
	size_t step = t->nfunc > VISITS ? t->nfunc / VISITS : 1;

	for (size_t i = 0; i < t->nfunc; i += step) {
		uint64_t lo, hi;
		size_t off, len;

		gopcln_range(t, i, &lo, &hi);
		if (hi < lo)
			abort();
		if (gopcln_name_offset(t, i, &off, &len) == 0 &&
		    (off >= t->len || len == 0 || len >= t->len - off || t->data[off + len]))
			abort();
		look(t, lo - 1);
		look(t, lo);
		look(t, lo + (hi - lo) / 2);
		look(t, hi);
	}
	look(t, 0);
	look(t, UINT64_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact copy, so that reading one byte past the end is caught. */
	uint8_t *copy = malloc(size ? size : 1);
	struct gopcln t;
	size_t at;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (gopcln_parse(&t, copy, size, 0x401000) == 0)
		walk(&t);
	if (gopcln_locate(copy, size, 0, 0, 0, &t, &at) == 0) {
		if (at >= size || t.data != copy + at)
			abort();
		walk(&t);
	}
	if (gopcln_locate(copy, size, 0x401000, 0x400000, 0x800000, &t, &at) == 0)
		walk(&t);
	free(copy);
	return 0;
}
