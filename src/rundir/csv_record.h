// SPDX-License-Identifier: GPL-2.0-only
/*
 * One CSV record at a time out of a text: the parser under both readers, the whole table
 * (rundir/csv.h) and the stream of rows (rundir/csv_stream.h).
 */
#ifndef RP_RUNDIR_CSV_RECORD_H
#define RP_RUNDIR_CSV_RECORD_H

#include <stddef.h>

#include "rundir/csv.h"

/* The largest CSV file read. */
#define CSV_FILE_LIMIT (1u << 30)

struct csv_fields {
	char **v;
	size_t n, cap;
};

/* How a record ended. */
enum csv_record_end {
	REC_ROW,	/* a whole record, its newline read */
	REC_EOF,	/* no record left */
	REC_OPEN_QUOTE, /* the input ended inside a quoted field */
	REC_CUT,	/* the input ended before the record's newline */
	REC_NOMEM,
};

struct csv_reader {
	const char *text;
	size_t len, pos;
	size_t line; /* 1-based line of text[pos] */
	char *scratch;
	size_t scratch_cap;
};

/* Reads the record at rd->pos into f (its fields strndup'd; the previous ones freed). */
enum csv_record_end csv_next_record(struct csv_reader *rd, struct csv_fields *f);
/* After a bad record that began at begin (line), go on at the line after its first one: a
 * stray quote then costs one row, not every row after it. */
void csv_resync(struct csv_reader *rd, size_t begin, size_t line);
void csv_fields_clear(struct csv_fields *f);
/* Frees n strings and the array. */
void csv_fields_free(char **v, size_t n);
/* Notes a malformed record; the first one's line and what was wrong stay in t. */
void csv_note_bad(struct csv_table *t, size_t line, enum csv_record_end e, size_t n_fields);

/* The header from the first record (ended by e, fields in f, taken into out). 0, -ENODATA (no
 * header: nothing or a blank line), -ENOMEM, or -EBADMSG with out->bad_line and bad_what. */
int csv_take_header(enum csv_record_end e, struct csv_fields *f, struct csv_table *out);
/* Called with rd->pos at a record that runs past the text's end: more text after it (rd->pos
 * may move with it). 1 when some was added, 0 at the input's end, or -errno. */
typedef int csv_more_fn(void *ctx, struct csv_reader *rd);
/*
 * The next row of t->n_cols fields into f: 1, 0 at the end, -ENOMEM, or -EBADMSG at a
 * malformed record (noted in t); with CSV_LENIENT that one is noted and skipped. Blank lines
 * are skipped. more: NULL when rd holds the whole text.
 */
int csv_next_row(struct csv_reader *rd, unsigned flags, struct csv_table *t, struct csv_fields *f,
		 csv_more_fn *more, void *ctx);

#endif
