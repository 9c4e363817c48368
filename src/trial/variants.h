// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof try: the A/B variant of each trial (ABBA per group of four), the remedy set
 * turned on or off between trials, and the comparison of the two variants per phase.
 */
#ifndef RP_TRIAL_VARIANTS_H
#define RP_TRIAL_VARIANTS_H

#include <stdbool.h>
#include <stddef.h>

#include "model/compare.h"
#include "model/phase.h"
#include "model/trial.h"
#include "trial/session.h"

/* Trial i (1-based) runs with the remedy on: the B of "ABBA"[(i - 1) % 4]. */
bool try_trial_on(int i);
/* "A" or "B", for trials.csv's variant. */
const char *try_variant_name(int i);

/* Turns the run's remedy set on or off (every old value journaled first). 0, or -errno with
 * one line in s->err. */
int try_switch(struct session *s, bool on);

/* The rows of a try comparison: each phase, then the whole restart. */
#define TRY_ROWS	(PH_COUNT + 1)
#define TRY_ROW_RESTART PH_COUNT

/* The ok trials' durations in seconds, per row and variant. */
struct try_samples {
	double *v[TRY_ROWS][2]; /* [row][0: A, 1: B] */
	size_t n[TRY_ROWS][2], cap[TRY_ROWS][2];
};

/* Adds an ok trial of variant "A" or "B" (others are ignored). 0 or -ENOMEM. */
int try_samples_add(struct try_samples *ts, const struct trial *t);
void try_samples_free(struct try_samples *ts);
/* The name of a row: a phase's, or "restart". */
const char *try_row_name(int row);
/* Compares A with B on every row. 0 or -ENOMEM. */
int try_compare(const struct try_samples *ts, struct comparison out[TRY_ROWS]);
/* comparison.csv in the run directory: one row per row of out, for cell. 0 or -errno. */
int try_comparison_write(int dirfd, const char *cell, const struct comparison out[TRY_ROWS]);

#endif
