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
	int d;
};

static int cmp_edge(const void *x, const void *y)
{
	const struct edge *a = x, *b = y;

	return a->x < b->x ? -1 : a->x > b->x;
}

static size_t edge_index(const int64_t *xs, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (xs[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int share_elapsed_time(struct pieces *ps)
{
	size_t ne = 0, nx = 0;
	struct edge *ev = malloc(2 * (ps->n + 1) * sizeof(*ev));
	int64_t *xs = malloc(2 * (ps->n + 1) * sizeof(*xs));
	double *F = malloc(2 * (ps->n + 1) * sizeof(*F));
	int k = 0;

	if (!ev || !xs || !F) {
		free(ev), free(xs), free(F);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ps->n; i++)
		if (ps->p[i].sweep && ps->p[i].b > ps->p[i].a) {
			ev[ne++] = (struct edge){ps->p[i].a, +1};
			ev[ne++] = (struct edge){ps->p[i].b, -1};
		}
	if (ne)
		qsort(ev, ne, sizeof(*ev), cmp_edge);
	for (size_t i = 0; i < ne;) {
		int64_t x = ev[i].x;

		/* F at x: the integral of 1/k up to x. */
		F[nx] = nx ? F[nx - 1] + (k > 0 ? (double)(x - xs[nx - 1]) / k : 0) : 0;
		xs[nx++] = x;
		for (; i < ne && ev[i].x == x; i++)
			k += ev[i].d;
	}
	for (size_t i = 0; i < ps->n; i++) {
		struct piece *p = &ps->p[i];

		p->share = 0;
		if (p->sweep && p->b > p->a)
			p->share = F[edge_index(xs, nx, p->b)] - F[edge_index(xs, nx, p->a)];
	}
	free(ev), free(xs), free(F);
	return 0;
}
