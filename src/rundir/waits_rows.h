// SPDX-License-Identifier: GPL-2.0-only
/* Rows of waits.csv, streamed (rundir/csv_stream.h), as the diagnosis takes them. */
#ifndef RP_RUNDIR_WAITS_ROWS_H
#define RP_RUNDIR_WAITS_ROWS_H

#include "model/diagnosis.h"
#include "rundir/csv_stream.h"

/* The columns of waits.csv a wait is read from; -1 for those the file lacks. */
struct waits_row_cols {
	int cell, trial, phase, actor, comm, state, stack, call, file, del, waker, count, off, wall;
};

void waits_row_cols_find(const struct csv_table *t, struct waits_row_cols *c);
/* The current row of s as a wait (folded left NULL); its strings live until the next row. */
void waits_row_read(const struct csv_stream *s, const struct waits_row_cols *c,
		    struct diagnosis_wait *w);

#endif
