// SPDX-License-Identifier: GPL-2.0-only
/*
 * Follow mode (watch): recording never stops, and the trial's arena, aggregate list, memory
 * samples and cgroup table become a rolling history of the last keep_ns, at most max_bytes.
 *
 * Pruning: records leave the arena from the front (they arrive about in the order of their
 * end), aggregates by their slot, memory samples by their time, removed cgroups keep_ns after
 * their rmdir. `since` says from when on the history is whole; room made for new records
 * moves it forward and counts what went as dropped.
 *
 * Stacks: the stack map keeps an id as long as a record or aggregate of the history names it
 * (a reference count per id). An id no longer named is deleted from the map keep_ns later,
 * and when: a record or aggregate that arrives later naming it, begun before the deletion,
 * had its stack taken before it and the id may name another stack now, so its id is cleared
 * and counted as a stack drop. Ids that nothing ever named (their span was never reported)
 * are found by a sweep of the map every SWEEP_EVERY prunes and go the same way. A run-queue
 * aggregate carries its wake-up slot, not the time its stack was taken: only a sleep longer than
 * keep_ns whose stack nobody else used meanwhile can still name a stack deleted and taken again by
 * another.
 */
#include <bpf/bpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace/convert.h"
#include "trace/tracer_internal.h"
#include "util/array.h"

#define STACK_IDS_MAX	   (1u << 20)
#define COMPACT_MIN	   (64u << 10)
#define FIT_STEPS	   8
#define AGG_ENTRY_BYTES	   (sizeof(struct rp_agg_key) + sizeof(struct rp_agg_val))
#define FOLLOW_KEEP_MIN_NS NSEC_PER_SEC
#define SWEEP_EVERY	   10 /* prunes */

void record_span(const void *rec, size_t size, uint64_t *ts, uint64_t *end)
{
	const struct rp_hdr *h = rec;

	*ts = *end = h->ts;
	switch (h->type) {
	case RP_REC_SYSCALL:
		if (size >= sizeof(struct rp_syscall_rec))
			*end = ((const struct rp_syscall_rec *)rec)->end;
		break;
	case RP_REC_BIO:
		if (size >= sizeof(struct rp_bio_rec))
			*end = ((const struct rp_bio_rec *)rec)->complete;
		break;
	case RP_REC_OFFCPU:
		if (size >= sizeof(struct rp_offcpu_rec))
			*end = ((const struct rp_offcpu_rec *)rec)->end;
		break;
	case RP_REC_NET:
		if (size >= sizeof(struct rp_net_rec))
			*end = ((const struct rp_net_rec *)rec)->end;
		break;
	case RP_REC_OVL:
		if (size >= sizeof(struct rp_ovl_rec))
			*end = ((const struct rp_ovl_rec *)rec)->end;
		break;
	}
	if (*end < *ts)
		*end = *ts;
}

/* ---- stack references ---- */

static bool is_stack_agg(const struct rp_agg_key *k)
{
	return (k->kind >= RP_AGG_OFF_IOWAIT && k->kind <= RP_AGG_RUNQ) || k->kind == RP_AGG_ONCPU;
}

/* A new reference to id, taken at mono time `taken`: 0, or -1 when the id is stale. */
static int stack_ref(struct tracer *tr, struct stack_refs *s, int32_t id, uint64_t taken)
{
	if (id < 0 || (uint32_t)id >= s->n_ids)
		return 0;
	if (s->gone_at[id] && (int64_t)taken < s->gone_at[id]) {
		tr->fl.stale++;
		return -1;
	}
	s->refs[id]++;
	s->unused_since[id] = 0;
	return 0;
}

static void stack_unref(struct stack_refs *s, int32_t id, int64_t now)
{
	if (id < 0 || (uint32_t)id >= s->n_ids || !s->refs[id])
		return;
	if (!--s->refs[id])
		s->unused_since[id] = now;
}

/* The map an id of s is in (kernel stacks: two maps, one id space). */
static int stack_fd(const struct tracer *tr, const struct stack_refs *s, uint32_t id)
{
	return s->map == SHARED_MAP_STACKS ? tracer_kstack_fd(tr, (int32_t)id)
					   : tr->ld.shared[s->map];
}

/* Ids named by nothing kept for keep_ns leave the stack map. */
static void delete_unused_stacks(struct tracer *tr, struct stack_refs *s, int64_t now)
{
	for (uint32_t id = 0; id < s->n_ids; id++)
		if (!s->refs[id] && s->unused_since[id] &&
		    now - s->unused_since[id] >= tr->fl.keep_ns) {
			int fd = stack_fd(tr, s, id);

			if (fd < 0)
				continue;
			bpf_map_delete_elem(fd, &id);
			s->unused_since[id] = 0;
			s->gone_at[id] = now;
		}
}

/*
 * Ids in the map that nothing kept names (a span never reported: its task's entry was evicted,
 * or it still sleeps) start the same clock, or the map would fill up over days.
 */
static void sweep_stack_map(struct tracer *tr, struct stack_refs *s, int64_t now)
{
	int fds[2] = {tr->ld.shared[s->map],
		      s->map == SHARED_MAP_STACKS ? tr->ld.shared[SHARED_MAP_TASK_STACKS] : -1};

	for (int m = 0; m < 2; m++) {
		__u32 key, next;
		bool first = true;

		while (fds[m] >= 0 &&
		       bpf_map_get_next_key(fds[m], first ? NULL : &key, &next) == 0) {
			first = false;
			key = next;
			if (next < s->n_ids && !s->refs[next] && !s->unused_since[next])
				s->unused_since[next] = now;
		}
	}
}

static int stack_ids_alloc(struct tracer *tr, struct stack_refs *s, int map)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	int fd = tr->ld.shared[map];

	memset(&info, 0, sizeof(info));
	s->map = map;
	s->n_ids = 0;
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	/* A stack map's ids are its buckets: max_entries rounded up to a power of two. */
	s->n_ids = 1;
	while (s->n_ids < info.max_entries && s->n_ids < STACK_IDS_MAX)
		s->n_ids <<= 1;
	if (map == SHARED_MAP_STACKS && tr->ld.shared[SHARED_MAP_TASK_STACKS] >= 0)
		s->n_ids = RP_STACK_IDS + RP_TASK_STACK_IDS;
	s->refs = calloc(s->n_ids, sizeof(*s->refs));
	s->unused_since = calloc(s->n_ids, sizeof(*s->unused_since));
	s->gone_at = calloc(s->n_ids, sizeof(*s->gone_at));
	return s->refs && s->unused_since && s->gone_at ? 0 : -ENOMEM;
}

static void stack_ids_free(struct stack_refs *s)
{
	free(s->refs);
	free(s->unused_since);
	free(s->gone_at);
	s->refs = NULL;
	s->unused_since = s->gone_at = NULL;
	s->n_ids = 0;
}

/* Every id the history named, or that is in the map unnamed, leaves the stack map. */
static void delete_named_stacks(struct tracer *tr, struct stack_refs *s)
{
	sweep_stack_map(tr, s, mono_ns());
	for (uint32_t id = 0; id < s->n_ids; id++) {
		int fd = stack_fd(tr, s, id);

		if (fd >= 0 && (s->refs[id] || s->unused_since[id]))
			bpf_map_delete_elem(fd, &id);
	}
}

/* ---- arrivals (the reader, lock held) ---- */

static struct rp_hdr *arena_rec(struct tracer *tr, size_t pos, __u32 *size)
{
	memcpy(size, tr->arena + pos, sizeof(*size));
	return (struct rp_hdr *)(tr->arena + pos + ARENA_HDR);
}

/* Overlay mounts and their unmounts, as they come: a take may start after the mount. */
static void note_mount(struct tracer *tr, struct rp_syscall_rec *r, size_t size)
{
	struct kevent e;

	if (size < sizeof(*r) || (r->h.sub != RP_SYS_MOUNT && r->h.sub != RP_SYS_UMOUNT) ||
	    convert_record(r, size, 0, &e))
		return;
	if (e.sys.kind == KSYS_UMOUNT)
		e.sys.overlay = 0;
	tracer_mark_overlay(tr, &e);
	if (e.sys.kind == KSYS_UMOUNT && e.sys.overlay)
		r->flags |= ARENA_SYSF_OVL_UMOUNT;
}

static void note_rmdir(struct tracer *tr, const struct rp_cgroup_rec *r, size_t size)
{
	struct follow *f = &tr->fl;

	if (size < sizeof(*r) || r->root != tr->cg_mode.root ||
	    array_reserve((void **)&f->rm, &f->cap_rm, f->n_rm + 1, sizeof(*f->rm)))
		return;
	f->rm[f->n_rm++] = (struct follow_rm){r->id, (int64_t)r->h.ts};
}

void follow_record_added_locked(struct tracer *tr, size_t pos)
{
	__u32 size;
	struct rp_hdr *h = arena_rec(tr, pos, &size);

	if (h->type == RP_REC_OFFCPU && size >= sizeof(struct rp_offcpu_rec)) {
		struct rp_offcpu_rec *r = (void *)h;

		if (stack_ref(tr, &tr->fl.ks, r->stackid, r->h.ts))
			r->stackid = -1;
	} else if (h->type == RP_REC_SYSCALL) {
		note_mount(tr, (void *)h, size);
	} else if (h->type == RP_REC_CGROUP && h->sub == RP_CG_RMDIR) {
		note_rmdir(tr, (const void *)h, size);
	}
}

void follow_aggs_added_locked(struct tracer *tr, size_t from)
{
	for (size_t i = from; i < tr->aggs.n; i++) {
		struct rp_agg_key *k = &tr->aggs.k[i];

		if (is_stack_agg(k) && stack_ref(tr, &tr->fl.ks, k->stackid, k->slot * SLOT_NS))
			k->stackid = -1;
		if (k->kind == RP_AGG_ONCPU &&
		    stack_ref(tr, &tr->fl.us, k->ustackid, k->slot * SLOT_NS))
			k->ustackid = -1;
	}
}

/* ---- pruning ---- */

static size_t history_bytes(const struct tracer *tr)
{
	return tr->arena_len - tr->fl.head + tr->aggs.n * AGG_ENTRY_BYTES +
	       tr->n_mem * sizeof(*tr->mem) + tr->n_cg * sizeof(*tr->cg);
}

/* Everything that ended before cut (mono) goes; room: counted as dropped. */
static void drop_before(struct tracer *tr, int64_t cut, bool room)
{
	struct follow *f = &tr->fl;
	int64_t now = mono_ns();
	size_t kept = 0, m = 0;

	while (f->head + ARENA_HDR <= tr->arena_len) {
		__u32 size;
		struct rp_hdr *h = arena_rec(tr, f->head, &size);
		uint64_t ts, end;

		record_span(h, size, &ts, &end);
		if ((int64_t)end >= cut)
			break;
		if (h->type == RP_REC_OFFCPU && size >= sizeof(struct rp_offcpu_rec))
			stack_unref(&f->ks, ((struct rp_offcpu_rec *)h)->stackid, now);
		f->head += ARENA_STEP(size);
		f->dropped += room;
	}
	for (size_t i = 0; i < tr->aggs.n; i++) {
		struct rp_agg_key *k = &tr->aggs.k[i];

		if ((int64_t)((k->slot + 1) * SLOT_NS) > cut) {
			tr->aggs.k[kept] = *k;
			tr->aggs.v[kept++] = tr->aggs.v[i];
			continue;
		}
		if (is_stack_agg(k))
			stack_unref(&f->ks, k->stackid, now);
		if (k->kind == RP_AGG_ONCPU)
			stack_unref(&f->us, k->ustackid, now);
		f->dropped += room;
	}
	tr->aggs.n = kept;
	while (m < tr->n_mem && tr->mem[m].ts < cut)
		m++;
	/* The last sample before the cut stays: it is the memory's state at the cut. */
	if (m > 0)
		m--;
	memmove(tr->mem, tr->mem + m, (tr->n_mem - m) * sizeof(*tr->mem));
	tr->n_mem -= m;
	if (cut > f->since)
		f->since = cut;
}

/* The arena's live part back to its start once the dead front is the larger half. */
static void compact_arena(struct tracer *tr)
{
	struct follow *f = &tr->fl;

	if (f->head < COMPACT_MIN || f->head < (tr->arena_len - f->head))
		return;
	memmove(tr->arena, tr->arena + f->head, tr->arena_len - f->head);
	tr->arena_len -= f->head;
	f->head = 0;
}

void follow_make_room_locked(struct tracer *tr, size_t need)
{
	struct follow *f = &tr->fl;
	int64_t now = mono_ns();

	/* An eighth of what is kept goes at a time, so this runs rarely even when full. */
	for (int i = 0; history_bytes(tr) + need > f->max_bytes && f->since < now; i++) {
		int64_t step = (now - f->since) / FIT_STEPS;

		drop_before(tr, f->since + (step > SLOT_NS ? step : SLOT_NS), true);
		if (i > 4 * FIT_STEPS)
			break;
	}
	compact_arena(tr);
}

/* Cgroups removed more than keep_ns ago leave the table. */
static void drop_removed_cgroups(struct tracer *tr, int64_t cut)
{
	struct follow *f = &tr->fl;
	size_t kept = 0;

	for (size_t i = 0; i < f->n_rm; i++) {
		size_t n = 0;

		if (f->rm[i].at >= cut) {
			f->rm[kept++] = f->rm[i];
			continue;
		}
		for (size_t j = 0; j < tr->n_cg; j++)
			if (tr->cg[j].id != f->rm[i].id)
				tr->cg[n++] = tr->cg[j];
		tr->n_cg = n;
	}
	f->n_rm = kept;
}

static void add_sample_locked(struct tracer *tr, const struct follow_sample *s)
{
	struct follow *f = &tr->fl;

	f->samples[f->next_sample] = *s;
	f->next_sample = (f->next_sample + 1) % FOLLOW_SAMPLES;
	if (f->n_samples < FOLLOW_SAMPLES)
		f->n_samples++;
	f->off = s->off;
	f->err = s->err;
}

static void take_sample(struct tracer *tr, struct follow_sample *s)
{
	memset(s, 0, sizeof(*s));
	tracer_read_counters(tr, &s->c);
	s->off = clock_offset_ns(&s->err);
	s->mono = mono_ns();
}

void tracer_follow_prune(struct tracer *tr)
{
	struct follow_sample s;
	int64_t now;

	if (!tr->fl.on)
		return;
	take_sample(tr, &s);
	pthread_mutex_lock(&tr->lock);
	if (tr->fl.on) {
		now = mono_ns();
		s.c.stack_drops += tr->fl.stale;
		s.lost = tr->arena_lost;
		add_sample_locked(tr, &s);
		drop_before(tr, now - tr->fl.keep_ns, false);
		drop_removed_cgroups(tr, now - tr->fl.keep_ns);
		if (++tr->fl.prunes % SWEEP_EVERY == 0) {
			sweep_stack_map(tr, &tr->fl.ks, now);
			sweep_stack_map(tr, &tr->fl.us, now);
		}
		delete_unused_stacks(tr, &tr->fl.ks, now);
		delete_unused_stacks(tr, &tr->fl.us, now);
		follow_make_room_locked(tr, 0);
		tr->fl.last_prune = now;
	}
	pthread_mutex_unlock(&tr->lock);
}

/* ---- begin, end, what is kept ---- */

static void free_history_locked(struct tracer *tr)
{
	struct follow *f = &tr->fl;

	stack_ids_free(&f->ks);
	stack_ids_free(&f->us);
	free(f->rm);
	f->rm = NULL;
	f->n_rm = f->cap_rm = 0;
}

int tracer_follow_begin(struct tracer *tr, int64_t keep_ns, size_t max_bytes)
{
	struct follow_sample s;
	int rc;

	if (keep_ns < FOLLOW_KEEP_MIN_NS || max_bytes == 0)
		return -EINVAL;
	pthread_mutex_lock(&tr->lock);
	rc = tr->recording ? -EBUSY : 0;
	pthread_mutex_unlock(&tr->lock);
	if (rc)
		return rc;
	memset(&tr->fl, 0, sizeof(tr->fl));
	rc = stack_ids_alloc(tr, &tr->fl.ks, SHARED_MAP_STACKS);
	if (!rc)
		rc = stack_ids_alloc(tr, &tr->fl.us, SHARED_MAP_USTACKS);
	if (rc) {
		free_history_locked(tr);
		return rc;
	}
	take_sample(tr, &s);
	pthread_mutex_lock(&tr->lock);
	tr->fl.keep_ns = keep_ns;
	tr->fl.max_bytes = max_bytes;
	tr->fl.since = tr->fl.last_prune = s.mono;
	add_sample_locked(tr, &s);
	tr->arena_len = 0;
	tr->arena_lost = 0;
	tr->aggs.n = 0;
	tr->n_mem = 0;
	tr->last_mem = 0;
	tr->off_begin = s.off;
	tr->err_begin = s.err;
	tr->wall_begin = wall_ns();
	if (!++tr->epoch) /* 0 means "not recording" */
		tr->epoch = 1;
	tr->st.recording = tr->epoch;
	tr->st.gen = 0;
	tr->pending_gen = -1;
	tr->last_flip = s.mono;
	tr->recording = true;
	tr->fl.on = true;
	tracer_write_state_locked(tr);
	pthread_mutex_unlock(&tr->lock);
	tracer_sample_mem(tr, true);
	return 0;
}

void tracer_follow_end(struct tracer *tr)
{
	if (!tr->fl.on)
		return;
	tracer_stop_recording(tr);
	pthread_mutex_lock(&tr->lock);
	delete_named_stacks(tr, &tr->fl.ks);
	delete_named_stacks(tr, &tr->fl.us);
	tr->recording = false;
	tr->fl.on = false;
	tr->arena_len = 0;
	tr->aggs.n = 0;
	tr->n_mem = 0;
	free_history_locked(tr);
	pthread_mutex_unlock(&tr->lock);
}

void tracer_follow_stats(struct tracer *tr, struct tracer_follow_stats *out)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&tr->lock);
	if (tr->fl.on) {
		out->oldest_ns = tr->fl.since + tr->fl.off;
		out->bytes = history_bytes(tr);
		out->dropped = tr->fl.dropped;
	}
	pthread_mutex_unlock(&tr->lock);
}

/* ---- questions about the recent past ---- */

/* The first record (mono ts >= since) that matches; its wall time, or 0 (lock held). */
static int64_t first_match_locked(struct tracer *tr, int64_t since_wall,
				  bool (*match)(struct tracer *, const struct rp_hdr *,
						const void *),
				  const void *arg)
{
	int64_t off = tr->fl.on ? tr->fl.off : tr->off_begin;
	size_t pos = tr->fl.on ? tr->fl.head : 0;

	while (tr->recording && pos + ARENA_HDR <= tr->arena_len) {
		__u32 size;
		const struct rp_hdr *h = arena_rec(tr, pos, &size);

		pos += ARENA_STEP(size);
		if (size >= sizeof(*h) && (int64_t)h->ts + off >= since_wall && match(tr, h, arg))
			return (int64_t)h->ts + off;
	}
	return 0;
}

struct listen_who {
	const char *container_id;
	pid_t pid;
};

static bool listen_by(struct tracer *tr, const struct rp_hdr *h, const void *arg)
{
	const struct listen_who *w = arg;
	const struct kcgroup *cg;

	if (h->type != RP_REC_LISTEN)
		return false;
	if (w->pid > 0 && (h->who.pid == (__u32)w->pid || h->who.ppid == (__u32)w->pid))
		return true;
	if (!w->container_id || !w->container_id[0] || !h->who.cgid)
		return false;
	cg = kcgroup_find(tr->cg, tr->n_cg, tr->cg_mode.root, h->who.cgid);
	return cg && strcmp(cg->container, w->container_id) == 0;
}

int64_t tracer_first_listen(struct tracer *tr, const char *container_id, pid_t pid,
			    int64_t since_ns)
{
	struct listen_who w = {container_id, pid};
	int64_t at;

	pthread_mutex_lock(&tr->lock);
	at = first_match_locked(tr, since_ns, listen_by, &w);
	pthread_mutex_unlock(&tr->lock);
	return at;
}

static bool leader_exit(struct tracer *tr, const struct rp_hdr *h, const void *arg)
{
	pid_t pid = *(const pid_t *)arg;

	(void)tr;
	return h->type == RP_REC_EXIT && h->who.pid == (__u32)pid && h->who.tid == (__u32)pid;
}

int64_t tracer_exit_of(struct tracer *tr, pid_t pid, int64_t since_ns)
{
	int64_t at;

	if (pid <= 0)
		return 0;
	pthread_mutex_lock(&tr->lock);
	at = first_match_locked(tr, since_ns, leader_exit, &pid);
	pthread_mutex_unlock(&tr->lock);
	return at;
}
