// SPDX-License-Identifier: GPL-2.0-only
/*
 * CSV files that `report` reads, whoever wrote them: a record whose field count is not the
 * header's is never returned as a row, strictly or leniently.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/summary.h"
#include "rundir/csv.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			abort();                                                                   \
	} while (0)

static void check_rows(const struct csv_table *t)
{
	CHECK(t->n_cols > 0 && t->header);
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < t->n_cols; c++)
			CHECK(t->rows[r][c] != NULL);
}

static void check_same(const struct csv_table *a, const struct csv_table *b)
{
	CHECK(a->n_cols == b->n_cols && a->n_rows == b->n_rows);
	for (size_t r = 0; r < a->n_rows; r++)
		for (size_t c = 0; c < a->n_cols; c++)
			CHECK(strcmp(a->rows[r][c], b->rows[r][c]) == 0);
}

/* text plus one record of n fields: strictly refused at its line, leniently left out. */
static void check_wrong_count(const char *text, size_t size, const struct csv_table *good, size_t n,
			      size_t line)
{
	char *more = malloc(size + 2 * n + 2);
	struct csv_table t;
	size_t len = size;

	if (!more)
		return;
	memcpy(more, text, size);
	for (size_t i = 0; i < n; i++) {
		more[len++] = 'x';
		more[len++] = i + 1 < n ? ',' : '\n';
	}
	CHECK(csv_parse(more, len, &t) == -EBADMSG && t.n_rows == 0 && t.bad_line == line);
	if (csv_parse_flags(more, len, CSV_LENIENT, &t) == 0) {
		check_same(good, &t);
		CHECK(t.bad_rows == 1 && t.bad_line == line);
		csv_table_free(&t);
	}
	free(more);
}

static void summarize(const struct csv_table *t)
{
	struct run_summary sum;
	struct trial_columns c;

	if (summary_compute_run(t, &sum) == 0)
		run_summary_free(&sum);
	trial_columns_find(t, &c);
	for (size_t r = 0; r < t->n_rows && r < 8; r++) {
		struct cell_summary cs;

		trial_restart_s(t, &c, r);
		trial_row_cell(t, &c, r, &cs);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct csv_table strict, lenient;
	int rc = csv_parse(text, size, &strict);

	if (rc == 0) {
		size_t lines = 1;

		check_rows(&strict);
		CHECK(strict.bad_rows == 0);
		CHECK(csv_parse_flags(text, size, CSV_LENIENT, &lenient) == 0);
		check_same(&strict, &lenient);
		csv_table_free(&lenient);
		for (size_t i = 0; i < size; i++)
			lines += data[i] == '\n';
		check_wrong_count(text, size, &strict, strict.n_cols + 1, lines);
		if (strict.n_cols > 1)
			check_wrong_count(text, size, &strict, strict.n_cols - 1, lines);
		summarize(&strict);
		csv_table_free(&strict);
		return 0;
	}
	CHECK(rc == -EBADMSG || rc == -ENODATA || rc == -ENOMEM);
	CHECK(strict.n_rows == 0);
	if (csv_parse_flags(text, size, CSV_LENIENT, &lenient) == 0) {
		check_rows(&lenient);
		CHECK(rc == -EBADMSG && lenient.bad_rows > 0);
		summarize(&lenient);
		csv_table_free(&lenient);
	}
	return 0;
}
