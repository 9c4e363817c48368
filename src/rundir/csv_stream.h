// SPDX-License-Identifier: GPL-2.0-only
/*
 * A CSV file of a run directory read one row at a time through a small window, for the files
 * too large to hold whole (waits.csv): the same records, checks and line numbers as
 * csv_read_at (rundir/csv.h), and the same notes on malformed rows in s->t.
 */
#ifndef RP_RUNDIR_CSV_STREAM_H
#define RP_RUNDIR_CSV_STREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "rundir/csv.h"
#include "rundir/csv_record.h"

struct csv_stream {
	int fd;
	unsigned flags;	      /* CSV_LENIENT or 0 */
	struct csv_table t;   /* the header and the malformed rows' notes; never rows */
	struct csv_reader rd; /* over buf */
	char *buf;
	size_t cap;
	struct csv_fields row; /* the current row, t.n_cols fields */
};

/* Opens dir/name and reads its header. 0, or -errno as csv_read_at: -ENOENT, -ELOOP, -EINVAL
 * (not a regular file), -EFBIG, -ENODATA, -EBADMSG (s->t says where), -ENOMEM. */
int csv_stream_open(struct csv_stream *s, const char *dir, const char *name, unsigned flags);
/* The next row: 1, 0 at the end, -EBADMSG (strictly, at a malformed one), -ENOMEM, -errno. */
int csv_stream_next(struct csv_stream *s);
/* A field of the current row, "" when col is out of range. */
const char *csv_stream_get(const struct csv_stream *s, int col);
void csv_stream_close(struct csv_stream *s);

#endif
