// SPDX-License-Identifier: GPL-2.0-only
/* The diagnosis' wait stacks as folded files for flame-graph tools. */
#ifndef RP_EXPLAIN_FOLDED_H
#define RP_EXPLAIN_FOLDED_H

#include "explain/explain.h"

/* folded/CELL.PHASE.folded and folded/CELL.folded (all phases) into dirfd. 0 or -errno. */
int explain_write_folded(int dirfd, const struct explain_run *r);

#endif
