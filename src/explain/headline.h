// SPDX-License-Identifier: GPL-2.0-only
/*
 * The headline of a cell, the answer first: its median restart time and change against the
 * baseline, and the two or three phases that grew most against the baseline (without one,
 * that cost most), each with its top cause and the one remedy most likely to help. Shown at
 * the top of `restartprof explain` (alone with --brief) and of report.html.
 */
#ifndef RP_EXPLAIN_HEADLINE_H
#define RP_EXPLAIN_HEADLINE_H

#include <stdbool.h>
#include <stdio.h>

#include "explain/explain.h"

#define HEADLINE_PHASES 3
#define HEADLINE_MIN_MS 0.5 /* a phase costing or growing less is not news */

struct headline_phase {
	int phase;
	double ms;	    /* its mean time per trial */
	double change_ms;   /* against the baseline; NAN without one */
	int cause;	    /* rule index, DIAGNOSIS_NO_WAIT or DIAGNOSIS_UNCATEGORIZED */
	double cause_ms;    /* that cause's time, or its growth against the baseline */
	const char *remedy; /* its rule's first remedy for the cell's context; NULL: none */
};

struct headline {
	const struct explain_cell *cell, *base;	 /* base NULL: no baseline */
	double median_ms, change_ms, change_pct; /* NAN when unknown */
	bool grew; /* phases ranked by growth against base, else by cost */
	int n;
	struct headline_phase phase[HEADLINE_PHASES];
};

/* How many phases cell c's headline shows: beside loaded cells, a baseline cell (one with no
 * base) is only the reference and shows two. */
int headline_max_phases(const struct explain_run *r, const struct explain_cell *base);
/* Whether the headline's phase i shows the same remedy as an earlier one. */
bool headline_remedy_repeated(const struct headline *h, int i);
/* The headline of cell c against base (NULL: none), with at most max_phases phases. */
void headline_select(const struct explain_run *r, const struct explain_cell *c,
		     const struct explain_cell *base, int max_phases, struct headline *out);
/* The plain words for a cause: the rule's title, "on CPU" or the unmatched waits. */
const char *headline_cause_title(const struct rules *rules, int cause);
/* The short name of a cause: the rule's name, "on-cpu" or "unmatched". */
const char *headline_cause_name(const struct rules *rules, int cause);
/* The headline as text, lines of at most width columns. */
void headline_print(FILE *f, const struct headline *h, const struct rules *rules, int width);

#endif
