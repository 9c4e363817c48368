// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where the time of each phase went: the waits of one trial, per (phase, actor, process,
 * state, kernel stack, enclosing blocking call and its file), with the off-CPU time summed
 * over tasks and each wait's share of the phase's elapsed (wall-clock) time.
 *
 * The share. Engine and target tasks are "waiting" while they sleep uninterruptibly
 * (iowait, blocked), wait for a CPU (runq), or run inside a blocking call (fsync, mount,
 * rename...: the time of the call not spent off-CPU counts as "call"; interruptible sleeps
 * inside a call count too). A thread's innermost wait holds it: an off-CPU span inside a
 * call belongs to that span, carrying the call and its file. At every instant of a phase
 * the k waits in progress share that instant equally (1/k each), so the shares of a phase
 * add up to the time during which at least one wait was in progress, never more than the
 * phase lasted; the rest of the phase had no wait recorded (the engine was on a CPU, or in
 * an interruptible sleep, which idle threads do all the time and which is not a wait here).
 * Off-CPU spans shorter than 1 ms come from the per-slot aggregates: each is placed at its
 * slot's start, as long as its summed time (at most the slot), and is left out when a call
 * of the same process covers that slot (the call holds that time already).
 *
 * On CPU (state "oncpu"): runs measured by the scheduler program take part like the short
 * off-CPU spans, and their share and CPU time go to the sampled stacks of the same process
 * and phase in proportion to the samples (model/oncpu_share.c); without measured runs, an
 * aggregate of samples stands for the sampling period before its slot's end, its time the
 * samples times the period. Then each stretch no wait and no run holds goes to the
 * interruptible sleep whose wake-up ended it (model/sleep_share.c). A phase's elapsed time is
 * waits + on CPU + the unaccounted rest.
 *
 * Waits of load, kernel and other tasks, and interruptible sleeps outside calls, are listed
 * with their off-CPU time and no share: they are the evidence of the work behind a wait
 * (a journal thread's commit, the flusher's writeback, the stressors' own waits).
 */
#ifndef RP_MODEL_WAITS_H
#define RP_MODEL_WAITS_H

#include <stdint.h>

#include "model/kernel.h"
#include "model/trial.h"

enum kwait_state {
	KW_RUNQ = KOFF_RUNQ,
	KW_IOWAIT = KOFF_IOWAIT,
	KW_BLOCKED = KOFF_BLOCKED,
	KW_SLEEP = KOFF_SLEEP,
	KW_CALL,  /* inside a blocking call, not off-CPU (or off-CPU for less than 1 ms) */
	KW_ONCPU, /* on a CPU: on-CPU samples, the stack user frames then kernel frames */
	KW_STATE_COUNT
};

struct kwait {
	int phase;
	int actor;
	char comm[KEV_COMM_LEN];
	int state;		  /* kwait_state */
	uint64_t stack;		  /* stack_hash() of its folded stack, 0 for none */
	const char *folded;	  /* that stack, root first (owned by the trial_kernel), or NULL */
	int call;		  /* kev_sys_kind of the blocking call it is in, 0 for none */
	int file_flags;		  /* the call's KSYSF_* */
	char file[KEV_PATH_LEN];  /* the call's file or mount point, "" for none */
	char waker[KEV_COMM_LEN]; /* who woke it most of the time, "" when unknown */
	int64_t count;		  /* spans (or aggregate entries) */
	int64_t offcpu_ns;	  /* time in this state in the phase, summed over tasks */
	int64_t wall_ns;	  /* its share of the phase's elapsed time */
};

/* FNV-1a of a folded stack: the id that names it in waits.csv and stacks.csv. */
uint64_t stack_hash(const char *folded);
const char *kwait_state_name(int state);
/* -1 for no such name. */
int kwait_state_from_name(const char *name);

/*
 * Builds tk->waits for a trial attributed by kernel_attribute() (actors set, phases tiled);
 * an untiled trial gets none. 0 or -ENOMEM.
 */
int kernel_waits(struct trial_kernel *tk, const struct trial *t);

#endif
