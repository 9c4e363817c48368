// SPDX-License-Identifier: GPL-2.0-only
/*
 * /proc/kallsyms texts: the compact symbol table, look-ups and stacks folded with it, each
 * look-up checked against a plain scan of the text (the last function symbol at or below the
 * address; at one address the global one, else the first listed).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model/ksyms.h"

static const uint64_t ip[] = {
	0, 1, 0xffffffff81000000, 0xffffffff81234567, 0xffffffffc0000000, UINT64_MAX};
#define N_IP ((int)(sizeof(ip) / sizeof(ip[0])))

struct scanned {
	uint64_t addr;
	bool global;
	const char *name;
	size_t len;
};

/* The same lines the table takes: "ADDR TYPE NAME", 1-16 hex digits, a name of at most
 * KSYM_NAME_LEN bytes up to a space, tab or NUL, type t, T, w or W, a non-zero address. */
static bool scan_line(const char *p, const char *end, struct scanned *s)
{
	const char *digits = p;

	s->addr = 0;
	for (; p < end && strchr("0123456789abcdefABCDEF", *p) && *p; p++)
		s->addr = s->addr << 4 | (uint64_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
	if (p == digits || p - digits > 16 || end - p < 3 || p[0] != ' ' || p[2] != ' ' || !p[1] ||
	    !strchr("tTwW", p[1]))
		return false;
	s->global = p[1] == 'T' || p[1] == 'W';
	s->name = p + 3;
	for (p += 3; p < end && *p != ' ' && *p != '\t' && *p; p++)
		;
	s->len = (size_t)(p - s->name);
	return s->addr && s->len && s->len <= KSYM_NAME_LEN;
}

static bool better(const struct scanned *cand, const struct scanned *best, uint64_t at)
{
	if (cand->addr > at)
		return false;
	if (!best->name || cand->addr > best->addr)
		return true;
	return cand->addr == best->addr && cand->global && !best->global;
}

/* The holding symbol by a scan of every line, and the highest address listed. */
static void scan_lookup(const char *text, size_t len, uint64_t at, struct scanned *best,
			uint64_t *highest)
{
	const char *p = text, *end = text + len;
	struct scanned s;

	memset(best, 0, sizeof(*best));
	*highest = 0;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		if (scan_line(p, eol, &s)) {
			if (s.addr > *highest)
				*highest = s.addr;
			if (better(&s, best, at))
				*best = s;
		}
		p = eol + 1;
	}
}

static void check_lookup(const struct ksyms *ks, const char *text, size_t len, uint64_t at)
{
	char name[KSYM_NAME_SIZE];
	uint64_t off = 0, highest;
	const char *got = ksyms_lookup(ks, at, &off, name);
	struct scanned want;

	scan_lookup(text, len, at, &want, &highest);
	/* Past the last symbol, only so far (LAST_SYMBOL_SPAN in ksyms.c). */
	if (want.name && want.addr == highest && at - want.addr > (4u << 20))
		want.name = NULL;
	if (!got != !want.name)
		abort();
	if (got &&
	    (strlen(got) != want.len || memcmp(got, want.name, want.len) || off != at - want.addr))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct ksyms *ks;
	char out[512];

	if (ksyms_parse(text, size, &ks))
		return 0;
	for (int i = 0; i < N_IP; i++)
		check_lookup(ks, text, size, ip[i]);
	ksyms_fold(ks, ip, N_IP, out, sizeof(out));
	ksyms_fold(ks, ip, 3, out, 8);
	ksyms_free(ks);
	return 0;
}
