// SPDX-License-Identifier: GPL-2.0-only
/* run.json's facts: the host, the engine and the configuration of a run. */
#ifndef RP_TRIAL_RUN_META_H
#define RP_TRIAL_RUN_META_H

#include <stdint.h>

#include "trial/config.h"

struct run_info;
struct docker;

/* Fills ri from the host, the engine (GET /info) and cfg; never fails. */
void run_meta_collect(struct run_info *ri, const struct run_config *cfg, struct docker *d,
		      const char *run_id, const char *tool_version, int64_t start_ns);

#endif
