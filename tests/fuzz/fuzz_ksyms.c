// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/kallsyms texts: the symbol table, look-ups and stacks folded with it; and the table
 * that keeps addresses only and reads the names a stack wants in a second pass, which must
 * name every address exactly as the full table does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/ksyms.h"

static const uint64_t ip[] = {
	0, 1, 0xffffffff81000000, 0xffffffff81234567, 0xffffffffc0000000, UINT64_MAX};
#define N_IP ((int)(sizeof(ip) / sizeof(ip[0])))

static int each_line(const char *text, size_t len, struct ksyms *ks,
		     int (*fn)(struct ksyms *, const char *, size_t))
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		if (fn(ks, p, (size_t)(eol - p)))
			return -1;
		p = eol + 1;
	}
	return 0;
}

static struct ksyms *lazy_table(const char *text, size_t len)
{
	struct ksyms *ks = ksyms_new(true);

	if (!ks || each_line(text, len, ks, ksyms_add_line)) {
		ksyms_free(ks);
		return NULL;
	}
	ksyms_finish(ks);
	if (ksyms_want(ks, ip, N_IP) && each_line(text, len, ks, ksyms_name_line)) {
		ksyms_free(ks);
		return NULL;
	}
	ksyms_names_done(ks);
	return ks;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ksyms *ks, *lazy;
	char out[512], lazy_out[512];

	if (ksyms_parse((const char *)data, size, &ks))
		return 0;
	lazy = lazy_table((const char *)data, size);
	for (int i = 0; i < N_IP; i++) {
		uint64_t off = 0, lazy_off = 0;
		const char *name = ksyms_lookup(ks, ip[i], &off);
		const char *lazy_name = ksyms_lookup(lazy, ip[i], &lazy_off);

		if (lazy &&
		    ((!name != !lazy_name) || (name && strcmp(name, lazy_name)) || off != lazy_off))
			abort();
	}
	ksyms_fold(ks, ip, N_IP, out, sizeof(out));
	if (lazy && (ksyms_fold(lazy, ip, N_IP, lazy_out, sizeof(lazy_out)) !=
			     ksyms_fold(ks, ip, N_IP, out, sizeof(out)) ||
		     strcmp(out, lazy_out)))
		abort();
	ksyms_fold(ks, ip, 3, out, 8);
	ksyms_free(ks);
	ksyms_free(lazy);
	return 0;
}
