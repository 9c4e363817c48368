// SPDX-License-Identifier: GPL-2.0-only
/*
 * One run directory as the report sees it: the CSVs and run.json read back, the summary, and
 * per-trial phase durations, whichever columns the files (of this or an older version) have.
 */
#ifndef RP_REPORT_REPORT_DATA_H
#define RP_REPORT_REPORT_DATA_H

#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model/phase.h"
#include "report/summary.h"
#include "rundir/columns.h"
#include "rundir/csv.h"

/* One row of trials.csv. */
struct report_trial {
	int cell; /* index into sum.cells */
	int trial;
	bool ok;
	double restart_s;	    /* NAN when not measured */
	int64_t phase_ns[PH_COUNT]; /* -1 when unknown */
	bool have_phases;	    /* every phase known */
	int variant; /* a try run's trial: AB_A (remedy off) or AB_B (on); -1 otherwise */
};

struct explain_run; /* explain/explain.h */

struct report_run {
	char dir[PATH_MAX];
	char label[96];	   /* short name in comparisons: host and kernel, else the directory */
	json_object *info; /* run.json, NULL when absent */
	struct csv_table trials, phases, api, events; /* empty tables when absent */
	bool have_phases, have_api, have_events;
	struct run_summary sum;
	struct report_trial *rows;
	size_t n_rows;
	double (*share_pct)[PH_COUNT]; /* per cell: % of the restart time spent in each phase */
	double (*phase_mean_ms)[PH_COUNT];
	int *share_trials; /* per cell: trials the shares are made of (0: no phase data) */
	/* The diagnosis (waits, causes, folded stacks) when the report made one; NULL if not. */
	const struct explain_run *explain;
	char *warnings; /* read with CSV_LENIENT: one line per file with rows left out; or NULL */
};

/*
 * Reads dir. Fails (-1, err naming the file, and the line of a malformed row) when dir is not
 * a run directory (no trials.csv with the columns of one; no row there and no run.json), or,
 * unless flags has CSV_LENIENT (rundir/csv.h), when one of its files is malformed or cannot
 * be read; leniently, what is bad is left out and said in r->warnings.
 */
int report_run_read(const char *dir, unsigned flags, struct report_run *r, char *err,
		    size_t errlen);
/* report_run_read without flags. */
int report_run_load(const char *dir, struct report_run *r, char *err, size_t errlen);
void report_run_free(struct report_run *r);

/* The ok trial of cell c whose restart time is the median (the lower middle one for an even
 * count; ties by trial number), or -1. Index into r->rows. */
int report_median_trial(const struct report_run *r, int cell);

/* A string of run.json by dotted path ("host.kernel"), or def. */
const char *report_info(const struct report_run *r, const char *path, const char *def);

/* The engine of the run (enum engine_kind, engine/kind.h) from run.json; runs that do not
 * record it were Docker's. */
int report_engine(const struct report_run *r);
/* Whether runs[0..n) are not all of one engine. */
bool report_engines_differ(const struct report_run *runs, size_t n);
/* " run 1 Docker, run 2 Podman": each run's engine, for the text and the page alike. */
void report_print_engines(FILE *f, const struct report_run *runs, size_t n);

/* Whether phases.csv has a numeric column name with some value other than 0. */
bool report_has_phase_metric(const struct report_run *r, const char *column);
/*
 * Mean per ok trial of a phases.csv column, per load (index as r->sum.loads) and phase: out
 * must hold n_loads * PH_COUNT values (NAN where a load has no trial). 0, or -1 when the column
 * is missing.
 */
int report_phase_metric(const struct report_run *r, const char *column, double *out);

#endif
