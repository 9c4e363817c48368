// SPDX-License-Identifier: GPL-2.0-only
#ifndef RP_TESTS_SUPPORT_TABLE_H
#define RP_TESTS_SUPPORT_TABLE_H

/*
 * Cells of a CSV table by column name, for tests: a column that is missing fails the test.
 * Include after <cmocka.h>.
 */

#include <stdint.h>

#include "rundir/csv.h"

static inline int64_t table_i64(const struct csv_table *t, size_t row, const char *col)
{
	int c = csv_col(t, col);

	assert_true(c >= 0);
	return csv_get_i64(t, row, c, -1);
}

static inline const char *table_str(const struct csv_table *t, size_t row, const char *col)
{
	int c = csv_col(t, col);

	assert_true(c >= 0);
	return csv_get(t, row, c);
}

#endif
