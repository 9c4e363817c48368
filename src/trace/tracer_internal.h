// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracer's state, shared by its three parts: tracer.c opens, attaches and closes the BPF
 * objects; reader.c reads the ring buffer and the aggregate maps in a thread; capture.c turns
 * what one trial recorded into a struct trial_kernel with symbolized stacks.
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

struct raw_aggs {
	struct rp_agg_key *k;
	struct rp_agg_val *v;
	size_t n, cap;
};

struct tracer {
	struct tracer_opts opts;
	struct btf *btf;
	struct pathprobe *pp;
	struct loader ld;
	struct cgroup_mode cg_mode;
	char cg_desc[96];
	struct ring_buffer *rb;
	pthread_t reader;
	bool reader_running;
	atomic_bool stop;

	pthread_mutex_t agg_lock; /* one drain at a time, and its buffers */
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
	/* --prog-stats */
	int stats_fd; /* BPF_ENABLE_STATS: statistics stay on while it is open */
	char stats_note[160];
	struct own_prog own[LOADER_MAX_LINKS * BPF_OBJ_COUNT];
	size_t n_own;
	struct prog_snaps snap_begin, snap_end;
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

#endif
