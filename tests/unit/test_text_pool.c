// SPDX-License-Identifier: GPL-2.0-only
/* Interned text: one copy per distinct string, pointers that stay put while the pool grows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/text_pool.h"

static void same_text_same_pointer(void **state)
{
	struct text_pool p = {0};
	const char *a = text_pool_intern(&p, "engine;dockerd;[iowait]", 23);
	const char *b = text_pool_intern(&p, "engine;dockerd;[iowait];more", 23);
	const char *c = text_pool_intern(&p, "engine;dockerd", 14);

	(void)state;
	assert_non_null(a);
	assert_ptr_equal(a, b); /* only n bytes count */
	assert_string_equal(a, "engine;dockerd;[iowait]");
	assert_ptr_not_equal(a, c);
	assert_string_equal(c, "engine;dockerd");
	assert_ptr_equal(text_pool_intern(&p, "", 0), text_pool_intern(&p, "", 0));
	text_pool_free(&p);
}

/* Thousands of strings over many blocks, and some longer than a block: every pointer handed
 * out still holds its text at the end, and each text is there once. */
static void pointers_stay_across_blocks(void **state)
{
	enum {
		N = 20000
	};
	struct text_pool p = {0};
	const char **got = calloc(N, sizeof(*got));
	size_t long_len = 100 * 1024;
	char *long_text = malloc(long_len + 1), key[64];

	(void)state;
	assert_non_null(got);
	assert_non_null(long_text);
	memset(long_text, 'x', long_len);
	long_text[long_len] = '\0';
	for (int i = 0; i < N; i++) {
		int n = snprintf(key, sizeof(key), "frame_%d;leaf_%d", i, i % 97);

		got[i] = text_pool_intern(&p, key, (size_t)n);
		assert_non_null(got[i]);
		if (i % 5000 == 0) {
			long_text[0] = (char)('a' + i / 5000);
			assert_non_null(text_pool_intern(&p, long_text, long_len));
		}
	}
	for (int i = 0; i < N; i++) {
		int n = snprintf(key, sizeof(key), "frame_%d;leaf_%d", i, i % 97);

		assert_string_equal(got[i], key);
		assert_ptr_equal(text_pool_intern(&p, key, (size_t)n), got[i]);
	}
	assert_int_equal(p.n, N + 4);
	text_pool_free(&p);
	free(long_text);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_text_same_pointer),
		cmocka_unit_test(pointers_stay_across_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
