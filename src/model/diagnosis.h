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
 * All times are means per trial over the cell's ok trials. Against a baseline cell the
 * difference of each phase splits the same way, category by category.
 */
#ifndef RP_MODEL_DIAGNOSIS_H
#define RP_MODEL_DIAGNOSIS_H

#include <stdint.h>

#include "model/phase.h"
#include "model/rules.h"

#define DX_TOP		 3
#define DX_TEXT		 320
#define DX_UNCATEGORIZED (-1)
#define DX_NOWAIT	 (-2)

struct dx_item {
	char text[DX_TEXT];   /* short: a stack's innermost frames, a call and its file */
	char detail[DX_TEXT]; /* long: the whole stack (cut), "" when the same */
	double ms;	      /* share of the elapsed time, mean per trial (behind: off-CPU) */
	int64_t count;
};

struct dx_cause {
	int rule;	  /* index in the rules, or DX_UNCATEGORIZED */
	double ms;	  /* share of the phase's elapsed time, mean per trial */
	double offcpu_ms; /* off-CPU time summed over tasks, mean per trial */
	int64_t waits;	  /* spans and calls, over all trials */
	struct dx_item stacks[DX_TOP], files[DX_TOP], tasks[DX_TOP], wakers[DX_TOP];
	int n_stacks, n_files, n_tasks, n_wakers;
};

struct dx_phase {
	double measured_ms;	 /* mean duration */
	double explained_ms;	 /* sum of the causes */
	double uncategorized_ms; /* waits no rule matched */
	double nowait_ms;	 /* no wait in progress */
	struct dx_cause *causes; /* categorized, largest first */
	int n_causes;
	struct dx_cause unexplained; /* the uncategorized waits and their evidence */
	/* The work behind the waits: load and kernel tasks' waits in the phase (off-CPU). */
	struct dx_item behind[DX_TOP];
	int n_behind;
};

struct dx_cell {
	int trials;
	struct dx_phase phase[PH_COUNT];
};

/* One wait (a row of waits.csv): strings never NULL ("" for none). */
struct dx_wait {
	int phase;
	const char *actor, *comm, *state, *call, *file, *waker, *folded;
	int deleted;
	int64_t count, offcpu_ns, wall_ns;
};

struct dx_builder;

/* A builder for one cell; rules stays the caller's and must outlive it. NULL: no memory. */
struct dx_builder *dx_builder_new(const struct rules *rules);
void dx_builder_free(struct dx_builder *b);
/* One more ok trial of the cell, and the duration of each of its phases. */
void dx_add_trial(struct dx_builder *b);
void dx_add_phase(struct dx_builder *b, int phase, int64_t duration_ns);
/* A wait of one of those trials. 0, -EINVAL (bad phase), -ENOMEM. */
int dx_add_wait(struct dx_builder *b, const struct dx_wait *w);
/* The means and rankings. 0 or -ENOMEM; free out with dx_cell_free. */
int dx_finish(struct dx_builder *b, struct dx_cell *out);
void dx_cell_free(struct dx_cell *c);

/* A category's change against a baseline. */
struct dx_delta {
	int rule; /* rule index, DX_UNCATEGORIZED or DX_NOWAIT */
	double ms;
};

struct dx_diff {
	double measured_ms; /* the phase's change */
	int n;
	struct dx_delta d[RULES_MAX + 2]; /* largest increase first */
};

/* a minus base, per category; the deltas add up to the change of the measured time. */
void dx_compare(const struct dx_phase *a, const struct dx_phase *base, struct dx_diff *out);
/* The rule's name, or "unexplained (no rule)" / "unexplained (no wait)". */
const char *dx_category_name(const struct rules *r, int rule);
/* The frames of a stack from its innermost non-scheduler frame outwards, " < "-joined. */
void dx_short_stack(const char *folded, int frames, char *out, size_t len);

#endif
