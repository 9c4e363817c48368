// SPDX-License-Identifier: GPL-2.0-only
/* Containers left behind by runs that died (SIGKILL, crash): found by label, removed. */
#ifndef RP_TRIAL_LEFTOVERS_H
#define RP_TRIAL_LEFTOVERS_H

#include "engine/docker.h"

/*
 * Removes every container labelled by restartprof whose run is gone (trial/run_lock.h), and hands
 * one line on each to on_removed (may be NULL). Containers without our labels, or of live runs,
 * are never touched. Returns how many were removed, or -errno if the engine could not be
 * asked.
 */
int leftovers_remove(struct docker *d, void (*on_removed)(void *ctx, const char *line), void *ctx);

#endif
