// SPDX-License-Identifier: GPL-2.0-only
#include "rundir/kernel_csv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/actor.h"
#include "model/phase.h"
#include "model/waits.h"
#include "rundir/columns.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Per actor, in this order; docs/output.md documents each. */
enum metric {
	M_BIO_REQS,
	M_BIO_BYTES,
	M_BIO_DEV_SUM,
	M_BIO_DEV_MAX,
	M_BIO_QUEUE,
	M_IOWAIT,
	M_BLOCKED,
	M_RUNQ,
	M_EXECS,
	M_EXEC_NAMES,
	M_FORKS,
	M_EXITS,
	M_MOUNTS,
	M_MOUNT_NS,
	M_OVL_MOUNTS,
	M_OVL_MOUNT_NS,
	M_NET,
	M_SLEEP,
	M_SYNCS,
	M_SYNC_NS,
	M_RENAMES,
	M_UNLINKS,
	M_FLOCKS,
	M_FLOCK_NS,
	M_WB_PAGES,
	M_COUNT
};

static const char *const metric_names[M_COUNT] = {
	[M_BIO_REQS] = "bio_reqs",
	[M_BIO_BYTES] = "bio_bytes",
	[M_BIO_DEV_SUM] = "bio_dev_ns_sum",
	[M_BIO_DEV_MAX] = "bio_dev_ns_max",
	[M_BIO_QUEUE] = "bio_queue_ns",
	[M_IOWAIT] = "iowait_ns",
	[M_BLOCKED] = "blocked_ns",
	[M_RUNQ] = "runq_ns",
	[M_EXECS] = "execs",
	[M_EXEC_NAMES] = "exec_names",
	[M_FORKS] = "forks",
	[M_EXITS] = "exits",
	[M_MOUNTS] = "mounts",
	[M_MOUNT_NS] = "mount_ns",
	[M_OVL_MOUNTS] = "ovl_mounts",
	[M_OVL_MOUNT_NS] = "ovl_mount_ns",
	[M_NET] = "net_events",
	[M_SLEEP] = "sleep_ns",
	[M_SYNCS] = "syncs",
	[M_SYNC_NS] = "sync_ns",
	[M_RENAMES] = "renames",
	[M_UNLINKS] = "unlinks",
	[M_FLOCKS] = "flocks",
	[M_FLOCK_NS] = "flock_ns",
	[M_WB_PAGES] = "wb_pages",
};

/* Per phase, not per actor: the writeback context. */
enum phase_metric {
	PM_DIRTY_BEGIN,
	PM_DIRTY_END,
	PM_WRITEBACK_BEGIN,
	PM_WRITEBACK_END,
	PM_WB_BACKGROUND,
	PM_WB_PERIODIC,
	PM_WB_SYNC,
	PM_WB_RECLAIM,
	PM_WB_OTHER,
	PM_WB_UNKNOWN,
	PM_COUNT
};

static const char *const phase_metric_names[PM_COUNT] = {
	[PM_DIRTY_BEGIN] = COL_DIRTY_KIB_BEGIN,
	[PM_DIRTY_END] = COL_DIRTY_KIB_END,
	[PM_WRITEBACK_BEGIN] = COL_WRITEBACK_KIB_BEGIN,
	[PM_WRITEBACK_END] = COL_WRITEBACK_KIB_END,
	[PM_WB_BACKGROUND] = COL_WB_PAGES_BACKGROUND,
	[PM_WB_PERIODIC] = COL_WB_PAGES_PERIODIC,
	[PM_WB_SYNC] = COL_WB_PAGES_SYNC,
	[PM_WB_RECLAIM] = COL_WB_PAGES_RECLAIM,
	[PM_WB_OTHER] = COL_WB_PAGES_OTHER,
	[PM_WB_UNKNOWN] = COL_WB_PAGES_UNKNOWN_DIRTIER,
};

static int64_t phase_metric(const struct kphase_wb *w, int m)
{
	switch (m) {
	case PM_DIRTY_BEGIN:
		return w->dirty_kib_begin;
	case PM_DIRTY_END:
		return w->dirty_kib_end;
	case PM_WRITEBACK_BEGIN:
		return w->writeback_kib_begin;
	case PM_WRITEBACK_END:
		return w->writeback_kib_end;
	case PM_WB_BACKGROUND:
		return w->pages[KWB_BACKGROUND];
	case PM_WB_PERIODIC:
		return w->pages[KWB_PERIODIC];
	case PM_WB_SYNC:
		return w->pages[KWB_SYNC];
	case PM_WB_RECLAIM:
		return w->pages[KWB_RECLAIM];
	case PM_WB_OTHER:
		return w->pages[KWB_OTHER];
	case PM_WB_UNKNOWN:
		return w->pages_unknown;
	default:
		return -1;
	}
}

size_t kernel_phase_column_count(void)
{
	return (size_t)ACTOR_COUNT * M_COUNT + PM_COUNT;
}

void kernel_phase_columns(const char **columns)
{
	static char names[ACTOR_COUNT * M_COUNT][48];

	for (int a = 0; a < ACTOR_COUNT; a++)
		for (int m = 0; m < M_COUNT; m++) {
			char *n = names[a * M_COUNT + m];

			snprintf(n, sizeof(names[0]), "%s_%s", actor_name(a), metric_names[m]);
			columns[a * M_COUNT + m] = n;
		}
	for (int m = 0; m < PM_COUNT; m++)
		columns[ACTOR_COUNT * M_COUNT + m] = phase_metric_names[m];
}

static int64_t metric(const struct kphase_stats *s, int m)
{
	switch (m) {
	case M_BIO_REQS:
		return s->bio_reqs;
	case M_BIO_BYTES:
		return s->bio_bytes;
	case M_BIO_DEV_SUM:
		return s->bio_dev_ns_sum;
	case M_BIO_DEV_MAX:
		return s->bio_dev_ns_max;
	case M_BIO_QUEUE:
		return s->bio_queue_ns;
	case M_IOWAIT:
		return s->iowait_ns;
	case M_BLOCKED:
		return s->blocked_ns;
	case M_RUNQ:
		return s->runq_ns;
	case M_EXECS:
		return s->execs;
	case M_FORKS:
		return s->forks;
	case M_EXITS:
		return s->exits;
	case M_MOUNTS:
		return s->mounts;
	case M_MOUNT_NS:
		return s->mount_ns;
	case M_OVL_MOUNTS:
		return s->ovl_mounts;
	case M_OVL_MOUNT_NS:
		return s->ovl_mount_ns;
	case M_NET:
		return s->net_events;
	case M_SLEEP:
		return s->sleep_ns;
	case M_SYNCS:
		return s->syncs;
	case M_SYNC_NS:
		return s->sync_ns;
	case M_RENAMES:
		return s->renames;
	case M_UNLINKS:
		return s->unlinks;
	case M_FLOCKS:
		return s->flocks;
	case M_FLOCK_NS:
		return s->flock_ns;
	case M_WB_PAGES:
		return s->wb_pages;
	default:
		return -1;
	}
}

void kernel_phase_fields(struct csv_writer *w, const struct trial_kernel *tk, int phase)
{
	for (int a = 0; a < ACTOR_COUNT; a++)
		for (int m = 0; m < M_COUNT; m++) {
			if (!tk || !tk->attributed)
				csv_empty(w);
			else if (m == M_EXEC_NAMES)
				csv_str(w, tk->by[phase][a].exec_names);
			else
				csv_i64(w, metric(&tk->by[phase][a], m));
		}
	for (int m = 0; m < PM_COUNT; m++)
		if (!tk || !tk->attributed)
			csv_empty(w);
		else
			csv_i64_opt(w, phase_metric(&tk->wb[phase], m));
}

/* The first columns of every per-trial row: run id, cell, trial. */
static void trial_key(struct csv_writer *w, const char *run_id, const struct cell *cell,
		      const struct trial *t)
{
	csv_str(w, run_id);
	csv_str(w, cell->name);
	csv_i64(w, t->index);
}

/* ---- execs.csv ---- */

const char *const kernel_exec_columns[] = {
	COL_RUN_ID, COL_CELL,	  COL_TRIAL,	COL_PHASE,  COL_ACTOR,	  COL_PID,	 COL_PPID,
	COL_NAME,   COL_FILENAME, COL_START_NS, COL_END_NS, COL_LIVED_NS, COL_EXIT_CODE,
};
const size_t kernel_exec_column_count = N(kernel_exec_columns);

int kernel_exec_rows(struct csv_writer *w, const char *run_id, const struct cell *cell,
		     const struct trial *t, const struct trial_kernel *tk)
{
	int err = 0;

	for (size_t i = 0; tk && i < tk->n_execs && !err; i++) {
		const struct kexec *x = &tk->execs[i];

		trial_key(w, run_id, cell, t);
		csv_str(w, x->phase >= 0 ? phase_name(x->phase) : "");
		csv_str(w, actor_name(x->actor));
		csv_i64(w, x->pid);
		csv_i64(w, x->ppid);
		csv_str(w, x->comm);
		csv_str(w, x->filename);
		csv_i64(w, x->start);
		csv_i64_opt(w, x->end);
		csv_i64_opt(w, x->end >= 0 ? x->end - x->start : -1);
		csv_i64_opt(w, x->exit_code);
		err = csv_end_row(w);
	}
	return err;
}

/* ---- progstats.csv ---- */

const char *const kernel_prog_columns[] = {
	COL_RUN_ID,  COL_CELL, COL_TRIAL, COL_VARIANT, COL_RECORD_NS,	COL_PROG_ID,
	COL_PROGRAM, COL_TYPE, COL_OWNER, COL_RUN_CNT, COL_RUN_TIME_NS,
};
const size_t kernel_prog_column_count = N(kernel_prog_columns);

int kernel_prog_rows(struct csv_writer *w, const char *run_id, const struct cell *cell,
		     const struct trial *t, const struct trial_kernel *tk)
{
	int err = 0;

	for (size_t i = 0; tk && i < tk->n_progs && !err; i++) {
		const struct kprog *p = &tk->progs[i];

		trial_key(w, run_id, cell, t);
		csv_str(w, t->variant ? t->variant : "");
		csv_i64(w, tk->record_end_ns - tk->record_begin_ns);
		csv_i64(w, p->id);
		csv_str(w, p->name);
		csv_str(w, p->type);
		csv_str(w, p->own ? "restartprof" : "other");
		csv_i64(w, (int64_t)p->run_cnt);
		csv_i64(w, (int64_t)p->run_time_ns);
		err = csv_end_row(w);
	}
	return err;
}

/* ---- events.csv ---- */

const char *const kernel_event_columns[] = {
	COL_RUN_ID,	 COL_CELL,	COL_TRIAL,     COL_TYPE, COL_TS_NS,  COL_END_NS,
	COL_DURATION_NS, COL_PHASE,	COL_ACTOR,     COL_PID,	 COL_TID,    COL_PPID,
	COL_COMM,	 COL_CGROUP_ID, COL_CONTAINER, COL_WHAT, COL_DETAIL,
};
const size_t kernel_event_column_count = N(kernel_event_columns);

static void what_and_detail(const struct kevent *e, char *what, size_t wlen, char *d, size_t dlen)
{
	what[0] = d[0] = '\0';
	switch (e->type) {
	case KEV_EXEC:
		snprintf(what, wlen, "%s", e->exec.filename);
		snprintf(d, dlen, "old_tid=%d", e->exec.old_tid);
		break;
	case KEV_FORK:
		snprintf(what, wlen, "%s", e->fork.thread ? "thread" : "process");
		snprintf(d, dlen, "child_pid=%d child_tid=%d", e->fork.child_pid,
			 e->fork.child_tid);
		break;
	case KEV_EXIT:
		snprintf(what, wlen, "%s", e->exit.code & 0x7f ? "signal" : "exit");
		snprintf(d, dlen, "status=%d signal=%d group_dead=%d started_ns=%" PRId64,
			 (e->exit.code >> 8) & 0xff, e->exit.code & 0x7f, e->exit.group_dead,
			 e->exit.start);
		break;
	case KEV_CGROUP:
		snprintf(what, wlen, "%s", kev_cgroup_op_name(e->cgroup.op));
		snprintf(d, dlen, "id=%" PRIu64 " root=%d level=%d task_tid=%d path=%s",
			 e->cgroup.id, e->cgroup.root, e->cgroup.level, e->cgroup.task_tid,
			 e->cgroup.path);
		break;
	case KEV_SYSCALL:
		snprintf(what, wlen, "%s", kev_sys_kind_name(e->sys.kind));
		snprintf(d, dlen,
			 "nr=%d ret=%" PRId64 " arg=0x%" PRIx64 " fstype=%s path=%s%s%s%s%s",
			 e->sys.nr, e->sys.ret, e->sys.arg, e->sys.fstype, e->sys.path,
			 e->sys.overlay ? " overlay=1" : "",
			 e->sys.flags & KSYSF_DELETED ? " deleted=1" : "",
			 e->sys.flags & KSYSF_TRUNCATED ? " truncated=1" : "",
			 e->sys.flags & KSYSF_RELATIVE ? " relative=1" : "");
		break;
	case KEV_LISTEN:
		snprintf(what, wlen, "port %d", e->listen.port);
		snprintf(d, dlen, "family=%d", e->listen.family);
		break;
	case KEV_BIO:
		snprintf(what, wlen, "%s", kev_bio_op_name(e->bio.op));
		snprintf(d, dlen,
			 "dev=%u:%u sector=%" PRIu64 " bytes=%u queue_ns=%" PRId64
			 " device_ns=%" PRId64 " inserted=%d flags=%s%s%s%s error=%d",
			 e->bio.dev >> 20, e->bio.dev & 0xfffff, e->bio.sector, e->bio.bytes,
			 e->bio.issue - e->ts, e->end - e->bio.issue, e->bio.insert != 0,
			 e->bio.flags & 1 ? "S" : "", e->bio.flags & 2 ? "M" : "",
			 e->bio.flags & 4 ? "F" : "", e->bio.flags & 8 ? "P" : "", e->bio.error);
		break;
	case KEV_OFFCPU:
		snprintf(what, wlen, "%s", kev_off_state_name(e->off.state));
		snprintf(d, dlen,
			 "sleep_ns=%" PRId64 " runq_ns=%" PRId64 " stackid=%d waker=%d/%d/%s",
			 e->off.state == KOFF_RUNQ ? 0 : e->off.wake - e->ts,
			 e->end - (e->off.state == KOFF_RUNQ ? e->ts : e->off.wake), e->off.stackid,
			 e->off.waker_pid, e->off.waker_tid, e->off.waker_comm);
		break;
	case KEV_NET:
		snprintf(what, wlen, "%s", kev_net_kind_name(e->net.kind));
		snprintf(d, dlen, "dev=%s ifindex=%u len=%u ret=%" PRId64, e->net.dev,
			 e->net.ifindex, e->net.len, e->net.ret);
		break;
	case KEV_OVL:
		snprintf(what, wlen, "%s", kev_ovl_fn_name(e->ovl.fn));
		snprintf(d, dlen, "ret=%" PRId64, e->ovl.ret);
		break;
	default:
		break;
	}
}

int kernel_event_rows(struct csv_writer *w, const char *run_id, const struct cell *cell,
		      const struct trial *t, const struct trial_kernel *tk)
{
	bool tiled = t->status == TRIAL_OK;
	int err = 0;

	for (size_t i = 0; tk && i < tk->n_ev && !err; i++) {
		const struct kevent *e = &tk->ev[i];
		const struct kcgroup *cg =
			kcgroup_find(tk->cg, tk->n_cg, tk->map.root, e->who.cgid);
		char what[160], detail[768];
		int p = tiled ? phase_at(t, e->ts) : -1;

		what_and_detail(e, what, sizeof(what), detail, sizeof(detail));
		trial_key(w, run_id, cell, t);
		csv_str(w, kev_type_name(e->type));
		csv_i64(w, e->ts);
		csv_i64(w, e->end);
		csv_i64(w, e->end - e->ts);
		csv_str(w, p >= 0 ? phase_name(p) : "");
		csv_str(w, e->actor >= 0 ? actor_name(e->actor) : "");
		csv_i64(w, e->who.pid);
		csv_i64(w, e->who.tid);
		csv_i64(w, e->who.ppid);
		csv_str(w, e->who.comm);
		csv_i64(w, (int64_t)e->who.cgid);
		csv_str(w, cg ? cg->container : "");
		csv_str(w, what);
		csv_str(w, detail);
		err = csv_end_row(w);
	}
	return err;
}

/* ---- probes.csv ---- */

int kernel_probes_write(int dirfd, const struct probe_status *p, int n)
{
	static const char *const cols[] = {
		COL_PROBE,  COL_OBJECT,	    COL_PATH,	    COL_FENTRY,	   COL_KPROBE, COL_TP_BTF,
		COL_RAW_TP, COL_TRACEPOINT, COL_PERF_EVENT, COL_ESSENTIAL, COL_WHAT};
	struct csv_writer w = {.fd = -1};
	int err = csv_create(&w, dirfd, PROBES_CSV, cols, N(cols));

	for (int i = 0; i < n && !err; i++) {
		csv_str(&w, p[i].name);
		csv_str(&w, p[i].concern);
		csv_str(&w, probe_path_name(p[i].chosen));
		for (int path = 0; path < PROBE_PATH_COUNT; path++)
			csv_str(&w, !(p[i].paths & (1u << path)) ? "-"
				    : path == p[i].chosen	 ? "in use"
				    : p[i].why[path][0]		 ? p[i].why[path]
								 : "not tried");
		csv_i64(&w, p[i].essential);
		csv_str(&w, p[i].what);
		err = csv_end_row(&w);
	}
	return csv_finish(&w, err);
}

/* ---- waits.csv and stacks.csv ---- */

const char *const kernel_wait_columns[] = {
	COL_RUN_ID,  COL_CELL,	COL_TRIAL, COL_PHASE,	  COL_ACTOR,
	COL_COMM,    COL_STATE, COL_STACK, COL_CALL,	  COL_FILE,
	COL_DELETED, COL_WAKER, COL_COUNT, COL_OFFCPU_NS, COL_WALL_NS,
};
const size_t kernel_wait_column_count = N(kernel_wait_columns);

const char *const kernel_stack_columns[] = {COL_STACK, COL_FRAMES, COL_FOLDED};
const size_t kernel_stack_column_count = N(kernel_stack_columns);

void stack_id_text(uint64_t id, char out[17])
{
	snprintf(out, 17, "%016" PRIx64, id);
}

int kernel_wait_rows(struct csv_writer *w, const char *run_id, const struct cell *cell,
		     const struct trial *t, const struct trial_kernel *tk)
{
	int err = 0;

	for (size_t i = 0; tk && i < tk->n_waits && !err; i++) {
		const struct kwait *k = &tk->waits[i];
		char id[17] = "";

		if (k->stack)
			stack_id_text(k->stack, id);
		trial_key(w, run_id, cell, t);
		csv_str(w, phase_name(k->phase));
		csv_str(w, actor_name(k->actor));
		csv_str(w, k->comm);
		csv_str(w, kwait_state_name(k->state));
		csv_str(w, id);
		csv_str(w, k->call ? kev_sys_kind_name(k->call) : "");
		csv_str(w, k->file);
		csv_i64(w, (k->file_flags & KSYSF_DELETED) != 0);
		csv_str(w, k->waker);
		csv_i64(w, k->count);
		csv_i64(w, k->offcpu_ns);
		csv_i64(w, k->wall_ns);
		err = csv_end_row(w);
	}
	return err;
}

/* ---- the set of stacks already written ---- */

struct stack_set {
	uint64_t *slot;
	size_t cap, n;
};

static int stack_set_add(struct stack_set *s, uint64_t id)
{
	size_t i;

	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		uint64_t *ns = calloc(ncap, sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		for (size_t k = 0; k < s->cap; k++)
			if (s->slot[k]) {
				for (i = s->slot[k] % ncap; ns[i]; i = (i + 1) % ncap)
					;
				ns[i] = s->slot[k];
			}
		free(s->slot);
		s->slot = ns;
		s->cap = ncap;
	}
	for (i = id % s->cap; s->slot[i]; i = (i + 1) % s->cap)
		if (s->slot[i] == id)
			return 0;
	s->slot[i] = id;
	s->n++;
	return 1;
}

struct stack_set *stack_set_new(void)
{
	return calloc(1, sizeof(struct stack_set));
}

void stack_set_free(struct stack_set *s)
{
	if (s)
		free(s->slot);
	free(s);
}

int kernel_stack_rows(struct csv_writer *w, struct stack_set *seen, const struct trial_kernel *tk)
{
	int err = 0;

	for (size_t i = 0; tk && i < tk->n_waits && !err; i++) {
		const struct kwait *k = &tk->waits[i];
		char id[17];
		int frames = 1, added;

		if (!k->stack || !k->folded)
			continue;
		added = stack_set_add(seen, k->stack);
		if (added <= 0) {
			err = added;
			continue;
		}
		for (const char *c = k->folded; *c; c++)
			frames += *c == ';';
		stack_id_text(k->stack, id);
		csv_str(w, id);
		csv_i64(w, frames);
		csv_str(w, k->folded);
		err = csv_end_row(w);
	}
	return err;
}
