// SPDX-License-Identifier: GPL-2.0-only
/*
 * Go's pclntab, the function table every Go binary carries, read from its bytes: which
 * function holds a program counter, and its name. Pure: the bytes come in (a .gopclntab
 * section, or a data section the table hides in), nothing is read here.
 *
 * Layouts: Go 1.16/1.17 (magic 0xfffffffa), 1.18/1.19 (0xfffffff0), 1.20 and later
 * (0xfffffff1); pointers of 4 or 8 bytes, little endian. Every offset is checked against the
 * length given: a corrupt or truncated table is refused, never read past its end.
 */
#ifndef RP_MODEL_GOPCLNTAB_H
#define RP_MODEL_GOPCLNTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum gopcln_layout {
	GOPCLN_NONE = 0,
	GOPCLN_116, /* entries are addresses */
	GOPCLN_118, /* entries are 32-bit offsets from the text start */
	GOPCLN_120, /* as 1.18, another magic */
};

/* A table checked by gopcln_parse; data points into the caller's bytes. */
struct gopcln {
	const uint8_t *data;
	size_t len;
	enum gopcln_layout layout;
	unsigned ptr_size, quantum;
	size_t nfunc;
	uint64_t text_start; /* 1.18+: what entry offsets are added to */
	size_t funcnames;    /* offset of the function names */
	size_t functab;	     /* offset of the function table (and of what funcoffs count from) */
};

/*
 * Checks the header and the whole function table of the bytes at data (len of them): known
 * magic, pad bytes 0, quantum 1, 2 or 4, pointers of 4 or 8 bytes, at least one function,
 * every offset inside the bytes, entries in order, each function's record in range, and a
 * sample of the records (all in a small table) naming their row's entry. For
 * 1.18+, text_start is used when the header's own is 0 (a position-independent binary
 * whose relocation was not written in place). 0, or -EINVAL.
 */
int gopcln_parse(struct gopcln *t, const void *data, size_t len, uint64_t text_start);

/* Function i's address range [entry, end), i < nfunc. */
void gopcln_range(const struct gopcln *t, size_t i, uint64_t *entry, uint64_t *end);

/*
 * The offset in the table's bytes of function i's name (NUL-terminated inside the bytes),
 * its length in *name_len (may be NULL); 0, or -EINVAL when its record is corrupt (another
 * function's entry, a name out of range).
 */
int gopcln_name_offset(const struct gopcln *t, size_t i, size_t *off, size_t *name_len);

/*
 * Function i's record: its offset in the bytes (in range, checked on parse); the name's
 * offset from funcnames is the int32 at gopcln_name_field bytes into it. For a reader that
 * reads names elsewhere than from these bytes.
 */
size_t gopcln_record(const struct gopcln *t, size_t i);
size_t gopcln_name_field(const struct gopcln *t);

/* The index of the function holding pc, or -1. */
long gopcln_find(const struct gopcln *t, uint64_t pc);

/* The name of the function holding pc (pointing into the table's bytes), its entry in
 * *entry (may be NULL); NULL when no function holds pc or its record is corrupt. */
const char *gopcln_lookup(const struct gopcln *t, uint64_t pc, uint64_t *entry);

/*
 * Finds a table inside a data section's bytes: the first 4-byte aligned header that
 * gopcln_parse accepts (the table runs at most to the end of the bytes) and, when
 * text_hi > text_lo, whose functions all lie in [text_lo, text_hi). A bounded number of
 * candidates is tried. *at receives its offset in data. 0, or -ENOENT.
 */
int gopcln_locate(const void *data, size_t len, uint64_t text_start, uint64_t text_lo,
		  uint64_t text_hi, struct gopcln *t, size_t *at);

/* Headers that look right but fail the full check, tried before a search gives up. */
#define GOPCLN_LOCATE_TRIES 64

/* The search in two steps, for a caller that reads a section piece by piece: does a header
 * start at p (8 bytes readable), and is the table at data (len bytes to the end) the one? */
bool gopcln_header_at(const uint8_t *p);
int gopcln_candidate(const void *data, size_t len, uint64_t text_start, uint64_t text_lo,
		     uint64_t text_hi, struct gopcln *t);

/* "1.16", "1.18", "1.20", or NULL for GOPCLN_NONE. */
const char *gopcln_layout_name(enum gopcln_layout l);

#endif
