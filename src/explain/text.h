// SPDX-License-Identifier: GPL-2.0-only
/* The diagnosis of a run as text (restartprof explain): the headline, then the detail. */
#ifndef RP_EXPLAIN_TEXT_H
#define RP_EXPLAIN_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "explain/explain.h"

struct explain_text_opts {
	const char *rules_origin; /* "built-in" or the rules file */
	int width;		  /* columns to wrap the lines to (explain/wrap.h) */
	bool brief;		  /* the headline only */
	/* Try runs (--proven DIR): under each cause their remedy addresses, what they measured. */
	const struct explain_run *proven;
	size_t n_proven;
};

/* The diagnosis as text; against (may be NULL) is a baseline run. */
void explain_print(FILE *f, const struct explain_run *r, const struct explain_run *against,
		   const struct explain_text_opts *o);

#endif
