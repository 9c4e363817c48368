// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof explain: the diagnosis of a run directory (model/diagnosis.h) from its files
 * (trials.csv, phases.csv, waits.csv, stacks.csv) and the cause rules. Its views: as text
 * (explain/text.h), as a section of report.html (explain/html.h), as the report's flame graphs
 * (explain/flame_figure.h) and as folded stacks (explain/folded.h).
 */
#ifndef RP_EXPLAIN_EXPLAIN_H
#define RP_EXPLAIN_EXPLAIN_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "model/cell.h"
#include "model/diagnosis.h"
#include "model/fold.h"
#include "model/ab_values.h"
#include "model/rules.h"
#include "rundir/columns.h"

/* Means per trial of phases.csv columns that set a phase in context. */
enum explain_ctx {
	CTX_DIRTY_BEGIN,
	CTX_DIRTY_END,
	CTX_WRITEBACK_BEGIN,
	CTX_WRITEBACK_END,
	CTX_WB_BACKGROUND,
	CTX_WB_PERIODIC,
	CTX_WB_SYNC,
	CTX_WB_RECLAIM,
	CTX_WB_OTHER,
	CTX_WB_BY_ENGINE,
	CTX_WB_BY_TARGET,
	CTX_WB_BY_LOAD,
	CTX_WB_BY_KERNEL,
	CTX_WB_BY_OTHER,
	CTX_WB_BY_UNKNOWN,
	CTX_BIO_ENGINE,
	CTX_BIO_LOAD,
	CTX_BIO_KERNEL,
	CTX_BIO_OTHER,
	CTX_COUNT
};

/* The text and the report show a phase's causes down to these; smaller ones fold together. */
#define EXPLAIN_SHOWN_CAUSES 5
#define EXPLAIN_SHOWN_MIN_MS 0.05

struct explain_cell {
	char name[CELL_NAME_LEN], load[32];
	int stressors;
	int ok_trials;
	double median_ms; /* median restart time (restart_ns) of the ok trials; NAN when none */
	struct diagnosis_cell dx;
	double ctx[PH_COUNT][CTX_COUNT]; /* NAN when unknown */
	struct fold *fold[PH_COUNT];	 /* off-CPU microseconds per wait stack, all trials */
	struct ab_values *ab; /* a try run's cell: its A and B trials (explain/tried.h); or NULL */
};

struct explain_run {
	char dir[PATH_MAX];
	char data_root[PATH_MAX]; /* the engine's data-root from run.json, "" when unknown */
	char tried[128];	  /* a try run's remedies (run.json try.remedies), else "" */
	int engine; /* enum engine_kind (engine/kind.h) of run.json; Docker when not recorded */
	const struct rules *rules;
	struct explain_cell *cells;
	size_t n_cells;
	struct explain_cell base; /* the run's baseline cells (load none) pooled */
	bool have_base;
	bool traced;		   /* the run wrote waits.csv */
	size_t frames, raw_frames; /* stack frames read, and those that are bare addresses */
	char *warnings; /* read with CSV_LENIENT: one line per file with rows left out; or NULL */
	struct text_pool *strings; /* the stack strings its folds and diagnoses share */
};

/* The built-in rules (rules/causes.rules) or those of path. 0, or -1 with err. */
int explain_rules_load(const char *path, struct rules *out, char *err, size_t errlen);
/*
 * Reads a run directory. 0, or with err: -ENOENT (no trials.csv), -EINVAL (trials.csv lacks a
 * cell or trial column), -ENOMEM, or, unless flags has CSV_LENIENT (rundir/csv.h), -EBADMSG
 * when a file is malformed (err names it and the line) or cannot be read; leniently, what is
 * bad is left out and said in out->warnings.
 */
int explain_read(const char *dir, const struct rules *rules, unsigned flags,
		 struct explain_run *out, char *err, size_t errlen);
/* explain_read without flags; 0 or -1. */
int explain_load(const char *dir, const struct rules *rules, struct explain_run *out, char *err,
		 size_t errlen);
void explain_run_free(struct explain_run *r);
/* The cell of that name, or NULL. */
const struct explain_cell *explain_find(const struct explain_run *r, const char *name);
/* The baseline for cell c: against's cell of the same name, else against's pooled baseline;
 * without against, r's own pooled baseline for a cell that is not one. NULL when none. */
const struct explain_cell *explain_baseline(const struct explain_run *r,
					    const struct explain_run *against,
					    const struct explain_cell *c);

/* Whether a cell of this load is a baseline one (no load). */
bool explain_is_base_load(const char *load);
/*
 * Remedy i of a rule, phrased for a cell with or without load, on an engine: a remedy written
 * "[load] text" is for loaded cells only, "[no load] text" for baseline cells only; after that
 * tag, "[docker] text" or "[podman] text" is for runs of that engine only (engine: enum
 * engine_kind, or -1 for any). The text without its tags is returned; NULL when it does not
 * apply.
 */
const char *explain_remedy(const struct rule *rule, int i, bool loaded, int engine);
/* The same for any text that may begin with "[load] " or "[no load] " (a rule's try line). */
const char *explain_in_context(const char *text, bool loaded);
/* The measured restart time of a cell's diagnosis: its phases summed, in ms. */
double explain_total_ms(const struct diagnosis_cell *d);

#endif
