// SPDX-License-Identifier: GPL-2.0-only
/* The reader thread: the ring buffer, the aggregate maps and memory samples, into the trial
 * (or the history of follow mode, which it prunes about once a second). */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "trace/tracer_internal.h"
#include "util/array.h"
#include "util/files.h"
#include "util/proc.h"

#define POLL_MS	       20
#define FOLLOW_POLL_MS 50
#define AGG_PERIOD_NS  (250 * NSEC_PER_MSEC)
#define MEM_PERIOD_NS  (10 * NSEC_PER_MSEC)
/* Follow mode samples all the time: /proc/meminfo at 100 Hz would cost more than the rest. */
#define FOLLOW_MEM_PERIOD_NS (100 * NSEC_PER_MSEC)
#define FOLLOW_PRUNE_NS	     NSEC_PER_SEC

void tracer_note_cgroup_locked(struct tracer *tr, uint64_t id, int root, const char *path)
{
	struct kcgroup c;

	if (root != tr->cg_mode.root)
		return;
	kcgroup_init(&c, id, root, path);
	/* Only containers' cgroups tell actors apart; the others would only grow the table. */
	if (!c.container[0] ||
	    array_reserve((void **)&tr->cg, &tr->cap_cg, tr->n_cg + 1, sizeof(*tr->cg)))
		return;
	tr->cg[tr->n_cg++] = c;
}

void tracer_write_state_locked(struct tracer *tr)
{
	__u32 zero = 0;

	bpf_map_update_elem(tr->ld.shared[SHARED_MAP_STATE], &zero, &tr->st, BPF_ANY);
}

void tracer_read_counters(struct tracer *tr, struct rp_counters *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct rp_counters *per;
	__u32 zero = 0;

	memset(sum, 0, sizeof(*sum));
	if (ncpu <= 0 || !(per = calloc((size_t)ncpu, sizeof(*per))))
		return;
	if (bpf_map_lookup_elem(tr->ld.shared[SHARED_MAP_COUNTERS], &zero, per) == 0)
		for (int i = 0; i < ncpu; i++) {
			sum->ring_drops += per[i].ring_drops;
			sum->agg_drops += per[i].agg_drops;
			sum->stack_drops += per[i].stack_drops;
			sum->track_drops += per[i].track_drops;
			sum->stacks += per[i].stacks;
			sum->samples += per[i].samples;
			sum->stack_ns += per[i].stack_ns;
		}
	free(per);
}

/* ---- the ring buffer ---- */

static int on_record(void *ctx, void *data, size_t size)
{
	struct tracer *tr = ctx;
	const struct rp_hdr *h = data;
	__u32 sz = (__u32)size;

	if (size < sizeof(*h))
		return 0;
	pthread_mutex_lock(&tr->lock);
	if (h->type == RP_REC_CGROUP && h->sub == RP_CG_MKDIR &&
	    size >= sizeof(struct rp_cgroup_rec)) {
		const struct rp_cgroup_rec *r = data;
		char path[RP_NAME_LEN + 1];

		memcpy(path, r->path, RP_NAME_LEN);
		path[RP_NAME_LEN] = '\0';
		tracer_note_cgroup_locked(tr, r->id, r->root, path);
	}
	if (tr->recording) {
		if (tr->fl.on)
			follow_make_room_locked(tr, ARENA_STEP(size));
		if (array_reserve((void **)&tr->arena, &tr->arena_cap,
				  tr->arena_len + ARENA_STEP(size), 1)) {
			tr->arena_lost++;
		} else {
			memcpy(tr->arena + tr->arena_len, &sz, sizeof(sz));
			memcpy(tr->arena + tr->arena_len + ARENA_HDR, data, size);
			tr->arena_len += ARENA_STEP(size);
			if (tr->fl.on)
				follow_record_added_locked(tr, tr->arena_len - ARENA_STEP(size));
		}
	}
	pthread_mutex_unlock(&tr->lock);
	return 0;
}

/* ---- the aggregate maps ---- */

static int append_aggs(struct tracer *tr, const struct rp_agg_key *k, const struct rp_agg_val *v,
		       size_t n)
{
	struct raw_aggs *a = &tr->aggs;
	size_t cap_k = a->cap, cap_v = a->cap;

	if (array_reserve((void **)&a->k, &cap_k, a->n + n, sizeof(*k)) ||
	    array_reserve((void **)&a->v, &cap_v, a->n + n, sizeof(*v)))
		return -ENOMEM;
	a->cap = cap_k < cap_v ? cap_k : cap_v;
	memcpy(a->k + a->n, k, n * sizeof(*k));
	memcpy(a->v + a->n, v, n * sizeof(*v));
	a->n += n;
	if (tr->fl.on) {
		follow_aggs_added_locked(tr, a->n - n);
		follow_make_room_locked(tr, 0);
	}
	return 0;
}

/* One by one, for kernels without batch operations on hash maps (before 5.6). */
static void drain_slow(struct tracer *tr, int fd)
{
	struct rp_agg_key k, next;
	struct rp_agg_val v;
	bool first = true;

	while (bpf_map_get_next_key(fd, first ? NULL : &k, &next) == 0) {
		first = false;
		if (bpf_map_lookup_elem(fd, &next, &v) == 0) {
			pthread_mutex_lock(&tr->lock);
			append_aggs(tr, &next, &v, 1);
			pthread_mutex_unlock(&tr->lock);
		}
		bpf_map_delete_elem(fd, &next);
		first = true; /* the deleted key cannot lead on: start over */
	}
}

/* Moves every entry of one aggregate map into the trial's list; no program may write it. */
void tracer_drain_aggs(struct tracer *tr, int which)
{
	int fd = tr->ld.shared[which ? SHARED_MAP_AGG1 : SHARED_MAP_AGG0];
	struct rp_agg_key *keys = tr->batch_k;
	struct rp_agg_val *vals = tr->batch_v;
	__u64 in = 0, out = 0;
	bool first = true;

	if (fd < 0 || !keys || !vals)
		return;
	pthread_mutex_lock(&tr->agg_lock);
	for (;;) {
		__u32 count = AGG_BATCH;
		int err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &in, &out, keys, vals,
							  &count, NULL);

		if (err && errno != ENOENT) {
			if (first && (errno == EINVAL || errno == ENOTSUP || errno == 524))
				drain_slow(tr, fd);
			break;
		}
		if (count) {
			pthread_mutex_lock(&tr->lock);
			append_aggs(tr, keys, vals, count);
			pthread_mutex_unlock(&tr->lock);
		}
		if (err) /* ENOENT: that was the last batch */
			break;
		in = out;
		first = false;
	}
	pthread_mutex_unlock(&tr->agg_lock);
}

/* During a trial: flip the map the programs fill, drain the one left on the next turn. */
static void rotate_aggs(struct tracer *tr)
{
	int drain = -1;

	pthread_mutex_lock(&tr->flip_lock);
	pthread_mutex_lock(&tr->lock);
	if (tr->st.recording) {
		if (tr->pending_gen >= 0) {
			drain = tr->pending_gen;
			tr->pending_gen = -1;
		} else if (mono_ns() - tr->last_flip >= AGG_PERIOD_NS) {
			tr->pending_gen = (int)(tr->st.gen & 1);
			tr->st.gen ^= 1;
			tracer_write_state_locked(tr);
			tr->last_flip = mono_ns();
		}
	}
	pthread_mutex_unlock(&tr->lock);
	if (drain >= 0)
		tracer_drain_aggs(tr, drain);
	pthread_mutex_unlock(&tr->flip_lock);
}

void tracer_flush_aggs(struct tracer *tr)
{
	int pending, left;

	pthread_mutex_lock(&tr->flip_lock);
	pthread_mutex_lock(&tr->lock);
	pending = tr->pending_gen;
	tr->pending_gen = -1;
	pthread_mutex_unlock(&tr->lock);
	/* The map left at the last flip first: the next flip has the programs fill it again. */
	if (pending >= 0)
		tracer_drain_aggs(tr, pending);
	pthread_mutex_lock(&tr->lock);
	left = (int)(tr->st.gen & 1);
	tr->st.gen ^= 1;
	tracer_write_state_locked(tr);
	tr->last_flip = mono_ns();
	pthread_mutex_unlock(&tr->lock);
	/* Programs that read the old gen finish within microseconds. */
	sleep_ns(2 * NSEC_PER_MSEC);
	tracer_drain_aggs(tr, left);
	pthread_mutex_unlock(&tr->flip_lock);
}

/* Dirty and Writeback of /proc/meminfo now, into the trial's samples. */
void tracer_sample_mem(struct tracer *tr, bool force)
{
	char text[8192];
	long long dirty, wb;
	int64_t now = mono_ns();
	ssize_t n;

	pthread_mutex_lock(&tr->lock);
	if (!tr->recording ||
	    (!force && now - tr->last_mem < (tr->fl.on ? FOLLOW_MEM_PERIOD_NS : MEM_PERIOD_NS))) {
		pthread_mutex_unlock(&tr->lock);
		return;
	}
	tr->last_mem = now;
	pthread_mutex_unlock(&tr->lock);
	n = file_read_small("/proc/meminfo", text, sizeof(text));
	if (n <= 0 || meminfo_parse(text, (size_t)n, &dirty, &wb))
		return;
	pthread_mutex_lock(&tr->lock);
	if (tr->recording &&
	    !array_reserve((void **)&tr->mem, &tr->cap_mem, tr->n_mem + 1, sizeof(*tr->mem)))
		tr->mem[tr->n_mem++] = (struct kmem_sample){now, dirty, wb};
	pthread_mutex_unlock(&tr->lock);
}

/* Until records wake the ring, a drain is asked, or timeout_ms passes. */
static void wait_turn(struct tracer *tr, int timeout_ms)
{
	struct epoll_event ev[2];
	uint64_t asked;
	ssize_t got;

	if (tr->wait_fd < 0) {
		ring_buffer__poll(tr->rb, timeout_ms);
		return;
	}
	if (epoll_wait(tr->wait_fd, ev, 2, timeout_ms) <= 0)
		return;
	got = read(tr->wake_fd, &asked, sizeof(asked)); /* clears it; EAGAIN: nothing asked */
	(void)got;
}

static void *reader_main(void *arg)
{
	struct tracer *tr = arg;

	while (!atomic_load(&tr->stop)) {
		uint64_t req;

		/*
		 * Records are submitted without a wake-up (rp_submit) until the ring is a quarter
		 * full, so the poll mostly just times out: read what is there on every turn, or a
		 * trial's LISTEN would wait for the end of the trial (tracer_wait_listen would
		 * always wait its whole timeout).
		 */
		/* Follow mode reads times from the records, not from when they are read. */
		wait_turn(tr, tr->fl.on ? FOLLOW_POLL_MS : POLL_MS / 2);
		ring_buffer__consume(tr->rb);
		tracer_sample_mem(tr, false);
		rotate_aggs(tr);
		if (tr->fl.on && mono_ns() - tr->fl.last_prune >= FOLLOW_PRUNE_NS)
			tracer_follow_prune(tr);
		pthread_mutex_lock(&tr->lock);
		req = tr->drain_req;
		pthread_cond_broadcast(&tr->cond); /* tracer_wait_listen: records came in */
		pthread_mutex_unlock(&tr->lock);
		if (req != tr->drain_done) {
			ring_buffer__consume(tr->rb);
			pthread_mutex_lock(&tr->lock);
			tr->drain_done = req;
			pthread_cond_broadcast(&tr->cond);
			pthread_mutex_unlock(&tr->lock);
		}
	}
	return NULL;
}

void tracer_drain_ring(struct tracer *tr)
{
	pthread_mutex_lock(&tr->lock);
	uint64_t want = ++tr->drain_req, one = 1;
	ssize_t sent;

	/* Without the wake-up the drain waits for the reader's poll to time out (10 ms). */
	if (tr->wake_fd >= 0) {
		sent = write(tr->wake_fd, &one, sizeof(one)); /* fails only when already woken */
		(void)sent;
	}
	while (tr->reader_running && tr->drain_done < want)
		pthread_cond_wait(&tr->cond, &tr->lock);
	pthread_mutex_unlock(&tr->lock);
}

/* The reader's wait: the ring's epoll and the wake-up, both in one epoll; -1 when none. */
static int open_wait(struct tracer *tr)
{
	struct epoll_event ring = {.events = EPOLLIN}, wake = {.events = EPOLLIN};
	int fd;

	tr->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	fd = tr->wake_fd >= 0 ? epoll_create1(EPOLL_CLOEXEC) : -1;
	if (fd >= 0 && (epoll_ctl(fd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(tr->rb), &ring) ||
			epoll_ctl(fd, EPOLL_CTL_ADD, tr->wake_fd, &wake))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0 && tr->wake_fd >= 0) { /* a wake-up no one waits on would only mislead */
		close(tr->wake_fd);
		tr->wake_fd = -1;
	}
	return fd;
}

int tracer_ring_open(struct tracer *tr)
{
	tr->rb = ring_buffer__new(tr->ld.shared[SHARED_MAP_EVENTS], on_record, tr, NULL);
	if (!tr->rb)
		return -errno;
	tr->wait_fd = open_wait(tr);
	return 0;
}

int tracer_reader_start(struct tracer *tr)
{
	if (pthread_create(&tr->reader, NULL, reader_main, tr))
		return -1;
	tr->reader_running = true;
	return 0;
}

void tracer_reader_stop(struct tracer *tr)
{
	if (tr->reader_running) {
		atomic_store(&tr->stop, true);
		pthread_join(tr->reader, NULL);
	}
	ring_buffer__free(tr->rb);
	if (tr->wait_fd >= 0)
		close(tr->wait_fd);
	if (tr->wake_fd >= 0)
		close(tr->wake_fd);
	tr->wait_fd = tr->wake_fd = -1;
}
