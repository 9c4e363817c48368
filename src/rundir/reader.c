// SPDX-License-Identifier: GPL-2.0-only
#include "rundir/reader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

void rundir_reader_init(struct rundir_reader *r, const char *dir, unsigned flags)
{
	memset(r, 0, sizeof(*r));
	r->dir = dir;
	r->flags = flags;
}

static int add_warning(struct rundir_reader *r, const char *line)
{
	size_t n = strlen(line);

	if (array_reserve((void **)&r->warnings, &r->warnings_cap, r->warnings_len + n + 2, 1))
		return -ENOMEM;
	memcpy(r->warnings + r->warnings_len, line, n);
	r->warnings_len += n;
	r->warnings[r->warnings_len++] = '\n';
	r->warnings[r->warnings_len] = '\0';
	return 0;
}

/* What rc (and the rows t left out) make of the file: 1 read, 0 left out (optional and
 * absent, or leniently unreadable: a warning), < 0 with r->err. */
static int judge(struct rundir_reader *r, const char *name, enum rundir_need need, int rc,
		 const struct csv_table *t)
{
	char what[PATH_MAX + 128], line[sizeof(what) + 64];

	if (rc == -ENOENT && need == RUNDIR_OPTIONAL)
		return 0;
	if (rc == -ENOMEM) {
		snprintf(r->err, sizeof(r->err), "out of memory reading %s/%s", r->dir, name);
		return rc;
	}
	csv_problem(r->dir, name, rc, t, what, sizeof(what));
	if (!what[0])
		return 1;
	if (!(r->flags & CSV_LENIENT) || (rc && need == RUNDIR_REQUIRED)) {
		snprintf(r->err, sizeof(r->err), "%s", what);
		return rc == -ENOENT ? rc : -EBADMSG;
	}
	if (rc)
		snprintf(line, sizeof(line), "%s; file left out", what);
	else
		snprintf(line, sizeof(line), "%s; %zu row%s left out", what, t->bad_rows,
			 t->bad_rows == 1 ? "" : "s");
	if (add_warning(r, line)) {
		snprintf(r->err, sizeof(r->err), "out of memory reading %s/%s", r->dir, name);
		return -ENOMEM;
	}
	return rc ? 0 : 1;
}

int rundir_read_csv(struct rundir_reader *r, const char *name, enum rundir_need need,
		    struct csv_table *out)
{
	int rc = judge(r, name, need, csv_read_at(r->dir, name, r->flags, out), out);

	if (rc <= 0)
		csv_table_free(out);
	return rc;
}

int rundir_open_stream(struct rundir_reader *r, const char *name, enum rundir_need need,
		       struct csv_stream *s)
{
	int rc = judge(r, name, need, csv_stream_open(s, r->dir, name, r->flags), &s->t);

	if (rc <= 0)
		csv_stream_close(s);
	return rc;
}

int rundir_close_stream(struct rundir_reader *r, const char *name, struct csv_stream *s, int rc)
{
	rc = judge(r, name, RUNDIR_OPTIONAL, rc, &s->t);
	csv_stream_close(s);
	return rc < 0 ? rc : 0;
}

int rundir_problem(struct rundir_reader *r, const char *name, const char *what)
{
	char line[sizeof(r->err)];

	if (!(r->flags & CSV_LENIENT)) {
		snprintf(r->err, sizeof(r->err), "%s/%s: %s", r->dir, name, what);
		return -EBADMSG;
	}
	snprintf(line, sizeof(line), "%s/%s: %s; file left out", r->dir, name, what);
	return add_warning(r, line);
}

char *rundir_reader_take_warnings(struct rundir_reader *r)
{
	char *w = r->warnings;

	r->warnings = NULL;
	r->warnings_len = r->warnings_cap = 0;
	return w;
}

void rundir_reader_free(struct rundir_reader *r)
{
	free(r->warnings);
	r->warnings = NULL;
	r->warnings_len = r->warnings_cap = 0;
}
