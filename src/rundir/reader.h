// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reading the files of one run directory, strictly (the first malformed row or unreadable file
 * fails the read, naming file and line) or leniently (a warning per file, what is bad left out).
 */
#ifndef RP_RUNDIR_READER_H
#define RP_RUNDIR_READER_H

#include <limits.h>
#include <stddef.h>

#include "rundir/csv.h"
#include "rundir/csv_stream.h"

struct rundir_reader {
	const char *dir;
	unsigned flags; /* CSV_LENIENT or 0 */
	char *warnings; /* lenient: one line per file with a problem; NULL if none */
	size_t warnings_len, warnings_cap;
	char err[PATH_MAX + 160]; /* strict: the first problem, "" when none */
};

/* How rundir_read_csv treats a file. */
enum rundir_need {
	RUNDIR_OPTIONAL, /* absent is fine; leniently, one that cannot be read is left out */
	RUNDIR_REQUIRED, /* absent or unreadable is a failure, also leniently */
};

void rundir_reader_init(struct rundir_reader *r, const char *dir, unsigned flags);
/*
 * Reads dir/name. 1: out holds its rows (leniently, without the malformed ones: a warning
 * says how many were left out); 0: an optional file that is absent, or leniently one that
 * cannot be read (a warning); -EBADMSG: a malformed row (strictly) or an unreadable file;
 * -ENOENT: a required file is absent; -ENOMEM. r->err says which file and line when < 0.
 * Unless 1, out is an empty table.
 */
int rundir_read_csv(struct rundir_reader *r, const char *name, enum rundir_need need,
		    struct csv_table *out);
/* Opens dir/name as a stream of rows: 1 open, else as rundir_read_csv (s is then closed). */
int rundir_open_stream(struct rundir_reader *r, const char *name, enum rundir_need need,
		       struct csv_stream *s);
/* Closes s after its rows, rc the last csv_stream_next: 0, or < 0 with r->err as
 * rundir_read_csv would fail on that file; leniently, the rows left out make a warning. */
int rundir_close_stream(struct rundir_reader *r, const char *name, struct csv_stream *s, int rc);
/* A problem with a file that is not a CSV (run.json): -EBADMSG with r->err, or leniently a
 * warning and 0. */
int rundir_problem(struct rundir_reader *r, const char *name, const char *what);
/* The warnings, handed over to the caller (free them), NULL when none. */
char *rundir_reader_take_warnings(struct rundir_reader *r);
void rundir_reader_free(struct rundir_reader *r);

#endif
