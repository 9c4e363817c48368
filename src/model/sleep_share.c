// SPDX-License-Identifier: GPL-2.0-only
/*
 * The instants of a phase that no wait and no run holds: every engine and target thread was
 * asleep interruptibly. Each such gap goes to the sleep that ended it, the one whose wake-up
 * comes nearest the gap's end, within a slot of the aggregates, the placement error of the
 * pieces around the gap (what woke it, a timer or a task not followed, is its waker): the
 * thread the restart went on with.
 */
#include <errno.h>
#include <stdlib.h>

#include "model/waits.h"
#include "model/waits_piece.h"

static bool candidate(const struct piece *p)
{
	return !p->sweep && !p->gone && !p->cut_end && p->state == KW_SLEEP &&
	       waiting_actor(p->actor) && p->b > p->a;
}

/* By phase, then start (held pieces) or end (sleeps). */
static int cmp_a(const void *x, const void *y)
{
	const struct piece *a = *(struct piece *const *)x, *b = *(struct piece *const *)y;

	if (a->phase != b->phase)
		return a->phase < b->phase ? -1 : 1;
	return a->a < b->a ? -1 : a->a > b->a;
}

static int cmp_b(const void *x, const void *y)
{
	const struct piece *a = *(struct piece *const *)x, *b = *(struct piece *const *)y;

	if (a->phase != b->phase)
		return a->phase < b->phase ? -1 : 1;
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

static void give_gap(struct piece **sleeps, size_t ns, int64_t g0, int64_t g1, int64_t window)
{
	struct piece *best = NULL;
	int64_t best_d = 0;

	for (size_t i = first_ending_after(sleeps, ns, g0); i < ns && sleeps[i]->b <= g1 + window;
	     i++) {
		struct piece *p = sleeps[i];
		int64_t d = p->b > g1 ? p->b - g1 : g1 - p->b;

		if (p->a < g1 && d <= window && (!best || d < best_d)) {
			best = p;
			best_d = d;
		}
	}
	if (best)
		best->share +=
			(double)((best->b < g1 ? best->b : g1) - (best->a > g0 ? best->a : g0));
}

static void share_phase(struct piece **held, size_t nh, struct piece **sleeps, size_t ns,
			int64_t start, int64_t end, int64_t window)
{
	int64_t at = start;

	for (size_t i = 0; i <= nh; i++) {
		int64_t next = i < nh ? held[i]->a : end;

		if (next > at)
			give_gap(sleeps, ns, at, next < end ? next : end, window);
		if (i < nh && held[i]->b > at)
			at = held[i]->b;
	}
}

/* Where the pieces of phase ph that start at i end (the pieces sorted by phase). */
static size_t phase_run(struct piece **ps, size_t n, size_t i, int ph)
{
	size_t j = i;

	while (j < n && ps[j]->phase == ph)
		j++;
	return j;
}

int sleep_share_gaps(struct pieces *ps, const struct trial *t, int64_t window_ns)
{
	struct piece **held = malloc((ps->n + 1) * sizeof(*held));
	struct piece **sleeps = malloc((ps->n + 1) * sizeof(*sleeps));
	size_t nh = 0, ns = 0, h = 0, s = 0;

	if (!held || !sleeps) {
		free(held);
		free(sleeps);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ps->n; i++) {
		struct piece *p = &ps->p[i];

		if (p->phase < 0 || p->phase >= PH_COUNT)
			continue;
		if (p->sweep && p->b > p->a)
			held[nh++] = p;
		else if (candidate(p))
			sleeps[ns++] = p;
	}
	qsort(held, nh, sizeof(*held), cmp_a);
	qsort(sleeps, ns, sizeof(*sleeps), cmp_b);
	for (int ph = 0; ph < PH_COUNT; ph++) {
		size_t h_end, s_end;

		h_end = phase_run(held, nh, h, ph);
		s_end = phase_run(sleeps, ns, s, ph);
		if (s_end > s)
			share_phase(held + h, h_end - h, sleeps + s, s_end - s,
				    t->phases[ph].start_ns, t->phases[ph].end_ns, window_ns);
		h = h_end;
		s = s_end;
	}
	free(held);
	free(sleeps);
	return 0;
}
