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

int rundir_read_csv(struct rundir_reader *r, const char *name, enum rundir_need need,
		    struct csv_table *out)
{
	char what[PATH_MAX + 128], line[sizeof(what) + 64];
	int rc = csv_read_at(r->dir, name, r->flags, out);

	if (rc == -ENOENT && need == RUNDIR_OPTIONAL)
		return 0;
	if (rc == -ENOMEM) {
		snprintf(r->err, sizeof(r->err), "out of memory reading %s/%s", r->dir, name);
		return rc;
	}
	csv_problem(r->dir, name, rc, out, what, sizeof(what));
	if (!what[0])
		return 1;
	if (!(r->flags & CSV_LENIENT) || (rc && need == RUNDIR_REQUIRED)) {
		snprintf(r->err, sizeof(r->err), "%s", what);
		csv_table_free(out);
		return rc == -ENOENT ? rc : -EBADMSG;
	}
	if (rc)
		snprintf(line, sizeof(line), "%s; file left out", what);
	else
		snprintf(line, sizeof(line), "%s; %zu row%s left out", what, out->bad_rows,
			 out->bad_rows == 1 ? "" : "s");
	if (add_warning(r, line)) {
		csv_table_free(out);
		snprintf(r->err, sizeof(r->err), "out of memory reading %s/%s", r->dir, name);
		return -ENOMEM;
	}
	return rc ? 0 : 1;
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
