// SPDX-License-Identifier: GPL-2.0-only
/*
 * The sweep: at every instant of a phase the k waits in progress share it equally, 1/k each,
 * so that the shares of a phase add up to the time during which at least one was in progress.
 */
#include <errno.h>
#include <stdlib.h>

#include "model/waits_piece.h"

struct edge {
	int64_t x;
	size_t piece;
	int d; /* +1 the piece begins at x, -1 it ends */
};

static int cmp_edge(const void *x, const void *y)
{
	const struct edge *a = x, *b = y;

	return a->x < b->x ? -1 : a->x > b->x;
}

/* A piece's share is F(b) - F(a), F the integral of 1/k: each edge adds its end's F or takes
 * its beginning's as the sweep passes it. */
int share_elapsed_time(struct pieces *ps)
{
	size_t ne = 0;
	struct edge *ev = malloc(2 * (ps->n + 1) * sizeof(*ev));
	double F = 0;
	int64_t last = 0;
	int k = 0;

	if (!ev)
		return -ENOMEM;
	for (size_t i = 0; i < ps->n; i++) {
		ps->p[i].share = 0;
		if (ps->p[i].sweep && ps->p[i].b > ps->p[i].a) {
			ev[ne++] = (struct edge){ps->p[i].a, i, +1};
			ev[ne++] = (struct edge){ps->p[i].b, i, -1};
		}
	}
	if (ne)
		qsort(ev, ne, sizeof(*ev), cmp_edge);
	for (size_t i = 0; i < ne;) {
		int64_t x = ev[i].x;
		size_t end = i;

		F += i && k > 0 ? (double)(x - last) / k : 0;
		last = x;
		for (; end < ne && ev[end].x == x; end++)
			ps->p[ev[end].piece].share += ev[end].d > 0 ? -F : F;
		for (; i < end; i++)
			k += ev[i].d;
	}
	free(ev);
	return 0;
}
