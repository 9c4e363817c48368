// SPDX-License-Identifier: GPL-2.0-only
/*
 * Go's pclntab: synthetic tables of each layout Go writes (1.16, 1.18, 1.20) with 8- and
 * 4-byte pointers name functions at their first, middle and last byte and nothing outside
 * them; truncated and corrupt tables are refused; a table is found inside a data section.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/gopclntab.h"
#include "unit/pclntab_blob.h"

static const struct pcln_fn fns[] = {
	{0x000, "internal/cpu.Initialize"},
	{0x040, "runtime.mallocgc"},
	{0x100, "main.empty"}, /* no bytes: the next function starts at the same address */
	{0x100, "main.main"},
	{0x180, "github.com/containerd/containerd/v2.(*Client).Pull[...]"},
};
#define N_FNS (sizeof(fns) / sizeof(fns[0]))
#define END   0x1f0u

struct variant {
	enum gopcln_layout layout;
	unsigned ptr;
	uint64_t text;
};

static const struct variant variants[] = {
	{GOPCLN_116, 8, 0x401000},  {GOPCLN_116, 4, 0x11000},	 {GOPCLN_118, 8, 0x401000},
	{GOPCLN_118, 4, 0x11000},   {GOPCLN_120, 8, 0x55d0c000}, {GOPCLN_120, 4, 0x11000},
	{GOPCLN_120, 8, 0x10e97a0},
};
#define N_VARIANTS (sizeof(variants) / sizeof(variants[0]))

/* A table of variant v in a heap block of exactly its size (so ASan sees any over-read). */
static uint8_t *make(const struct variant *v, size_t *len)
{
	uint8_t buf[4096], *copy;

	*len = pcln_blob(buf, sizeof(buf), v->layout, v->ptr, v->text, fns, N_FNS, END, true);
	assert_true(*len > 0);
	copy = malloc(*len);
	assert_non_null(copy);
	memcpy(copy, buf, *len);
	return copy;
}

static void expect(const struct gopcln *t, uint64_t pc, const char *want)
{
	uint64_t entry = 0;
	const char *got = gopcln_lookup(t, pc, &entry);

	if (!want) {
		if (got)
			fail_msg("0x%llx: %s, expected none", (unsigned long long)pc, got);
		return;
	}
	if (!got || strcmp(got, want))
		fail_msg("0x%llx: %s, expected %s", (unsigned long long)pc, got ? got : "(none)",
			 want);
	assert_true(entry <= pc);
}

static void names_at_starts_middles_and_ends(void **state)
{
	(void)state;
	for (size_t k = 0; k < N_VARIANTS; k++) {
		const struct variant *v = &variants[k];
		struct gopcln t;
		size_t len;
		uint8_t *blob = make(v, &len);
		uint64_t x = v->text;

		assert_int_equal(gopcln_parse(&t, blob, len, 0), 0);
		assert_int_equal(t.layout, v->layout);
		assert_int_equal(t.ptr_size, v->ptr);
		assert_int_equal(t.nfunc, N_FNS);
		for (size_t i = 0; i < N_FNS; i++) {
			uint64_t lo = x + fns[i].off,
				 hi = x + (i + 1 < N_FNS ? fns[i + 1].off : END);

			if (hi == lo)
				continue;
			expect(&t, lo, fns[i].name);
			expect(&t, lo + (hi - lo) / 2, fns[i].name);
			expect(&t, hi - 1, fns[i].name);
		}
		expect(&t, x - 1, NULL);
		expect(&t, x + END, NULL);
		expect(&t, x + END + 0x10000, NULL);
		expect(&t, 0, NULL);
		expect(&t, UINT64_MAX, NULL);
		assert_int_equal(gopcln_find(&t, x + 0x100), 3);
		free(blob);
	}
}

static void layout_names(void **state)
{
	(void)state;
	assert_string_equal(gopcln_layout_name(GOPCLN_116), "1.16");
	assert_string_equal(gopcln_layout_name(GOPCLN_118), "1.18");
	assert_string_equal(gopcln_layout_name(GOPCLN_120), "1.20");
	assert_null(gopcln_layout_name(GOPCLN_NONE));
}

/* 1.18+ with no text start in the header (a relocation not written in place): the ELF's. */
static void text_start_from_the_caller(void **state)
{
	uint8_t buf[4096];
	struct gopcln t;
	size_t len;

	(void)state;
	len = pcln_blob(buf, sizeof(buf), GOPCLN_118, 8, 0, fns, N_FNS, END, false);
	assert_int_equal(gopcln_parse(&t, buf, len, 0x7000), 0);
	expect(&t, 0x7040, "runtime.mallocgc");
	/* A header's own text start wins over the caller's. */
	len = pcln_blob(buf, sizeof(buf), GOPCLN_120, 8, 0x9000, fns, N_FNS, END, true);
	assert_int_equal(gopcln_parse(&t, buf, len, 0x7000), 0);
	expect(&t, 0x9040, "runtime.mallocgc");
	expect(&t, 0x7040, NULL);
}

static void truncated_tables_are_refused(void **state)
{
	(void)state;
	for (size_t k = 0; k < N_VARIANTS; k++) {
		size_t len;
		uint8_t *blob = make(&variants[k], &len);

		for (size_t cut = 0; cut < len; cut++) {
			uint8_t *part = malloc(cut ? cut : 1);
			struct gopcln t;

			memcpy(part, blob, cut);
			if (gopcln_parse(&t, part, cut, 0x401000) == 0)
				fail_msg("variant %zu cut at %zu of %zu accepted", k, cut, len);
			free(part);
		}
		free(blob);
	}
}

/* One byte changed at offset at (a field of variant 0's table), expecting a refusal. */
static void refuse_patched(size_t at, uint64_t value, unsigned bytes)
{
	size_t len;
	uint8_t *blob = make(&variants[0], &len);
	struct gopcln t;

	blob_put(blob + at, value, bytes);
	if (gopcln_parse(&t, blob, len, 0) == 0)
		fail_msg("patch at %zu to 0x%llx accepted", at, (unsigned long long)value);
	free(blob);
}

static void corrupt_headers_are_refused(void **state)
{
	(void)state;
	refuse_patched(0, 0xfffffffb, 4); /* Go 1.2's magic: not read here */
	refuse_patched(0, 0x12345678, 4);
	refuse_patched(4, 1, 1);	  /* pad */
	refuse_patched(5, 1, 1);	  /* pad */
	refuse_patched(6, 3, 1);	  /* quantum */
	refuse_patched(7, 2, 1);	  /* pointer size */
	refuse_patched(8, 0, 8);	  /* no function */
	refuse_patched(8, UINT64_MAX, 8); /* more functions than bytes */
	refuse_patched(8, 1ull << 40, 8);
	refuse_patched(8 + 2 * 8, 0, 8);	  /* names before the header's end */
	refuse_patched(8 + 2 * 8, 1ull << 33, 8); /* names past the end */
	refuse_patched(8 + 6 * 8, UINT64_MAX, 8); /* function table past the end */
	refuse_patched(8 + 6 * 8, 3, 8);	  /* function table inside the header */
}

/* Offset of row i's field f (0 entry, 1 funcoff) in variant 0's table (1.16, 8 bytes). */
static size_t row_field(const uint8_t *blob, size_t i, int f)
{
	uint64_t ftab = 0;

	for (int b = 7; b >= 0; b--)
		ftab = ftab << 8 | blob[8 + 6 * 8 + b];
	return (size_t)ftab + i * 16 + (size_t)f * 8;
}

static void corrupt_function_tables_are_refused(void **state)
{
	size_t len;
	uint8_t *blob = make(&variants[0], &len);
	struct gopcln t;

	(void)state;
	/* Entries out of order. */
	refuse_patched(row_field(blob, 1, 0), 0x400000, 8);
	refuse_patched(row_field(blob, N_FNS, 0), 0x401000, 8);
	/* A record past the end, at the very end, or naming another entry. */
	refuse_patched(row_field(blob, 2, 1), UINT64_MAX - 3, 8);
	refuse_patched(row_field(blob, 2, 1), len - row_field(blob, 0, 0) - 4, 8);
	refuse_patched(row_field(blob, 2, 1), 0, 8);
	/* The table spans nothing. */
	blob_put(blob + row_field(blob, N_FNS, 0), 0x401000, 8);
	for (size_t i = 0; i < N_FNS; i++) {
		uint64_t rec = 0;

		for (int b = 7; b >= 0; b--)
			rec = rec << 8 | blob[row_field(blob, i, 1) + b];
		blob_put(blob + row_field(blob, i, 0), 0x401000, 8);
		blob_put(blob + row_field(blob, 0, 0) + rec, 0x401000, 8);
	}
	assert_int_equal(gopcln_parse(&t, blob, len, 0), -EINVAL);
	free(blob);
}

/* A record whose name is corrupt: the table is parsed, but that function names nothing. */
static void corrupt_names_name_nothing(void **state)
{
	(void)state;
	for (int k = 0; k < 6; k++) {
		size_t len, name_off;
		uint8_t *blob = make(&variants[2], &len); /* 1.18, 8 bytes: records are 8 bytes */
		uint8_t *buf = malloc(len + 3);
		struct gopcln t;
		/* Negative, past the end, at the end, on a name with no NUL, on an empty name. */
		uint32_t bad[6] = {0x80000000u, 0xffffffffu, 0x7fffffffu, 0, 0, 0};

		assert_non_null(buf);
		memcpy(buf, blob, len);
		memcpy(buf + len, "abc", 3);
		assert_int_equal(gopcln_parse(&t, buf, len + 3, 0), 0);
		bad[3] = (uint32_t)(len + 3 - t.funcnames);
		bad[4] = (uint32_t)(len - t.funcnames);
		bad[5] = (uint32_t)(len - 1 - t.funcnames); /* the 0 top byte of this very field */
		/* The last record ends the table: its name offset is its last 4 bytes. */
		blob_put(buf + len - 4, bad[k], 4);
		expect(&t, variants[2].text + 0x180, NULL);
		assert_int_equal(gopcln_name_offset(&t, N_FNS - 1, &name_off, NULL), -EINVAL);
		expect(&t, variants[2].text + 0x40, "runtime.mallocgc");
		free(buf);
		free(blob);
	}
}

static void found_inside_a_data_section(void **state)
{
	uint8_t table[4096];
	size_t len, at, size = 64 * 1024 + 4096;
	uint8_t *data = malloc(size);
	struct gopcln t;

	(void)state;
	assert_non_null(data);
	len = pcln_blob(table, sizeof(table), GOPCLN_118, 8, 0x10e97a0, fns, N_FNS, END, true);
	/* Noise, a header that only looks right, then the table. */
	for (size_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 131 + 7);
	memcpy(data + 0x100, table, 8);
	memset(data + 0x108, 0xff, 64);
	memcpy(data + 64 * 1024, table, len);
	assert_int_equal(gopcln_locate(data, 64 * 1024 + len, 0, 0, 0, &t, &at), 0);
	assert_int_equal(at, 64 * 1024);
	expect(&t, 0x10e97a0 + 0x50, "runtime.mallocgc");
	/* Inside the executable range given, and outside it. */
	assert_int_equal(gopcln_locate(data, size, 0, 0x1000000, 0x2000000, &t, &at), 0);
	assert_int_equal(gopcln_locate(data, size, 0, 0x2000000, 0x3000000, &t, &at), -ENOENT);
	assert_int_equal(gopcln_locate(data, size, 0, 0x10e9800, 0x2000000, &t, &at), -ENOENT);
	/* Cut short: not found; none at all: not found. */
	assert_int_equal(gopcln_locate(data, 64 * 1024 + len - 1, 0, 0, 0, &t, &at), -ENOENT);
	assert_int_equal(gopcln_locate(data, 64 * 1024, 0, 0, 0, &t, &at), -ENOENT);
	assert_int_equal(gopcln_locate(data, 7, 0, 0, 0, &t, &at), -ENOENT);
	assert_int_equal(gopcln_locate(NULL, 0, 0, 0, 0, &t, &at), -ENOENT);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_at_starts_middles_and_ends),
		cmocka_unit_test(layout_names),
		cmocka_unit_test(text_start_from_the_caller),
		cmocka_unit_test(truncated_tables_are_refused),
		cmocka_unit_test(corrupt_headers_are_refused),
		cmocka_unit_test(corrupt_function_tables_are_refused),
		cmocka_unit_test(corrupt_names_name_nothing),
		cmocka_unit_test(found_inside_a_data_section),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
