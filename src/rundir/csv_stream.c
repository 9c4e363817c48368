// SPDX-License-Identifier: GPL-2.0-only
#include "rundir/csv_stream.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/array.h"

#define STREAM_CHUNK (64u << 10)

/* Keeps buf from rd.pos on (moved to its start) and appends what the file has next. */
static int read_more(void *ctx, struct csv_reader *rd)
{
	struct csv_stream *s = ctx;
	size_t keep = rd->len - rd->pos;
	ssize_t n;

	if (keep && rd->pos)
		memmove(s->buf, s->buf + rd->pos, keep);
	rd->pos = 0;
	rd->len = keep;
	if (array_reserve((void **)&s->buf, &s->cap, keep + STREAM_CHUNK, 1))
		return -ENOMEM;
	do
		n = read(s->fd, s->buf + keep, s->cap - keep);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	rd->text = s->buf;
	rd->len = keep + (size_t)n;
	return n > 0;
}

static int open_file(struct csv_stream *s, const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	s->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (s->fd < 0)
		return -errno;
	if (fstat(s->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return -EINVAL;
	return (uint64_t)st.st_size > CSV_FILE_LIMIT ? -EFBIG : 0;
}

/* The first record, as the whole-file reader takes it. */
static int read_header(struct csv_stream *s)
{
	enum csv_record_end e;
	int got;

	for (;;) {
		e = csv_next_record(&s->rd, &s->row);
		if (e != REC_CUT && e != REC_OPEN_QUOTE && e != REC_EOF)
			break;
		s->rd.pos = 0;
		s->rd.line = 1;
		if ((got = read_more(s, &s->rd)) < 0)
			return got;
		if (!got) {
			e = csv_next_record(&s->rd, &s->row);
			break;
		}
	}
	return csv_take_header(e, &s->row, &s->t);
}

int csv_stream_open(struct csv_stream *s, const char *dir, const char *name, unsigned flags)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->flags = flags;
	s->rd.line = 1;
	s->rd.text = "";
	rc = open_file(s, dir, name);
	if (!rc)
		rc = read_header(s);
	if (rc) {
		size_t bad_line = s->t.bad_line;
		char what[sizeof(s->t.bad_what)];

		memcpy(what, s->t.bad_what, sizeof(what));
		csv_stream_close(s);
		s->t.bad_rows = rc == -EBADMSG;
		s->t.bad_line = bad_line;
		memcpy(s->t.bad_what, what, sizeof(what));
	}
	return rc;
}

int csv_stream_next(struct csv_stream *s)
{
	return csv_next_row(&s->rd, s->flags, &s->t, &s->row, read_more, s);
}

const char *csv_stream_get(const struct csv_stream *s, int col)
{
	if (col < 0 || (size_t)col >= s->row.n)
		return "";
	return s->row.v[col];
}

void csv_stream_close(struct csv_stream *s)
{
	if (s->fd >= 0)
		close(s->fd);
	csv_fields_clear(&s->row);
	free(s->row.v);
	free(s->rd.scratch);
	free(s->buf);
	csv_table_free(&s->t);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
