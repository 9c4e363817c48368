// SPDX-License-Identifier: GPL-2.0-only
/* Go's pclntab: header and function table checked, functions found by address. */
#include "model/gopclntab.h"

#include <errno.h>
#include <string.h>

#define MAGIC_116 0xfffffffau
#define MAGIC_118 0xfffffff0u
#define MAGIC_120 0xfffffff1u

/* Records checked against their rows on parse, spread over the table (a lookup checks its
 * own): reading them all would touch megabytes of a large binary for nothing. */
#define RECORD_SAMPLES 256

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* A pointer-sized word at off (the caller checked it is inside the bytes). */
static uint64_t rdptr(const struct gopcln *t, size_t off)
{
	return t->ptr_size == 8 ? rd64(t->data + off) : rd32(t->data + off);
}

static enum gopcln_layout layout_of(uint32_t magic)
{
	switch (magic) {
	case MAGIC_116:
		return GOPCLN_116;
	case MAGIC_118:
		return GOPCLN_118;
	case MAGIC_120:
		return GOPCLN_120;
	default:
		return GOPCLN_NONE;
	}
}

/* The 8 bytes every layout starts with: magic, two zero pads, quantum, pointer size. */
static enum gopcln_layout header_ok(const uint8_t *p)
{
	if (p[4] || p[5] || (p[6] != 1 && p[6] != 2 && p[6] != 4) || (p[7] != 4 && p[7] != 8))
		return GOPCLN_NONE;
	return layout_of(rd32(p));
}

/* Bytes of one function table row: (entry, funcoff) as two pointers, or two uint32s. */
static size_t row_size(const struct gopcln *t)
{
	return t->layout == GOPCLN_116 ? 2u * t->ptr_size : 8u;
}

/* Bytes after the last row: the end address alone. */
static size_t tail_size(const struct gopcln *t)
{
	return t->layout == GOPCLN_116 ? t->ptr_size : 4u;
}

/* Bytes of a function record the parser reads: its entry, then its name's offset. */
static size_t record_size(const struct gopcln *t)
{
	return (t->layout == GOPCLN_116 ? t->ptr_size : 4u) + 4u;
}

/* Row i's entry address, i <= nfunc (row nfunc is the end of the last function). */
static uint64_t row_entry(const struct gopcln *t, size_t i)
{
	size_t at = t->functab + i * row_size(t);

	if (t->layout == GOPCLN_116)
		return rdptr(t, at);
	return t->text_start + rd32(t->data + at);
}

/* Row i's record offset, relative to the function table. */
static uint64_t row_funcoff(const struct gopcln *t, size_t i)
{
	size_t at = t->functab + i * row_size(t);

	if (t->layout == GOPCLN_116)
		return rdptr(t, at + t->ptr_size);
	return rd32(t->data + at + 4);
}

/* The entry address a function's record holds (checked in range by check_rows). */
static uint64_t record_entry(const struct gopcln *t, size_t rec)
{
	if (t->layout == GOPCLN_116)
		return rdptr(t, rec);
	return t->text_start + rd32(t->data + rec);
}

/* Entries in order, every record inside the bytes, a sample naming the same entry as its row. */
static int check_rows(const struct gopcln *t)
{
	size_t room = t->len - t->functab, rec = record_size(t);
	size_t step = t->nfunc > RECORD_SAMPLES ? t->nfunc / RECORD_SAMPLES : 1;
	uint64_t prev = 0;

	for (size_t i = 0; i <= t->nfunc; i++) {
		uint64_t entry = row_entry(t, i), off;

		if (entry < prev)
			return -EINVAL;
		prev = entry;
		if (i == t->nfunc)
			break;
		off = row_funcoff(t, i);
		if (off > room || room - off < rec)
			return -EINVAL;
		if ((i % step == 0 || i == t->nfunc - 1) &&
		    record_entry(t, t->functab + (size_t)off) != entry)
			return -EINVAL;
	}
	return prev > row_entry(t, 0) ? 0 : -EINVAL;
}

/* Reads the header's counts and offsets; the caller has checked its first 8 bytes. */
static int read_header(struct gopcln *t, uint64_t text_start)
{
	size_t p = t->ptr_size, hdr = 8 + (t->layout == GOPCLN_116 ? 7 : 8) * p;
	uint64_t nfunc, names, ftab, room;

	if (t->len < hdr)
		return -EINVAL;
	nfunc = rdptr(t, 8);
	if (t->layout == GOPCLN_116) {
		names = rdptr(t, 8 + 2 * p);
		ftab = rdptr(t, 8 + 6 * p);
	} else {
		uint64_t own = rdptr(t, 8 + 2 * p);

		t->text_start = own ? own : text_start;
		if (t->text_start > UINT64_MAX - UINT32_MAX)
			return -EINVAL;
		names = rdptr(t, 8 + 3 * p);
		ftab = rdptr(t, 8 + 7 * p);
	}
	if (names < hdr || names >= t->len || ftab < hdr || ftab >= t->len)
		return -EINVAL;
	t->funcnames = (size_t)names;
	t->functab = (size_t)ftab;
	room = t->len - t->functab;
	if (nfunc == 0 || room < tail_size(t) || nfunc > (room - tail_size(t)) / row_size(t))
		return -EINVAL;
	t->nfunc = (size_t)nfunc;
	return 0;
}

int gopcln_parse(struct gopcln *t, const void *data, size_t len, uint64_t text_start)
{
	memset(t, 0, sizeof(*t));
	if (!data || len < 8)
		return -EINVAL;
	t->data = data;
	t->len = len;
	t->layout = header_ok(t->data);
	t->quantum = t->data[6];
	t->ptr_size = t->data[7];
	if (t->layout == GOPCLN_NONE || read_header(t, text_start) || check_rows(t)) {
		memset(t, 0, sizeof(*t));
		return -EINVAL;
	}
	return 0;
}

void gopcln_range(const struct gopcln *t, size_t i, uint64_t *entry, uint64_t *end)
{
	*entry = row_entry(t, i);
	*end = row_entry(t, i + 1);
}

size_t gopcln_record(const struct gopcln *t, size_t i)
{
	return t->functab + (size_t)row_funcoff(t, i);
}

size_t gopcln_name_field(const struct gopcln *t)
{
	return t->layout == GOPCLN_116 ? t->ptr_size : 4u;
}

int gopcln_name_offset(const struct gopcln *t, size_t i, size_t *off, size_t *name_len)
{
	size_t rec = gopcln_record(t, i);
	uint32_t raw = rd32(t->data + rec + gopcln_name_field(t));
	const uint8_t *nul;

	/* A record for another function is corrupt, and so is a negative int32 or a name
	 * running past the bytes. */
	if (record_entry(t, rec) != row_entry(t, i) || raw > INT32_MAX ||
	    (uint64_t)raw >= t->len - t->funcnames)
		return -EINVAL;
	*off = t->funcnames + raw;
	nul = memchr(t->data + *off, '\0', t->len - *off);
	if (!nul || nul == t->data + *off)
		return -EINVAL;
	if (name_len)
		*name_len = (size_t)(nul - (t->data + *off));
	return 0;
}

long gopcln_find(const struct gopcln *t, uint64_t pc)
{
	size_t lo = 0, hi;

	if (!t->nfunc || pc < row_entry(t, 0) || pc >= row_entry(t, t->nfunc))
		return -1;
	/* The last row whose entry is at or below pc: rows [lo, hi) hold it. */
	hi = t->nfunc;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (row_entry(t, mid) <= pc)
			lo = mid;
		else
			hi = mid;
	}
	return (long)lo;
}

const char *gopcln_lookup(const struct gopcln *t, uint64_t pc, uint64_t *entry)
{
	long i = gopcln_find(t, pc);
	size_t off;

	if (i < 0 || gopcln_name_offset(t, (size_t)i, &off, NULL))
		return NULL;
	if (entry)
		*entry = row_entry(t, (size_t)i);
	return (const char *)t->data + off;
}

/* The table at data accepted, and its functions inside [lo, hi) when that is not empty. */
static int candidate(struct gopcln *t, const uint8_t *data, size_t len, uint64_t text_start,
		     uint64_t lo, uint64_t hi)
{
	if (gopcln_parse(t, data, len, text_start))
		return -EINVAL;
	if (hi > lo && (row_entry(t, 0) < lo || row_entry(t, t->nfunc) > hi)) {
		memset(t, 0, sizeof(*t));
		return -EINVAL;
	}
	return 0;
}

bool gopcln_header_at(const uint8_t *p)
{
	/* The magic's upper three bytes are 0xff in every layout: a cheap first filter. */
	return p[3] == 0xff && header_ok(p) != GOPCLN_NONE;
}

int gopcln_candidate(const void *data, size_t len, uint64_t text_start, uint64_t text_lo,
		     uint64_t text_hi, struct gopcln *t)
{
	memset(t, 0, sizeof(*t));
	return candidate(t, data, len, text_start, text_lo, text_hi);
}

int gopcln_locate(const void *data, size_t len, uint64_t text_start, uint64_t text_lo,
		  uint64_t text_hi, struct gopcln *t, size_t *at)
{
	const uint8_t *p = data;
	int tries = 0;

	memset(t, 0, sizeof(*t));
	if (!p || len < 8)
		return -ENOENT;
	for (size_t off = 0; off <= len - 8 && tries < GOPCLN_LOCATE_TRIES; off += 4) {
		if (!gopcln_header_at(p + off))
			continue;
		tries++;
		if (candidate(t, p + off, len - off, text_start, text_lo, text_hi) == 0) {
			*at = off;
			return 0;
		}
	}
	return -ENOENT;
}

const char *gopcln_layout_name(enum gopcln_layout l)
{
	switch (l) {
	case GOPCLN_116:
		return "1.16";
	case GOPCLN_118:
		return "1.18";
	case GOPCLN_120:
		return "1.20";
	default:
		return NULL;
	}
}
