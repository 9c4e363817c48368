// SPDX-License-Identifier: GPL-2.0-only
#include "rundir/csv_record.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

static int push_field(struct csv_fields *f, const char *s, size_t n)
{
	if (array_reserve((void **)&f->v, &f->cap, f->n + 1, sizeof(*f->v)))
		return -1;
	f->v[f->n] = strndup(s, n);
	return f->v[f->n] ? (int)(f->n++, 0) : -1;
}

void csv_fields_clear(struct csv_fields *f)
{
	for (size_t k = 0; k < f->n; k++)
		free(f->v[k]);
	f->n = 0;
}

/* One field at rd->pos, unquoted, into rd->scratch (*out bytes). 0, or an enum csv_record_end. */
static int read_field(struct csv_reader *rd, size_t *out)
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

enum csv_record_end csv_next_record(struct csv_reader *rd, struct csv_fields *f)
{
	csv_fields_clear(f);
	if (rd->pos >= rd->len)
		return REC_EOF;
	for (;;) {
		size_t n;
		int rc = read_field(rd, &n);

		if (rc)
			return (enum csv_record_end)rc;
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

void csv_resync(struct csv_reader *rd, size_t begin, size_t line)
{
	const char *nl = memchr(rd->text + begin, '\n', rd->len - begin);

	rd->pos = nl ? (size_t)(nl - rd->text) + 1 : rd->len;
	rd->line = line + 1;
}

void csv_fields_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void csv_note_bad(struct csv_table *t, size_t line, enum csv_record_end e, size_t n_fields)
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

int csv_take_header(enum csv_record_end e, struct csv_fields *f, struct csv_table *out)
{
	if (e == REC_ROW && !(f->n == 1 && f->v[0][0] == '\0')) {
		out->header = f->v;
		out->n_cols = f->n;
		*f = (struct csv_fields){0};
		return 0;
	}
	if (e == REC_EOF || e == REC_ROW)
		return -ENODATA;
	if (e == REC_NOMEM)
		return -ENOMEM;
	/* a header cut or left open is no header */
	out->bad_line = 1;
	snprintf(out->bad_what, sizeof(out->bad_what), "%s",
		 e == REC_CUT ? "the header is cut: the file ends before its end of line"
			      : "a quote in the header is not closed");
	return -EBADMSG;
}

/* Whether the record that ended so may go on past the text's end, if more() has more. */
static bool runs_past_end(enum csv_record_end e)
{
	return e == REC_CUT || e == REC_OPEN_QUOTE || e == REC_EOF;
}

int csv_next_row(struct csv_reader *rd, unsigned flags, struct csv_table *t, struct csv_fields *f,
		 csv_more_fn *more, void *ctx)
{
	for (;;) {
		size_t begin = rd->pos, line = rd->line;
		enum csv_record_end e = csv_next_record(rd, f);
		int got;

		if (more && runs_past_end(e)) {
			rd->pos = begin;
			rd->line = line;
			if ((got = more(ctx, rd)) < 0)
				return got;
			if (got > 0)
				continue;
			e = csv_next_record(rd, f); /* the input's end: the record as it is */
		}
		if (e == REC_EOF || e == REC_NOMEM)
			return e == REC_NOMEM ? -ENOMEM : 0;
		if (e == REC_ROW && f->n == 1 && f->v[0][0] == '\0')
			continue; /* blank line */
		if (e == REC_ROW && f->n == t->n_cols)
			return 1;
		csv_note_bad(t, line, e, f->n);
		if (!(flags & CSV_LENIENT))
			return -EBADMSG;
		csv_resync(rd, begin, line);
	}
}
