// SPDX-License-Identifier: GPL-2.0-only
/* CSV as restartprof writes and reads it: RFC 4180 quoting, whole rows per write(2). */
#ifndef RP_RUNDIR_CSV_H
#define RP_RUNDIR_CSV_H

#include <stddef.h>
#include <stdint.h>

struct csv_writer {
	int fd;
	char *row;
	size_t len, cap;
	int fields;
	size_t batch; /* rows wait in row until this many bytes do (or csv_flush); 0: none */
	int failed;   /* a write failed: errno saved here */
	char *header; /* the header line, for a file made anew by csv_reopen */
};

/*
 * Creates dir/name, never following a symlink and never replacing a file (O_EXCL), and writes
 * the header. Returns 0 or -errno.
 */
int csv_create(struct csv_writer *w, int dirfd, const char *name, const char *const *columns,
	       size_t n_columns);
/* The same over an already open descriptor (for atomic replace, see util/files.h). */
int csv_attach(struct csv_writer *w, int fd, const char *const *columns, size_t n_columns);
void csv_str(struct csv_writer *w, const char *s);
void csv_i64(struct csv_writer *w, int64_t v);
/* Empty field when v < 0: "not measured". */
void csv_i64_opt(struct csv_writer *w, int64_t v);
void csv_f64(struct csv_writer *w, double v, int decimals);
void csv_empty(struct csv_writer *w);
/*
 * Writes the row with a single write(2), so a reader or a kill sees whole rows only; with
 * w->batch set, together with the rows before it once they fill the batch.
 */
int csv_end_row(struct csv_writer *w);
/* Writes the rows a batch holds. 0, or -errno of this or an earlier write. */
int csv_flush(struct csv_writer *w);
/* Returns the first error of any write, 0 if none. Closes the file (fsync'd). */
int csv_close(struct csv_writer *w);
/* csv_close(w), then err, or the close's error when err is 0: a writer's last line. */
int csv_finish(struct csv_writer *w, int err);
/*
 * After log rotation (SIGHUP): closes the file and opens dir/name again, appending to it when
 * it is still there, else creating it with the header. 0 or -errno (the writer is then closed).
 */
int csv_reopen(struct csv_writer *w, int dirfd, const char *name);
/* Returns the first error of any write, 0 if none; frees the writer, leaves the fd open. */
int csv_detach(struct csv_writer *w);
/*
 * Replaces dirfd/name atomically (util/files.h) with a header and the rows that rows(w, ctx)
 * writes (it returns 0 or -errno). 0 or -errno; on failure the old file stays.
 */
int csv_write_atomic(int dirfd, const char *name, const char *const *columns, size_t n_columns,
		     int (*rows)(struct csv_writer *w, const void *ctx), const void *ctx);

struct csv_table {
	char **header;
	size_t n_cols;
	char ***rows; /* rows[r][c], n_cols fields each: a record of another count is no row */
	size_t n_rows;
	size_t bad_rows;   /* malformed records left out (CSV_LENIENT), or 1 at a failure */
	size_t bad_line;   /* the line the first of them begins on (1: the header) */
	char bad_what[64]; /* what is wrong with it */
};

/* Leave malformed records out (counted in bad_rows) instead of failing at the first. */
#define CSV_LENIENT 1u

/*
 * Parses CSV text; the first record is the header. Every record must have the header's number
 * of fields and end with a newline (restartprof writes whole rows: a file that ends without
 * one was cut short); blank lines are skipped. A malformed record (another field count, a
 * quote not closed before the end, a cut last row) fails the parse with -EBADMSG, bad_line
 * and bad_what set and no rows; with CSV_LENIENT it is left out and parsing goes on at the
 * line after its first. 0, -ENODATA (no header), -EBADMSG or -ENOMEM.
 */
int csv_parse_flags(const char *text, size_t len, unsigned flags, struct csv_table *out);
/* csv_parse_flags without flags: strict. */
int csv_parse(const char *text, size_t len, struct csv_table *out);
/* Parses a file, strictly. 0 or -errno as file_read_all (util/files.h) and csv_parse. */
int csv_read_file(const char *path, struct csv_table *out);
/* Reads dir/name, a file of a run directory, as csv_parse_flags. 0 or -errno (-ENOENT: no
 * such file); on failure out holds no rows. */
int csv_read_at(const char *dir, const char *name, unsigned flags, struct csv_table *out);
/*
 * One line on what is wrong with dir/name after csv_read_at returned rc: "DIR/NAME:LINE: what"
 * for a malformed record (also one that CSV_LENIENT left out), "DIR/NAME: why" when the file
 * could not be read; "" when nothing is wrong.
 */
void csv_problem(const char *dir, const char *name, int rc, const struct csv_table *t, char *buf,
		 size_t len);
void csv_table_free(struct csv_table *t);
/* Column index by name, -1 when the file has no such column. */
int csv_col(const struct csv_table *t, const char *name);
/* Field as number: returns def when the column is missing or the field empty/not a number. */
int64_t csv_get_i64(const struct csv_table *t, size_t row, int col, int64_t def);
double csv_get_f64(const struct csv_table *t, size_t row, int col, double def);
const char *csv_get(const struct csv_table *t, size_t row, int col);
/* A field's text as a number, def when empty or not a whole number. */
int64_t csv_field_i64(const char *s, int64_t def);

#endif
