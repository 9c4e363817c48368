// SPDX-License-Identifier: GPL-2.0-only
#include "explain/stack_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rundir/columns.h"

static const struct stack_index *sorting;

static int cmp_row(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	int c = strcmp(csv_get(&sorting->t, (size_t)x, sorting->id_col),
		       csv_get(&sorting->t, (size_t)y, sorting->id_col));

	return c ? c : (x > y) - (x < y);
}

int stack_index_build(struct stack_index *ix, struct csv_table *t)
{
	ix->t = *t;
	memset(t, 0, sizeof(*t));
	ix->id_col = csv_col(&ix->t, COL_STACK);
	ix->folded_col = csv_col(&ix->t, COL_FOLDED);
	ix->order = malloc((ix->t.n_rows + 1) * sizeof(int));
	if (!ix->order) {
		stack_index_free(ix);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ix->t.n_rows; i++)
		ix->order[i] = (int)i;
	sorting = ix;
	if (ix->id_col >= 0)
		qsort(ix->order, ix->t.n_rows, sizeof(int), cmp_row);
	return 0;
}

const char *stack_index_folded(const struct stack_index *ix, const char *id)
{
	size_t lo = 0, hi = ix->t.n_rows;

	if (!id[0] || ix->id_col < 0 || ix->folded_col < 0)
		return "";
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(csv_get(&ix->t, (size_t)ix->order[mid], ix->id_col), id);

		if (!c)
			return csv_get(&ix->t, (size_t)ix->order[mid], ix->folded_col);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "";
}

void stack_index_free(struct stack_index *ix)
{
	csv_table_free(&ix->t);
	free(ix->order);
	memset(ix, 0, sizeof(*ix));
}
