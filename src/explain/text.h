// SPDX-License-Identifier: GPL-2.0-only
/* The diagnosis of a run as text (restartprof explain). */
#ifndef RP_EXPLAIN_TEXT_H
#define RP_EXPLAIN_TEXT_H

#include <stdio.h>

#include "explain/explain.h"

/* The diagnosis as text; against (may be NULL) is a baseline run. */
void explain_print(FILE *f, const struct explain_run *r, const struct explain_run *against,
		   const char *rules_origin);

#endif
