// SPDX-License-Identifier: GPL-2.0-only
/*
 * The compact kernel symbol table: look-ups in, between and past symbols across block
 * boundaries, names front-coded and given back byte for byte, and kallsyms lines out of order
 * merged in as if listed in order.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "model/ksym_blocks.h"
#include "model/ksyms.h"

#define BASE  0xffffffff81000000ull
#define N_SYM (3 * KSYM_BLOCK + 5)

/* Symbol i: at BASE + 0x40 i, padding symbols and functions in turn, names alike in front. */
static void synthetic_name(size_t i, char *out, size_t len)
{
	if (i == 7) {
		memset(out, 'x', KSYM_NAME_LEN);
		out[KSYM_NAME_LEN] = '\0';
		return;
	}
	snprintf(out, len, "%sext4_%s_%zu", i % 2 ? "" : "__pfx_", i % 3 ? "sync" : "write", i / 2);
}

static struct ksym_blocks *synthetic_table(void)
{
	struct ksym_blocks *kb = ksym_blocks_new();
	char name[KSYM_NAME_SIZE];

	assert_non_null(kb);
	for (size_t i = 0; i < N_SYM; i++) {
		synthetic_name(i, name, sizeof(name));
		assert_int_equal(
			ksym_blocks_append(kb, BASE + 0x40 * i, i % 5 == 0, name, strlen(name)), 0);
	}
	ksym_blocks_shrink(kb);
	return kb;
}

static void names_come_back_in_address_order(void **state)
{
	struct ksym_blocks *kb = synthetic_table();
	struct ksym_cursor c = {0};
	char name[KSYM_NAME_SIZE];
	size_t i = 0;

	(void)state;
	assert_int_equal(ksym_blocks_count(kb), N_SYM);
	assert_int_equal(ksym_blocks_last_addr(kb), BASE + 0x40 * (N_SYM - 1));
	while (ksym_blocks_next(kb, &c)) {
		synthetic_name(i, name, sizeof(name));
		assert_string_equal(c.at.name, name);
		assert_int_equal(c.at.addr, BASE + 0x40 * i);
		assert_int_equal(c.at.global, i % 5 == 0);
		i++;
	}
	assert_int_equal(i, N_SYM);
	ksym_blocks_free(kb);
}

static void addresses_in_between_and_past_symbols(void **state)
{
	struct ksym_blocks *kb = synthetic_table();
	struct ksym_entry at;
	char name[KSYM_NAME_SIZE];
	size_t plain_bytes = 0; /* 16 bytes a symbol and its name with a NUL */

	(void)state;
	assert_false(ksym_blocks_find(kb, BASE - 1, &at));
	for (size_t i = 0; i < N_SYM; i++) {
		synthetic_name(i, name, sizeof(name));
		plain_bytes += 16 + strlen(name) + 1;
		/* At the symbol's first byte, and between it and the next one. */
		assert_true(ksym_blocks_find(kb, BASE + 0x40 * i, &at));
		assert_string_equal(at.name, name);
		assert_true(ksym_blocks_find(kb, BASE + 0x40 * i + 0x3f, &at));
		assert_string_equal(at.name, name);
		assert_int_equal(at.addr, BASE + 0x40 * i);
	}
	/* Past the last symbol the table still says the last one (ksyms bounds it). */
	assert_true(ksym_blocks_find(kb, UINT64_MAX, &at));
	assert_int_equal(at.addr, BASE + 0x40 * (N_SYM - 1));
	assert_true(ksym_blocks_bytes(kb) < plain_bytes);
	ksym_blocks_free(kb);
}

static void appends_out_of_order_or_too_long_are_refused(void **state)
{
	struct ksym_blocks *kb = ksym_blocks_new();
	char long_name[KSYM_NAME_LEN + 2];
	struct ksym_entry at;

	(void)state;
	assert_false(ksym_blocks_find(kb, BASE, &at));
	assert_int_equal(ksym_blocks_append(kb, BASE, true, "__pfx_", 6), 0);
	assert_int_equal(ksym_blocks_append(kb, BASE, true, "again", 5), -EINVAL);
	assert_int_equal(ksym_blocks_append(kb, BASE + 1, true, "", 0), -EINVAL);
	memset(long_name, 'y', sizeof(long_name));
	assert_int_equal(ksym_blocks_append(kb, BASE + 1, true, long_name, KSYM_NAME_LEN + 1),
			 -EINVAL);
	assert_int_equal(ksym_blocks_append(kb, BASE + 2, false, "__pfx_a", 7), 0);
	assert_true(ksym_blocks_find(kb, BASE + 1, &at));
	assert_string_equal(at.name, "__pfx_");
	assert_true(ksym_blocks_find(kb, BASE + 2, &at));
	assert_string_equal(at.name, "__pfx_a");
	ksym_blocks_free(kb);
}

/* kallsyms lines out of address order: merged as if sorted, one symbol per address, the
 * global one, else the first listed, wherever the lines stand. */
static void lines_out_of_order_are_merged(void **state)
{
	static const char text[] = "ffffffff81000100 t b_local\n"
				   "ffffffff81000300 T d\n"
				   "ffffffff81000200 t c_first\n"
				   "ffffffff81000100 T b_global\n"
				   "ffffffff81000000 t a\n"
				   "ffffffff81000200 t c_second\n"
				   "ffffffff81000300 t d_local\n"
				   "ffffffff81000300 T d_global_later\n";
	static const char *const want[] = {"a", "b_global", "c_first", "d"};
	char name[KSYM_NAME_SIZE];
	struct ksyms *ks;

	(void)state;
	assert_int_equal(ksyms_parse(text, strlen(text), &ks), 0);
	assert_int_equal(ksyms_count(ks), 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(ksyms_lookup(ks, BASE + 0x100 * i + 0x10, NULL, name), want[i]);
	ksyms_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_come_back_in_address_order),
		cmocka_unit_test(addresses_in_between_and_past_symbols),
		cmocka_unit_test(appends_out_of_order_or_too_long_are_refused),
		cmocka_unit_test(lines_out_of_order_are_merged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
