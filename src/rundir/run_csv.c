// SPDX-License-Identifier: GPL-2.0-only
#include "rundir/run_csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/kernel.h"
#include "rundir/columns.h"
#include "rundir/csv.h"
#include "rundir/kernel_csv.h"

struct run_csv {
	struct csv_writer trials, phases, api, execs, events, waits, stacks, progs;
	struct stack_set *seen;
	char run_id[64];
	int dirfd;
};

/* The files in the order of writers(). */
static const char *const file_names[] = {TRIALS_CSV, PHASES_CSV, API_CSV,    EXECS_CSV,
					 EVENTS_CSV, WAITS_CSV,	 STACKS_CSV, PROGS_CSV};
#define N_FILES (sizeof(file_names) / sizeof(file_names[0]))
/* A trial's detail rows (a thousand waits) go out in writes of this size, not one a row. */
#define DETAIL_BATCH (16 * 1024)

static void writers(struct run_csv *rc, struct csv_writer *all[N_FILES])
{
	struct csv_writer *w[N_FILES] = {&rc->trials, &rc->phases, &rc->api,	&rc->execs,
					 &rc->events, &rc->waits,  &rc->stacks, &rc->progs};

	memcpy(all, w, sizeof(w));
}

static const char *const trial_columns[] = {
	COL_RUN_ID,
	COL_CELL,
	COL_LOAD,
	COL_STRESSORS,
	COL_TRIAL,
	COL_STATUS,
	COL_REASON,
	COL_METHOD,
	COL_RESTART_NS,
	COL_RESTART_STDOUT_NS,
	COL_RESTART_TCP_NS,
	COL_RESTART_LOG_NS,
	COL_RESTART_EVENTS_NS,
	COL_RESTART_KERNEL_NS,
	COL_RESTART_HEALTH_NS,
	COL_WINDOW_BEGIN_NS,
	COL_WINDOW_END_NS,
	COL_KILL_NS,
	COL_DIE_NS,
	COL_DISCONNECT_NS,
	COL_STOP_NS,
	COL_DESTROY_NS,
	COL_CREATE_NS,
	COL_ATTACH_NS,
	COL_CONNECT_NS,
	COL_START_NS,
	COL_READY_NS,
	COL_API_CALLS,
	COL_API_TOTAL_NS,
	COL_OLD_CONTAINER,
	COL_NEW_CONTAINER,
	COL_KERNEL_DROPS,
	COL_CLOCK_ERROR_NS,
	COL_STACKS,
	COL_STACK_NS,
	COL_STACK_DROPS,
	COL_VARIANT,
	COL_KIND,
};

static const char *const phase_columns[] = {
	COL_RUN_ID, COL_CELL,	  COL_LOAD,	COL_STRESSORS, COL_TRIAL,	COL_PHASE,
	COL_ORDER,  COL_EVENT_NS, COL_START_NS, COL_END_NS,    COL_DURATION_NS,
};

static const char *const api_columns[] = {
	COL_RUN_ID, COL_CELL,	  COL_TRIAL,	   COL_SEQ,
	COL_CALL,   COL_START_NS, COL_DURATION_NS, COL_HTTP_STATUS,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* phases.csv: the columns above, then the kernel's per-actor columns. */
static int create_phases(struct csv_writer *w, int dirfd)
{
	size_t nk = kernel_phase_column_count(), n = N(phase_columns) + nk;
	const char **cols = calloc(n, sizeof(*cols));
	int e;

	if (!cols)
		return -ENOMEM;
	memcpy(cols, phase_columns, sizeof(phase_columns));
	kernel_phase_columns(cols + N(phase_columns));
	e = csv_create(w, dirfd, PHASES_CSV, cols, n);
	free(cols);
	return e;
}

/* A refused open changes nothing: the files it had made so far go again. */
static void remove_created(struct run_csv *rc)
{
	struct csv_writer *all[N_FILES];

	writers(rc, all);
	for (size_t i = 0; i < N_FILES; i++)
		if (all[i]->fd >= 0) {
			csv_close(all[i]);
			unlinkat(rc->dirfd, file_names[i], 0);
		}
	stack_set_free(rc->seen);
	free(rc);
}

/* Every file but trials.csv holds its rows until the trial's row is due (flush_details). */
static void batch_details(struct run_csv *rc)
{
	struct csv_writer *all[N_FILES];

	writers(rc, all);
	for (size_t i = 0; i < N_FILES; i++)
		all[i]->batch = all[i] == &rc->trials ? 0 : DETAIL_BATCH;
}

/* The detail rows held, written: 0 or the first -errno. */
static int flush_details(struct run_csv *rc)
{
	struct csv_writer *all[N_FILES];
	int first = 0;

	writers(rc, all);
	for (size_t i = 0; i < N_FILES; i++) {
		int e = all[i]->fd >= 0 && all[i] != &rc->trials ? csv_flush(all[i]) : 0;

		if (e && !first)
			first = e;
	}
	return first;
}

int run_csv_open(struct run_csv **out, int dirfd, const char *run_id, unsigned flags, char *err,
		 size_t errlen)
{
	struct run_csv *rc = calloc(1, sizeof(*rc));
	const char *name = TRIALS_CSV;
	int e;

	if (!rc)
		return -ENOMEM;
	rc->trials.fd = rc->phases.fd = rc->api.fd = rc->execs.fd = rc->events.fd = -1;
	rc->progs.fd = -1;
	rc->waits.fd = rc->stacks.fd = -1;
	snprintf(rc->run_id, sizeof(rc->run_id), "%s", run_id);
	rc->dirfd = dirfd;
	e = csv_create(&rc->trials, dirfd, TRIALS_CSV, trial_columns, N(trial_columns));
	if (!e) {
		name = PHASES_CSV;
		e = create_phases(&rc->phases, dirfd);
	}
	if (!e) {
		name = API_CSV;
		e = csv_create(&rc->api, dirfd, API_CSV, api_columns, N(api_columns));
	}
	if (!e && (flags & RUN_CSV_KERNEL)) {
		name = EXECS_CSV;
		e = csv_create(&rc->execs, dirfd, EXECS_CSV, kernel_exec_columns,
			       kernel_exec_column_count);
	}
	if (!e && (flags & RUN_CSV_KERNEL)) {
		name = WAITS_CSV;
		e = csv_create(&rc->waits, dirfd, WAITS_CSV, kernel_wait_columns,
			       kernel_wait_column_count);
	}
	if (!e && (flags & RUN_CSV_KERNEL)) {
		name = STACKS_CSV;
		e = csv_create(&rc->stacks, dirfd, STACKS_CSV, kernel_stack_columns,
			       kernel_stack_column_count);
		if (!e && !(rc->seen = stack_set_new()))
			e = -ENOMEM;
	}
	if (!e && (flags & RUN_CSV_EVENTS)) {
		name = EVENTS_CSV;
		e = csv_create(&rc->events, dirfd, EVENTS_CSV, kernel_event_columns,
			       kernel_event_column_count);
	}
	if (!e && (flags & RUN_CSV_PROGS)) {
		name = PROGS_CSV;
		e = csv_create(&rc->progs, dirfd, PROGS_CSV, kernel_prog_columns,
			       kernel_prog_column_count);
	}
	if (!e)
		batch_details(rc);
	if (e) {
		snprintf(err, errlen, "cannot create %s in the output directory: %s%s", name,
			 strerror(-e),
			 e == -EEXIST ? " (it holds an earlier run; choose another -o)" : "");
		remove_created(rc);
		return e;
	}
	*out = rc;
	return 0;
}

static void cell_fields(struct csv_writer *w, const char *run_id, const struct cell *cell)
{
	csv_str(w, run_id);
	csv_str(w, cell->name);
	csv_str(w, load_name(cell->load));
	csv_i64(w, cell->stressors);
}

static int write_trial(struct run_csv *rc, const struct cell *cell, const struct trial *t,
		       const struct trial_kernel *tk)
{
	struct csv_writer *w = &rc->trials;
	int64_t api_total = 0;
	bool tiled = t->status == TRIAL_OK;

	cell_fields(w, rc->run_id, cell);
	csv_i64(w, t->index);
	csv_str(w, trial_status_name(t->status));
	csv_str(w, t->reason);
	csv_str(w, restart_method_name(t->method));
	csv_i64_opt(w, tiled ? trial_restart_ns(t, t->method) : -1);
	for (int m = 0; m < RM_COUNT; m++)
		csv_i64_opt(w, trial_restart_ns(t, m));
	csv_i64_opt(w, tiled ? t->window[t->method].begin_ns : -1);
	csv_i64_opt(w, tiled ? t->window[t->method].end_ns : -1);
	for (int p = 0; p < PH_COUNT; p++)
		csv_i64_opt(w, tiled && !(t->phase_absent & (1u << p))
				       ? t->phases[p].end_ns - t->phases[p].start_ns
				       : -1);
	for (int i = 0; i < t->n_api; i++)
		api_total += t->api[i].duration_ns;
	csv_i64(w, t->n_api);
	csv_i64(w, api_total);
	csv_str(w, t->old_id);
	csv_str(w, t->new_id);
	csv_i64_opt(w, tk ? (int64_t)trial_kernel_drops(tk) : -1);
	csv_i64_opt(w, tk ? tk->clock_error_ns : -1);
	csv_i64_opt(w, tk ? (int64_t)tk->stacks_captured : -1);
	csv_i64_opt(w, tk ? (int64_t)tk->stack_ns : -1);
	csv_i64_opt(w, tk ? (int64_t)tk->stack_drops : -1);
	csv_str(w, t->variant ? t->variant : "");
	csv_str(w, t->kind ? t->kind : "");
	return csv_end_row(w);
}

static int phase_order(const struct trial *t, int p)
{
	int order = 0;

	for (int q = 0; q < PH_COUNT; q++)
		if (t->phases[q].start_ns < t->phases[p].start_ns ||
		    (t->phases[q].start_ns == t->phases[p].start_ns &&
		     t->phases[q].end_ns < t->phases[p].end_ns) ||
		    (t->phases[q].start_ns == t->phases[p].start_ns &&
		     t->phases[q].end_ns == t->phases[p].end_ns && q < p))
			order++;
	return order;
}

static int write_phases(struct run_csv *rc, const struct cell *cell, const struct trial *t,
			const struct trial_kernel *tk)
{
	struct csv_writer *w = &rc->phases;
	int err = 0;

	if (t->status != TRIAL_OK)
		return 0;
	for (int p = 0; p < PH_COUNT && !err; p++) {
		const struct phase_span *ps = &t->phases[p];

		cell_fields(w, rc->run_id, cell);
		csv_i64(w, t->index);
		csv_str(w, phase_name(p));
		csv_i64(w, phase_order(t, p));
		csv_i64_opt(w, ps->event_ns ? ps->event_ns : -1);
		csv_i64(w, ps->start_ns);
		csv_i64(w, ps->end_ns);
		/* A phase the engine does not report: empty, not 0 (its span is empty). */
		csv_i64_opt(w, t->phase_absent & (1u << p) ? -1 : ps->end_ns - ps->start_ns);
		kernel_phase_fields(w, tk, p);
		err = csv_end_row(w);
	}
	return err;
}

static int write_api(struct run_csv *rc, const struct cell *cell, const struct trial *t)
{
	struct csv_writer *w = &rc->api;
	int err = 0;

	for (int i = 0; i < t->n_api && !err; i++) {
		csv_str(w, rc->run_id);
		csv_str(w, cell->name);
		csv_i64(w, t->index);
		csv_i64(w, i + 1);
		csv_str(w, t->api[i].what);
		csv_i64(w, t->api[i].start_ns);
		csv_i64(w, t->api[i].duration_ns);
		csv_i64(w, t->api[i].http_status);
		err = csv_end_row(w);
	}
	return err;
}

/* Where each file ends before a trial's rows, so a failed trial can be taken back whole. */
static void mark_ends(struct run_csv *rc, off_t ends[N_FILES])
{
	struct csv_writer *all[N_FILES];

	writers(rc, all);
	for (size_t i = 0; i < N_FILES; i++)
		ends[i] = all[i]->fd >= 0 ? lseek(all[i]->fd, 0, SEEK_CUR) : -1;
}

/*
 * Cuts every file back to its mark: what a reader sees is the run as it was after the
 * previous trial. (The stacks of the cut trial stay in rc->seen: the run ends at a failed
 * write, so no later row names them.)
 */
static void take_back(struct run_csv *rc, const off_t ends[N_FILES])
{
	struct csv_writer *all[N_FILES];

	writers(rc, all);
	for (size_t i = 0; i < N_FILES; i++) {
		struct csv_writer *w = all[i];

		if (w->fd < 0 || ends[i] < 0)
			continue;
		if (ftruncate(w->fd, ends[i]) == 0 && lseek(w->fd, ends[i], SEEK_SET) == ends[i])
			w->failed = 0;
		w->len = 0;
		w->fields = 0;
	}
}

int run_csv_trial(struct run_csv *rc, const struct cell *cell, const struct trial *t,
		  const struct trial_kernel *tk)
{
	off_t ends[N_FILES];
	int err;

	mark_ends(rc, ends);
	/* Details first, the trial row last: a trial row promises its details are written. */
	err = write_phases(rc, cell, t, tk);

	if (!err)
		err = write_api(rc, cell, t);
	if (!err && tk && rc->execs.fd >= 0)
		err = kernel_exec_rows(&rc->execs, rc->run_id, cell, t, tk);
	if (!err && tk && rc->events.fd >= 0)
		err = kernel_event_rows(&rc->events, rc->run_id, cell, t, tk);
	/* Stacks before the waits that name them. */
	if (!err && tk && rc->stacks.fd >= 0)
		err = kernel_stack_rows(&rc->stacks, rc->seen, tk);
	if (!err && tk && rc->waits.fd >= 0)
		err = kernel_wait_rows(&rc->waits, rc->run_id, cell, t, tk);
	if (!err && tk && rc->progs.fd >= 0)
		err = kernel_prog_rows(&rc->progs, rc->run_id, cell, t, tk);
	if (!err)
		err = flush_details(rc);
	if (!err)
		err = write_trial(rc, cell, t, tk);
	if (err)
		take_back(rc, ends);
	return err;
}

int run_csv_close(struct run_csv *rc)
{
	int first = 0;

	struct csv_writer *all[N_FILES];

	if (!rc)
		return 0;
	writers(rc, all);
	for (size_t i = 0; i < N_FILES; i++) {
		int e = all[i]->fd >= 0 ? csv_close(all[i]) : 0;

		if (e && !first)
			first = e;
	}
	stack_set_free(rc->seen);
	free(rc);
	return first;
}

int run_csv_reopen(struct run_csv *rc)
{
	struct csv_writer *all[N_FILES];
	int first = 0;

	writers(rc, all);
	for (size_t i = 0; i < N_FILES; i++) {
		int e = csv_reopen(all[i], rc->dirfd, file_names[i]);

		if (e && !first)
			first = e;
	}
	return first;
}
