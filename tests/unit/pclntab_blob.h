// SPDX-License-Identifier: GPL-2.0-only
/* Synthetic Go pclntabs for the tests: each layout, either pointer size, little endian. */
#ifndef RP_TESTS_PCLNTAB_BLOB_H
#define RP_TESTS_PCLNTAB_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model/gopclntab.h"

/* A function: its entry as an offset from the text start, and its name. */
struct pcln_fn {
	uint32_t off;
	const char *name;
};

static inline void blob_put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t blob_magic(enum gopcln_layout l)
{
	return l == GOPCLN_116 ? 0xfffffffau : l == GOPCLN_118 ? 0xfffffff0u : 0xfffffff1u;
}

/*
 * Writes a table of layout l with pointers of ptr bytes into out (cap bytes): functions
 * fns[0..n) at text + off, the last one ending at text + end; the header carries the text
 * start (1.18+) when header_text. Laid out as Go's linker does: header, names, the function
 * table (n rows and the end), then each function's record (entry, name offset), the last
 * record ending the table. Its length, or 0 when cap is too small.
 */
static inline size_t pcln_blob(uint8_t *out, size_t cap, enum gopcln_layout l, unsigned ptr,
			       uint64_t text, const struct pcln_fn *fns, size_t n, uint32_t end,
			       bool header_text)
{
	bool old = l == GOPCLN_116;
	size_t hdr = 8 + (old ? 7 : 8) * ptr, at = hdr, names = hdr, ftab, row = old ? 2 * ptr : 8;
	size_t rec_size = (old ? ptr : 4) + 4, name_off[64], recs;
	unsigned w = old ? ptr : 4; /* bytes of an entry in rows and records */

	if (n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		name_off[i] = at - names;
		at += strlen(fns[i].name) + 1;
	}
	ftab = (at + ptr - 1) / ptr * ptr;
	recs = ftab + n * row + (old ? ptr : 4);
	if (recs + n * rec_size > cap)
		return 0;
	memset(out, 0, recs + n * rec_size);
	for (size_t i = 0; i < n; i++)
		memcpy(out + names + name_off[i], fns[i].name, strlen(fns[i].name) + 1);
	blob_put(out, blob_magic(l), 4);
	out[6] = ptr == 4 ? 4 : 1; /* arm's quantum is 4, amd64's 1 */
	out[7] = (uint8_t)ptr;
	blob_put(out + 8, n, ptr);
	blob_put(out + 8 + (old ? 2 : 3) * ptr, names, ptr);
	for (int k = old ? 3 : 4; k <= (old ? 5 : 6); k++)
		blob_put(out + 8 + k * ptr, at, ptr); /* cutab, filetab, pctab: empty here */
	blob_put(out + 8 + (old ? 6 : 7) * ptr, ftab, ptr);
	if (!old && header_text)
		blob_put(out + 8 + 2 * ptr, text, ptr);
	for (size_t i = 0; i <= n; i++) {
		uint64_t entry = (i < n ? fns[i].off : end) + (old ? text : 0);
		size_t rec = recs + i * rec_size;

		blob_put(out + ftab + i * row, entry, w);
		if (i == n)
			break;
		blob_put(out + ftab + i * row + w, rec - ftab, w);
		blob_put(out + rec, entry, w);
		blob_put(out + rec + w, name_off[i], 4);
	}
	return recs + n * rec_size;
}

#endif
