// SPDX-License-Identifier: GPL-2.0-only
/*
 * Restarts whose new container started and whose readiness is awaited: the new service's first
 * listen() as the kernel saw it, its health status turning healthy when it has a health check,
 * or, when neither comes within the readiness timeout, the start event itself. Then the trial is
 * assembled (windows, phases, the kernel's view of the window) and handed on: to the run
 * directory's CSVs, the metrics and the caller.
 */
#ifndef RP_WATCH_PENDING_H
#define RP_WATCH_PENDING_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/cell.h"
#include "model/rules.h"
#include "model/trial.h"
#include "watch/recognize.h"

#define PENDING_MAX 64

struct run;
struct metrics;

struct pending {
	struct restart_seen rs;
	pid_t old_pid, new_pid; /* main processes, 0 when unknown */
	bool health;		/* the new container has a health check */
	bool with_engine;	/* it went down and came back with the engine itself */
	int64_t healthy_ns;	/* wall: its health status turned healthy, 0 not yet */
	int64_t ready_by_ns;	/* wall: readiness given up after this */
	int64_t next_look;	/* monotonic: when the kernel's history is searched again */
};

typedef void (*pending_trial_cb)(void *ctx, const struct cell *cell, const struct trial *t);

struct pending_set {
	struct run *r;
	struct metrics *m; /* may be NULL */
	pending_trial_cb on_trial;
	void *ctx;
	struct pending p[PENDING_MAX];
	int n;
	int trials;	       /* restarts recorded so far: the trial number of each */
	uint64_t kernel_drops; /* summed over the restarts, for the metrics */
	struct rules rules;
	bool have_rules;
};

int pending_init(struct pending_set *ps, struct run *r, struct metrics *m, pending_trial_cb cb,
		 void *ctx);
void pending_free(struct pending_set *ps);
/* -ENOSPC when PENDING_MAX restarts already wait; -errno when the earlier restart of the same
 * container, settled first, could not be written (r->err). */
int pending_add(struct pending_set *ps, const struct restart_seen *rs, pid_t old_pid, pid_t new_pid,
		bool health, bool with_engine, int64_t ready_timeout_ns);
/* The health status of container id turned healthy at time_ns. */
void pending_healthy(struct pending_set *ps, const char *id, int64_t time_ns);
/*
 * Records every restart whose readiness is known or given up (all of them with force). 0, or
 * -errno when the run directory could not take a trial (r->err says why).
 */
int pending_settle(struct pending_set *ps, bool force);

#endif
