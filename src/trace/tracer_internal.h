// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracer's state, shared by its parts: tracer.c opens, attaches and closes the BPF
 * objects; reader.c reads the ring buffer and the aggregate maps in a thread; capture.c turns
 * what one trial recorded into a struct trial_kernel with symbolized stacks; follow.c keeps
 * the rolling history of follow mode, follow_take.c takes a time range out of it.
 *
 * Aggregates are double-buffered: the programs add into the map rp_state.gen names; every
 * AGG_PERIOD the reader flips gen and, on its next turn, drains the map just left, which no
 * program writes any more.
 */
#ifndef RP_TRACE_TRACER_INTERNAL_H
#define RP_TRACE_TRACER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/kernel.h"
#include "restartprof/kevents.h"
#include "trace/cgroups.h"
#include "trace/loader.h"
#include "trace/progstats.h"
#include "trace/ustacks.h"
#include "trace/tracer.h"
#include "util/clock.h"

#define SLOT_NS	     (1 * NSEC_PER_MSEC)
#define AGG_BATCH    1024
#define OVL_DIRS_MAX 256
/* The arena holds [u32 size, pad][record, padded] so every record is 8-byte aligned. */
#define ARENA_HDR     8u
#define ARENA_STEP(n) (ARENA_HDR + (((size_t)(n) + 7) & ~(size_t)7))

struct btf;
struct ksyms;
struct pathprobe;
struct ring_buffer;
struct usyms;

struct raw_aggs {
	struct rp_agg_key *k;
	struct rp_agg_val *v;
	size_t n, cap;
};

/*
 * Follow mode (watch): the trial's arena, aggregate list and memory samples become a rolling
 * history, pruned from the front (follow.c). Records arrive about in the order of their end
 * (a span is submitted when it ends), so the arena is cut at the first record still wanted;
 * aggregates are filtered by their slot. Everything is kept in BPF's monotonic clock; a take
 * moves it to the wall clock with the offset measured then.
 */
#define FOLLOW_SAMPLES	      128	 /* one a prune (about a second) */
#define ARENA_SYSF_OVL_UMOUNT (1u << 31) /* arena copy only: unmounts a known overlay */

/* Once a prune: the clock offset and the cumulative counters, to measure a range's drops. */
struct follow_sample {
	int64_t mono, off, err;
	struct rp_counters c;
	uint64_t lost; /* records the arena could not take, cumulative */
};

struct follow_rm {
	uint64_t id;
	int64_t at; /* mono */
};

/* Stack ids of one stack map the history names: references, when the last went (mono), when
 * deleted. */
struct stack_refs {
	int map; /* enum shared_map */
	uint32_t n_ids;
	uint32_t *refs;
	int64_t *unused_since, *gone_at;
};

struct follow {
	atomic_bool on;
	int64_t keep_ns;
	size_t max_bytes;
	size_t head;	    /* arena offset of the oldest record kept */
	int64_t since;	    /* mono: the history is whole from here on */
	uint64_t dropped;   /* records and aggregate entries dropped for room */
	uint64_t stale;	    /* stack ids cleared: the stack was deleted while the task slept */
	int64_t last_prune; /* mono */
	unsigned prunes;
	int64_t off, err;	  /* the latest clock offset (wall - mono) and its error */
	struct stack_refs ks, us; /* kernel stacks; user stacks of on-CPU samples */
	/* Cgroups removed (rmdir), dropped from the table keep_ns later. */
	struct follow_rm *rm;
	size_t n_rm, cap_rm;
	struct follow_sample samples[FOLLOW_SAMPLES];
	unsigned n_samples, next_sample;
};

struct tracer {
	struct tracer_opts opts;
	struct btf *btf;
	struct pathprobe *pp;
	struct loader ld;
	struct cgroup_mode cg_mode;
	char cg_desc[96];
	struct ring_buffer *rb;
	int wake_fd; /* eventfd: a drain is asked, the reader's wait ends now */
	int wait_fd; /* epoll over the ring and wake_fd; -1: the ring's own poll */
	pthread_t reader;
	bool reader_running;
	atomic_bool stop;

	pthread_mutex_t agg_lock;  /* one drain at a time, and its buffers */
	pthread_mutex_t flip_lock; /* one flip of the aggregate maps at a time */
	struct rp_agg_key *batch_k;
	struct rp_agg_val *batch_v;
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond;
	struct rp_state st;
	uint64_t drain_req, drain_done;
	int pending_gen; /* the map to drain on the reader's next turn, -1 none */
	int64_t last_flip;
	bool recording;
	__u32 epoch; /* the number of the last trial recorded */
	/* The trial being recorded. */
	unsigned char *arena; /* [u32 size, pad][record, padded to 8] ... */
	size_t arena_len, arena_cap;
	uint64_t arena_lost;
	struct raw_aggs aggs;
	struct kmem_sample *mem; /* monotonic times until the trial ends */
	size_t n_mem, cap_mem;
	int64_t last_mem;
	struct rp_counters c_begin;
	int64_t off_begin, err_begin, wall_begin;
	/* Across trials. */
	struct kcgroup *cg;
	size_t n_cg, cap_cg;
	struct actor_map map;
	char *ovl_dirs[OVL_DIRS_MAX];
	int n_ovl_dirs;
	struct ksyms *syms; /* NULL when /proc/kallsyms could not be read */
	bool syms_ok;	    /* stacks can be symbolized */
	char syms_desc[256];
	struct usyms *usyms; /* names of user frames (on-CPU samples); NULL without memory */
	struct ustack_files ufiles;
	uint64_t ustack_ip_frames; /* over the run: user frames without a build ID (unnamed) */
	/* --prog-stats */
	int stats_fd; /* BPF_ENABLE_STATS: statistics stay on while it is open */
	char stats_note[160];
	struct own_prog own[LOADER_MAX_LINKS * BPF_OBJ_COUNT];
	size_t n_own;
	struct prog_snaps snap_begin, snap_end;
	struct follow fl; /* follow mode */
};

/* reader.c: the ring buffer and the aggregate maps. */

/* A cgroup into the table, if it is a container's on the tracked hierarchy (lock held). */
void tracer_note_cgroup_locked(struct tracer *tr, uint64_t id, int root, const char *path);
/* tr->st into the state map, where the programs read it (lock held). */
void tracer_write_state_locked(struct tracer *tr);
/* The programs' counters, summed over the CPUs. */
void tracer_read_counters(struct tracer *tr, struct rp_counters *sum);
/* Opens the ring buffer (0 or -errno); starts and stops the thread that reads it. */
int tracer_ring_open(struct tracer *tr);
int tracer_reader_start(struct tracer *tr);
void tracer_reader_stop(struct tracer *tr);
/* Waits until the reader has consumed everything the ring holds now. */
void tracer_drain_ring(struct tracer *tr);
/* Moves every entry of aggregate map 0 or 1 into the trial's list. */
void tracer_drain_aggs(struct tracer *tr, int which);
/* Dirty and Writeback of /proc/meminfo into the trial's samples (force: now). */
void tracer_sample_mem(struct tracer *tr, bool force);
/* Follow mode: flips the aggregate maps now and drains both, for a take up to now. */
void tracer_flush_aggs(struct tracer *tr);

/* capture.c, shared with follow_take.c. */

/* Unmounts of a directory an overlay was mounted on (in any earlier trial) are overlay's. */
void tracer_mark_overlay(struct tracer *tr, struct kevent *e);
/* The map a kernel stack id is in: the stack map, or from RP_STACK_IDS on the task stacks'. */
int tracer_kstack_fd(const struct tracer *tr, int32_t id);
/* Every stack tk's off-CPU events and aggregates name, copied in once each (tk holds none
 * yet); the map keeps them. 0 or -ENOMEM. */
int tracer_copy_named_stacks(struct tracer *tr, struct trial_kernel *tk);
/* The programs stop recording; what they wrote (ring, both aggregate maps) is drained. */
void tracer_stop_recording(struct tracer *tr);
/* Names for every stack of tk. */
void tracer_symbolize(struct tracer *tr, struct trial_kernel *tk);
/* The user stacks tk's on-CPU aggregates name: copied in (removed from the map with remove),
 * their files registered, their frames named. */
void tracer_name_user_stacks(struct tracer *tr, struct trial_kernel *tk, bool remove);

/* follow.c: the history's upkeep, from the reader (lock held). */

/* A record just appended to the arena at offset pos: stack reference, overlay, rmdir. */
void follow_record_added_locked(struct tracer *tr, size_t pos);
/* Room for need more bytes: the oldest history goes, counted as dropped. */
void follow_make_room_locked(struct tracer *tr, size_t need);
/* Aggregate entries [from, aggs.n) just appended: their stack references. */
void follow_aggs_added_locked(struct tracer *tr, size_t from);
/* A raw record's time span (BPF clock): its beginning and its end (== ts for instants). */
void record_span(const void *rec, size_t size, uint64_t *ts, uint64_t *end);

#endif
