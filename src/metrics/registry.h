// SPDX-License-Identifier: GPL-2.0-only
/* What watch observed, as Prometheus metrics: counters, histograms, bounded labels. */
#ifndef RP_METRICS_REGISTRY_H
#define RP_METRICS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Distinct values kept per label; a value seen after the bound is full is counted under
 * METRICS_OTHER and restartprof_label_overflows_total{label} says how often that happened.
 */
#define METRICS_MAX_CELLS  64
#define METRICS_MAX_KINDS  8
#define METRICS_MAX_PHASES 16
#define METRICS_MAX_CAUSES 64
#define METRICS_OTHER	   "other"

struct metrics;

/*
 * A registry whose restartprof_build_info carries these values (NULL: ""). NULL when out of
 * memory. Every function below is safe to call from any thread.
 */
struct metrics *metrics_new(const char *version, const char *kernel, const char *engine_version);
void metrics_free(struct metrics *m);
/* The engine's version once known (or after a reconnect to another engine). 0 or -ENOMEM. */
int metrics_engine_version(struct metrics *m, const char *engine_version);

/*
 * One restart of a cell (a container name or a compose service, never an id) of a kind
 * (how it was restarted): the counter and the restart-time histogram. 0 or -ENOMEM.
 */
int metrics_restart(struct metrics *m, const char *cell, const char *kind, double seconds);
/* One phase of a restart (phase_name's names): its histogram and its engine I/O wait. */
int metrics_phase(struct metrics *m, const char *cell, const char *phase, double seconds,
		  double engine_io_wait_seconds);
/* Seconds a cause (a rule's category) explained in one phase of one restart. */
int metrics_cause(struct metrics *m, const char *cell, const char *phase, const char *cause,
		  double seconds);
/* Totals since watch began: the largest value given is kept (counters never go back). */
void metrics_kernel_drops(struct metrics *m, uint64_t total);
void metrics_engine_reconnects(struct metrics *m, uint64_t total);
/* restartprof_engine_up: whether watch holds its connection to the engine. */
void metrics_watch_up(struct metrics *m, bool engine_connected);

/*
 * The whole registry in Prometheus' text exposition format 0.0.4, into a fresh buffer (*buf,
 * NUL-terminated, *len without the NUL; free() it). 0 or -ENOMEM.
 */
int metrics_render(struct metrics *m, char **buf, size_t *len);

#endif
