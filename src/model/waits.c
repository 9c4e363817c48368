// SPDX-License-Identifier: GPL-2.0-only
#include "model/waits.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model/waits_piece.h"
#include "util/array.h"
#include "util/names.h"
#include "util/text_index.h"

#define WAKERS 8

uint64_t stack_hash(const char *folded)
{
	uint64_t h;

	if (!folded || !*folded)
		return 0;
	h = text_hash(folded, strlen(folded));
	return h ? h : 1;
}

static const char *const state_names[KW_STATE_COUNT] = {
	[KW_RUNQ] = "runq",   [KW_IOWAIT] = "iowait", [KW_BLOCKED] = "blocked",
	[KW_SLEEP] = "sleep", [KW_CALL] = "call",     [KW_ONCPU] = "oncpu",
};

const char *kwait_state_name(int state)
{
	return state >= 0 && state < KW_STATE_COUNT ? state_names[state] : "?";
}

int kwait_state_from_name(const char *name)
{
	return name_lookup(state_names, KW_STATE_COUNT, name);
}

static int append_piece(struct pieces *ps, const struct piece *p)
{
	if (array_reserve((void **)&ps->p, &ps->cap, ps->n + 1, sizeof(*ps->p)))
		return -ENOMEM;
	ps->p[ps->n++] = *p;
	return 0;
}

/* ---- calls ---- */

static void set_call(struct piece *p, const struct call *c)
{
	if (!c)
		return;
	p->call = c->e->sys.kind;
	p->file = c->e->sys.path;
	p->file_flags = c->e->sys.flags;
}

/* ---- pieces from events, calls and aggregates ---- */

static void stack_of(const struct trial_kernel *tk, int32_t id, struct piece *p)
{
	const struct kstack *s = trial_kernel_stack(tk, id);

	if (s && s->folded && s->folded[0]) {
		p->folded = s->folded;
		p->stack = s->folded_hash ? s->folded_hash : stack_hash(s->folded);
	}
}

static int offcpu_pieces(const struct trial_kernel *tk, const struct call *calls, size_t nc,
			 struct pieces *ps)
{
	for (size_t i = 0; i < tk->n_ev; i++) {
		const struct kevent *e = &tk->ev[i];
		struct piece p = {.count = 1, .phase = -1, .tid = e->who.tid, .comm = e->who.comm};
		int64_t wake = e->off.state == KOFF_RUNQ ? e->ts : e->off.wake;

		if (e->type != KEV_OFFCPU)
			continue;
		p.actor = e->actor;
		if (e->off.state != KOFF_RUNQ && wake > e->ts) {
			struct piece s = p;

			s.a = e->ts;
			s.b = wake;
			s.state = e->off.state;
			s.waker = e->off.waker_comm;
			stack_of(tk, e->off.stackid, &s);
			set_call(&s, call_of(calls, nc, e->who.tid, s.a + (s.b - s.a) / 2));
			s.sweep = waiting_actor(s.actor) && (s.state != KW_SLEEP || s.call);
			if (append_piece(ps, &s))
				return -ENOMEM;
		}
		if (e->end > wake) {
			struct piece r = p;

			r.a = wake;
			r.b = e->end;
			r.state = KW_RUNQ;
			stack_of(tk, e->off.stackid, &r); /* where it resumes */
			set_call(&r, call_of(calls, nc, e->who.tid, r.a + (r.b - r.a) / 2));
			r.sweep = waiting_actor(r.actor);
			if (append_piece(ps, &r))
				return -ENOMEM;
		}
	}
	return 0;
}

static int cmp_tid_a(const void *x, const void *y)
{
	const struct piece *a = x, *b = y;

	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	return a->a < b->a ? -1 : a->a > b->a;
}

static int cmp_tid_piece(const void *key, const void *element)
{
	int32_t tid = *(const int32_t *)key, other = ((const struct piece *)element)->tid;

	return tid < other ? -1 : tid > other;
}

/* Each call, minus its thread's off-CPU spans within it: the time "in the call". */
static int call_pieces(const struct call *calls, size_t nc, struct pieces *ps, size_t n_off)
{
	if (n_off)
		qsort(ps->p, n_off, sizeof(*ps->p), cmp_tid_a);
	for (size_t i = 0; i < nc; i++) {
		const struct call *c = &calls[i];
		struct piece p = {.count = 1,
				  .phase = -1,
				  .tid = c->tid,
				  .state = KW_CALL,
				  .actor = c->e->actor,
				  .comm = c->e->who.comm,
				  .sweep = true};
		int64_t at = c->a;
		size_t k = array_lower_bound(ps->p, n_off, sizeof(*ps->p), &c->tid, cmp_tid_piece);

		set_call(&p, c);
		for (; k < n_off && ps->p[k].tid == c->tid && ps->p[k].a < c->b; k++) {
			/* append_piece() may move the array: the span's bounds are copied first. */
			int64_t oa = ps->p[k].a, ob = ps->p[k].b;

			if (ob <= at)
				continue;
			if (oa > at) {
				p.a = at;
				p.b = oa;
				if (append_piece(ps, &p))
					return -ENOMEM;
				p.count = 0; /* the call is counted once */
			}
			if (ob > at)
				at = ob;
		}
		if (c->b > at) {
			p.a = at;
			p.b = c->b;
			if (append_piece(ps, &p))
				return -ENOMEM;
		} else if (p.count) {
			p.a = p.b = c->a; /* wholly off-CPU: counted, no time of its own */
			p.sweep = false;
			if (append_piece(ps, &p))
				return -ENOMEM;
		}
	}
	return 0;
}

static int agg_state(int kind)
{
	switch (kind) {
	case KAGG_OFF_IOWAIT:
		return KW_IOWAIT;
	case KAGG_OFF_BLOCKED:
		return KW_BLOCKED;
	case KAGG_OFF_SLEEP:
		return KW_SLEEP;
	case KAGG_RUNQ:
		return KW_RUNQ;
	case KAGG_ONCPU:
	case KAGG_ONCPU_TIME:
		return KW_ONCPU;
	default:
		return -1;
	}
}

/*
 * Where an aggregate sits: on-CPU samples over the period before their slot's end; off-CPU
 * spans and measured runs ending where the last ended, as long as their time (at most the
 * slot) or the longest run; runs that fill at least half of their extent (from the first's
 * start to the last's end: a busy stretch, often two processes handing work back and forth)
 * over that extent; spans from an older tracer at their slot's start.
 */
static void agg_place(const struct kagg *g, int64_t *a, int64_t *b)
{
	int64_t len = (int64_t)g->sum_ns < g->slot_ns ? (int64_t)g->sum_ns : g->slot_ns;

	if (g->kind == KAGG_ONCPU) {
		*b = g->slot_start + g->slot_ns;
		*a = *b - (g->count ? (int64_t)(g->sum_ns / g->count) : g->slot_ns);
		return;
	}
	if (g->kind == KAGG_ONCPU_TIME && (int64_t)g->max_ns > len)
		len = (int64_t)g->max_ns;
	if (g->queue_ns) {
		*b = g->slot_start + (int64_t)g->queue_ns;
		*a = *b - len;
		if (g->kind == KAGG_ONCPU_TIME && g->bytes &&
		    g->slot_start + g->slot_ns - (int64_t)g->bytes < *a &&
		    2 * len >= *b - (g->slot_start + g->slot_ns - (int64_t)g->bytes))
			*a = g->slot_start + g->slot_ns - (int64_t)g->bytes;
		return;
	}
	*a = g->slot_start;
	*b = g->slot_start + len;
}

static bool has_runs(const struct trial_kernel *tk)
{
	for (size_t i = 0; i < tk->n_agg; i++)
		if (tk->agg[i].kind == KAGG_ONCPU_TIME)
			return true;
	return false;
}

/* Measured runs may cross phases: split_phases() cuts them; the others sit in their slot's. */
static int agg_pieces(struct trial_kernel *tk, const struct trial *t, const struct call *by_pid,
		      size_t nc, struct pieces *ps)
{
	bool runs = has_runs(tk);
	int rc = 0;

	for (size_t i = 0; i < tk->n_agg && !rc; i++) {
		const struct kagg *g = &tk->agg[i];
		int state = agg_state(g->kind);
		int64_t mid = g->slot_start + g->slot_ns / 2, a, b, at;
		int p = phase_at(t, mid);
		bool whole;
		struct piece x = {.count = (int64_t)g->count, .phase = p, .actor = g->actor};

		if (state < 0 || (p < 0 && g->kind != KAGG_ONCPU_TIME) || !g->sum_ns)
			continue;
		x.state = state;
		x.comm = g->who.comm;
		x.amount = (int64_t)g->sum_ns;
		x.source = g->kind == KAGG_ONCPU_TIME ? PIECE_RUNS
			   : g->kind == KAGG_ONCPU    ? PIECE_SAMPLES
						      : PIECE_SPAN;
		if (x.source == PIECE_SAMPLES) {
			x.folded = trial_kernel_oncpu_folded(tk, g, &rc);
			x.stack = stack_hash(x.folded);
		} else if (x.source == PIECE_SPAN) {
			stack_of(tk, g->sub, &x);
		}
		agg_place(g, &a, &b);
		x.a = a;
		x.b = b;
		if (x.source == PIECE_RUNS) {
			x.phase = -1;
		} else {
			x.a = a > t->phases[p].start_ns ? a : t->phases[p].start_ns;
			x.b = b < t->phases[p].end_ns ? b : t->phases[p].end_ns;
			if (x.b < x.a)
				x.b = x.a;
		}
		/* With runs measured, the samples only name them. A call covering a wait's middle
		 * holds its time; runs are any thread's, so a call holds them only when it covers
		 * them all. */
		whole = x.source == PIECE_RUNS;
		at = x.a + (x.b - x.a) / 2;
		x.sweep = waiting_actor(x.actor) && state != KW_SLEEP &&
			  !(runs && x.source == PIECE_SAMPLES) &&
			  !process_in_call(by_pid, nc, g->who.pid, whole ? x.a : at,
					   whole ? x.b : at);
		if (!rc && append_piece(ps, &x))
			rc = -ENOMEM;
	}
	return rc;
}

/* Cuts the pieces not yet in a phase at the phase boundaries (outside the window: gone). */
static int split_phases(const struct trial *t, struct pieces *in, struct pieces *out)
{
	size_t unphased = 0;

	/* Room for the most they can make, so that the array does not double past it. */
	for (size_t i = 0; i < in->n; i++)
		unphased += in->p[i].phase < 0;
	if (array_reserve_from((void **)&out->p, &out->cap, in->n + unphased * (PH_COUNT - 1),
			       sizeof(*out->p), in->n + unphased * (PH_COUNT - 1)))
		return -ENOMEM;
	for (size_t i = 0; i < in->n; i++) {
		const struct piece *p = &in->p[i];
		bool counted = false;

		if (p->phase >= 0) {
			if (append_piece(out, p))
				return -ENOMEM;
			continue;
		}
		for (int ph = 0; ph < PH_COUNT; ph++) {
			int64_t s = t->phases[ph].start_ns, e = t->phases[ph].end_ns;
			struct piece q = *p;

			if (p->a == p->b ? !(s <= p->a && p->a < e) : (p->b <= s || p->a >= e))
				continue;
			q.phase = ph;
			q.a = p->a > s ? p->a : s;
			q.b = p->b < e ? p->b : e;
			q.cut_end = p->b > e;
			q.amount = q.state == KW_CALL ? 0 : q.b - q.a;
			if (p->source == PIECE_RUNS) /* CPU time, over threads: in proportion */
				q.amount = llround((double)p->amount * (double)(q.b - q.a) /
						   (double)(p->b - p->a));
			q.count = counted ? 0 : p->count;
			counted = true;
			if (append_piece(out, &q))
				return -ENOMEM;
		}
	}
	return 0;
}

/* ---- rows ---- */

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_key(const void *x, const void *y)
{
	const struct piece *a = x, *b = y;
	int c;

	if (a->phase != b->phase)
		return a->phase - b->phase;
	if (a->actor != b->actor)
		return a->actor - b->actor;
	if ((c = cmp_str(a->comm, b->comm)))
		return c;
	if (a->state != b->state)
		return a->state - b->state;
	if (a->stack != b->stack)
		return a->stack < b->stack ? -1 : 1;
	if (a->call != b->call)
		return a->call - b->call;
	if ((c = cmp_str(a->file, b->file)))
		return c;
	return a->file_flags - b->file_flags;
}

static void copy_bounded(char *dst, size_t len, const char *src)
{
	size_t n = src ? strnlen(src, len - 1) : 0;

	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
}

struct waker_tally {
	const char *name[WAKERS];
	int64_t ns[WAKERS];
	int n;
};

static void tally_waker(struct waker_tally *w, const struct piece *p)
{
	int i;

	if (!p->waker || !p->waker[0])
		return;
	for (i = 0; i < w->n && strcmp(w->name[i], p->waker) != 0; i++)
		;
	if (i == w->n) {
		if (w->n == WAKERS)
			return;
		w->name[w->n] = p->waker;
		w->ns[w->n++] = 0;
	}
	w->ns[i] += p->amount;
}

static const char *top_waker(const struct waker_tally *w)
{
	int best = -1;

	for (int i = 0; i < w->n; i++)
		if (best < 0 || w->ns[i] > w->ns[best])
			best = i;
	return best >= 0 ? w->name[best] : "";
}

/* The rows the sorted pieces make: runs of one key with a piece not gone. */
static size_t count_rows(const struct pieces *ps)
{
	size_t rows = 0;
	bool live = false;

	for (size_t i = 0; i < ps->n; i++) {
		if (i && cmp_key(&ps->p[i], &ps->p[i - 1]) != 0)
			live = false;
		if (!ps->p[i].gone && !live) {
			rows++;
			live = true;
		}
	}
	return rows;
}

static int merge_into_waits(struct trial_kernel *tk, struct pieces *ps)
{
	size_t n = 0;

	if (ps->n)
		qsort(ps->p, ps->n, sizeof(*ps->p), cmp_key);
	tk->waits = calloc(count_rows(ps) + 1, sizeof(*tk->waits));
	if (!tk->waits)
		return -ENOMEM;
	for (size_t i = 0; i < ps->n;) {
		struct kwait *w;
		struct waker_tally wt = {0};
		const struct piece *p = &ps->p[i];
		double share = 0;

		if (p->gone) {
			i++;
			continue;
		}
		w = &tk->waits[n++];
		w->phase = p->phase;
		w->actor = p->actor;
		copy_bounded(w->comm, sizeof(w->comm), p->comm);
		w->state = p->state;
		w->stack = p->stack;
		w->folded = p->folded;
		w->call = p->call;
		w->file_flags = p->file_flags;
		copy_bounded(w->file, sizeof(w->file), p->file);
		for (; i < ps->n && cmp_key(&ps->p[i], p) == 0; i++) {
			if (ps->p[i].gone)
				continue;
			w->count += ps->p[i].count;
			w->offcpu_ns += ps->p[i].amount;
			share += ps->p[i].share;
			tally_waker(&wt, &ps->p[i]);
		}
		w->wall_ns = llround(share);
		copy_bounded(w->waker, sizeof(w->waker), top_waker(&wt));
	}
	tk->n_waits = n;
	return 0;
}

/* The aggregates' slot: how far their pieces may sit from where their spans were. */
static int64_t longest_slot(const struct trial_kernel *tk)
{
	int64_t slot = 0;

	for (size_t i = 0; i < tk->n_agg; i++)
		if (tk->agg[i].slot_ns > slot)
			slot = tk->agg[i].slot_ns;
	return slot;
}

int kernel_waits(struct trial_kernel *tk, const struct trial *t)
{
	struct pieces raw = {0}, split = {0};
	struct call *calls, *by_pid = NULL;
	size_t nc, n_off;
	int rc = -ENOMEM;

	free(tk->waits);
	tk->waits = NULL;
	tk->n_waits = 0;
	trial_kernel_drop_joined(tk);
	if (!tk->attributed)
		return 0;
	calls = malloc((tk->n_ev + 1) * sizeof(*calls));
	if (!calls)
		return -ENOMEM;
	nc = collect_calls(tk, calls);
	by_pid = calls_by_process(calls, nc);
	if (!by_pid)
		goto out;
	if (offcpu_pieces(tk, calls, nc, &raw))
		goto out;
	n_off = raw.n;
	if (call_pieces(calls, nc, &raw, n_off) || agg_pieces(tk, t, by_pid, nc, &raw) ||
	    split_phases(t, &raw, &split))
		goto out;
	free(raw.p); /* the split pieces are all that is needed from here on */
	raw.p = NULL;
	if (share_elapsed_time(&split) || sleep_share_gaps(&split, t, longest_slot(tk)) ||
	    oncpu_name_runs(&split) || merge_into_waits(tk, &split))
		goto out;
	rc = 0;
out:
	free(raw.p);
	free(split.p);
	free(by_pid);
	free(calls);
	return rc;
}
