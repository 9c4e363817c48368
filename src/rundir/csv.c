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

struct fields {
	char **v;
	size_t n, cap;
};

/* How a record ended. */
enum record_end {
	REC_ROW,	/* a whole record, its newline read */
	REC_EOF,	/* no record left */
	REC_OPEN_QUOTE, /* the input ended inside a quoted field */
	REC_CUT,	/* the input ended before the record's newline */
	REC_NOMEM,
};

struct reader {
	const char *text;
	size_t len, pos;
	size_t line; /* 1-based line of text[pos] */
	char *scratch;
	size_t scratch_cap;
};

static int push_field(struct fields *f, const char *s, size_t n)
{
	if (array_reserve((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v)))
		return -1;
	f->v[f->n] = strndup(s, n);
	return f->v[f->n] ? (int)(f->n++, 0) : -1;
}

static void clear_fields(struct fields *f)
{
	for (size_t k = 0; k < f->n; k++)
		free(f->v[k]);
	f->n = 0;
}

/* One field at rd->pos, unquoted, into rd->scratch (*out bytes). 0, or an enum record_end. */
static int read_field(struct reader *rd, size_t *out)
{
	const char *text = rd->text;
	size_t i = rd->pos, n = 0;
	int quoted = i < rd->len && text[i] == '"';

	if (quoted)
		i++;
	while (i < rd->len) {
		char c = text[i];

		if (quoted && c == '"') {
			if (i + 1 >= rd->len || text[i + 1] != '"') {
				quoted = 0;
				i++;
				continue;
			}
			i++;
		} else if (!quoted && (c == ',' || c == '\n' || c == '\r')) {
			break;
		}
		if (c == '\n')
			rd->line++;
		if (array_reserve((void **)&rd->scratch, &rd->scratch_cap, n + 2, 1))
			return REC_NOMEM;
		rd->scratch[n++] = c;
		i++;
	}
	rd->pos = i;
	*out = n;
	return quoted ? REC_OPEN_QUOTE : 0;
}

/* Reads the record at rd->pos into f. */
static enum record_end next_record(struct reader *rd, struct fields *f)
{
	clear_fields(f);
	if (rd->pos >= rd->len)
		return REC_EOF;
	for (;;) {
		size_t n;
		int rc = read_field(rd, &n);

		if (rc)
			return (enum record_end)rc;
		if (push_field(f, n ? rd->scratch : "", n))
			return REC_NOMEM;
		if (rd->pos < rd->len && rd->text[rd->pos] == ',') {
			rd->pos++;
			continue;
		}
		break;
	}
	if (rd->pos < rd->len && rd->text[rd->pos] == '\r')
		rd->pos++;
	if (rd->pos >= rd->len || rd->text[rd->pos] != '\n')
		return REC_CUT;
	rd->pos++;
	rd->line++;
	return REC_ROW;
}

/* After a bad record that began at begin (line), go on at the line after its first one: a
 * stray quote then costs one row, not every row after it. */
static void resync(struct reader *rd, size_t begin, size_t line)
{
	const char *nl = memchr(rd->text + begin, '\n', rd->len - begin);

	rd->pos = nl ? (size_t)(nl - rd->text) + 1 : rd->len;
	rd->line = line + 1;
}

static void free_fields(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Notes a malformed record; the first one's line and what was wrong stay in t. */
static void note_bad(struct csv_table *t, size_t line, enum record_end e, size_t n_fields)
{
	if (!t->bad_rows++) {
		t->bad_line = line;
		if (e == REC_OPEN_QUOTE)
			snprintf(t->bad_what, sizeof(t->bad_what),
				 "a quote is not closed before the end of the file");
		else if (e == REC_CUT && n_fields != t->n_cols)
			snprintf(t->bad_what, sizeof(t->bad_what),
				 "the row is cut: %zu fields where the header has %zu", n_fields,
				 t->n_cols);
		else if (e == REC_CUT)
			snprintf(t->bad_what, sizeof(t->bad_what),
				 "the row is cut: the file ends before its end of line");
		else
			snprintf(t->bad_what, sizeof(t->bad_what),
				 "%zu fields where the header has %zu", n_fields, t->n_cols);
	}
}

static int add_row(struct csv_table *t, struct fields *f, size_t *cap)
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
		free_fields(row, t->n_cols);
		return -ENOMEM;
	}
	t->rows[t->n_rows++] = row;
	return 0;
}

/* The records after the header. 0, -EBADMSG (strict) or -ENOMEM. */
static int read_rows(struct reader *rd, unsigned flags, struct csv_table *t)
{
	struct fields f = {0};
	size_t cap = 0;
	int rc = 0;

	for (;;) {
		size_t begin = rd->pos, line = rd->line;
		enum record_end e = next_record(rd, &f);

		if (e == REC_EOF || e == REC_NOMEM) {
			rc = e == REC_NOMEM ? -ENOMEM : 0;
			break;
		}
		if (e == REC_ROW && f.n == 1 && f.v[0][0] == '\0')
			continue; /* blank line */
		if (e == REC_ROW && f.n == t->n_cols) {
			if ((rc = add_row(t, &f, &cap)))
				break;
			continue;
		}
		note_bad(t, line, e, f.n);
		if (!(flags & CSV_LENIENT)) {
			rc = -EBADMSG;
			break;
		}
		resync(rd, begin, line);
	}
	clear_fields(&f);
	free(f.v);
	return rc;
}

int csv_parse_flags(const char *text, size_t len, unsigned flags, struct csv_table *out)
{
	struct reader rd = {.text = text, .len = len, .line = 1};
	struct fields f = {0};
	enum record_end e;
	int rc;

	memset(out, 0, sizeof(*out));
	e = next_record(&rd, &f);
	if (e == REC_ROW && !(f.n == 1 && f.v[0][0] == '\0')) {
		out->header = f.v;
		out->n_cols = f.n;
		f = (struct fields){0};
		rc = read_rows(&rd, flags, out);
	} else if (e == REC_EOF || e == REC_ROW) {
		rc = -ENODATA;
	} else if (e == REC_NOMEM) {
		rc = -ENOMEM;
	} else { /* a header cut or left open is no header */
		out->bad_line = 1;
		snprintf(out->bad_what, sizeof(out->bad_what), "%s",
			 e == REC_CUT ? "the header is cut: the file ends before its end of line"
				      : "a quote in the header is not closed");
		rc = -EBADMSG;
	}
	clear_fields(&f);
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
