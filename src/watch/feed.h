// SPDX-License-Identifier: GPL-2.0-only
/* One recorded restart into the metrics: its time, its phases, and each phase's causes. */
#ifndef RP_WATCH_FEED_H
#define RP_WATCH_FEED_H

#include <stdint.h>

#include "model/rules.h"
#include "model/trial.h"

struct metrics;
struct trial_kernel;

/* rules and tk may be NULL (then no causes); drops_total sums the kernel's drops across
 * restarts. A trial without a window adds only its drops. */
void watch_feed_metrics(struct metrics *m, const struct rules *rules, const char *cell,
			const struct trial *t, const struct trial_kernel *tk,
			uint64_t *drops_total);

#endif
