// SPDX-License-Identifier: GPL-2.0-only
/* The report's flame graphs (waits, on CPU, both), drawn from the diagnosis' folded stacks. */
#ifndef RP_EXPLAIN_FLAME_FIGURE_H
#define RP_EXPLAIN_FLAME_FIGURE_H

#include <stdio.h>

#include "explain/explain.h"

enum flame_figure_kind {
	FLAME_WAITS, /* the engine's and the target's waits, all phases */
	FLAME_ONCPU, /* their on-CPU samples, each phase a root */
	FLAME_WALL,  /* both kinds, colour-coded, in the phase that grew most (or cost most) */
};

/* The report's flame graphs of one kind as one SVG document: each cell beside the run's
 * pooled baseline at the same scale (time per trial), or each cell alone when the run has no
 * baseline or is one. 1 when drawn, 0 when there was nothing to draw, -ENOMEM. */
int explain_flame_figure(FILE *f, const struct explain_run *r, enum flame_figure_kind kind);

#endif
