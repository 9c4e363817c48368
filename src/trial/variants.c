// SPDX-License-Identifier: GPL-2.0-only
/* restartprof try: ABBA variants, the remedy switched between trials, A against B per phase. */
#include "trial/variants.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remedy/remedy.h"
#include "rundir/columns.h"
#include "rundir/csv.h"
#include "util/array.h"
#include "util/clock.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

bool try_trial_on(int i)
{
	return i >= 1 && "ABBA"[(i - 1) % 4] == 'B';
}

const char *try_variant_name(int i)
{
	return try_trial_on(i) ? "B" : "A";
}

int try_switch(struct session *s, bool on)
{
	const struct remedy_set *set = s->cfg->try.set;
	char err[400];
	int rc;

	if (!set || !s->journal)
		return 0;
	rc = on ? remedy_set_on(set, s->journal, err, sizeof(err))
		: remedy_set_off(set, s->journal, err, sizeof(err));
	if (rc)
		snprintf(s->err, sizeof(s->err), "turning the remedy %s: %s", on ? "on" : "off",
			 err);
	return rc;
}

static int add_value(struct try_samples *ts, int row, int side, double v)
{
	if (array_reserve((void **)&ts->v[row][side], &ts->cap[row][side], ts->n[row][side] + 1,
			  sizeof(double)))
		return -ENOMEM;
	ts->v[row][side][ts->n[row][side]++] = v;
	return 0;
}

int try_samples_add(struct try_samples *ts, const struct trial *t)
{
	int side;

	if (t->status != TRIAL_OK || !t->variant)
		return 0;
	if (strcmp(t->variant, "A") == 0)
		side = 0;
	else if (strcmp(t->variant, "B") == 0)
		side = 1;
	else
		return 0;
	for (int p = 0; p < PH_COUNT; p++) {
		const struct phase_span *sp = &t->phases[p];

		if (add_value(ts, p, side, (double)(sp->end_ns - sp->start_ns) / NSEC_PER_SEC))
			return -ENOMEM;
	}
	return add_value(ts, TRY_ROW_RESTART, side,
			 (double)trial_restart_ns(t, t->method) / NSEC_PER_SEC);
}

void try_samples_free(struct try_samples *ts)
{
	for (int r = 0; r < TRY_ROWS; r++)
		for (int k = 0; k < 2; k++)
			free(ts->v[r][k]);
	memset(ts, 0, sizeof(*ts));
}

const char *try_row_name(int row)
{
	return row == TRY_ROW_RESTART ? "restart" : phase_name((enum phase)row);
}

int try_compare(const struct try_samples *ts, struct comparison out[TRY_ROWS])
{
	for (int r = 0; r < TRY_ROWS; r++)
		if (compare_samples(ts->v[r][0], ts->n[r][0], ts->v[r][1], ts->n[r][1], &out[r]))
			return -ENOMEM;
	return 0;
}

struct comparison_rows {
	const char *cell;
	const struct comparison *c;
};

static int comparison_rows(struct csv_writer *w, const void *ctx)
{
	const struct comparison_rows *cr = ctx;

	for (int r = 0; r < TRY_ROWS; r++) {
		const struct comparison *c = &cr->c[r];
		bool some = c->n_a && c->n_b;
		int e;

		csv_str(w, cr->cell);
		csv_str(w, try_row_name(r));
		csv_i64(w, (int64_t)c->n_a);
		csv_i64(w, (int64_t)c->n_b);
		if (c->n_a)
			csv_f64(w, c->median_a, 6);
		else
			csv_empty(w);
		if (c->n_b)
			csv_f64(w, c->median_b, 6);
		else
			csv_empty(w);
		if (some)
			csv_f64(w, c->diff, 6);
		else
			csv_empty(w);
		if (c->verdict != VERDICT_NONE) {
			csv_f64(w, c->lo, 6);
			csv_f64(w, c->hi, 6);
		} else {
			csv_empty(w);
			csv_empty(w);
		}
		csv_str(w, verdict_name(c->verdict));
		if ((e = csv_end_row(w)) != 0)
			return e;
	}
	return 0;
}

int try_comparison_write(int dirfd, const char *cell, const struct comparison out[TRY_ROWS])
{
	static const char *const columns[] = {
		COL_CELL,	COL_PHASE,  COL_N_A,  COL_N_B,	COL_MEDIAN_A_S,
		COL_MEDIAN_B_S, COL_DIFF_S, COL_LO_S, COL_HI_S, COL_VERDICT,
	};
	struct comparison_rows cr = {cell, out};

	return csv_write_atomic(dirfd, COMPARISON_CSV, columns, N(columns), comparison_rows, &cr);
}
