// SPDX-License-Identifier: GPL-2.0-only
/* What one trial measured: its window, phases, restart times by method, and API calls. */
#ifndef RP_MODEL_TRIAL_H
#define RP_MODEL_TRIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/phase.h"

/* Ways to tell when the service stopped and when it serves again. */
enum restart_method {
	RM_STDOUT, /* timestamps the services print (the paper's method) */
	RM_TCP,	   /* last successful connect to the old one, first to the new one */
	RM_LOG,	   /* stop request to the first output line matching a pattern */
	RM_EVENTS, /* engine's kill event to its start event */
	RM_KERNEL, /* old service's exit to the new one's first listen(), seen by BPF */
	RM_HEALTH, /* watch: the stop request or exit to the health status turning healthy */
	RM_COUNT
};

/*
 * --alternate: one thing switched on for odd trials and off for even ones within one run, so
 * that its cost is measured A B A B on the same cell (make bench). Trial numbers are 1-based.
 */
enum alternate {
	ALT_NONE,
	ALT_TRACE,  /* kernel probes attached, or detached (programs stay loaded) */
	ALT_STACKS, /* kernel stacks of sleeping tasks captured, or not */
	ALT_ONCPU,  /* on-CPU samples taken, or not */
	ALT_COUNT
};

enum trial_status {
	TRIAL_OK,
	TRIAL_FAILED,
	TRIAL_INTERRUPTED,
};

#define TRIAL_MAX_API_CALLS 16
#define TRIAL_REASON_LEN    256
#define CONTAINER_ID_LEN    64

struct api_call {
	const char *what; /* static string: "stop", "remove", "create", ... */
	int64_t start_ns; /* wall clock */
	int64_t duration_ns;
	int http_status; /* 0 when no answer came */
};

struct trial_window {
	int64_t begin_ns;
	int64_t end_ns;
};

struct trial {
	int index; /* 1-based within its cell */
	enum trial_status status;
	char reason[TRIAL_REASON_LEN];
	enum restart_method method; /* the method whose window the phases tile */
	struct trial_window window[RM_COUNT];
	int have_window[RM_COUNT];
	int64_t event_ns[PH_COUNT]; /* raw lifecycle event times, 0 when not seen */
	struct phase_span phases[PH_COUNT];
	/* Bit p: the engine reports no event for phase p (Podman: no connect, no disconnect), so
	 * its span is empty and its duration absent (empty in the CSVs), not zero. */
	unsigned phase_absent;
	struct api_call api[TRIAL_MAX_API_CALLS];
	int n_api;
	char old_id[CONTAINER_ID_LEN + 1];
	char new_id[CONTAINER_ID_LEN + 1];
	/* With --alternate: "trace" or "no-trace", "stacks" or "no-stacks"; NULL otherwise. */
	const char *variant;
	/* watch: how the restart came about ("policy", "restart", "replace"); NULL for run. */
	const char *kind;
};

const char *restart_method_name(enum restart_method m);
int restart_method_from_name(const char *name);
const char *trial_status_name(enum trial_status s);

int64_t trial_restart_ns(const struct trial *t, enum restart_method m);
void trial_add_api_call(struct trial *t, const char *what, int64_t start_ns, int64_t duration_ns,
			int http_status);
/* Tiles the phases over the window of t->method; fails if that window is missing. */
int trial_tile_phases(struct trial *t);

const char *alternate_name(enum alternate a);
int alternate_from_name(const char *name); /* -1 when unknown */
/* Whether trial `index` (1-based) runs with the alternated thing on: the odd ones. */
bool alternate_on(int index);
/* The variant name of trial `index`: "trace"/"no-trace", "stacks"/"no-stacks"; NULL for ALT_NONE.
 */
const char *alternate_variant(enum alternate a, int index);

#endif
