// SPDX-License-Identifier: GPL-2.0-only
/* The report's off-CPU flame graphs, drawn from the diagnosis' folded stacks. */
#ifndef RP_EXPLAIN_FLAME_FIGURE_H
#define RP_EXPLAIN_FLAME_FIGURE_H

#include <stdio.h>

#include "explain/explain.h"

/* The report's off-CPU flame graphs as one SVG document: each cell beside the run's pooled
 * baseline at the same scale (time per trial), or each cell alone when the run has no
 * baseline or is one. 1 when drawn, 0 when there was nothing to draw, -ENOMEM. */
int explain_flame_figure(FILE *f, const struct explain_run *r);

#endif
