// SPDX-License-Identifier: GPL-2.0-only
/*
 * The diagnosis: for each cell and phase, the elapsed time split into ranked causes, each a
 * rule's category (model/rules.h) with its evidence, and the time no rule explains, shown as
 * such. Built from the waits of the cell's ok trials (model/waits.h; waits.csv): each wait's
 * share of the elapsed time goes to the category of the first rule matching it.
 *
 *   measured = explained (the categories) + unexplained
 *   unexplained = uncategorized (waits no rule matches) + no wait (no wait was in progress:
 *                 the engine was on a CPU, or sleeping interruptibly)
 *
 * With on-CPU sampling, the samples are waits of the state "oncpu" (their code is the stack,
 * and rules name it), so the same time also splits by kind: measured = waits + on CPU +
 * unaccounted, the last being the "no wait" time above: neither waiting nor seen on a CPU.
 *
 * All times are means per trial over the cell's ok trials. Against a baseline cell the
 * difference of each phase splits the same way, category by category.
 */
#ifndef RP_MODEL_DIAGNOSIS_H
#define RP_MODEL_DIAGNOSIS_H

#include <stdbool.h>
#include <stdint.h>

#include "model/phase.h"
#include "model/rules.h"

#define DIAGNOSIS_TOP_ITEMS	3
#define DIAGNOSIS_TEXT_LEN	320
#define DIAGNOSIS_UNCATEGORIZED (-1)
#define DIAGNOSIS_NO_WAIT	(-2)
#define DIAGNOSIS_NO_SHARE	(-3) /* a wait that takes no share of the elapsed time */

/* Its strings share one allocation, owned by the diagnosis_cell (diagnosis_cell_free); each is
 * cut to DIAGNOSIS_TEXT_LEN - 1 bytes. */
struct diagnosis_evidence {
	char *text;   /* short: a stack's innermost frames, a call and its file */
	char *detail; /* long: the whole stack (cut), "" when the same */
	double ms;    /* share of the elapsed time, mean per trial (behind: off-CPU) */
	int64_t count;
};

struct diagnosis_cause {
	int rule;	  /* index in the rules, or DIAGNOSIS_UNCATEGORIZED */
	double ms;	  /* share of the phase's elapsed time, mean per trial */
	double offcpu_ms; /* off-CPU time summed over tasks, mean per trial */
	int64_t waits;	  /* spans and calls, over all trials */
	struct diagnosis_evidence stacks[DIAGNOSIS_TOP_ITEMS], files[DIAGNOSIS_TOP_ITEMS],
		tasks[DIAGNOSIS_TOP_ITEMS], wakers[DIAGNOSIS_TOP_ITEMS];
	int n_stacks, n_files, n_tasks, n_wakers;
};

struct diagnosis_phase {
	/* The engine reported no event for it (Podman: kill, disconnect, connect): no trial has a
	 * time for it, while they have for other phases. Its times are then 0; not comparable. */
	bool absent;
	double measured_ms;	 /* mean duration */
	double explained_ms;	 /* sum of the causes */
	double uncategorized_ms; /* waits no rule matched */
	double nowait_ms;	 /* no wait in progress (sampled: unaccounted) */
	double oncpu_ms;	 /* the on-CPU samples' share (state oncpu), all categories */
	struct diagnosis_cause *causes; /* categorized, largest first */
	int n_causes;
	struct diagnosis_cause unexplained; /* the uncategorized waits and their evidence */
	/* The work behind the waits: load and kernel tasks' waits in the phase (off-CPU). */
	struct diagnosis_evidence behind[DIAGNOSIS_TOP_ITEMS];
	int n_behind;
};

struct diagnosis_cell {
	int trials;
	bool sampled; /* the trials carry on-CPU samples: nowait_ms is unaccounted time */
	struct diagnosis_phase phase[PH_COUNT];
};

/* One wait (a row of waits.csv): strings never NULL ("" for none). */
struct diagnosis_wait {
	int phase;
	const char *actor, *comm, *state, *call, *file, *waker, *folded;
	int deleted;
	int64_t count, offcpu_ns, wall_ns;
};

struct diagnosis_builder;

/* A builder for one cell; rules stays the caller's and must outlive it. NULL: no memory. */
struct diagnosis_builder *diagnosis_builder_new(const struct rules *rules);
/* The same, its evidence strings kept in pool (util/text_pool.h), which outlives it: builders
 * of one run share the strings their cells repeat. */
struct text_pool;
struct diagnosis_builder *diagnosis_builder_new_in(const struct rules *rules,
						   struct text_pool *pool);
void diagnosis_builder_free(struct diagnosis_builder *b);
/* One more ok trial of the cell, and the duration of each of its phases (those the engine
 * reported: a phase no trial has a duration for is absent). */
void diagnosis_add_trial(struct diagnosis_builder *b);
void diagnosis_add_phase_time(struct diagnosis_builder *b, int phase, int64_t duration_ns);
/* A wait of one of those trials. 0, -EINVAL (bad phase), -ENOMEM. */
int diagnosis_add_wait(struct diagnosis_builder *b, const struct diagnosis_wait *w);
/*
 * The category a wait's share of the elapsed time goes to, as diagnosis_add_wait counts it
 * (without counting it): the first matching rule's index, DIAGNOSIS_UNCATEGORIZED, or
 * DIAGNOSIS_NO_SHARE (not the engine's or the target's wait, or no elapsed time). For per-trial
 * values (model/ab_values.h).
 */
int diagnosis_wait_category(struct diagnosis_builder *b, const struct diagnosis_wait *w);
/* The means and rankings. 0 or -ENOMEM; free out with diagnosis_cell_free. */
int diagnosis_finish_cell(struct diagnosis_builder *b, struct diagnosis_cell *out);
void diagnosis_cell_free(struct diagnosis_cell *c);

/* A category's change against a baseline. */
struct diagnosis_delta {
	int rule; /* rule index, DIAGNOSIS_UNCATEGORIZED or DIAGNOSIS_NO_WAIT */
	double ms;
};

struct diagnosis_diff {
	double measured_ms; /* the phase's change */
	int n;
	struct diagnosis_delta d[RULES_MAX + 2]; /* largest increase first */
};

/* a minus base, per category; the deltas add up to the change of the measured time. A phase
 * absent on either side has no change (measured_ms 0, no deltas): diagnosis_comparable. */
void diagnosis_compare(const struct diagnosis_phase *a, const struct diagnosis_phase *base,
		       struct diagnosis_diff *out);
/* Whether the phase can be compared: present on both sides (or absent on both). */
bool diagnosis_comparable(const struct diagnosis_phase *a, const struct diagnosis_phase *base);
/* The rule's name, or "waits no rule matches" / "time with no wait recorded". */
const char *diagnosis_category_name(const struct rules *r, int rule);
/* The frames of a stack from its innermost non-scheduler frame outwards, " < "-joined. */
void diagnosis_short_stack(const char *folded, int frames, char *out, size_t len);

#endif
