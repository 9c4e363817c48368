// SPDX-License-Identifier: GPL-2.0-only
/* stacks.csv by stack id: the folded stack a wait's id names, found by binary search. */
#ifndef RP_EXPLAIN_STACK_INDEX_H
#define RP_EXPLAIN_STACK_INDEX_H

#include "rundir/csv.h"

struct stack_index {
	struct csv_table t; /* stacks.csv, taken over */
	int *order;	    /* row indexes sorted by id */
	int id_col, folded_col;
};

/* Indexes t (which it then owns). 0 or -ENOMEM (t freed). */
int stack_index_build(struct stack_index *ix, struct csv_table *t);
/* The folded stack of id, "" when unknown. */
const char *stack_index_folded(const struct stack_index *ix, const char *id);
void stack_index_free(struct stack_index *ix);

#endif
