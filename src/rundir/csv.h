// SPDX-License-Identifier: GPL-2.0-only
/* CSV as restartprof writes and reads it: RFC 4180 quoting, one write(2) per row. */
#ifndef RP_RUNDIR_CSV_H
#define RP_RUNDIR_CSV_H

#include <stddef.h>
#include <stdint.h>

struct csv_writer {
	int fd;
	char *row;
	size_t len, cap;
	int fields;
	int failed; /* a write failed: errno saved here */
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
/* Writes the row with a single write(2), so a reader or a kill sees whole rows only. */
int csv_end_row(struct csv_writer *w);
/* Returns the first error of any write, 0 if none. Closes the file (fsync'd). */
int csv_close(struct csv_writer *w);
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
	char ***rows; /* rows[r][c], always n_cols fields: missing trailing fields are "" */
	size_t n_rows;
	size_t bad_rows; /* rows with more fields than the header, skipped */
};

/* Parses CSV text. The first record is the header. 0, or -1 if there is no header. */
int csv_parse(const char *text, size_t len, struct csv_table *out);
int csv_read_file(const char *path, struct csv_table *out);
/* Reads dir/name, a file of a run directory. 0 or -errno; on failure out is an empty table. */
int csv_read_at(const char *dir, const char *name, struct csv_table *out);
void csv_table_free(struct csv_table *t);
/* Column index by name, -1 when the file has no such column. */
int csv_col(const struct csv_table *t, const char *name);
/* Field as number: returns def when the column is missing or the field empty/not a number. */
int64_t csv_get_i64(const struct csv_table *t, size_t row, int col, int64_t def);
double csv_get_f64(const struct csv_table *t, size_t row, int col, double def);
const char *csv_get(const struct csv_table *t, size_t row, int col);

#endif
