// SPDX-License-Identifier: GPL-2.0-only
#include "trial/restart.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "model/kernel.h"
#include "model/waits.h"
#include "trace/tracer.h"
#include "util/clock.h"
#include "util/interrupt.h"

#define EVENT_GRACE_NS	(2 * NSEC_PER_SEC) /* engine events trail the API answers */
#define STAMP_WAIT_NS	(1 * NSEC_PER_SEC)
#define TCP_SETTLE_NS	(500 * NSEC_PER_MSEC)
#define READY_SLICE_NS	(100 * NSEC_PER_MSEC)
#define OLD_EVENT_SLACK (50 * NSEC_PER_MSEC)
#define LISTEN_WAIT_NS	(1 * NSEC_PER_SEC) /* a service may print before it listens */

static int fail_trial(struct trial *t, enum trial_status st, const char *fmt, ...)
{
	va_list ap;

	if (t->status != TRIAL_OK)
		return -1; /* keep the first reason */
	t->status = st;
	va_start(ap, fmt);
	vsnprintf(t->reason, sizeof(t->reason), fmt, ap);
	va_end(ap);
	return -1;
}

static int mark_if_interrupted(struct trial *t)
{
	if (!interrupt_requested())
		return 0;
	return fail_trial(t, TRIAL_INTERRUPTED, "interrupted by signal %d", interrupt_signal());
}

/* A failed engine call: interrupted, or its one line (it names the call). */
static void fail_call(struct trial *t, const char *why)
{
	if (!mark_if_interrupted(t))
		fail_trial(t, TRIAL_FAILED, "%s", why);
}

/* Exit code of the container if the engine reported it dead after `after_ns`, else -1. */
static int exit_code_if_died(struct session *s, const char *id, int64_t after_ns)
{
	struct engine_event ev[8];
	size_t n = event_stream_collect(s->events, id, after_ns, INT64_MAX, ev, 8);
	const char *died = engine_phase_action(s->docker.kind, "die", NULL);

	for (size_t i = 0; i < n; i++)
		if (strcmp(ev[i].action, died) == 0)
			return ev[i].exit_code < 0 ? 255 : ev[i].exit_code;
	return -1;
}

/*
 * A trial whose restart window cannot be placed. When the old service had exited by itself
 * (a code no stop gives) that is the reason: it can die just before the stop request and
 * still be stopped, while the engine has not yet seen its end.
 */
static void fail_without_window(struct session *s, struct trial *t)
{
	int code = exit_code_if_died(s, t->old_id, 0);

	if (code > 0 && code != 128 + SIGTERM && code != 128 + SIGKILL)
		fail_trial(t, TRIAL_FAILED,
			   "the service exited with code %d before the trial began", code);
	else
		fail_trial(t, TRIAL_FAILED, "no %s window: %s", restart_method_name(t->method),
			   t->method == RM_STDOUT ? "a service printed no timestamp"
						  : "the service gave no sign of life");
}

/* Waits until the new container serves by the configured method; wall ns, or 0 with reason. */
static int64_t wait_ready(struct session *s, struct target *tg, int64_t since_ns, char *why,
			  size_t whylen)
{
	const struct ready_spec *rs = &s->cfg->ready;
	int64_t deadline = mono_ns() + s->cfg->ready_timeout_ns;

	while (!interrupt_requested()) {
		int64_t slice = mono_ns() + READY_SLICE_NS, at = 0;
		int code;

		if (slice > deadline)
			slice = deadline;
		if (rs->kind == READY_TCP) {
			if (tg->pid > 0)
				at = tcp_probe_until_up(tg->pid, rs->port, slice, why, whylen);
			else
				sleep_ns(slice - mono_ns());
		} else {
			at = output_watch_wait(&tg->watch, rs->kind, slice);
		}
		if (at)
			return at;
		code = exit_code_if_died(s, tg->id, since_ns);
		if (code >= 0) {
			snprintf(why, whylen, "the service exited with code %d before it was ready",
				 code);
			return 0;
		}
		if (mono_ns() >= deadline) {
			snprintf(why, whylen, "not ready within %.1f s (last output: %.120s)",
				 (double)s->cfg->ready_timeout_ns / NSEC_PER_SEC,
				 tg->watch.last_line[0] ? tg->watch.last_line : "none");
			return 0;
		}
	}
	snprintf(why, whylen, "interrupted");
	return 0;
}

int restart_prepare(struct session *s, struct target **cur)
{
	int64_t since = wall_ns();
	struct target *tg = target_create(s, NULL);
	char why[256];

	*cur = NULL;
	if (!tg)
		return -EIO;
	if (target_start(s, tg, NULL)) {
		target_discard(s, tg);
		return -EIO;
	}
	if (!wait_ready(s, tg, since, why, sizeof(why))) {
		snprintf(s->err, sizeof(s->err), "the first target never served: %s", why);
		target_discard(s, tg);
		return -ETIMEDOUT;
	}
	*cur = tg;
	return 0;
}

/*
 * The time of the event that ends phase p on this engine (engine/kind.c), 0 if none came;
 * a phase the engine never reports is marked absent in t.
 */
static int64_t find_event(struct session *s, struct trial *t, enum phase p, const char *id,
			  int64_t after_ns, int64_t deadline_mono)
{
	const char *type, *action = engine_phase_action(s->docker.kind, phase_name(p), &type);

	if (!action) {
		t->phase_absent |= 1u << p;
		return 0;
	}
	return id[0] ? event_stream_wait(s->events, type, action, id, after_ns, deadline_mono) : 0;
}

/* Reads every lifecycle event of the two containers; waits only for the last one. */
static void collect_events(struct session *s, struct trial *t, int64_t t_req)
{
	static const enum phase of_old[] = {PH_KILL, PH_DIE, PH_DISCONNECT, PH_STOP, PH_DESTROY};
	static const enum phase of_new[] = {PH_CREATE, PH_ATTACH, PH_CONNECT};
	int64_t old_after = t_req - OLD_EVENT_SLACK, now = mono_ns();

	t->phase_absent = 0;
	t->event_ns[PH_START] = find_event(s, t, PH_START, t->new_id, t_req, now + EVENT_GRACE_NS);
	now = mono_ns();
	for (size_t i = 0; i < sizeof(of_old) / sizeof(of_old[0]); i++)
		t->event_ns[of_old[i]] = find_event(s, t, of_old[i], t->old_id, old_after, now);
	for (size_t i = 0; i < sizeof(of_new) / sizeof(of_new[0]); i++)
		t->event_ns[of_new[i]] = find_event(s, t, of_new[i], t->new_id, old_after, now);
}

static void set_window(struct trial *t, enum restart_method m, int64_t begin, int64_t end)
{
	if (begin <= 0 || end <= 0 || end < begin)
		return;
	t->window[m] = (struct trial_window){begin, end};
	t->have_window[m] = 1;
}

static void stop_old(struct session *s, struct target *old, struct trial *t, int64_t *last_tcp)
{
	const struct ready_spec *rs = &s->cfg->ready;
	struct tcp_probe *probe = NULL;
	int rc;

	/* The last successful connect before the stop marks the old service's last sign of life. */
	if (rs->kind == READY_TCP && old->pid > 0 &&
	    tcp_probe_watch_start(old->pid, rs->port, &probe) == 0)
		interrupt_sleep(5 * TCP_PROBE_INTERVAL_NS);
	session_record_calls(s, t);
	rc = docker_container_stop(&s->docker, old->id, s->cfg->grace_s);
	session_record_calls(s, NULL);
	if (probe)
		*last_tcp = tcp_probe_watch_stop(probe);
	if (rc == -EALREADY)
		fail_trial(t, TRIAL_FAILED,
			   "the service exited with code %d before the trial began",
			   docker_container_exit_code(&s->docker, old->id));
	else if (rc)
		fail_call(t, s->docker.err);
}

static void remove_old(struct session *s, struct target *old, struct trial *t)
{
	session_record_calls(s, t);
	if (docker_container_remove(&s->docker, old->id, t->status != TRIAL_OK))
		fail_call(t, s->docker.err);
	else
		old->live = false;
	session_record_calls(s, NULL);
	target_discard(s, old);
}

/* Creates and starts the new container; NULL (and t failed) if it cannot. */
static struct target *bring_up(struct session *s, struct trial *t)
{
	struct target *tg;

	if (mark_if_interrupted(t))
		return NULL;
	tg = target_create(s, t);
	if (!tg) {
		fail_call(t, s->err);
		return NULL;
	}
	snprintf(t->new_id, sizeof(t->new_id), "%s", tg->id);
	if (!mark_if_interrupted(t) && target_start(s, tg, t))
		fail_call(t, s->err);
	return tg;
}

static void set_windows(struct session *s, struct trial *t, struct target *next, int64_t t_req,
			int64_t old_stamp, int64_t last_tcp, int64_t ready_at)
{
	const struct ready_spec *rs = &s->cfg->ready;
	int64_t first_stamp = next ? output_watch_wait(&next->watch, READY_STDOUT, 0) : 0;

	set_window(t, RM_STDOUT, old_stamp, first_stamp);
	set_window(t, RM_TCP, last_tcp, rs->kind == READY_TCP ? ready_at : 0);
	set_window(t, RM_LOG, t_req, rs->kind == READY_LOG ? ready_at : 0);
	set_window(t, RM_EVENTS, t->event_ns[PH_KILL] ? t->event_ns[PH_KILL] : t->event_ns[PH_DIE],
		   t->event_ns[PH_START]);
}

static void kernel_window(struct session *s, struct trial *t, pid_t old_pid, pid_t new_pid,
			  struct trial_kernel **tk)
{
	struct trial_window kw;

	if (!s->tracer || !tracer_attached(s->tracer))
		return;
	if (t->status == TRIAL_OK && new_pid > 0)
		tracer_wait_listen(s->tracer, t->new_id, new_pid, LISTEN_WAIT_NS);
	tracer_trial_end(s->tracer, tk);
	if (*tk && kernel_restart_window(*tk, t->new_id, old_pid, new_pid, &kw) == 0)
		set_window(t, RM_KERNEL, kw.begin_ns, kw.end_ns);
}

/*
 * No engine call of a trial runs past this: the stop's grace, the readiness timeout and two
 * engine timeouts, however slowly the engine answers each of its calls.
 */
static int64_t trial_bound_ns(const struct run_config *cfg)
{
	return cfg->grace_s * NSEC_PER_SEC + cfg->ready_timeout_ns + 2 * cfg->engine_timeout_ns;
}

int restart_trial(struct session *s, struct target **cur, struct trial *t, struct trial_kernel **tk)
{
	struct target *old = *cur, *next = NULL;
	int64_t t_req, old_stamp = 0, last_tcp = 0, ready_at = 0;
	pid_t old_pid = old->pid;
	char why[256] = "";

	*tk = NULL;
	*cur = NULL;
	t->status = TRIAL_OK;
	t->method = s->cfg->method;
	snprintf(t->old_id, sizeof(t->old_id), "%s", old->id);
	/* Detached (--alternate trace, even trials): nothing is recorded, no kernel columns. */
	if (s->tracer && tracer_attached(s->tracer))
		tracer_trial_begin(s->tracer);

	docker_set_deadline(&s->docker, mono_ns() + trial_bound_ns(s->cfg));
	t_req = wall_ns();
	int code = exit_code_if_died(s, old->id, 0);

	if (code >= 0)
		fail_trial(t, TRIAL_FAILED,
			   "the service exited with code %d before the trial began", code);
	else
		stop_old(s, old, t, &last_tcp);
	if (t->status == TRIAL_OK)
		old_stamp = output_watch_last_stamp(&old->watch, t_req, mono_ns() + STAMP_WAIT_NS);
	remove_old(s, old, t);
	if (t->status == TRIAL_OK)
		next = bring_up(s, t);
	if (t->status == TRIAL_OK && !mark_if_interrupted(t)) {
		ready_at = wait_ready(s, next, t_req, why, sizeof(why));
		if (!ready_at && !mark_if_interrupted(t))
			fail_trial(t, TRIAL_FAILED, "%s", why);
	}
	docker_set_deadline(&s->docker, 0);
	collect_events(s, t, t_req);
	set_windows(s, t, next, t_req, old_stamp, last_tcp, ready_at);
	kernel_window(s, t, old_pid, next ? next->pid : 0, tk);
	if (t->status == TRIAL_OK && trial_tile_phases(t))
		fail_without_window(s, t);
	/* Per phase and actor; for a failed trial only the actors and the execs. */
	if (*tk && kernel_attribute(*tk, t) == 0)
		kernel_waits(*tk, t);
	if (t->status != TRIAL_OK) {
		target_discard(s, next);
		return -1;
	}
	*cur = next;
	return 0;
}
