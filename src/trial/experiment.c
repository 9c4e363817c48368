// SPDX-License-Identifier: GPL-2.0-only
#include "trial/experiment.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/kernel.h"
#include "trace/tracer.h"
#include "trial/load.h"
#include "trial/restart.h"
#include "trial/variants.h"
#include "util/clock.h"
#include "util/heap.h"
#include "util/interrupt.h"

#define EVENTS_KEEP_NS	      (60 * NSEC_PER_SEC)
#define ENGINE_BACKOFF_MIN_NS (100 * NSEC_PER_MSEC)
#define ENGINE_BACKOFF_MAX_NS (2 * NSEC_PER_SEC)
#define ENGINE_SHUTDOWN_NS    (5 * NSEC_PER_SEC) /* from stopping its containers to going away */
#define TRIAL_HEAP_KEEP	      (1u << 20) /* growth of the heap kept from one trial for the next */

struct cell_run {
	struct session *s;
	const struct experiment_sink *sink;
	const struct cell *cell;
	int cell_index;
	struct load_set load;
	struct target *cur;
	int consecutive_failures;
	bool remedy_on;		   /* try: the remedy set is on (B) */
	struct load_change change; /* try: how the load is made while B */
};

static void tell_progress(struct cell_run *cr, int trial, const char *note)
{
	if (cr->sink->progress)
		cr->sink->progress(cr->sink->ctx, cr->cell_index, trial, note);
}

/* The load as the current variant wants it. */
static int start_load(struct cell_run *cr)
{
	bool changed = cr->remedy_on && cr->s->cfg->try.set && cr->s->cfg->try.set->changes_load;

	return load_start(cr->s, cr->cell, changed ? &cr->change : NULL, &cr->load);
}

/* The variant trial i runs as: try's A or B, --alternate's, or none. */
static const char *variant_of(const struct session *s, int i)
{
	if (s->cfg->try.on)
		return try_variant_name(i);
	return s->tracer ? alternate_variant(s->cfg->alternate, i) : NULL;
}

/* Hands a trial that never ran (its target never served) to the sink, so it is on record. */
static int record_unrun(struct cell_run *cr, int index, const char *why)
{
	struct trial t = {.index = index, .status = TRIAL_FAILED, .method = cr->s->cfg->method};

	t.variant = variant_of(cr->s, index);
	snprintf(t.reason, sizeof(t.reason), "%s", why);
	return cr->sink->trial(cr->sink->ctx, cr->cell, &t, NULL);
}

/*
 * After a failure: if the engine stopped answering, waits for it with a bounded backoff.
 * When it is back, whatever ran in it before is gone or stale: the load is started afresh.
 * Returns 0 when the engine answers (again), -1 when it stayed away too long.
 */
static int recover_engine(struct cell_run *cr)
{
	struct session *s = cr->s;
	int64_t start = mono_ns(), backoff = ENGINE_BACKOFF_MIN_NS;

	if (docker_ping(&s->docker) == 0)
		return 0;
	tell_progress(cr, 0, "the engine stopped answering; waiting for it");
	while (docker_ping(&s->docker) != 0) {
		if (mono_ns() - start > s->cfg->engine_timeout_ns) {
			snprintf(s->err, sizeof(s->err),
				 "the engine at %s did not answer for %.0f s; giving up",
				 s->docker.socket_path,
				 (double)s->cfg->engine_timeout_ns / NSEC_PER_SEC);
			return -1;
		}
		if (!interrupt_sleep(backoff))
			return -1;
		backoff = backoff * 2 > ENGINE_BACKOFF_MAX_NS ? ENGINE_BACKOFF_MAX_NS : backoff * 2;
	}
	tell_progress(cr, 0, "the engine answers again; restarting the load");
	target_discard(s, cr->cur);
	cr->cur = NULL;
	load_stop(s, &cr->load);
	if (start_load(cr))
		return -1;
	cr->consecutive_failures = 0;
	return 0;
}

/* Counts a failure; says whether the run must end, and why (in s->err). */
static enum experiment_end after_failure(struct cell_run *cr, const char *why)
{
	struct session *s = cr->s;

	if (interrupt_requested())
		return EXP_INTERRUPTED;
	if (recover_engine(cr))
		return interrupt_requested() ? EXP_INTERRUPTED : EXP_ENGINE_LOST;
	if (++cr->consecutive_failures >= s->cfg->max_failures) {
		snprintf(s->err, sizeof(s->err), "%d trials in a row failed, the last because: %s",
			 cr->consecutive_failures, why);
		return EXP_TOO_MANY_FAILURES;
	}
	return EXP_DONE;
}

static enum experiment_end sink_failed(struct session *s, int i, int rc)
{
	snprintf(s->err, sizeof(s->err), "cannot record trial %d: %s", i, strerror(-rc));
	return EXP_SINK_FAILED;
}

/*
 * try: the remedy set as trial i wants it, switched only when it differs from the trial
 * before; a remedy that changes the load has it made afresh (and settle). EXP_DONE, or the
 * cell ends with s->err.
 */
static enum experiment_end switch_remedy(struct cell_run *cr, int i)
{
	struct session *s = cr->s;
	bool on = try_trial_on(i);

	if (!s->cfg->try.on || on == cr->remedy_on)
		return EXP_DONE;
	tell_progress(cr, i, on ? "turning the remedy on" : "turning the remedy off");
	if (try_switch(s, on))
		return EXP_SETUP_FAILED;
	cr->remedy_on = on;
	if (!s->cfg->try.set->changes_load || cr->cell->load == LOAD_NONE)
		return EXP_DONE;
	tell_progress(cr, i, "starting the load afresh");
	load_stop(s, &cr->load);
	if (start_load(cr))
		return interrupt_requested() ? EXP_INTERRUPTED : EXP_SETUP_FAILED;
	return EXP_DONE;
}

/*
 * --alternate: puts the tracer in the state trial i runs in (odd: on, even: off); try: the
 * remedy. Called before the pause that precedes the trial, so the switch settles before its
 * window.
 */
static enum experiment_end set_variant(struct cell_run *cr, int i)
{
	struct session *s = cr->s;
	bool on = alternate_on(i);
	char err[256];

	if (s->cfg->try.on)
		return switch_remedy(cr, i);
	if (!s->tracer)
		return EXP_DONE;
	if (s->cfg->alternate == ALT_STACKS) {
		tracer_set_stacks(s->tracer, on);
	} else if (s->cfg->alternate == ALT_ONCPU) {
		tracer_set_oncpu(s->tracer, on);
	} else if (s->cfg->alternate == ALT_TRACE) {
		if (!on) {
			tracer_detach(s->tracer);
		} else if (tracer_attach(s->tracer, err, sizeof(err)) == 0) {
			/* The target was made while detached: its cgroup went unseen. */
			if (cr->cur && cr->cur->pid > 0)
				tracer_add_container(s->tracer, cr->cur->pid);
		} else {
			char note[300];

			snprintf(note, sizeof(note), "probes not attached again: %s", err);
			tell_progress(cr, i, note);
		}
	}
	return EXP_DONE;
}

/* The engine restarted and stopped the load itself: the load starts afresh. */
static int restart_load(struct cell_run *cr)
{
	tell_progress(cr, 0, "the engine restarted and stopped the load; restarting the load");
	load_stop(cr->s, &cr->load);
	return start_load(cr);
}

/*
 * A stressor died: was it the engine's doing? An engine that shuts down stops its containers
 * first and closes its connections after, so the death comes before the events stream breaks:
 * the stream is given a few seconds to break, or the engine to stop answering.
 */
static bool engine_took_load(struct cell_run *cr)
{
	int64_t until = mono_ns() + ENGINE_SHUTDOWN_NS;

	while (!load_outlived_engine(cr->s, &cr->load)) {
		if (docker_ping(&cr->s->docker) != 0)
			return true;
		if (mono_ns() >= until || !interrupt_sleep(ENGINE_BACKOFF_MIN_NS))
			return false;
	}
	return true;
}

/* Before a trial: the load still runs (or runs again). EXP_DONE, or the cell ends. */
static enum experiment_end check_load_before(struct cell_run *cr)
{
	int64_t died_ns;

	if (!load_check(cr->s, &cr->load, &died_ns))
		return EXP_DONE;
	if (!engine_took_load(cr))
		return interrupt_requested() ? EXP_INTERRUPTED : EXP_LOAD_LOST;
	/* Gone with the engine: the trial fails, and after_failure waits for it and the load. */
	if (docker_ping(&cr->s->docker) != 0)
		return EXP_DONE;
	if (restart_load(cr))
		return interrupt_requested() ? EXP_INTERRUPTED : EXP_SETUP_FAILED;
	return EXP_DONE;
}

/*
 * After a trial: if a stressor died before it ended, the trial ran without its load. It is
 * not counted (failed, with the reason) and the cell ends with s->err, or, when the engine
 * restarted meanwhile, the load starts afresh. EXP_DONE when the trial had its load.
 */
static enum experiment_end check_load_after(struct cell_run *cr, struct trial *t, int64_t end_ns)
{
	int64_t died_ns;

	if (!load_check(cr->s, &cr->load, &died_ns))
		return EXP_DONE;
	if (died_ns > end_ns)
		return EXP_DONE; /* after the trial: the check before the next one sees it */
	if (t->status == TRIAL_OK) {
		t->status = TRIAL_FAILED;
		snprintf(t->reason, sizeof(t->reason), "%.240s", cr->s->err);
	}
	if (engine_took_load(cr))
		return EXP_DONE;
	return interrupt_requested() ? EXP_INTERRUPTED : EXP_LOAD_LOST;
}

static enum experiment_end one_trial(struct cell_run *cr, int i)
{
	struct session *s = cr->s;
	struct trial t = {.index = i};
	struct trial_kernel *tk = NULL;
	enum experiment_end load_end = check_load_before(cr);
	int rc;

	if (load_end != EXP_DONE)
		return load_end;
	/* The load was checked: what the engine said before the last minute is no longer read. */
	if (s->events)
		event_stream_forget(s->events, wall_ns() - EVENTS_KEEP_NS);
	if (!cr->cur) {
		tell_progress(cr, i, "starting the target");
		if (restart_prepare(s, &cr->cur)) {
			char why[sizeof(s->err)];

			if (interrupt_requested())
				return EXP_INTERRUPTED;
			snprintf(why, sizeof(why), "%s", s->err);
			rc = record_unrun(cr, i, why);
			return rc ? sink_failed(s, i, rc) : after_failure(cr, why);
		}
	}
	tell_progress(cr, i, NULL);
	t.variant = variant_of(s, i);
	restart_trial(s, &cr->cur, &t, &tk);
	/* A failed trial may mean a lost engine, which takes its load along: after_failure. */
	load_end = t.status == TRIAL_OK ? check_load_after(cr, &t, wall_ns()) : EXP_DONE;
	rc = cr->sink->trial(cr->sink->ctx, cr->cell, &t, tk);
	trial_kernel_free(tk);
	/* The trial's records and symbol tables are written and freed. Up to TRIAL_HEAP_KEEP
	 * stays for the next trial, which needs as much again (faulting pages back in costs
	 * the bookkeeping after the window); more goes: a device's memory is the tighter bound. */
	heap_give_back_beyond(TRIAL_HEAP_KEEP);
	if (rc)
		return sink_failed(s, i, rc);
	if (load_end != EXP_DONE)
		return load_end;
	if (t.status == TRIAL_INTERRUPTED)
		return EXP_INTERRUPTED;
	if (t.status == TRIAL_FAILED)
		return after_failure(cr, t.reason);
	cr->consecutive_failures = 0;
	return EXP_DONE;
}

static enum experiment_end run_cell(struct cell_run *cr)
{
	struct session *s = cr->s;
	enum experiment_end end = EXP_DONE;

	tell_progress(cr, 0, cr->cell->load == LOAD_NONE ? "no load" : "starting the load");
	if (s->cfg->try.set)
		remedy_set_load(s->cfg->try.set, &cr->change);
	if (start_load(cr))
		end = interrupt_requested() ? EXP_INTERRUPTED : EXP_SETUP_FAILED;
	if (end == EXP_DONE)
		end = set_variant(cr, 1);
	for (int i = 1; i <= s->cfg->trials && end == EXP_DONE; i++) {
		if (interrupt_requested())
			end = EXP_INTERRUPTED;
		else
			end = one_trial(cr, i);
		if (end == EXP_DONE && i < s->cfg->trials)
			end = set_variant(cr, i + 1);
		if (end == EXP_DONE && i < s->cfg->trials && !interrupt_sleep(s->cfg->interval_ns))
			end = EXP_INTERRUPTED;
	}
	target_discard(s, cr->cur);
	cr->cur = NULL;
	if (cr->load.n)
		tell_progress(cr, 0, "removing the load");
	load_stop(s, &cr->load);
	return end;
}

enum experiment_end experiment_run(struct session *s, const struct experiment_sink *sink)
{
	enum experiment_end end = EXP_DONE;

	for (int c = 0; c < s->cfg->n_cells && end == EXP_DONE; c++) {
		struct cell_run cr = {
			.s = s, .sink = sink, .cell = &s->cfg->cells[c], .cell_index = c};

		end = run_cell(&cr);
	}
	if (end == EXP_INTERRUPTED)
		snprintf(s->err, sizeof(s->err), "interrupted by signal %d", interrupt_signal());
	return end;
}
