// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-cell and per-load statistics of restart time, read back from trials.csv; summary.csv,
 * summary_loads.csv and the terminal table.
 *
 * The baseline: every cell without load ("none", "none#2", ...). Its ok trials are pooled into
 * one baseline median that every cell's change is measured against; its repeats, run between
 * the load blocks of a matrix, also give the drift of the machine during the run, and each
 * cell's change against the baselines run just before and just after its block.
 */
#ifndef RP_REPORT_SUMMARY_H
#define RP_REPORT_SUMMARY_H

#include <stdio.h>

#include "model/cell.h"
#include "model/stats.h"
#include "rundir/columns.h"
#include "rundir/csv.h"

struct cell_summary {
	char cell[CELL_NAME_LEN];
	char load[16];
	int stressors;
	int repeat;   /* 1, or which repetition of the same load and stressors ("none#3": 3) */
	int order;    /* 0-based position in the run */
	int trials;   /* rows, whatever their status */
	int failures; /* failed or interrupted */
	struct stats restart_s; /* over ok trials, seconds */
	double change_pct;	/* median against the pooled baseline median; NAN without one */
	/* Median against the mean of the medians of the nearest baseline cells run before and
	 * after this one (one of them at the ends); NAN for baselines and without any. */
	double change_adjacent_pct;
};

struct load_summary {
	char load[16];
	int cells; /* cells of this load with at least one ok trial */
	int trials, failures;
	int min_stressors, max_stressors;
	double mean_median_s; /* mean of the cell medians, as the paper quotes them */
	double change_pct;    /* mean_median_s against the baseline's; NAN without baseline */
	struct stats pooled;  /* over every ok trial of the load's cells */
};

struct run_summary {
	struct cell_summary *cells; /* in run order */
	size_t n_cells;
	struct load_summary *loads; /* the baseline first, then in order of first appearance */
	size_t n_loads;
	double baseline_median_s; /* pooled over every baseline cell; NAN without one */
	int baseline_cells;	  /* baseline cells with ok trials */
	/* (max - min) of the baseline cell medians against the pooled median, in %; NAN with
	 * fewer than two baseline cells. Changes smaller than this are within the drift. */
	double baseline_drift_pct;
};

/*
 * From trials.csv as read. Tolerates older files: without load/stressors they come from the
 * cell name; without restart_ns the column of the method (or any restart_*_ns) is used;
 * without status a row with a restart time is ok. -1 when it has no cell and no load column.
 */
int summary_compute_run(const struct csv_table *trials, struct run_summary *out);
void run_summary_free(struct run_summary *s);
/* Index of a cell by name, -1 if absent. */
int summary_find_cell(const struct run_summary *s, const char *name);
/* Index of a load by name, -1 if absent. */
int summary_find_load(const struct run_summary *s, const char *load);

/* The restart time of row r in seconds (NAN when not measured) and whether the row is ok. */
struct trial_columns {
	int cell, load, stressors, status, restart, alt[4];
};
void trial_columns_find(const struct csv_table *t, struct trial_columns *c);
double trial_restart_s(const struct csv_table *t, const struct trial_columns *c, size_t r);
int trial_ok(const struct csv_table *t, const struct trial_columns *c, size_t r);
/* Cell name, load, stressors and repeat of row r (other fields zero), from the columns or,
 * where they lack, from the cell name (or the load when there is no cell column). */
void trial_row_cell(const struct csv_table *t, const struct trial_columns *c, size_t r,
		    struct cell_summary *out);

/* The terminal table: one row per cell, then one per load type. */
void summary_print(FILE *f, const struct run_summary *s);
/* summary.csv (one row per cell) and summary_loads.csv, each replaced atomically. 0/-errno. */
int summary_write_csv(int dirfd, const struct run_summary *s);

#endif
