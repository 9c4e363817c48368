// SPDX-License-Identifier: GPL-2.0-only
/* The watch loop: engine events in, restarts recognised, readiness awaited, trials written. */
#include "watch/watch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/docker.h"
#include "engine/events.h"
#include "metrics/registry.h"
#include "metrics/textfile.h"
#include "trace/tracer.h"
#include "trial/run.h"
#include "util/clock.h"
#include "util/interrupt.h"
#include "watch/containers.h"
#include "watch/filter.h"
#include "watch/pending.h"
#include "watch/recognize.h"

#define POLL_NS		   (50 * NSEC_PER_MSEC)	 /* while a restart awaits readiness */
#define IDLE_POLL_NS	   (250 * NSEC_PER_MSEC) /* else: new events wake the loop anyway */
#define EVENTS_PER_TURN	   64
#define HOUSEKEEP_NS	   (1 * NSEC_PER_SEC)
#define TEXTFILE_PERIOD_NS (15 * NSEC_PER_SEC)
/* Engine events are kept this long beyond the replacement window (for late matches). */
#define EVENTS_KEEP_NS	 (60 * NSEC_PER_SEC)
#define EVENTS_REPEAT_NS (5 * NSEC_PER_SEC) /* what a resumed stream may repeat */

struct watch {
	struct run *r;
	const struct filters *filters;
	struct metrics *m;
	struct metrics_textfile *textfile; /* NULL without --textfile */
	struct watch_hooks hooks;
	struct recognizer *rec;
	struct container_table table;
	struct pending_set ps;
	uint64_t cursor;
	int reconnects_seen;
	bool engine_up;
	int write_error;	  /* -errno of a trial the run directory could not take (r->err) */
	int64_t down_ns, back_ns; /* wall: the last time the engine's events stopped, came back */
	int64_t next_housekeep, next_textfile;
};

static void tell(struct watch *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tell(struct watch *w, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!w->hooks.note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	w->hooks.note(w->hooks.ctx, line);
}

static bool wanted(const struct watch *w, const struct restart_seen *rs)
{
	return !w->filters || filter_match(w->filters, rs->name, rs->image, rs->labels);
}

/* A restart the recogniser completed at ev (the new start): await its readiness. */
static void restart_seen(struct watch *w, const struct restart_seen *rs)
{
	struct watched_container *old = containers_find(&w->table, rs->old_id), *next;
	pid_t old_pid = old ? old->pid : 0;

	next = containers_learn(&w->table, &w->r->s.docker, rs->new_id);
	if (!wanted(w, rs))
		return;
	/* Stopped by the engine going down and started as it came back: the engine's restart. */
	bool with_engine = w->down_ns && rs->begin_ns <= (w->back_ns ? w->back_ns : wall_ns()) &&
			   rs->start_ns >= w->down_ns;

	int e = pending_add(&w->ps, rs, old_pid, next ? next->pid : 0, next && next->health,
			    with_engine, w->r->cfg->ready_timeout_ns);

	if (e == -ENOSPC)
		tell(w, "restart of %s not recorded: %d restarts already await readiness", rs->cell,
		     PENDING_MAX);
	else if (e)
		w->write_error = e;
}

static void on_event(struct watch *w, const struct engine_event *ev)
{
	struct restart_seen rs;

	if (strcmp(ev->type, "container") == 0 && strcmp(ev->action, "health_status: healthy") == 0)
		pending_healthy(&w->ps, ev->container, ev->time_ns);
	if (recognizer_feed(w->rec, ev, &rs) == 1)
		restart_seen(w, &rs);
	else if (strcmp(ev->type, "container") == 0 && strcmp(ev->action, "start") == 0)
		containers_learn(&w->table, &w->r->s.docker, ev->container);
}

/* What the engine said since the last turn; waits up to wait_ns for something to say. */
static void read_events(struct watch *w, int64_t wait_ns)
{
	struct engine_event ev[EVENTS_PER_TURN];
	size_t n;

	do {
		n = event_stream_read_wait(w->r->s.events, &w->cursor, ev, EVENTS_PER_TURN,
					   mono_ns() + wait_ns);
		wait_ns = 0;
		for (size_t i = 0; i < n; i++)
			on_event(w, &ev[i]);
	} while (n == EVENTS_PER_TURN);
}

static void write_textfile(struct watch *w)
{
	char err[256];

	if (!w->m || !w->textfile)
		return;
	if (metrics_textfile_write(w->textfile, w->m, err, sizeof(err)))
		tell(w, "%s", err);
	w->next_textfile = mono_ns() + TEXTFILE_PERIOD_NS;
}

/* The engine's connection: said once when lost and once when back, metrics kept. */
static void check_engine(struct watch *w)
{
	struct event_stream *es = w->r->s.events;
	bool up = event_stream_healthy(es);
	int reconnects = event_stream_reconnects(es);

	if (w->m) {
		metrics_watch_up(w->m, up);
		metrics_engine_reconnects(w->m, (uint64_t)reconnects);
	}
	if (up == w->engine_up && reconnects == w->reconnects_seen)
		return;
	w->reconnects_seen = reconnects;
	if (!up && w->engine_up) {
		w->down_ns = wall_ns();
		w->back_ns = 0;
	}
	if (!up && w->engine_up)
		tell(w, "the engine's events stopped: reconnecting (restarts meanwhile are "
			"recorded when their events come back)");
	if (up && !w->engine_up) {
		w->back_ns = wall_ns();
		pid_t pid = docker_peer_pid(w->r->cfg->socket_path);

		tell(w, "the engine answers again%s", pid > 0 ? "" : " (its pid is unknown)");
		if (w->r->s.tracer && pid > 0)
			tracer_set_engine(w->r->s.tracer, pid);
		containers_learn_running(&w->table, &w->r->s.docker);
	}
	w->engine_up = up;
}

static void housekeep(struct watch *w)
{
	int64_t now = wall_ns();
	const struct watch_spec *ws = &w->r->cfg->watch;

	/* The tracer's reader prunes the kernel's history itself, once a second. */
	/* The recogniser keeps what it needs of them: the stream only what is still unread. */
	event_stream_forget_read(w->r->s.events, w->cursor, now - EVENTS_REPEAT_NS);
	recognizer_forget_before(w->rec, now - ws->replace_window_ns - EVENTS_KEEP_NS);
	check_engine(w);
	if (interrupt_take_hangup()) {
		tell(w, "SIGHUP: reopening the output files");
		run_reopen_files(w->r);
		write_textfile(w);
	}
	if (mono_ns() >= w->next_textfile)
		write_textfile(w);
	w->next_housekeep = mono_ns() + HOUSEKEEP_NS;
}

static bool time_is_up(const struct watch *w, int64_t started)
{
	int64_t d = w->r->cfg->watch.duration_ns;

	return interrupt_requested() || (d > 0 && mono_ns() - started >= d);
}

static int setup(struct watch *w, struct run *r, const struct filters *f,
		 const struct watch_metrics *wm, const struct watch_hooks *hooks)
{
	memset(w, 0, sizeof(*w));
	w->r = r;
	w->filters = f;
	w->m = wm ? wm->m : NULL;
	w->textfile = wm ? wm->textfile : NULL;
	if (hooks)
		w->hooks = *hooks;
	w->rec = recognizer_new(r->cfg->watch.replace_window_ns, r->s.docker.kind);
	if (!w->rec || pending_init(&w->ps, r, w->m, w->hooks.restart, w->hooks.ctx))
		return -ENOMEM;
	w->engine_up = true;
	w->reconnects_seen = event_stream_reconnects(r->s.events);
	containers_learn_running(&w->table, &r->s.docker);
	if (r->s.tracer &&
	    tracer_follow_begin(r->s.tracer, r->cfg->watch.history_ns, FOLLOW_MAX_BYTES))
		tell(w, "the kernel's history could not start: restarts are timed from the "
			"engine's events only");
	interrupt_hangup_reopens();
	return 0;
}

enum watch_end watch_follow(struct run *r, const struct filters *filters,
			    const struct watch_metrics *m, const struct watch_hooks *hooks)
{
	int64_t started = mono_ns();
	enum watch_end end = WATCH_STOPPED;
	struct watch w;

	if (setup(&w, r, filters, m, hooks)) {
		snprintf(r->err, sizeof(r->err), "watch: out of memory");
		end = WATCH_FAILED;
		goto cleanup;
	}
	write_textfile(&w);
	while (!time_is_up(&w, started)) {
		read_events(&w, w.ps.n ? POLL_NS : IDLE_POLL_NS);
		if (w.write_error || pending_settle(&w.ps, false)) {
			end = WATCH_FAILED;
			break;
		}
		if (mono_ns() >= w.next_housekeep)
			housekeep(&w);
	}
	/* What was seen is recorded, even when its readiness could not be awaited. */
	read_events(&w, 0);
	if (pending_settle(&w.ps, true))
		end = WATCH_FAILED;
	write_textfile(&w);
cleanup:
	if (r->s.tracer)
		tracer_follow_end(r->s.tracer);
	pending_free(&w.ps);
	recognizer_free(w.rec);
	containers_free(&w.table);
	return end;
}
