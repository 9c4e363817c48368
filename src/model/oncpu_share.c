// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model/waits.h"
#include "model/waits_piece.h"

static int cmp_group(const void *x, const void *y)
{
	const struct piece *a = *(struct piece *const *)x, *b = *(struct piece *const *)y;

	if (a->phase != b->phase)
		return a->phase - b->phase;
	if (a->actor != b->actor)
		return a->actor - b->actor;
	return strcmp(a->comm ? a->comm : "", b->comm ? b->comm : "");
}

/* The measured time of one group, and the samples that name it. */
struct run_sum {
	double share;
	int64_t cpu_ns, samples;
};

static void name_group(struct piece **g, size_t n)
{
	struct run_sum r = {0};

	for (size_t i = 0; i < n; i++) {
		const struct piece *q = g[i];

		if (q->source == PIECE_RUNS) {
			/* Runs inside a call: their CPU time, but the call holds their share. */
			r.share += q->sweep ? q->share : 0;
			r.cpu_ns += q->amount;
		} else if (q->source == PIECE_SAMPLES) {
			r.samples += q->count;
		}
	}
	if (!r.samples || !r.cpu_ns)
		return;
	for (size_t i = 0; i < n; i++) {
		struct piece *q = g[i];

		if (q->source == PIECE_RUNS) {
			q->gone = true;
		} else if (q->source == PIECE_SAMPLES) {
			double f = (double)q->count / (double)r.samples;

			q->share = r.share * f;
			q->amount = llround((double)r.cpu_ns * f);
		}
	}
}

int oncpu_name_runs(struct pieces *ps)
{
	struct piece **g;
	size_t n = 0;

	for (size_t i = 0; i < ps->n; i++)
		n += ps->p[i].source != PIECE_SPAN;
	if (!n)
		return 0;
	g = malloc(n * sizeof(*g));
	if (!g)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].source != PIECE_SPAN)
			g[n++] = &ps->p[i];
	qsort(g, n, sizeof(*g), cmp_group);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && cmp_group(&g[i], &g[j]) == 0; j++)
			;
		name_group(g + i, j - i);
	}
	free(g);
	return 0;
}
