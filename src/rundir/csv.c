// SPDX-License-Identifier: GPL-2.0-only
#include "rundir/csv.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rundir/csv_record.h"
#include "util/array.h"
#include "util/files.h"

/* Room in the row buffer for more bytes, a newline and a NUL. */
static int row_reserve(struct csv_writer *w, size_t more)
{
	if (array_reserve((void **)&w->row, &w->cap, w->len + more + 2, 1)) {
		w->failed = ENOMEM;
		return -1;
	}
	return 0;
}

static void row_append(struct csv_writer *w, const char *s, size_t n)
{
	if (row_reserve(w, n))
		return;
	memcpy(w->row + w->len, s, n);
	w->len += n;
}

static void separator(struct csv_writer *w)
{
	if (w->fields++)
		row_append(w, ",", 1);
}

void csv_str(struct csv_writer *w, const char *s)
{
	separator(w);
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		row_append(w, s, strlen(s));
		return;
	}
	row_append(w, "\"", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			row_append(w, "\"", 1);
		row_append(w, p, 1);
	}
	row_append(w, "\"", 1);
}

void csv_i64(struct csv_writer *w, int64_t v)
{
	char buf[32];

	separator(w);
	row_append(w, buf, (size_t)snprintf(buf, sizeof(buf), "%" PRId64, v));
}

void csv_i64_opt(struct csv_writer *w, int64_t v)
{
	if (v < 0)
		csv_empty(w);
	else
		csv_i64(w, v);
}

void csv_f64(struct csv_writer *w, double v, int decimals)
{
	char buf[64];

	separator(w);
	row_append(w, buf, (size_t)snprintf(buf, sizeof(buf), "%.*f", decimals, v));
}

void csv_empty(struct csv_writer *w)
{
	separator(w);
}

int csv_end_row(struct csv_writer *w)
{
	row_append(w, "\n", 1);
	w->fields = 0;
	if (w->batch && w->len < w->batch)
		return w->failed ? -w->failed : 0;
	return csv_flush(w);
}

int csv_flush(struct csv_writer *w)
{
	/* A short write is followed by another, so a full disk says ENOSPC, not EIO. */
	for (size_t done = 0; !w->failed && done < w->len;) {
		ssize_t n = write(w->fd, w->row + done, w->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			w->failed = n < 0 ? errno : EIO;
		else
			done += (size_t)n;
	}
	w->len = 0;
	w->fields = 0;
	return w->failed ? -w->failed : 0;
}

int csv_attach(struct csv_writer *w, int fd, const char *const *columns, size_t n_columns)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	for (size_t i = 0; i < n_columns; i++)
		csv_str(w, columns[i]);
	w->header = strndup(w->row, w->len);
	return csv_end_row(w);
}

int csv_reopen(struct csv_writer *w, int dirfd, const char *name)
{
	int fd;

	if (w->fd < 0)
		return 0;
	csv_flush(w);
	fsync(w->fd);
	close(w->fd);
	w->fd = openat(dirfd, name, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (w->fd >= 0 || errno != ENOENT)
		return w->fd >= 0 ? 0 : -(w->failed = errno);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -(w->failed = errno);
	w->fd = fd;
	if (w->header)
		row_append(w, w->header, strlen(w->header));
	return csv_end_row(w);
}

int csv_create(struct csv_writer *w, int dirfd, const char *name, const char *const *columns,
	       size_t n_columns)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0) {
		memset(w, 0, sizeof(*w));
		w->fd = -1;
		return -errno;
	}
	return csv_attach(w, fd, columns, n_columns);
}

int csv_close(struct csv_writer *w)
{
	int rc = w->fd >= 0 ? csv_flush(w) : w->failed ? -w->failed : 0;

	if (w->fd >= 0) {
		if (fsync(w->fd) < 0 && !rc && errno != EINVAL)
			rc = -errno;
		if (close(w->fd) < 0 && !rc)
			rc = -errno;
	}
	free(w->row);
	free(w->header);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	return rc;
}

int csv_finish(struct csv_writer *w, int err)
{
	int e = csv_close(w);

	return err ? err : e;
}

int csv_detach(struct csv_writer *w)
{
	int rc = w->fd >= 0 ? csv_flush(w) : w->failed ? -w->failed : 0;

	free(w->row);
	free(w->header);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	return rc;
}

int csv_write_atomic(int dirfd, const char *name, const char *const *columns, size_t n_columns,
		     int (*rows)(struct csv_writer *w, const void *ctx), const void *ctx)
{
	struct atomic_file af;
	struct csv_writer w;
	int rc = atomic_file_begin(&af, dirfd, name), rc2;

	if (rc)
		return rc;
	rc = csv_attach(&w, af.fd, columns, n_columns);
	if (!rc)
		rc = rows(&w, ctx);
	rc2 = csv_detach(&w);
	rc = rc ? rc : rc2;
	rc2 = atomic_file_commit(&af, rc);
	return rc ? rc : rc2;
}

/* --- reading --- */

static int add_row(struct csv_table *t, struct csv_fields *f, size_t *cap)
{
	char **row = calloc(t->n_cols, sizeof(*row));

	if (!row)
		return -ENOMEM;
	for (size_t c = 0; c < t->n_cols; c++) {
		row[c] = f->v[c];
		f->v[c] = NULL;
	}
	f->n = 0;
	if (array_reserve((void **)&t->rows, cap, t->n_rows + 1, sizeof(*t->rows))) {
		csv_fields_free(row, t->n_cols);
		return -ENOMEM;
	}
	t->rows[t->n_rows++] = row;
	return 0;
}

/* The records after the header. 0, -EBADMSG (strict) or -ENOMEM. */
static int read_rows(struct csv_reader *rd, unsigned flags, struct csv_table *t)
{
	struct csv_fields f = {0};
	size_t cap = 0;
	int rc;

	while ((rc = csv_next_row(rd, flags, t, &f, NULL, NULL)) == 1)
		if ((rc = add_row(t, &f, &cap)))
			break;
	csv_fields_clear(&f);
	free(f.v);
	return rc;
}

int csv_parse_flags(const char *text, size_t len, unsigned flags, struct csv_table *out)
{
	struct csv_reader rd = {.text = text, .len = len, .line = 1};
	struct csv_fields f = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = csv_take_header(csv_next_record(&rd, &f), &f, out);
	if (!rc)
		rc = read_rows(&rd, flags, out);
	csv_fields_clear(&f);
	free(f.v);
	free(rd.scratch);
	if (rc) {
		size_t bad_line = out->bad_line;
		char what[sizeof(out->bad_what)];

		memcpy(what, out->bad_what, sizeof(what));
		csv_table_free(out);
		out->bad_rows = rc == -EBADMSG;
		out->bad_line = bad_line;
		memcpy(out->bad_what, what, sizeof(what));
	}
	return rc;
}

int csv_parse(const char *text, size_t len, struct csv_table *out)
{
	return csv_parse_flags(text, len, 0, out);
}

static int read_path(const char *path, unsigned flags, struct csv_table *out)
{
	char *buf;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = file_read_all(AT_FDCWD, path, CSV_FILE_LIMIT, 0, &buf, &len);
	if (rc)
		return rc;
	rc = csv_parse_flags(buf, len, flags, out);
	free(buf);
	return rc;
}

int csv_read_file(const char *path, struct csv_table *out)
{
	return read_path(path, 0, out);
}

int csv_read_at(const char *dir, const char *name, unsigned flags, struct csv_table *out)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_path(path, flags, out);
}

void csv_problem(const char *dir, const char *name, int rc, const struct csv_table *t, char *buf,
		 size_t len)
{
	const char *why = rc == -EINVAL	   ? "not a regular file"
			  : rc == -ELOOP   ? "a symlink (not followed)"
			  : rc == -EFBIG   ? "larger than 1 GiB"
			  : rc == -ENODATA ? "empty: no header"
					   : strerror(rc < 0 ? -rc : rc);

	if (rc == -EBADMSG || (!rc && t->bad_rows))
		snprintf(buf, len, "%s/%s:%zu: %s", dir, name, t->bad_line, t->bad_what);
	else if (rc)
		snprintf(buf, len, "%s/%s: %s", dir, name, why);
	else if (len)
		buf[0] = '\0';
}

void csv_table_free(struct csv_table *t)
{
	csv_fields_free(t->header, t->n_cols);
	for (size_t r = 0; r < t->n_rows; r++)
		csv_fields_free(t->rows[r], t->n_cols);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

int csv_col(const struct csv_table *t, const char *name)
{
	for (size_t c = 0; c < t->n_cols; c++)
		if (strcmp(t->header[c], name) == 0)
			return (int)c;
	return -1;
}

const char *csv_get(const struct csv_table *t, size_t row, int col)
{
	if (col < 0 || (size_t)col >= t->n_cols || row >= t->n_rows)
		return "";
	return t->rows[row][col];
}

int64_t csv_field_i64(const char *s, int64_t def)
{
	char *end;
	long long v;

	if (!*s)
		return def;
	errno = 0;
	v = strtoll(s, &end, 10);
	return *end || errno ? def : v;
}

int64_t csv_get_i64(const struct csv_table *t, size_t row, int col, int64_t def)
{
	return csv_field_i64(csv_get(t, row, col), def);
}

double csv_get_f64(const struct csv_table *t, size_t row, int col, double def)
{
	const char *s = csv_get(t, row, col);
	char *end;
	double v;

	if (!*s)
		return def;
	v = strtod(s, &end);
	return *end ? def : v;
}
