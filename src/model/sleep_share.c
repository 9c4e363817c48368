// SPDX-License-Identifier: GPL-2.0-only
/*
 * The instants of a phase that no wait and no run holds: every engine and target thread was
 * asleep interruptibly. Each such gap goes to the sleep that ended it, the one whose wake-up
 * comes nearest the gap's end, within a slot of the aggregates (what woke it, a timer or a
 * task not followed, is its waker): the thread the restart went on with.
 */
#include <errno.h>
#include <stdlib.h>

#include "model/waits.h"
#include "model/waits_piece.h"

#define WAKE_WINDOW_NS 1000000LL /* how far from a gap's end a wake-up may be its end */

static bool candidate(const struct piece *p, int phase)
{
	return p->phase == phase && !p->sweep && !p->gone && !p->cut_end && p->state == KW_SLEEP &&
	       (p->actor == ACTOR_ENGINE || p->actor == ACTOR_TARGET) && p->b > p->a;
}

static int cmp_a(const void *x, const void *y)
{
	const struct piece *a = *(struct piece *const *)x, *b = *(struct piece *const *)y;

	return a->a < b->a ? -1 : a->a > b->a;
}

static int cmp_b(const void *x, const void *y)
{
	const struct piece *a = *(struct piece *const *)x, *b = *(struct piece *const *)y;

	return a->b < b->b ? -1 : a->b > b->b;
}

/* The first sleep (sorted by end) ending after x. */
static size_t first_ending_after(struct piece **s, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid]->b <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void give_gap(struct piece **sleeps, size_t ns, int64_t g0, int64_t g1)
{
	struct piece *best = NULL;
	int64_t best_d = 0;

	for (size_t i = first_ending_after(sleeps, ns, g0);
	     i < ns && sleeps[i]->b <= g1 + WAKE_WINDOW_NS; i++) {
		struct piece *p = sleeps[i];
		int64_t d = p->b > g1 ? p->b - g1 : g1 - p->b;

		if (p->a < g1 && d <= WAKE_WINDOW_NS && (!best || d < best_d)) {
			best = p;
			best_d = d;
		}
	}
	if (best)
		best->share +=
			(double)((best->b < g1 ? best->b : g1) - (best->a > g0 ? best->a : g0));
}

static void share_phase(struct piece **held, size_t nh, struct piece **sleeps, size_t ns,
			int64_t start, int64_t end)
{
	int64_t at = start;

	qsort(held, nh, sizeof(*held), cmp_a);
	qsort(sleeps, ns, sizeof(*sleeps), cmp_b);
	for (size_t i = 0; i <= nh; i++) {
		int64_t next = i < nh ? held[i]->a : end;

		if (next > at)
			give_gap(sleeps, ns, at, next < end ? next : end);
		if (i < nh && held[i]->b > at)
			at = held[i]->b;
	}
}

int sleep_share_gaps(struct pieces *ps, const struct trial *t)
{
	struct piece **held = malloc((ps->n + 1) * sizeof(*held));
	struct piece **sleeps = malloc((ps->n + 1) * sizeof(*sleeps));

	if (!held || !sleeps) {
		free(held);
		free(sleeps);
		return -ENOMEM;
	}
	for (int ph = 0; ph < PH_COUNT; ph++) {
		size_t nh = 0, ns = 0;

		for (size_t i = 0; i < ps->n; i++) {
			struct piece *p = &ps->p[i];

			if (p->phase == ph && p->sweep && p->b > p->a)
				held[nh++] = p;
			else if (candidate(p, ph))
				sleeps[ns++] = p;
		}
		if (ns)
			share_phase(held, nh, sleeps, ns, t->phases[ph].start_ns,
				    t->phases[ph].end_ns);
	}
	free(held);
	free(sleeps);
	return 0;
}
