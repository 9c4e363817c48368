// SPDX-License-Identifier: GPL-2.0-only
/* The stressor containers that load the machine during a cell, as in the paper. */
#ifndef RP_TRIAL_LOAD_H
#define RP_TRIAL_LOAD_H

#include "model/cell.h"
#include "trial/session.h"

#define LOAD_MAX_CONTAINERS 16

struct load_set {
	int n;
	char id[LOAD_MAX_CONTAINERS][65];
};

/* stress-ng arguments of one stressor container (argv without the program), NULL-terminated. */
int load_stress_args(const struct run_config *cfg, enum load_type load, int workers, char **argv,
		     char bufs[][16], int max);

/* Starts cell->stressors containers and lets them settle. 0, or -errno with s->err. */
int load_start(struct session *s, const struct cell *cell, struct load_set *ls);
/* Removes every container of the set; errors are ignored (cleanup). */
void load_stop(struct session *s, struct load_set *ls);

#endif
