// SPDX-License-Identifier: GPL-2.0-only
/*
 * The headline of a cell, the answer first: its median restart time and change against the
 * baseline, and the phases that grew most against the baseline (without one, that cost
 * most): up to four, of at most three top causes, each cause in plain words (the rule's
 * title) with the one remedy most likely to help. Shown at the top of `restartprof explain`
 * (alone with --brief) and of report.html.
 */
#ifndef RP_EXPLAIN_HEADLINE_H
#define RP_EXPLAIN_HEADLINE_H

#include <stdbool.h>
#include <stdio.h>

#include "explain/explain.h"

#define HEADLINE_PHASES 4 /* at most, and of at most HEADLINE_CAUSES top causes */
#define HEADLINE_CAUSES 3
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
	const struct explain_run *run;	  /* the cell's run */
	const struct explain_run *proven; /* try runs (--proven), n_proven of them */
	size_t n_proven;
	const struct explain_cell *cell, *base;	 /* base NULL: no baseline */
	double median_ms, change_ms, change_pct; /* NAN when unknown */
	bool grew;	/* phases ranked by growth against base, else by cost */
	bool reference; /* a baseline cell beside loaded ones: shown short, two phases */
	int n;
	struct headline_phase phase[HEADLINE_PHASES];
};

/* Whether the headline's phase i has the same remedy (cause) as an earlier one. */
bool headline_remedy_repeated(const struct headline *h, int i);
bool headline_cause_repeated(const struct headline *h, int i);
/* The headline of cell c against base (NULL: none), with at most max_phases phases. */
void headline_select(const struct explain_run *r, const struct explain_cell *c,
		     const struct explain_cell *base, int max_phases, struct headline *out);
/* The plain words for a cause: the rule's title, the time with no wait, or the unmatched waits. */
const char *headline_cause_title(const struct rules *rules, int cause);
/* The short name of a cause: the rule's name, "no wait" or "unmatched waits". */
const char *headline_cause_name(const struct rules *rules, int cause);
/* The headline as text, lines of at most width columns. told (NULL, or one per rule) marks the
 * rules whose remedy was shown: each remedy is shown once, at the first cause it helps, with the
 * command that tests it (the rule's first try line for the cell), or instead what the first of
 * the proven runs whose remedy addresses it measured. A try run's cell shows what its remedy did
 * to the restart and to each phase shown. */
void headline_print(FILE *f, const struct headline *h, const struct rules *rules, int width,
		    bool *told);

#endif
