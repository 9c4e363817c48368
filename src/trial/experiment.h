// SPDX-License-Identifier: GPL-2.0-only
/* A run: every cell in order, its load, its trials, handed one by one to a sink. */
#ifndef RP_TRIAL_EXPERIMENT_H
#define RP_TRIAL_EXPERIMENT_H

#include "model/cell.h"
#include "model/trial.h"
#include "trial/session.h"

struct trial_kernel;

struct experiment_sink {
	/* Called once per trial, as soon as it ends; tk may be NULL. Returns -errno to stop. */
	int (*trial)(void *ctx, const struct cell *cell, const struct trial *t,
		     const struct trial_kernel *tk);
	/* Progress: cell index, trial index (0 while the cell sets up), a short note. */
	void (*progress)(void *ctx, int cell, int trial, const char *note);
	void *ctx;
};

enum experiment_end {
	EXP_DONE,
	EXP_INTERRUPTED,
	EXP_TOO_MANY_FAILURES,
	EXP_ENGINE_LOST,
	EXP_SINK_FAILED,
	EXP_SETUP_FAILED,
	EXP_NO_TRIAL_OK, /* every cell ran, but one had no ok trial (trial/run.c decides) */
	EXP_LOAD_LOST,	 /* a stressor container of the cell died: no trial after it is loaded */
};

/* Runs every cell of s->cfg. s->err explains any end but EXP_DONE. */
enum experiment_end experiment_run(struct session *s, const struct experiment_sink *sink);

#endif
