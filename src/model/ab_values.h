// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-trial values of an A/B run (restartprof try) for one cell: each ok trial's time per
 * phase, and per phase the share of each cause category (attributed as the diagnosis does:
 * model/diagnosis.h, each wait's share to its first matching rule), so that the comparison
 * (model/compare.h) can be made per phase and per cause, A (remedy off) against B (on).
 */
#ifndef RP_MODEL_AB_VALUES_H
#define RP_MODEL_AB_VALUES_H

#include <stddef.h>
#include <stdint.h>

#include "model/compare.h"
#include "model/diagnosis.h"

#define AB_PHASE_TOTAL (-100)	/* the category for a phase's whole time */
#define AB_ALL_PHASES  PH_COUNT /* the phase for the restart: all phases summed */

enum ab_variant {
	AB_A,
	AB_B
};

struct ab_trial {
	int trial;
	enum ab_variant variant;
	int64_t phase_ns[PH_COUNT];
	int64_t *cat_ns; /* PH_COUNT rows of n_cat: the rules, then the unmatched waits */
};

struct ab_values {
	const struct rules *rules;
	int n_cat;
	struct ab_trial *t;
	size_t n, cap;
	size_t last; /* the trial found last */
	struct diagnosis_builder *classify;
	int n_variant[2];
};

/* "A" or "B" into *out: 0, or -1 for any other variant. */
int ab_variant_parse(const char *text, enum ab_variant *out);
/* 0 or -ENOMEM; rules stays the caller's and must outlive v. */
int ab_values_init(struct ab_values *v, const struct rules *rules);
void ab_values_free(struct ab_values *v);
/* One more ok trial. 0, -EEXIST (seen already) or -ENOMEM. */
int ab_values_add_trial(struct ab_values *v, int trial, enum ab_variant variant);
/* A phase's duration and a wait of a trial added before; other trials are left out. */
void ab_values_add_phase(struct ab_values *v, int trial, int phase, int64_t duration_ns);
int ab_values_add_wait(struct ab_values *v, int trial, const struct diagnosis_wait *w);
/* Whether both variants have trials. */
int ab_values_paired(const struct ab_values *v);
/* Trial i's time in ms in phase p (AB_ALL_PHASES: all of them) for category: a rule index,
 * DIAGNOSIS_UNCATEGORIZED, DIAGNOSIS_NO_WAIT (the phase's time no wait covers), or
 * AB_PHASE_TOTAL. */
double ab_values_get(const struct ab_values *v, size_t i, int phase, int category);
/* A against B for phase p and category (as ab_values_get), in ms. 0, -EINVAL or -ENOMEM. */
int ab_values_compare(const struct ab_values *v, int phase, int category, struct comparison *out);

#endif
