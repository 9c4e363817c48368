// SPDX-License-Identifier: GPL-2.0-only
/* The stressor containers that load the machine during a cell, as in the paper. */
#ifndef RP_TRIAL_LOAD_H
#define RP_TRIAL_LOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <limits.h>

#include "model/cell.h"
#include "remedy/remedy.h"
#include "trial/session.h"

#define LOAD_MAX_CONTAINERS 16

struct load_set {
	int n;
	char id[LOAD_MAX_CONTAINERS][65];
	char name[LOAD_MAX_CONTAINERS][128];
	int64_t since_ns;      /* wall time the set began to start: deaths count from here */
	int events_reconnects; /* of the engine's events stream then */
	char dir[LOAD_MAX_CONTAINERS][PATH_MAX]; /* load-fs: each stressor's directory */
	int n_dirs;
};

/* stress-ng arguments of one stressor container (argv without the program), NULL-terminated. */
int load_stress_args(const struct run_config *cfg, enum load_type load, int workers, char **argv,
		     char bufs[][16], int max);

/*
 * Starts cell->stressors containers, created with chg (NULL: as they are; try's B trials pass
 * the remedy's: fewer CPUs, a write-bandwidth limit, a working directory under fs_dir), and
 * lets them settle. 0, or -errno with s->err.
 */
int load_start(struct session *s, const struct cell *cell, const struct load_change *chg,
	       struct load_set *ls);
/* Removes every container of the set, and with them the directories they wrote in; errors are
 * ignored (cleanup). */
void load_stop(struct session *s, struct load_set *ls);
/*
 * Whether every container of the set still runs, by the engine's die events. 0 if so; else
 * -ESRCH, *died_ns the wall time of the first death, and one line in s->err naming the
 * container, its exit code and the last lines of its output.
 */
int load_check(struct session *s, const struct load_set *ls, int64_t *died_ns);
/* True when the engine's connection broke since the set started: an engine that restarted
 * has stopped its containers itself, so their deaths say nothing about the load. */
bool load_outlived_engine(struct session *s, const struct load_set *ls);

#endif
