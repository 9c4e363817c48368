// SPDX-License-Identifier: GPL-2.0-only
/*
 * What every restartprof BPF object shares: the maps userspace shares between the objects
 * (bpf_map__reuse_fd), the configuration in .rodata, and helpers that read a task the same
 * way on every kernel we support (5.10 and later; the field renames are in core_fixes.bpf.h).
 */
#ifndef RP_COMMON_BPF_H
#define RP_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "core_fixes.bpf.h"
#include "restartprof/kevents.h"

#define PF_KTHREAD	     0x00200000
#define TASK_RUNNING	     0x0000
#define TASK_INTERRUPTIBLE   0x0001
#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_DEAD	     0x0080
#define TASK_NOLOAD	     0x0400
#define TCP_LISTEN_STATE     10

char LICENSE[] SEC("license") = "GPL";

const volatile struct rp_config rp_cfg = {
	.cgroup_ssid = -1,
	.long_span_ns = 1000000,
	.slot_ns = 1000000,
	.stacks = RP_STACKS_WAITS,
};

/* tid -> rp_hint: the engine's tasks and everything they spawn. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, __u32);
} rp_tracked SEC(".maps");

/*
 * Bumped wherever what rp_fill_who reads may have changed for some task: an exec (tgid, the
 * executable), a move to another cgroup, the exit of a parent (its children's new parent),
 * a cgroup's role set by userspace (which adds 1 << 32, so that a bump it races with is never
 * undone). A who kept with an older value is read again (rp_refresh_who).
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rp_whogen SEC(".maps");

/* cgroup id -> rp_cg_role, written by userspace. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u32);
} rp_cgroups SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rp_state);
} rp_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rp_counters);
} rp_counters SEC(".maps");

/* Size set by userspace before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} rp_events SEC(".maps");

/* Two aggregate maps: the programs fill the one rp_state.gen names, userspace drains the other. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RP_AGG_ENTRIES);
	__type(key, struct rp_agg_key);
	__type(value, struct rp_agg_val);
} rp_agg0 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RP_AGG_ENTRIES);
	__type(key, struct rp_agg_key);
	__type(value, struct rp_agg_val);
} rp_agg1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, RP_STACK_IDS);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, RP_STACK_DEPTH * sizeof(__u64));
} rp_stacks SEC(".maps");

static __always_inline struct rp_state *rp_st(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&rp_state, &zero);
}

static __always_inline bool rp_recording(void)
{
	struct rp_state *s = rp_st();

	return s && s->recording;
}

/* A flag userspace sets between trials (rp_state_flags). */
static __always_inline bool rp_state_flag(__u32 flag)
{
	struct rp_state *s = rp_st();

	return s && (s->flags & flag);
}

static __always_inline __u32 rp_epoch(void)
{
	struct rp_state *s = rp_st();

	/* recording holds the trial's number, so entries of an earlier trial are told apart. */
	return s ? s->recording : 0;
}

static __always_inline void rp_count(int which)
{
	__u32 zero = 0;
	struct rp_counters *c = bpf_map_lookup_elem(&rp_counters, &zero);

	if (!c)
		return;
	if (which == 0)
		c->ring_drops++;
	else if (which == 1)
		c->agg_drops++;
	else if (which == 2)
		c->stack_drops++;
	else
		c->track_drops++;
}

#define RP_DROP_RING  0
#define RP_DROP_AGG   1
#define RP_DROP_STACK 2
#define RP_DROP_TRACK 3

/* Reserves a ring record; counts the drop when the ring is full. */
#define rp_reserve(type)                                                                           \
	({                                                                                         \
		type *__r = bpf_ringbuf_reserve(&rp_events, sizeof(type), 0);                      \
		if (!__r)                                                                          \
			rp_count(RP_DROP_RING);                                                    \
		__r;                                                                               \
	})

/*
 * Submits without waking the reader, which polls every few milliseconds anyway, unless the
 * ring is a quarter full: a wake-up per record would cost more than the record, at the rate
 * context switches come with --events.
 */
static __always_inline void rp_submit(void *r)
{
	__u64 avail = bpf_ringbuf_query(&rp_events, BPF_RB_AVAIL_DATA);
	__u64 size = bpf_ringbuf_query(&rp_events, BPF_RB_RING_SIZE);

	bpf_ringbuf_submit(r, avail * 4 > size ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/* A record someone waits for (a LISTEN ends the trial): the reader is woken at once. */
static __always_inline void rp_submit_now(void *r)
{
	bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
}

static __always_inline struct task_struct *rp_current(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

/* Cgroup id of a task: on v1 in the controller userspace chose, on v2 the default one. */
static __always_inline __u64 rp_task_cgid(struct task_struct *t)
{
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cs;
	int ssid = rp_cfg.cgroup_ssid;

	if (ssid < 0)
		return BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
	if (ssid >= RP_MAX_SUBSYS)
		return 0;
	cs = BPF_CORE_READ(t, cgroups);
	if (!cs || bpf_core_read(&css, sizeof(css), &cs->subsys[ssid]) || !css)
		return 0;
	return BPF_CORE_READ(css, cgroup, kn, id);
}

static __always_inline __u32 rp_off_state(struct task_struct *t)
{
	unsigned int st = rp_task_state(t);

	if (st == TASK_RUNNING)
		return RP_OFF_RUNQ;
	if ((st & TASK_UNINTERRUPTIBLE) && !(st & TASK_NOLOAD)) {
		if (rp_task_in_iowait(t))
			return RP_OFF_IOWAIT;
		return RP_OFF_BLOCKED;
	}
	return RP_OFF_SLEEP;
}

static __always_inline bool rp_comm_is_exe(const char *comm)
{
	return comm[0] == 'e' && comm[1] == 'x' && comm[2] == 'e' && comm[3] == '\0';
}

/*
 * runc before it execs the container's program: its comm says runc ("runc", "runc:[2:INIT]"),
 * or, between its re-exec of itself (/proc/self/exe or a memfd copy) and its renaming, "exe"
 * with runc as the file it runs.
 */
static __always_inline bool rp_is_runc(struct task_struct *t, const char *comm)
{
	char exe[12] = {};
	const unsigned char *name;

	if (comm[0] == 'r' && comm[1] == 'u' && comm[2] == 'n' && comm[3] == 'c')
		return true;
	if (!rp_comm_is_exe(comm))
		return false;
	name = BPF_CORE_READ(t, mm, exe_file, f_path.dentry, d_name.name);
	if (!name || bpf_probe_read_kernel_str(exe, sizeof(exe), name) < 0)
		return false;
	if (exe[0] == 'r' && exe[1] == 'u' && exe[2] == 'n' && exe[3] == 'c')
		return true;
	return exe[0] == 'm' && exe[1] == 'e' && exe[2] == 'm' && exe[3] == 'f' && exe[4] == 'd' &&
	       exe[5] == ':' && exe[6] == 'r' && exe[7] == 'u' && exe[8] == 'n' && exe[9] == 'c';
}

static __always_inline __u32 *rp_tracked_hint(__u32 tid)
{
	return bpf_map_lookup_elem(&rp_tracked, &tid);
}

/*
 * Fills who from a task whose rp_tracked entry (hint, NULL when untracked) the caller has
 * already looked up; flags say kthread, runc, load cgroup and tracked.
 */
static __always_inline void rp_fill_who_hint(struct rp_who *w, struct task_struct *t,
					     const __u32 *hint)
{
	__u32 *role;
	__u64 cgid;

	w->cgid = rp_task_cgid(t);
	w->pid = BPF_CORE_READ(t, tgid);
	w->tid = BPF_CORE_READ(t, pid);
	w->ppid = BPF_CORE_READ(t, real_parent, tgid);
	bpf_probe_read_kernel_str(w->comm, sizeof(w->comm), &t->comm);
	w->flags = 0;
	w->hint = 0;
	if (BPF_CORE_READ(t, flags) & PF_KTHREAD)
		w->flags |= RP_TF_KTHREAD;
	if (rp_is_runc(t, w->comm))
		w->flags |= RP_TF_RUNC;
	if (hint) {
		w->hint = (__u8)*hint;
		w->flags |= RP_TF_TRACKED;
	}
	/* The key from the stack: w may be ring buffer memory, which 6.1 refuses as a key. */
	cgid = w->cgid;
	role = bpf_map_lookup_elem(&rp_cgroups, &cgid);
	if (role && *role == RP_CG_LOAD)
		w->flags |= RP_TF_LOADCG;
}

static __always_inline __u64 rp_who_gen(void)
{
	__u32 zero = 0;
	__u64 *g = bpf_map_lookup_elem(&rp_whogen, &zero);

	return g ? *g : 0;
}

static __always_inline void rp_who_changed(void)
{
	__u32 zero = 0;
	__u64 *g = bpf_map_lookup_elem(&rp_whogen, &zero);

	if (g)
		__sync_fetch_and_add(g, 1);
}

/*
 * A who filled by rp_fill_who_hint for this task while rp_who_gen() has not moved since: only
 * the name (a thread may rename itself, prctl) and the tracked hint are read again, and the
 * runc flag recomputed from the name unless it stayed "exe" (the executable, which only an
 * exec changes, is not read again). One read instead of ten and a map lookup.
 */
static __always_inline void rp_refresh_who(struct rp_who *w, struct task_struct *t,
					   const __u32 *hint)
{
	bool was_exe = rp_comm_is_exe(w->comm), runc = w->flags & RP_TF_RUNC;

	bpf_probe_read_kernel_str(w->comm, sizeof(w->comm), &t->comm);
	if (!was_exe || !rp_comm_is_exe(w->comm))
		runc = rp_is_runc(t, w->comm);
	w->flags = (w->flags & (RP_TF_KTHREAD | RP_TF_LOADCG)) | (runc ? RP_TF_RUNC : 0) |
		   (hint ? RP_TF_TRACKED : 0);
	w->hint = hint ? (__u8)*hint : 0;
}

/* Fills who from a task; flags say kthread, runc, load cgroup and tracked. */
static __always_inline void rp_fill_who(struct rp_who *w, struct task_struct *t)
{
	rp_fill_who_hint(w, t, rp_tracked_hint(BPF_CORE_READ(t, pid)));
}

static __always_inline void rp_hdr(struct rp_hdr *h, __u32 type, __u32 sub, __u64 ts,
				   struct task_struct *t)
{
	h->ts = ts;
	h->type = type;
	h->sub = sub;
	rp_fill_who(&h->who, t);
}

/* The same, for a who filled earlier (at the start of what the record times). */
static __always_inline void rp_hdr_who(struct rp_hdr *h, __u32 type, __u32 sub, __u64 ts,
				       const struct rp_who *w)
{
	h->ts = ts;
	h->type = type;
	h->sub = sub;
	h->who = *w;
}

/* Stream a record of this task, or only count it in the aggregates? */
static __always_inline bool rp_stream_who(const struct rp_who *w)
{
	if (rp_cfg.detail)
		return true;
	return (w->flags & RP_TF_TRACKED) && !(w->flags & RP_TF_LOADCG);
}

/* The aggregates' slot length (a zero from userspace would divide by zero). */
static __always_inline __u64 rp_slot_ns(void)
{
	return rp_cfg.slot_ns ? rp_cfg.slot_ns : 1000000;
}

static __always_inline void rp_agg_key_of(struct rp_agg_key *k, __u16 kind, __u64 ts,
					  const struct rp_who *w, __s32 stackid)
{
	k->slot = ts / rp_slot_ns();
	k->cgid = w->cgid;
	/* Load and other: summed over processes; engine, target and kernel threads: each. */
	k->tgid = (w->flags & (RP_TF_TRACKED | RP_TF_KTHREAD)) && !(w->flags & RP_TF_LOADCG)
			  ? w->pid
			  : 0;
	k->stackid = stackid;
	k->kind = kind;
	k->hint = w->hint;
	k->flags = w->flags & (RP_TF_KTHREAD | RP_TF_RUNC | RP_TF_LOADCG | RP_TF_TRACKED);
	k->ustackid = -1;
	/* Other tasks stay summed per cgroup: their comms would only multiply the entries. */
	if (k->tgid || (w->flags & RP_TF_LOADCG))
		__builtin_memcpy(k->comm, w->comm, sizeof(k->comm));
	else
		__builtin_memset(k->comm, 0, sizeof(k->comm));
}

static __always_inline void rp_agg_val_add(struct rp_agg_val *v, __u64 ns, __u64 bytes,
					   __u64 queue_ns)
{
	__sync_fetch_and_add(&v->count, 1);
	if (ns)
		__sync_fetch_and_add(&v->sum_ns, ns);
	if (bytes)
		__sync_fetch_and_add(&v->bytes, bytes);
	if (queue_ns)
		__sync_fetch_and_add(&v->queue_ns, queue_ns);
	if (ns > v->max_ns)
		v->max_ns = ns; /* racy but only ever grows; an exact max is not needed */
}

static __always_inline struct rp_agg_val *rp_agg_in(void *map, const struct rp_agg_key *k)
{
	struct rp_agg_val *v = bpf_map_lookup_elem(map, k);

	if (!v) {
		struct rp_agg_val zero = {};

		bpf_map_update_elem(map, k, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(map, k);
	}
	return v;
}

/* The entry of k in the generation being filled, made when missing; NULL (counted) if full. */
static __always_inline struct rp_agg_val *rp_agg_entry(const struct rp_agg_key *k)
{
	struct rp_state *s = rp_st();
	struct rp_agg_val *v;

	if (!s)
		return NULL;
	v = s->gen & 1 ? rp_agg_in(&rp_agg1, k) : rp_agg_in(&rp_agg0, k);
	if (!v)
		rp_count(RP_DROP_AGG);
	return v;
}

static __always_inline void rp_agg(const struct rp_agg_key *k, __u64 ns, __u64 bytes,
				   __u64 queue_ns)
{
	struct rp_agg_val *v = rp_agg_entry(k);

	if (v)
		rp_agg_val_add(v, ns, bytes, queue_ns);
}

/*
 * A span [start, end) into an aggregate of spans, keyed at a slot holding its start or its
 * end: queue_ns keeps where the last ended from the slot's start, bytes how long before the
 * slot's end the first began (racy; both only grow), so that userspace places the time where
 * it was.
 */
static __always_inline void rp_agg_span(const struct rp_agg_key *k, __u64 start, __u64 end)
{
	struct rp_agg_val *v = rp_agg_entry(k);
	__u64 slot_ns = rp_slot_ns();
	__u64 slot_start = k->slot * slot_ns;

	if (!v)
		return;
	rp_agg_val_add(v, end - start, 0, 0);
	if (end - slot_start > v->queue_ns)
		v->queue_ns = end - slot_start;
	if (slot_start + slot_ns - start > v->bytes)
		v->bytes = slot_start + slot_ns - start;
}

#define RP_EFAULT 14

/*
 * A stack capture that began at t0, counted with the time it took (its cost): its id, or -1.
 * A stack with no frames (-EFAULT: a sample taken in user mode has no kernel stack, a kernel
 * thread no user stack) is not a drop.
 */
static __always_inline __s32 rp_stack_counted(long id, __u64 t0)
{
	__u64 t1 = bpf_ktime_get_ns();
	struct rp_counters *c;
	__u32 zero = 0;

	c = bpf_map_lookup_elem(&rp_counters, &zero);
	if (c) {
		if (id >= 0)
			c->stacks++;
		else if (id != -RP_EFAULT)
			c->stack_drops++;
		c->stack_ns += t1 - t0;
	}
	return id < 0 ? -1 : (__s32)id;
}

/* The current task's stack into a stack map, counted. */
static __always_inline __s32 rp_stackid_in(void *ctx, void *map, __u64 flags)
{
	__u64 t0 = bpf_ktime_get_ns();

	return rp_stack_counted(bpf_get_stackid(ctx, map, flags), t0);
}

/*
 * A stack for an on-CPU sample: its failures count as drops, its captures not among the
 * stacks of waits (trials.csv stacks and stack_ns, which --alternate stacks switches).
 */
static __always_inline __s32 rp_sample_stackid(void *ctx, void *map, __u64 flags)
{
	long id = bpf_get_stackid(ctx, map, flags);
	struct rp_counters *c;
	__u32 zero = 0;

	if (id < 0 && id != -RP_EFAULT) {
		c = bpf_map_lookup_elem(&rp_counters, &zero);
		if (c)
			c->stack_drops++;
	}
	return id < 0 ? -1 : (__s32)id;
}

/* The current task's kernel stack. */
static __always_inline __s32 rp_stackid(void *ctx)
{
	return rp_stackid_in(ctx, &rp_stacks, 0);
}

/* Length-bounded copy of a __data_loc string of a classic tracepoint record. */
#define rp_tp_str(dst, ctx, loc)                                                                   \
	bpf_probe_read_kernel_str(dst, sizeof(dst), (void *)(ctx) + ((loc)&0xffff))

#endif
