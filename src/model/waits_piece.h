// SPDX-License-Identifier: GPL-2.0-only
/* The pieces and calls model/waits.c builds a trial's waits from, shared with its helpers. */
#ifndef RP_MODEL_WAITS_PIECE_H
#define RP_MODEL_WAITS_PIECE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/actor.h"

enum piece_source {
	PIECE_SPAN,    /* an off-CPU span, a call, or an off-CPU aggregate */
	PIECE_SAMPLES, /* on-CPU samples of one stack: their count names the time */
	PIECE_RUNS,    /* on-CPU runs measured by the scheduler: the time, unnamed */
};

/* A stretch of one wait before it is split into phases and merged into rows. A trial makes
 * tens of thousands: the small fields are packed. */
struct piece {
	int64_t a, b;	/* its place on the timeline (a == b: none) */
	int64_t amount; /* off-CPU (on-CPU: CPU) time it adds */
	int64_t count;	/* spans (samples, runs) it stands for */
	double share;	/* filled by the sweep */
	uint64_t stack;
	const char *comm, *folded, *file, *waker;
	int32_t tid;	    /* 0 for aggregates */
	int8_t source;	    /* piece_source */
	int8_t phase;	    /* -1 until split */
	int8_t actor;	    /* enum actor */
	int8_t state;	    /* kwait_state */
	int8_t call;	    /* kev_sys_kind, 0 for none */
	uint8_t file_flags; /* KSYSF_* */
	bool sweep : 1;	    /* takes a share of the elapsed time */
	bool gone : 1;	    /* merged into others: no row of its own */
	bool cut_end : 1;   /* ends at a phase boundary, not where the wait ended */
};

struct pieces {
	struct piece *p;
	size_t n, cap;
};

/* The actors whose waits take a share of a phase: the engine and the target. */
static inline bool waiting_actor(int actor)
{
	return actor == ACTOR_ENGINE || actor == ACTOR_TARGET;
}

/* The sweep: each sweeping piece's share of the elapsed time. 0 or -ENOMEM. */
int share_elapsed_time(struct pieces *ps);

/*
 * After the sweep: the measured on-CPU time of each (phase, actor, process), its share and
 * CPU time, goes to the sampled stacks of that process in that phase in proportion to their
 * samples, and its own pieces go. A process with no sample there keeps its time unnamed.
 * 0 or -ENOMEM.
 */
int oncpu_name_runs(struct pieces *ps);

struct kevent;
struct trial_kernel;

/* A blocking call of an engine or target thread. */
struct call {
	int32_t tid, pid;
	int64_t a, b;
	const struct kevent *e;
};

/* The blocking calls of tk's engine and target threads into out (room for tk->n_ev), in
 * (thread, start) order: how many. */
size_t collect_calls(const struct trial_kernel *tk, struct call *out);
/* The call of thread tid holding ts, NULL when none; c in (thread, start) order. */
const struct call *call_of(const struct call *c, size_t n, int32_t tid, int64_t ts);
/* A copy of the n calls in (process, start) order, NULL when short of memory. */
struct call *calls_by_process(const struct call *c, size_t n);
/* Whether a call of the process covers [a, b] (a == b: the instant a); by_pid from
 * calls_by_process(). */
bool process_in_call(const struct call *by_pid, size_t n, int32_t pid, int64_t a, int64_t b);

struct trial;
/*
 * After the sweep: each stretch of a phase no wait or run holds goes to the interruptible
 * sleep (of an engine or target thread, outside calls) whose wake-up ended it, within
 * window_ns of the stretch's end. 0 or -ENOMEM.
 */
int sleep_share_gaps(struct pieces *ps, const struct trial *t, int64_t window_ns);

#endif
