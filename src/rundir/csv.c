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

#include "util/array.h"
#include "util/files.h"

#define CSV_FILE_LIMIT (1u << 30)

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
	int rc = w->failed ? -w->failed : 0;

	if (w->fd >= 0) {
		if (fsync(w->fd) < 0 && !rc && errno != EINVAL)
			rc = -errno;
		if (close(w->fd) < 0 && !rc)
			rc = -errno;
	}
	free(w->row);
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	return rc;
}

int csv_detach(struct csv_writer *w)
{
	int rc = w->failed ? -w->failed : 0;

	free(w->row);
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

struct fields {
	char **v;
	size_t n, cap;
};

static int push_field(struct fields *f, const char *s, size_t n)
{
	if (array_reserve((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v)))
		return -1;
	f->v[f->n] = strndup(s, n);
	return f->v[f->n] ? (int)(f->n++, 0) : -1;
}

/* Reads one record starting at *pos; unquotes fields. Returns 0, or -1 at end of input. */
static int next_record(const char *text, size_t len, size_t *pos, struct fields *f, char **scratch,
		       size_t *scratch_cap)
{
	size_t i = *pos;

	for (size_t k = 0; k < f->n; k++)
		free(f->v[k]);
	f->n = 0;
	if (i >= len)
		return -1;
	for (;;) {
		size_t out = 0;
		int quoted = i < len && text[i] == '"';

		if (quoted)
			i++;
		while (i < len) {
			char c = text[i];

			if (quoted) {
				if (c == '"') {
					if (i + 1 < len && text[i + 1] == '"') {
						i++;
					} else {
						quoted = 0;
						i++;
						continue;
					}
				}
			} else if (c == ',' || c == '\n' || c == '\r') {
				break;
			}
			if (array_reserve((void **)scratch, scratch_cap, out + 2, 1))
				return -1;
			(*scratch)[out++] = c;
			i++;
		}
		if (push_field(f, out ? *scratch : "", out))
			return -1;
		if (i < len && text[i] == ',') {
			i++;
			continue;
		}
		if (i < len && text[i] == '\r')
			i++;
		if (i < len && text[i] == '\n')
			i++;
		break;
	}
	*pos = i;
	return 0;
}

static void free_fields(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int csv_parse(const char *text, size_t len, struct csv_table *out)
{
	struct fields f = {0};
	char *scratch = NULL;
	size_t scratch_cap = 0, pos = 0, cap = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (next_record(text, len, &pos, &f, &scratch, &scratch_cap) || f.n == 0)
		goto done;
	out->header = f.v;
	out->n_cols = f.n;
	f = (struct fields){0};
	while (next_record(text, len, &pos, &f, &scratch, &scratch_cap) == 0) {
		if (f.n == 1 && f.v[0][0] == '\0')
			continue; /* blank line */
		if (f.n > out->n_cols) {
			out->bad_rows++;
			continue;
		}
		char **row = calloc(out->n_cols, sizeof(*row));

		if (!row)
			goto done;
		for (size_t c = 0; c < out->n_cols; c++) {
			row[c] = c < f.n ? f.v[c] : strdup("");
			if (c < f.n)
				f.v[c] = NULL;
		}
		if (array_reserve((void **)&out->rows, &cap, out->n_rows + 1, sizeof(*out->rows))) {
			free_fields(row, out->n_cols);
			goto done;
		}
		out->rows[out->n_rows++] = row;
	}
	rc = 0;
done:
	for (size_t i = 0; i < f.n; i++)
		free(f.v[i]);
	free(f.v);
	free(scratch);
	if (rc)
		csv_table_free(out);
	return rc;
}

int csv_read_file(const char *path, struct csv_table *out)
{
	char *buf;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = file_read_all(AT_FDCWD, path, CSV_FILE_LIMIT, 0, &buf, &len);
	if (rc)
		return rc == -EFBIG ? -EINVAL : rc;
	rc = csv_parse(buf, len, out) ? -EINVAL : 0;
	free(buf);
	return rc;
}

int csv_read_at(const char *dir, const char *name, struct csv_table *out)
{
	char path[PATH_MAX + 64];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = csv_read_file(path, out);
	if (rc)
		memset(out, 0, sizeof(*out));
	return rc;
}

void csv_table_free(struct csv_table *t)
{
	free_fields(t->header, t->n_cols);
	for (size_t r = 0; r < t->n_rows; r++)
		free_fields(t->rows[r], t->n_cols);
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

int64_t csv_get_i64(const struct csv_table *t, size_t row, int col, int64_t def)
{
	const char *s = csv_get(t, row, col);
	char *end;
	long long v;

	if (!*s)
		return def;
	errno = 0;
	v = strtoll(s, &end, 10);
	return *end || errno ? def : v;
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
