// SPDX-License-Identifier: GPL-2.0-only
/* One trial: begin and end the recording, convert what it holds, collect and name stacks. */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/ksyms.h"
#include "model/waits.h"
#include "trace/convert.h"
#include "trace/tracer_internal.h"
#include "trace/usyms.h"
#include "util/array.h"

#define FOLDED_MAX (KSTACK_DEPTH * 64)

static bool listen_seen_locked(struct tracer *tr, uint64_t cgid, pid_t pid, size_t *pos)
{
	while (*pos + ARENA_HDR <= tr->arena_len) {
		const struct rp_hdr *h;
		__u32 sz;

		memcpy(&sz, tr->arena + *pos, sizeof(sz));
		h = (const void *)(tr->arena + *pos + ARENA_HDR);
		*pos += ARENA_STEP(sz);
		if (sz >= sizeof(*h) && h->type == RP_REC_LISTEN &&
		    ((pid > 0 && (h->who.pid == (__u32)pid || h->who.ppid == (__u32)pid)) ||
		     (cgid && h->who.cgid == cgid)))
			return true;
	}
	return false;
}

/*
 * A LISTEN wakes the reader (rp_submit_now), which wakes us after each turn: one drain for
 * what the ring held before, then a sleep until records come in or the deadline passes.
 */
int tracer_wait_listen(struct tracer *tr, const char *container_id, pid_t pid, int64_t timeout_ns)
{
	int64_t deadline = mono_ns() + timeout_ns;
	struct timespec until = {deadline / NSEC_PER_SEC, deadline % NSEC_PER_SEC};
	uint64_t cgid = 0;
	size_t pos = 0;
	bool seen = false;

	if (tr->fl.on) /* the arena's offsets move there: tracer_first_listen */
		return -EBUSY;
	tracer_drain_ring(tr);
	pthread_mutex_lock(&tr->lock);
	while (tr->recording) {
		for (size_t i = 0; !cgid && container_id && i < tr->n_cg; i++)
			if (strcmp(tr->cg[i].container, container_id) == 0)
				cgid = tr->cg[i].id;
		seen = listen_seen_locked(tr, cgid, pid, &pos);
		if (seen || mono_ns() >= deadline)
			break;
		pthread_cond_timedwait(&tr->cond, &tr->lock, &until);
	}
	pthread_mutex_unlock(&tr->lock);
	return seen ? 0 : -ETIMEDOUT;
}

int tracer_trial_begin(struct tracer *tr)
{
	int64_t err;
	int64_t off = clock_offset_ns(&err);

	if (tr->fl.on)
		return -EBUSY;
	if (tr->opts.prog_stats)
		prog_snaps_read(&tr->snap_begin);
	tracer_read_counters(tr, &tr->c_begin);
	pthread_mutex_lock(&tr->lock);
	tr->arena_len = 0;
	tr->arena_lost = 0;
	tr->aggs.n = 0;
	tr->n_mem = 0;
	tr->last_mem = 0;
	tr->off_begin = off;
	tr->err_begin = err;
	tr->wall_begin = wall_ns();
	/*
	 * The trial's number, from a counter of its own: st.recording is 0 between trials, so
	 * counting on it would give every trial the number 1, and a sleep begun in one trial
	 * would be taken for one of the next (sched.bpf.c tells them apart by this number).
	 */
	if (!++tr->epoch) /* wrapped: 0 means "not recording" */
		tr->epoch = 1;
	tr->st.recording = tr->epoch;
	tr->st.gen = 0;
	tr->pending_gen = -1;
	tr->last_flip = mono_ns();
	tr->recording = true;
	tracer_write_state_locked(tr);
	pthread_mutex_unlock(&tr->lock);
	tracer_sample_mem(tr, true);
	return 0;
}

static bool ovl_dir_take(struct tracer *tr, const char *dir, bool add)
{
	for (int i = 0; i < tr->n_ovl_dirs; i++)
		if (strcmp(tr->ovl_dirs[i], dir) == 0) {
			if (!add) {
				free(tr->ovl_dirs[i]);
				tr->ovl_dirs[i] = tr->ovl_dirs[--tr->n_ovl_dirs];
			}
			return true;
		}
	if (add) {
		if (tr->n_ovl_dirs == OVL_DIRS_MAX) {
			free(tr->ovl_dirs[0]);
			tr->ovl_dirs[0] = tr->ovl_dirs[--tr->n_ovl_dirs];
		}
		tr->ovl_dirs[tr->n_ovl_dirs] = strdup(dir);
		if (tr->ovl_dirs[tr->n_ovl_dirs])
			tr->n_ovl_dirs++;
	}
	return false;
}

void tracer_mark_overlay(struct tracer *tr, struct kevent *e)
{
	if (e->type != KEV_SYSCALL || e->sys.ret != 0)
		return;
	if (e->sys.kind == KSYS_MOUNT && e->sys.overlay)
		ovl_dir_take(tr, e->sys.path, true);
	else if (e->sys.kind == KSYS_UMOUNT && e->sys.path[0])
		e->sys.overlay = ovl_dir_take(tr, e->sys.path, false);
}

#define STOP_GRACE_NS (2 * NSEC_PER_MSEC)

static void drain_all(struct tracer *tr)
{
	tracer_drain_ring(tr);
	tracer_drain_aggs(tr, 0);
	tracer_drain_aggs(tr, 1);
}

void tracer_stop_recording(struct tracer *tr)
{
	int64_t off_at;

	pthread_mutex_lock(&tr->lock);
	tr->st.recording = 0;
	tracer_write_state_locked(tr);
	pthread_mutex_unlock(&tr->lock);
	off_at = mono_ns();
	drain_all(tr);
	/* Programs that saw recording on finish within microseconds; a second pass takes what
	 * they wrote after the first. */
	sleep_ns(off_at + STOP_GRACE_NS - mono_ns());
	drain_all(tr);
}

int tracer_kstack_fd(const struct tracer *tr, int32_t id)
{
	return tr->ld.shared[id >= RP_STACK_IDS ? SHARED_MAP_TASK_STACKS : SHARED_MAP_STACKS];
}

static int copy_stack(struct tracer *tr, struct trial_kernel *tk, int32_t id)
{
	struct kstack s = {.id = id};
	int fd = tracer_kstack_fd(tr, id);

	if (fd < 0 || bpf_map_lookup_elem(fd, &id, s.ip))
		return 0;
	while (s.depth < KSTACK_DEPTH && s.ip[s.depth])
		s.depth++;
	return trial_kernel_add_stack(tk, &s);
}

int tracer_copy_named_stacks(struct tracer *tr, struct trial_kernel *tk)
{
	int32_t *ids = malloc((tk->n_ev + tk->n_agg + 1) * sizeof(*ids));
	size_t n = 0;
	int rc = 0;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < tk->n_ev; i++)
		if (tk->ev[i].type == KEV_OFFCPU && tk->ev[i].off.stackid >= 0)
			ids[n++] = tk->ev[i].off.stackid;
	for (size_t i = 0; i < tk->n_agg; i++)
		if ((tk->agg[i].kind <= KAGG_RUNQ || tk->agg[i].kind == KAGG_ONCPU) &&
		    tk->agg[i].sub >= 0)
			ids[n++] = tk->agg[i].sub;
	n = array_sort_unique(ids, n, sizeof(*ids), array_cmp_i32);
	for (size_t i = 0; i < n && !rc; i++)
		rc = copy_stack(tr, tk, ids[i]);
	free(ids);
	return rc;
}

/* Stacks the trial's events name, read from the stack map and then removed from it. */
static int collect_stacks(struct tracer *tr, struct trial_kernel *tk)
{
	int rc = tracer_copy_named_stacks(tr, tk);

	for (size_t i = 0; i < tk->n_stacks; i++) {
		int fd = tracer_kstack_fd(tr, tk->stacks[i].id);

		if (fd >= 0)
			bpf_map_delete_elem(fd, &tk->stacks[i].id);
	}
	return rc;
}

/* Raw addresses when the symbols are not usable. Each address is looked up once. */
void tracer_symbolize(struct tracer *tr, struct trial_kernel *tk)
{
	const struct ksyms *ks = tr->syms_ok ? tr->syms : NULL;
	struct ksym_memo memo = {0};
	char buf[FOLDED_MAX];
	uint64_t *addrs;
	size_t n = 0;

	for (size_t i = 0; i < tk->n_stacks; i++)
		n += (size_t)tk->stacks[i].depth;
	addrs = ks ? malloc((n + 1) * sizeof(*addrs)) : NULL;
	if (addrs) {
		n = 0;
		for (size_t i = 0; i < tk->n_stacks; i++)
			for (int k = 0; k < tk->stacks[i].depth; k++)
				addrs[n++] = tk->stacks[i].ip[k];
		/* Short of memory, the memo stays empty: the table, frame by frame. */
		ksym_memo_fill(&memo, ks, addrs, n);
		free(addrs);
	}
	for (size_t i = 0; i < tk->n_stacks; i++) {
		struct kstack *s = &tk->stacks[i];

		ksyms_fold_memo(ks, &memo, s->ip, s->depth, buf, sizeof(buf));
		free(s->folded);
		s->folded = strdup(buf);
		s->folded_hash = stack_hash(s->folded);
	}
	ksym_memo_free(&memo);
}

void tracer_name_user_stacks(struct tracer *tr, struct trial_kernel *tk, bool remove)
{
	int fd = tr->ld.shared[SHARED_MAP_USTACKS];

	if (fd < 0)
		return;
	ustacks_copy(tk, fd); /* short of memory: those it copied are named */
	if (remove)
		ustacks_delete(tk, fd);
	if (!tk->n_ustacks)
		return;
	ustacks_register_execs(tr->usyms, tk);
	/* The engine's processes are listed (a walk of /proc) only for a file not known yet. */
	if (!ustacks_files_known(tr->usyms, &tr->ufiles, tk)) {
		ustacks_register_engine(tr->usyms, &tr->ufiles, tr->opts.engine_pid);
		ustacks_note_unfound(tr->usyms, &tr->ufiles, tk);
	}
	tk->ustack_ip_frames = ustacks_name(tr->usyms, tk);
	tr->ustack_ip_frames += tk->ustack_ip_frames;
	if (tr->usyms)
		usyms_trim_idle(tr->usyms);
}

static int move_mem(struct tracer *tr, struct trial_kernel *tk, int64_t off)
{
	for (size_t i = 0; i < tr->n_mem; i++) {
		struct kmem_sample m = tr->mem[i];

		m.ts += off;
		if (trial_kernel_add_mem(tk, &m))
			return -ENOMEM;
	}
	return 0;
}

/* The trial's records, aggregates and cgroups, converted to the wall clock (off). */
static int convert_recorded(struct tracer *tr, struct trial_kernel *tk, int64_t off)
{
	size_t pos = 0, n_rec = 0;

	/* Counted first: the arrays are made once, their pages touched once. */
	for (size_t p = 0; p + ARENA_HDR <= tr->arena_len; n_rec++) {
		__u32 sz;

		memcpy(&sz, tr->arena + p, sizeof(sz));
		p += ARENA_STEP(sz);
	}
	if (trial_kernel_reserve(tk, n_rec, tr->aggs.n))
		return -ENOMEM;
	while (pos + ARENA_HDR <= tr->arena_len) {
		__u32 sz;
		struct kevent e;

		memcpy(&sz, tr->arena + pos, sizeof(sz));
		if (pos + ARENA_HDR + sz > tr->arena_len)
			break;
		if (convert_record(tr->arena + pos + ARENA_HDR, sz, off, &e) == 0) {
			tracer_mark_overlay(tr, &e);
			if (trial_kernel_add_event(tk, &e))
				return -ENOMEM;
		}
		pos += ARENA_STEP(sz);
	}
	for (size_t i = 0; i < tr->aggs.n; i++) {
		struct kagg a;

		if (convert_agg(&tr->aggs.k[i], &tr->aggs.v[i], SLOT_NS, off, &a) == 0 &&
		    trial_kernel_add_agg(tk, &a))
			return -ENOMEM;
	}
	for (size_t i = 0; i < tr->n_cg; i++)
		if (trial_kernel_add_cgroup(tk, &tr->cg[i]))
			return -ENOMEM;
	tk->map = tr->map;
	trial_kernel_sort(tk);
	return 0;
}

int tracer_trial_end(struct tracer *tr, struct trial_kernel **out)
{
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	struct rp_counters c_end;
	int64_t err_end, off_end, off, diff;
	int rc;

	*out = NULL;
	if (tr->fl.on) {
		free(tk);
		return -EBUSY;
	}
	tracer_stop_recording(tr);
	tracer_sample_mem(tr, true);
	tracer_read_counters(tr, &c_end);
	if (tr->opts.prog_stats)
		prog_snaps_read(&tr->snap_end);
	off_end = clock_offset_ns(&err_end);
	pthread_mutex_lock(&tr->lock);
	tr->recording = false;
	pthread_mutex_unlock(&tr->lock);
	if (!tk)
		return -ENOMEM;
	diff = off_end > tr->off_begin ? off_end - tr->off_begin : tr->off_begin - off_end;
	off = tr->off_begin + (off_end - tr->off_begin) / 2;
	tk->wall_minus_mono_ns = off;
	tk->clock_error_ns = (tr->err_begin > err_end ? tr->err_begin : err_end) + diff;
	tk->record_begin_ns = tr->wall_begin;
	tk->record_end_ns = wall_ns();
	tk->ring_drops = c_end.ring_drops - tr->c_begin.ring_drops + tr->arena_lost;
	tk->agg_drops = c_end.agg_drops - tr->c_begin.agg_drops;
	tk->stack_drops = c_end.stack_drops - tr->c_begin.stack_drops;
	tk->track_drops = c_end.track_drops - tr->c_begin.track_drops;
	tk->stacks_captured = c_end.stacks - tr->c_begin.stacks;
	tk->stack_ns = c_end.stack_ns - tr->c_begin.stack_ns;
	tk->oncpu_samples = c_end.samples - tr->c_begin.samples;
	tk->page_size = sysconf(_SC_PAGESIZE);
	rc = convert_recorded(tr, tk, off);
	if (!rc)
		rc = move_mem(tr, tk, off);
	if (!rc && tr->opts.prog_stats)
		rc = prog_snaps_delta(&tr->snap_begin, &tr->snap_end, tr->own, tr->n_own,
				      &tk->progs, &tk->n_progs);
	if (!rc)
		rc = collect_stacks(tr, tk);
	if (rc) {
		trial_kernel_free(tk);
		return rc;
	}
	tracer_symbolize(tr, tk);
	tracer_name_user_stacks(tr, tk, true);
	trial_kernel_index_stacks(tk); /* without it, lookups go one by one */
	*out = tk;
	return 0;
}
