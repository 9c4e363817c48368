// SPDX-License-Identifier: GPL-2.0-only
#include "report/summary.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/cell.h"
#include "rundir/columns.h"

void trial_columns_find(const struct csv_table *t, struct trial_columns *c)
{
	static const char *const alt[4] = {COL_RESTART_STDOUT_NS, COL_RESTART_TCP_NS,
					   COL_RESTART_LOG_NS, COL_RESTART_EVENTS_NS};

	c->cell = csv_col(t, COL_CELL);
	c->load = csv_col(t, COL_LOAD);
	c->stressors = csv_col(t, COL_STRESSORS);
	c->status = csv_col(t, COL_STATUS);
	c->restart = csv_col(t, COL_RESTART_NS);
	for (int i = 0; i < 4; i++)
		c->alt[i] = csv_col(t, alt[i]);
}

double trial_restart_s(const struct csv_table *t, const struct trial_columns *c, size_t r)
{
	int64_t ns = csv_get_i64(t, r, c->restart, -1);

	if (c->restart < 0) {
		/* An older file: the column of the row's method; without a method column, the
		 * first method measured. Never another method's time for a row that names one. */
		int m = csv_col(t, COL_METHOD);
		char name[64];

		if (m >= 0 && *csv_get(t, r, m)) {
			snprintf(name, sizeof(name), "restart_%.32s_ns", csv_get(t, r, m));
			ns = csv_get_i64(t, r, csv_col(t, name), -1);
		}
		for (int i = 0; i < 4 && ns < 0 && (m < 0 || !*csv_get(t, r, m)); i++)
			ns = csv_get_i64(t, r, c->alt[i], -1);
	}
	return ns >= 0 ? (double)ns / 1e9 : NAN;
}

int trial_ok(const struct csv_table *t, const struct trial_columns *c, size_t r)
{
	if (c->status < 0)
		return !isnan(trial_restart_s(t, c, r));
	return strcmp(csv_get(t, r, c->status), "ok") == 0;
}

int summary_find_cell(const struct run_summary *s, const char *name)
{
	for (size_t i = 0; i < s->n_cells; i++)
		if (strcmp(s->cells[i].cell, name) == 0)
			return (int)i;
	return -1;
}

int summary_find_load(const struct run_summary *s, const char *load)
{
	for (size_t i = 0; i < s->n_loads; i++)
		if (strcmp(s->loads[i].load, load) == 0)
			return (int)i;
	return -1;
}

void trial_row_cell(const struct csv_table *t, const struct trial_columns *c, size_t r,
		    struct cell_summary *out)
{
	enum load_type load = LOAD_NONE;
	int stressors = 0, repeat = 1;
	const char *name = csv_get(t, r, c->cell);
	int parsed;

	memset(out, 0, sizeof(*out));
	if (!*name) {
		/* No cell column: the name is the load's. */
		struct cell tmp;
		int l = load_from_name(csv_get(t, r, c->load));

		cell_init(&tmp, l < 0 ? LOAD_CUSTOM : (enum load_type)l,
			  (int)csv_get_i64(t, r, c->stressors, 1), 0);
		snprintf(out->cell, sizeof(out->cell), "%s", tmp.name);
	} else {
		snprintf(out->cell, sizeof(out->cell), "%s", name);
	}
	parsed = cell_parse_name(out->cell, &load, &stressors, &repeat) == 0;
	if (*csv_get(t, r, c->load))
		snprintf(out->load, sizeof(out->load), "%s", csv_get(t, r, c->load));
	else
		snprintf(out->load, sizeof(out->load), "%s", parsed ? load_name(load) : "?");
	out->stressors = (int)csv_get_i64(t, r, c->stressors, parsed ? stressors : 0);
	out->repeat = parsed ? repeat : 1;
}

static int is_baseline(const struct cell_summary *c)
{
	return strcmp(c->load, "none") == 0;
}

static int collect_cells(const struct csv_table *t, const struct trial_columns *c,
			 struct run_summary *s)
{
	s->cells = calloc(t->n_rows + 1, sizeof(*s->cells));
	if (!s->cells)
		return -1;
	for (size_t r = 0; r < t->n_rows; r++) {
		struct cell_summary row;
		int i;

		trial_row_cell(t, c, r, &row);
		i = summary_find_cell(s, row.cell);
		if (i < 0) {
			i = (int)s->n_cells++;
			s->cells[i] = row;
			s->cells[i].order = i;
		}
		s->cells[i].trials++;
		if (!trial_ok(t, c, r))
			s->cells[i].failures++;
	}
	return 0;
}

/* Restart times (s) of the ok trials of the cells that match; returns how many. */
static size_t gather(const struct csv_table *t, const struct trial_columns *c, const char *cell,
		     const char *load, double *v)
{
	size_t k = 0;

	for (size_t r = 0; r < t->n_rows; r++) {
		struct cell_summary row;
		double x;

		if (!trial_ok(t, c, r) || isnan(x = trial_restart_s(t, c, r)))
			continue;
		trial_row_cell(t, c, r, &row);
		if ((cell && strcmp(row.cell, cell) == 0) || (load && strcmp(row.load, load) == 0))
			v[k++] = x;
	}
	return k;
}

static double pct(double v, double base)
{
	return isnan(v) || isnan(base) || base == 0 ? NAN : (v / base - 1) * 100;
}

static void adjacent_changes(struct run_summary *s)
{
	for (size_t i = 0; i < s->n_cells; i++) {
		struct cell_summary *c = &s->cells[i];
		double before = NAN, after = NAN, ref;

		c->change_adjacent_pct = NAN;
		if (is_baseline(c) || !c->restart_s.n)
			continue;
		for (size_t j = i; j-- > 0;)
			if (is_baseline(&s->cells[j]) && s->cells[j].restart_s.n) {
				before = s->cells[j].restart_s.median;
				break;
			}
		for (size_t j = i + 1; j < s->n_cells; j++)
			if (is_baseline(&s->cells[j]) && s->cells[j].restart_s.n) {
				after = s->cells[j].restart_s.median;
				break;
			}
		ref = isnan(before) ? after : isnan(after) ? before : (before + after) / 2;
		c->change_adjacent_pct = pct(c->restart_s.median, ref);
	}
}

static int add_load(struct run_summary *s, const struct cell_summary *c)
{
	int i = summary_find_load(s, c->load);

	if (i < 0) {
		i = (int)s->n_loads++;
		memset(&s->loads[i], 0, sizeof(s->loads[i]));
		snprintf(s->loads[i].load, sizeof(s->loads[i].load), "%s", c->load);
		s->loads[i].min_stressors = c->stressors;
		s->loads[i].max_stressors = c->stressors;
	}
	return i;
}

static void load_summaries(const struct csv_table *t, const struct trial_columns *c,
			   struct run_summary *s, double *v)
{
	/* The baseline first, whatever its place in the file. */
	for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->n_cells; i++) {
			struct cell_summary *cs = &s->cells[i];

			if ((pass == 0) != is_baseline(cs))
				continue;
			struct load_summary *l = &s->loads[add_load(s, cs)];

			l->trials += cs->trials;
			l->failures += cs->failures;
			l->min_stressors =
				cs->stressors < l->min_stressors ? cs->stressors : l->min_stressors;
			l->max_stressors =
				cs->stressors > l->max_stressors ? cs->stressors : l->max_stressors;
			if (cs->restart_s.n) {
				l->mean_median_s =
					(l->mean_median_s * l->cells + cs->restart_s.median) /
					(l->cells + 1);
				l->cells++;
			}
		}
	int b = summary_find_load(s, "none");
	double base = b >= 0 && s->loads[b].cells ? s->loads[b].mean_median_s : NAN;

	for (size_t i = 0; i < s->n_loads; i++) {
		struct load_summary *l = &s->loads[i];

		stats_compute(v, gather(t, c, NULL, l->load, v), &l->pooled);
		if (!l->cells)
			l->mean_median_s = NAN;
		l->change_pct = pct(l->mean_median_s, base);
	}
}

static void baseline_drift(struct run_summary *s)
{
	double lo = INFINITY, hi = -INFINITY;

	s->baseline_cells = 0;
	for (size_t i = 0; i < s->n_cells; i++)
		if (is_baseline(&s->cells[i]) && s->cells[i].restart_s.n) {
			double m = s->cells[i].restart_s.median;

			lo = m < lo ? m : lo;
			hi = m > hi ? m : hi;
			s->baseline_cells++;
		}
	s->baseline_drift_pct = s->baseline_cells >= 2 && s->baseline_median_s > 0
					? (hi - lo) / s->baseline_median_s * 100
					: NAN;
}

int summary_compute_run(const struct csv_table *t, struct run_summary *s)
{
	struct trial_columns c;
	struct stats base;
	double *v;

	memset(s, 0, sizeof(*s));
	trial_columns_find(t, &c);
	if (c.cell < 0 && c.load < 0)
		return -1;
	v = malloc((t->n_rows + 1) * sizeof(*v));
	if (!v || collect_cells(t, &c, s) ||
	    !(s->loads = calloc(s->n_cells + 1, sizeof(*s->loads)))) {
		free(v);
		run_summary_free(s);
		return -1;
	}
	for (size_t i = 0; i < s->n_cells; i++)
		stats_compute(v, gather(t, &c, s->cells[i].cell, NULL, v), &s->cells[i].restart_s);
	stats_compute(v, gather(t, &c, NULL, "none", v), &base);
	s->baseline_median_s = base.n ? base.median : NAN;
	for (size_t i = 0; i < s->n_cells; i++)
		s->cells[i].change_pct = s->cells[i].restart_s.n ? pct(s->cells[i].restart_s.median,
								       s->baseline_median_s)
								 : NAN;
	adjacent_changes(s);
	load_summaries(t, &c, s, v);
	baseline_drift(s);
	free(v);
	return 0;
}

void run_summary_free(struct run_summary *s)
{
	free(s->cells);
	free(s->loads);
	memset(s, 0, sizeof(*s));
}

static void print_pct(FILE *f, double v, int width)
{
	if (isnan(v))
		fprintf(f, " %*s", width, "-");
	else
		fprintf(f, " %+*.1f%%", width - 1, v);
}

static void print_stat(FILE *f, const struct stats *st, double v)
{
	if (st->n)
		fprintf(f, " %8.3f", v);
	else
		fprintf(f, " %8s", "-");
}

void summary_print(FILE *f, const struct run_summary *s)
{
	fprintf(f, "%-12s %6s %6s %8s %8s %8s %8s %8s %8s %8s %9s %9s\n", "cell", "trials",
		"failed", "median", "min", "max", "p5", "p95", "mean", "stddev", "vs base",
		"vs adj");
	for (size_t i = 0; i < s->n_cells; i++) {
		const struct cell_summary *c = &s->cells[i];
		const struct stats *st = &c->restart_s;

		fprintf(f, "%-12s %6d %6d", c->cell, c->trials, c->failures);
		print_stat(f, st, st->median);
		print_stat(f, st, st->min);
		print_stat(f, st, st->max);
		print_stat(f, st, st->p5);
		print_stat(f, st, st->p95);
		print_stat(f, st, st->mean);
		print_stat(f, st, st->stddev);
		print_pct(f, c->change_pct, 9);
		print_pct(f, c->change_adjacent_pct, 9);
		fputc('\n', f);
	}
	fprintf(f, "\n%-12s %6s %6s %15s %9s   (times in seconds)\n", "load", "cells", "trials",
		"mean of medians", "vs base");
	for (size_t i = 0; i < s->n_loads; i++) {
		const struct load_summary *l = &s->loads[i];

		fprintf(f, "%-12s %6d %6d", l->load, l->cells, l->trials);
		if (isnan(l->mean_median_s))
			fprintf(f, " %15s", "-");
		else
			fprintf(f, " %15.3f", l->mean_median_s);
		print_pct(f, l->change_pct, 9);
		fputc('\n', f);
	}
	if (!isnan(s->baseline_drift_pct))
		fprintf(f,
			"\nbaseline drift: the %d baseline cells' medians spread over %.1f%% of "
			"the "
			"pooled baseline median (%.3f s)\n",
			s->baseline_cells, s->baseline_drift_pct, s->baseline_median_s);
}

static const char *const cell_columns[] = {
	COL_CELL,
	COL_LOAD,
	COL_STRESSORS,
	COL_REPEAT,
	COL_ORDER,
	COL_TRIALS,
	COL_OK,
	COL_FAILURES,
	COL_MEDIAN_S,
	COL_MIN_S,
	COL_MAX_S,
	COL_P5_S,
	COL_P95_S,
	COL_MEAN_S,
	COL_STDDEV_S,
	COL_CHANGE_PCT,
	COL_CHANGE_ADJACENT_PCT,
};

static const char *const load_columns[] = {
	COL_LOAD,	   COL_CELLS,
	COL_MIN_STRESSORS, COL_MAX_STRESSORS,
	COL_TRIALS,	   COL_OK,
	COL_FAILURES,	   COL_MEAN_MEDIAN_S,
	COL_CHANGE_PCT,	   COL_POOLED_MEDIAN_S,
	COL_POOLED_P5_S,   COL_POOLED_P95_S,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void opt_f64(struct csv_writer *w, double v, int decimals)
{
	if (isnan(v))
		csv_empty(w);
	else
		csv_f64(w, v, decimals);
}

static void stats_fields(struct csv_writer *w, const struct stats *st)
{
	const double v[] = {st->median, st->min, st->max, st->p5, st->p95, st->mean, st->stddev};

	for (size_t i = 0; i < N(v); i++)
		opt_f64(w, st->n ? v[i] : NAN, 6);
}

static int write_cells(struct csv_writer *w, const struct run_summary *s)
{
	int err = 0;

	for (size_t i = 0; i < s->n_cells && !err; i++) {
		const struct cell_summary *c = &s->cells[i];

		csv_str(w, c->cell);
		csv_str(w, c->load);
		csv_i64(w, c->stressors);
		csv_i64(w, c->repeat);
		csv_i64(w, c->order);
		csv_i64(w, c->trials);
		csv_i64(w, (int64_t)c->restart_s.n);
		csv_i64(w, c->failures);
		stats_fields(w, &c->restart_s);
		opt_f64(w, c->change_pct, 2);
		opt_f64(w, c->change_adjacent_pct, 2);
		err = csv_end_row(w);
	}
	return err;
}

static int write_loads(struct csv_writer *w, const struct run_summary *s)
{
	int err = 0;

	for (size_t i = 0; i < s->n_loads && !err; i++) {
		const struct load_summary *l = &s->loads[i];

		csv_str(w, l->load);
		csv_i64(w, l->cells);
		csv_i64(w, l->min_stressors);
		csv_i64(w, l->max_stressors);
		csv_i64(w, l->trials);
		csv_i64(w, (int64_t)l->pooled.n);
		csv_i64(w, l->failures);
		opt_f64(w, l->mean_median_s, 6);
		opt_f64(w, l->change_pct, 2);
		opt_f64(w, l->pooled.n ? l->pooled.median : NAN, 6);
		opt_f64(w, l->pooled.n ? l->pooled.p5 : NAN, 6);
		opt_f64(w, l->pooled.n ? l->pooled.p95 : NAN, 6);
		err = csv_end_row(w);
	}
	return err;
}

static int cells_rows(struct csv_writer *w, const void *s)
{
	return write_cells(w, s);
}

static int loads_rows(struct csv_writer *w, const void *s)
{
	return write_loads(w, s);
}

int summary_write_csv(int dirfd, const struct run_summary *s)
{
	int rc = csv_write_atomic(dirfd, SUMMARY_CSV, cell_columns, N(cell_columns), cells_rows, s);

	return rc ? rc
		  : csv_write_atomic(dirfd, SUMMARY_LOADS_CSV, load_columns, N(load_columns),
				     loads_rows, s);
}
