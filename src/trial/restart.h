// SPDX-License-Identifier: GPL-2.0-only
/* One restart, as the paper defines it: stop and destroy the old, create and start the new. */
#ifndef RP_TRIAL_RESTART_H
#define RP_TRIAL_RESTART_H

#include "model/trial.h"
#include "trial/session.h"

struct trial_kernel;

/* Brings up a first target and waits until it serves; not measured. */
int restart_prepare(struct session *s, struct target **cur);

/*
 * Replaces *cur with a new container and measures it into t. On return *cur is the new
 * container when it serves, or NULL (nothing of it left in the engine) when the trial failed.
 * *tk gets what the kernel recorded (NULL without tracing). Returns 0 when the trial is ok.
 */
int restart_trial(struct session *s, struct target **cur, struct trial *t,
		  struct trial_kernel **tk);

#endif
