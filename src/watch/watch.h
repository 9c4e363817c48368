// SPDX-License-Identifier: GPL-2.0-only
/*
 * watch: the restarts that happen on the device, not the ones restartprof makes. The engine's
 * events say that a container restarted (watch/recognize.h); the kernel's rolling history
 * (trace/tracer.h, follow mode) says what happened meanwhile, from before the first event on.
 * Each restart becomes a trial of the run directory, as `run` writes them, and a sample of the
 * metrics (metrics/registry.h).
 *
 *   run_open_engine -> run_open_dir -> run_start_tracer -> run_open_files -> run_start_events
 *   -> watch_follow (until a signal or the duration) -> run_write_state -> run_finish -> run_close
 */
#ifndef RP_WATCH_WATCH_H
#define RP_WATCH_WATCH_H

#include "model/cell.h"
#include "model/trial.h"

struct run;
struct filters;
struct metrics;
struct metrics_textfile;

/* Where the metrics go: the registry /metrics renders, and the textfile (either may be NULL). */
struct watch_metrics {
	struct metrics *m;
	struct metrics_textfile *textfile;
};

struct watch_hooks {
	/* One line for the user, without prefix or newline. */
	void (*note)(void *ctx, const char *line);
	/* A restart recorded (t->status says whether its window could be placed). */
	void (*restart)(void *ctx, const struct cell *cell, const struct trial *t);
	void *ctx;
};

enum watch_end {
	WATCH_STOPPED, /* a signal or the duration */
	WATCH_FAILED,  /* the run directory could not take a trial (r->err) */
};

/* Follows r's engine and kernel until SIGINT/SIGTERM or cfg->watch.duration_ns. filters and
 * m may be NULL. The textfile is rewritten every 15 s, on SIGHUP and at the end. */
enum watch_end watch_follow(struct run *r, const struct filters *filters,
			    const struct watch_metrics *m, const struct watch_hooks *hooks);

#endif
