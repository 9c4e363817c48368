// SPDX-License-Identifier: GPL-2.0-only
/* Restarts awaiting readiness, and the trial each becomes once its end is known. */
#include "watch/pending.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/kind.h"
#include "model/kernel.h"
#include "model/waits.h"
#include "rundir/run_csv.h"
#include "trace/tracer.h"
#include "trial/run.h"
#include "util/clock.h"
#include "util/heap.h"
#include "watch/feed.h"

/* The old service's exit is looked for this far before the engine's die event. */
#define EXIT_LOOKBACK_NS (10 * NSEC_PER_SEC)
/* The kernel's view is taken a little wider than the window (records at its edges). */
#define TAKE_BEFORE_NS (500 * NSEC_PER_MSEC)
#define TAKE_AFTER_NS  (50 * NSEC_PER_MSEC)
#define LOOK_PERIOD_NS (100 * NSEC_PER_MSEC)

int pending_init(struct pending_set *ps, struct run *r, struct metrics *m, pending_trial_cb cb,
		 void *ctx)
{
	char err[256];

	memset(ps, 0, sizeof(*ps));
	ps->r = r;
	ps->m = m;
	ps->on_trial = cb;
	ps->ctx = ctx;
	ps->have_rules = rules_load_builtin(&ps->rules, err, sizeof(err)) == 0;
	return 0;
}

void pending_free(struct pending_set *ps)
{
	if (ps->have_rules)
		rules_free(&ps->rules);
	ps->have_rules = false;
}

static int record(struct pending_set *ps, const struct pending *p, int method, int64_t end);
static int ready_by(const struct pending_set *ps, const struct pending *p, bool force,
		    int64_t *end);

/* The container restarts again while its last restart awaits readiness: that one is settled
 * now with what it has (a readiness after this stop cannot be its own). */
static int settle_earlier(struct pending_set *ps, const char *old_id)
{
	for (int i = 0; i < ps->n; i++) {
		int64_t end = 0;
		int method, e;

		if (strcmp(ps->p[i].rs.new_id, old_id) != 0)
			continue;
		method = ready_by(ps, &ps->p[i], true, &end);
		e = record(ps, &ps->p[i], method, end);
		ps->p[i] = ps->p[--ps->n];
		return e;
	}
	return 0;
}

int pending_add(struct pending_set *ps, const struct restart_seen *rs, pid_t old_pid, pid_t new_pid,
		bool health, bool with_engine, int64_t ready_timeout_ns)
{
	struct pending *p;
	int e = settle_earlier(ps, rs->old_id);

	if (e)
		return e;
	if (ps->n >= PENDING_MAX)
		return -ENOSPC;
	p = &ps->p[ps->n++];
	memset(p, 0, sizeof(*p));
	p->rs = *rs;
	p->old_pid = old_pid;
	p->new_pid = new_pid;
	p->health = health;
	p->with_engine = with_engine;
	p->ready_by_ns = rs->start_ns + ready_timeout_ns;
	return 0;
}

void pending_healthy(struct pending_set *ps, const char *id, int64_t time_ns)
{
	for (int i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].rs.new_id, id) == 0 && !ps->p[i].healthy_ns)
			ps->p[i].healthy_ns = time_ns;
}

/* The stop request when there was one, else the old service's exit as the kernel saw it,
 * else the engine's die event. */
static int64_t window_begin(const struct pending_set *ps, const struct pending *p)
{
	struct tracer *tr = ps->r->s.tracer;
	int64_t die = p->rs.event_ns[PH_DIE], exit_ns;

	if (p->rs.event_ns[PH_KILL])
		return p->rs.event_ns[PH_KILL];
	if (tr && p->old_pid > 0 && die) {
		exit_ns = tracer_exit_of(tr, p->old_pid, die - EXIT_LOOKBACK_NS);
		if (exit_ns > 0 && exit_ns <= die)
			return exit_ns;
	}
	return p->rs.begin_ns;
}

/* How the new service's readiness is known, and when (wall ns); -1 while still awaited. */
static int ready_by(const struct pending_set *ps, const struct pending *p, bool force, int64_t *end)
{
	struct tracer *tr = ps->r->s.tracer;

	if (p->health && p->healthy_ns) {
		*end = p->healthy_ns;
		return RM_HEALTH;
	}
	if (!p->health && tr) {
		*end = tracer_first_listen(tr, p->rs.new_id, p->new_pid, p->rs.begin_ns);
		if (*end > 0)
			return RM_KERNEL;
	}
	if (force || wall_ns() >= p->ready_by_ns || (!p->health && !tr)) {
		*end = p->rs.start_ns;
		return RM_EVENTS;
	}
	return -1;
}

static void set_window(struct trial *t, enum restart_method m, int64_t begin, int64_t end)
{
	if (begin <= 0 || end <= 0 || end < begin)
		return;
	t->window[m] = (struct trial_window){begin, end};
	t->have_window[m] = 1;
}

/* The kernel's view of the window, and the kernel's own restart window from it. */
static void kernel_view(const struct pending_set *ps, const struct pending *p, struct trial *t,
			int64_t begin, int64_t end, struct trial_kernel **tk)
{
	struct tracer *tr = ps->r->s.tracer;
	struct trial_window kw;

	if (!tr)
		return;
	if (end < p->rs.start_ns)
		end = p->rs.start_ns;
	tracer_follow_take(tr, begin - TAKE_BEFORE_NS, end + TAKE_AFTER_NS, tk);
	if (*tk && kernel_restart_window(*tk, p->rs.new_id, p->old_pid, p->new_pid, &kw) == 0)
		set_window(t, RM_KERNEL, p->rs.event_ns[PH_KILL] ? begin : kw.begin_ns, kw.end_ns);
}

/* The phases this engine reports no event for (Podman: kill, disconnect, connect). */
static void mark_absent(struct trial *t, enum engine_kind engine)
{
	for (int p = 0; p < PH_READY; p++)
		if (!engine_phase_action(engine, phase_name(p), NULL))
			t->phase_absent |= 1u << p;
}

static void assemble(struct pending_set *ps, const struct pending *p, int method, int64_t end,
		     struct trial *t, struct trial_kernel **tk)
{
	int64_t begin = window_begin(ps, p);
	int64_t ev_begin =
		p->rs.event_ns[PH_KILL] ? p->rs.event_ns[PH_KILL] : p->rs.event_ns[PH_DIE];

	memset(t, 0, sizeof(*t));
	t->index = ++ps->trials;
	t->status = TRIAL_OK;
	/* "engine": its window holds the engine's own stop and start. */
	t->kind = p->with_engine ? "engine" : restart_kind_name(p->rs.kind);
	snprintf(t->old_id, sizeof(t->old_id), "%s", p->rs.old_id);
	snprintf(t->new_id, sizeof(t->new_id), "%s", p->rs.new_id);
	memcpy(t->event_ns, p->rs.event_ns, sizeof(t->event_ns));
	mark_absent(t, ps->r->s.docker.kind);
	set_window(t, RM_EVENTS, ev_begin, p->rs.start_ns);
	if (p->healthy_ns)
		set_window(t, RM_HEALTH, begin, p->healthy_ns);
	kernel_view(ps, p, t, begin, end, tk);
	if (method == RM_KERNEL && !t->have_window[RM_KERNEL])
		set_window(t, RM_KERNEL, begin, end);
	t->method = t->have_window[method] ? (enum restart_method)method : RM_EVENTS;
	if (trial_tile_phases(t)) {
		t->status = TRIAL_FAILED;
		snprintf(t->reason, sizeof(t->reason),
			 "no window: the engine reported neither a stop nor an exit before the "
			 "start");
	}
	if (*tk && kernel_attribute(*tk, t) == 0)
		kernel_waits(*tk, t);
}

static int record(struct pending_set *ps, const struct pending *p, int method, int64_t end)
{
	struct trial_kernel *tk = NULL;
	struct cell cell;
	struct trial t;
	int e;

	assemble(ps, p, method, end, &t, &tk);
	memset(&cell, 0, sizeof(cell));
	cell.load = LOAD_DEVICE;
	snprintf(cell.name, sizeof(cell.name), "%s", p->rs.cell);
	e = run_csv_trial(ps->r->csv, &cell, &t, tk);
	if (ps->m)
		watch_feed_metrics(ps->m, ps->have_rules ? &ps->rules : NULL, cell.name, &t, tk,
				   &ps->kernel_drops);
	if (ps->on_trial)
		ps->on_trial(ps->ctx, &cell, &t);
	trial_kernel_free(tk);
	/* Taken apart and freed: without this the heap's high-water mark grows with the soak. */
	heap_give_back();
	if (e)
		snprintf(ps->r->err, sizeof(ps->r->err), "cannot write restart %d of %s: %s",
			 t.index, cell.name, strerror(-e));
	return e;
}

int pending_settle(struct pending_set *ps, bool force)
{
	for (int i = 0; i < ps->n;) {
		int64_t end = 0;
		int method, e;

		/* Each look scans the history: a few a second are enough. */
		if (!force && mono_ns() < ps->p[i].next_look) {
			i++;
			continue;
		}
		method = ready_by(ps, &ps->p[i], force, &end);
		if (method < 0) {
			ps->p[i++].next_look = mono_ns() + LOOK_PERIOD_NS;
			continue;
		}
		e = record(ps, &ps->p[i], method, end);
		ps->p[i] = ps->p[--ps->n];
		if (e)
			return e;
	}
	return 0;
}
