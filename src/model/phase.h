// SPDX-License-Identifier: GPL-2.0-only
/* Lifecycle phases of one restart and how they tile the restart window. */
#ifndef RP_MODEL_PHASE_H
#define RP_MODEL_PHASE_H

#include <stdint.h>

/* In the order the engine normally reports them; each phase ends at its event. */
enum phase {
	PH_KILL,
	PH_DIE,
	PH_DISCONNECT,
	PH_STOP,
	PH_DESTROY,
	PH_CREATE,
	PH_ATTACH,
	PH_CONNECT,
	PH_START,
	PH_READY,
	PH_COUNT
};

struct phase_span {
	int64_t event_ns; /* wall-clock time of the ending event as reported, 0 when absent */
	int64_t start_ns;
	int64_t end_ns;
};

const char *phase_name(enum phase p);
/* -1 when the name is no phase. */
int phase_from_name(const char *name);

/*
 * Tiles [begin, end] with one span per phase. Events are taken in time order (ties in
 * canonical order); each span runs from the previous boundary to its own event clamped into
 * the window. An absent event (0) gets an empty span at the boundary of the phase before it in
 * canonical order. PH_READY always ends at `end`, so the spans add up exactly to end - begin.
 * Returns -1 if end < begin.
 */
int phases_tile(int64_t begin, int64_t end, const int64_t event_ns[PH_COUNT],
		struct phase_span out[PH_COUNT]);

#endif
