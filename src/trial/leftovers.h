// SPDX-License-Identifier: GPL-2.0-only
/* What runs leave behind: containers of runs that died (SIGKILL, crash), and on request the
 * images restartprof built; found by label, removed. */
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

/*
 * Removes the images restartprof built and keeps as a cache (labelled io.restartprof.content:
 * restartprof-svc:*, restartprof-stress:*), tag by tag; images of other origin are never
 * touched. While a run is going (a container of a live run exists) nothing is removed. One line
 * per image removed or kept (the engine refuses images in use) goes to on_line (may be NULL).
 * Returns how many images were removed, or -errno if the engine could not be asked.
 */
int leftover_images_remove(struct docker *d, void (*on_line)(void *ctx, const char *line),
			   void *ctx);

#endif
