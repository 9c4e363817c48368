// SPDX-License-Identifier: GPL-2.0-only
/* The blocking calls of a trial's engine and target threads, found by thread or process. */
#include <stdlib.h>
#include <string.h>

#include "model/kernel.h"
#include "model/waits_piece.h"
#include "util/array.h"

static int cmp_call(const void *x, const void *y)
{
	const struct call *a = x, *b = y;

	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	return a->a < b->a ? -1 : a->a > b->a;
}

size_t collect_calls(const struct trial_kernel *tk, struct call *out)
{
	size_t n = 0;

	for (size_t i = 0; i < tk->n_ev; i++) {
		const struct kevent *e = &tk->ev[i];

		if (e->type != KEV_SYSCALL || !waiting_actor(e->actor) ||
		    e->sys.kind == KSYS_SETNS || e->sys.kind == KSYS_UNSHARE || e->end <= e->ts)
			continue;
		out[n++] = (struct call){e->who.tid, e->who.pid, e->ts, e->end, e};
	}
	if (n)
		qsort(out, n, sizeof(*out), cmp_call);
	return n;
}

const struct call *call_of(const struct call *c, size_t n, int32_t tid, int64_t ts)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c[mid].tid < tid || (c[mid].tid == tid && c[mid].a <= ts))
			lo = mid + 1;
		else
			hi = mid;
	}
	/* c[lo-1] is the last call of tid beginning at or before ts. */
	if (lo && c[lo - 1].tid == tid && ts < c[lo - 1].b)
		return &c[lo - 1];
	return NULL;
}

static int cmp_call_pid(const void *x, const void *y)
{
	const struct call *a = x, *b = y;

	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->a < b->a ? -1 : a->a > b->a;
}

struct call *calls_by_process(const struct call *c, size_t n)
{
	struct call *by_pid = malloc((n + 1) * sizeof(*by_pid));

	if (!by_pid)
		return NULL;
	memcpy(by_pid, c, n * sizeof(*by_pid));
	if (n)
		qsort(by_pid, n, sizeof(*by_pid), cmp_call_pid);
	return by_pid;
}

static int cmp_pid_call(const void *key, const void *element)
{
	int32_t pid = *(const int32_t *)key, other = ((const struct call *)element)->pid;

	return pid < other ? -1 : pid > other;
}

bool process_in_call(const struct call *by_pid, size_t n, int32_t pid, int64_t a, int64_t b)
{
	for (size_t i = array_lower_bound(by_pid, n, sizeof(*by_pid), &pid, cmp_pid_call);
	     i < n && by_pid[i].pid == pid && by_pid[i].a <= a; i++)
		if (b > a ? b <= by_pid[i].b : a < by_pid[i].b)
			return true;
	return false;
}
