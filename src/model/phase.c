// SPDX-License-Identifier: GPL-2.0-only
#include "model/phase.h"

#include <string.h>

#include "util/names.h"

static const char *const names[PH_COUNT] = {
	[PH_KILL] = "kill",	[PH_DIE] = "die",	  [PH_DISCONNECT] = "disconnect",
	[PH_STOP] = "stop",	[PH_DESTROY] = "destroy", [PH_CREATE] = "create",
	[PH_ATTACH] = "attach", [PH_CONNECT] = "connect", [PH_START] = "start",
	[PH_READY] = "ready",
};

const char *phase_name(enum phase p)
{
	return (unsigned)p < PH_COUNT ? names[p] : "?";
}

int phase_from_name(const char *name)
{
	return name_lookup(names, PH_COUNT, name);
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

int phases_tile(int64_t begin, int64_t end, const int64_t event_ns[PH_COUNT],
		struct phase_span out[PH_COUNT])
{
	int64_t at[PH_COUNT];
	int order[PH_COUNT];

	if (end < begin)
		return -1;
	/* Absent events sit where the canonical predecessor sits, so they tile to nothing. */
	for (int i = 0; i < PH_COUNT; i++) {
		int64_t e = event_ns[i];

		if (i == PH_READY)
			at[i] = end;
		else if (e == 0)
			at[i] = i == 0 ? begin : at[i - 1];
		else
			at[i] = clamp(e, begin, end);
		order[i] = i;
	}
	/* Insertion sort by time, stable, so ties keep canonical order. */
	for (int i = 1; i < PH_COUNT; i++) {
		int k = order[i], j = i - 1;

		while (j >= 0 && at[order[j]] > at[k]) {
			order[j + 1] = order[j];
			j--;
		}
		order[j + 1] = k;
	}
	int64_t prev = begin;

	for (int i = 0; i < PH_COUNT; i++) {
		int p = order[i];

		out[p].event_ns = p == PH_READY ? end : event_ns[p];
		out[p].start_ns = prev;
		out[p].end_ns = at[p];
		prev = at[p];
	}
	return 0;
}
