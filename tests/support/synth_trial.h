/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A synthetic trial for the model's unit tests: fixed phases in microseconds, and the
 * lookups of the waits the model derives from it.
 */
#ifndef RP_TESTS_SUPPORT_SYNTH_TRIAL_H
#define RP_TESTS_SUPPORT_SYNTH_TRIAL_H

#include <stdint.h>

#include "model/kernel.h"
#include "model/trial.h"
#include "model/waits.h"

#define US 1000LL /* times of a synthetic trial are in microseconds */

/*
 * Window [1000, 2000] us, tiled: kill [1000, 1100), die [1100, 1200), disconnect
 * [1200, 1300), stop [1300, 1350), destroy [1350, 1400), create [1400, 1500), attach
 * [1500, 1550), connect [1550, 1700), start [1700, 1900), ready [1900, 2000].
 */
void synth_trial(struct trial *t);
/* A kernel stack of one frame, named folded. */
void synth_add_stack(struct trial_kernel *tk, int32_t id, const char *folded);
/* The wait of phase by the process named comm in state, or NULL. */
const struct kwait *synth_find_wait(const struct trial_kernel *tk, int phase, const char *comm,
				    int state);
/* The wall time of every wait of phase. */
int64_t synth_phase_wall(const struct trial_kernel *tk, int phase);

#endif
