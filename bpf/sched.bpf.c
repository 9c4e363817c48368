// SPDX-License-Identifier: GPL-2.0-only
/*
 * Scheduling of tracked tasks only (and of kernel threads in uninterruptible sleep), filtered
 * here: when such a task leaves the CPU its state and kernel stack are kept; its wake-up adds
 * the time and the waker (sched_waking, in the waker: a wake-up queued to another CPU reaches
 * sched_wakeup there only after an interrupt, whose delay is run-queue wait too); when it runs
 * again the span [left, woken, back] is complete. Spans
 * of at least rp_cfg.long_span_ns are streamed whole (userspace splits them exactly at phase
 * boundaries); shorter ones are added to the aggregates: the sleep at the slot it began in,
 * the run-queue wait at the slot of the wake-up. The aggregates are keyed by process, comm,
 * state and kernel stack, so they hold the off-CPU time per (task, stack, state) per 1 ms
 * slot; userspace sums the slots into phases, whose boundaries it learns only afterwards.
 *
 * With on-CPU sampling on, the runs of engine and target tasks are measured too, from the
 * switch that puts a task on a CPU to the one that takes it off, and summed per process into
 * the slot the run ended in, with where the first began and the last ended: the scheduler's
 * own account of CPU time, which the samples name.
 */
#include "common.bpf.h"

/* An off-CPU span of a task; ts 0: the task is on a CPU (no span open). */
struct off_start {
	__u64 ts;
	__u64 wake;
	__u32 state;
	__s32 stackid;
	__u32 waker_pid;
	__u32 waker_tid;
	__u32 epoch;
	__s32 runq_stackid; /* the stack of the run-queue wait, when not stackid */
	char waker_comm[RP_COMM_LEN];
	struct rp_who who;
};

/* When a tracked task last came onto a CPU. */
struct on_start {
	__u64 ts;
	__u32 epoch;
	__u8 hint;
	__u8 pad[3];
};

/*
 * One entry per task the program follows (tracked tasks, kernel threads in uninterruptible
 * sleep), kept from switch to switch and removed when the task dies: a switch reads and
 * writes it in place, where a map of open spans would cost an insert and a delete per span.
 */
struct task_sched {
	struct off_start off;
	struct on_start on;
	__u64 who_gen; /* rp_who_gen() when off.who was filled; RP_WHO_STALE: fill it again */
};

#define RP_WHO_STALE (~0ULL)

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct task_sched);
} rp_tasksched SEC(".maps");

/* A new entry is built here: it keeps the value off the 512-byte stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct task_sched);
} rp_tsscratch SEC(".maps");

/*
 * Where a task slept, taken when the run-queue wait after its wake-up was long: the stack it
 * resumes in. One entry per bucket of a hash of the frames, as in a stack map; a bucket taken
 * by another stack is a drop.
 */
struct task_stack {
	__u64 ip[RP_STACK_DEPTH];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, RP_TASK_STACK_IDS);
	__type(key, __s32);
	__type(value, struct task_stack);
} rp_taskstacks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct task_stack);
} rp_taskstack_scratch SEC(".maps");

/* --alternate stacks: userspace turns capture off for the even trials. */
static __always_inline bool rp_no_stacks_now(void)
{
	return rp_state_flag(RP_STATE_NO_STACKS);
}

/* Runs are measured with the samples that name them, and off with them. */
static __always_inline bool rp_runs_measured(const struct rp_who *w)
{
	return rp_cfg.oncpu_period_ns && !rp_state_flag(RP_STATE_NO_ONCPU) &&
	       (w->flags & RP_TF_TRACKED) && !(w->flags & (RP_TF_LOADCG | RP_TF_KTHREAD));
}

static __always_inline struct task_sched *task_sched_of(__u32 tid)
{
	return bpf_map_lookup_elem(&rp_tasksched, &tid);
}

/* A new entry to fill, in scratch memory, with no run; task_sched_put stores it. */
static __always_inline struct task_sched *task_sched_new(void)
{
	struct task_sched *ts;
	__u32 zero = 0;

	ts = bpf_map_lookup_elem(&rp_tsscratch, &zero);
	if (ts)
		__builtin_memset(&ts->on, 0, sizeof(ts->on));
	return ts;
}

/* An entry built in scratch goes into the map; one filled in place is there already. */
static __always_inline void task_sched_put(__u32 tid, struct task_sched *ts, bool in_place)
{
	if (!in_place && bpf_map_update_elem(&rp_tasksched, &tid, ts, BPF_ANY))
		rp_count(RP_DROP_TRACK);
}

/* The run that ends now, into the on-CPU time of its process in this slot. */
static __always_inline void left_after_run(const struct rp_who *w, const struct task_sched *ts,
					   __u64 now)
{
	struct rp_agg_key k;

	if (!ts || !ts->on.ts)
		return;
	if (ts->on.epoch == rp_epoch() && now > ts->on.ts && rp_runs_measured(w)) {
		rp_agg_key_of(&k, RP_AGG_ONCPU_TIME, now, w, -1);
		rp_agg_span(&k, ts->on.ts, now);
	}
}

/* A task that left the tracked map when it exited: its last run ends at its death. */
static __always_inline void left_dead(struct task_struct *prev, __u32 tid, __u64 now)
{
	struct task_sched *ts = task_sched_of(tid), *o;

	if (!ts)
		return;
	o = task_sched_new();
	if (o && ts->on.ts) {
		rp_fill_who_hint(&o->off.who, prev, NULL);
		o->off.who.flags |= RP_TF_TRACKED;
		o->off.who.hint = ts->on.hint;
		left_after_run(&o->off.who, ts, now);
	}
	bpf_map_delete_elem(&rp_tasksched, &tid);
}

/*
 * What every switch reads of its two tasks, before any map work: plain loads in tp_btf,
 * probed reads in the fallbacks (filled by the programs below).
 */
struct switch_view {
	__u32 prev_tid;
	__u32 next_tid;
	unsigned int prev_state;
	bool prev_kthread;
};

/* Does the switch concern prev? Tracked tasks, and kernel threads in uninterruptible sleep. */
static __always_inline bool prev_of_interest(const struct switch_view *v, const __u32 *hint,
					     bool *dead)
{
	unsigned int st = v->prev_state;

	*dead = st & TASK_DEAD;
	if (hint)
		return true;
	/* A dead task's entry goes; its last run counts when it was tracked until its exit. */
	if (!v->prev_kthread)
		return *dead;
	return *dead || ((st & TASK_UNINTERRUPTIBLE) && !(st & TASK_NOLOAD));
}

/* Compiler barrier: a waker on another CPU reads an open span only once ts is set. */
#define rp_barrier() asm volatile("" ::: "memory")

/* Opens the off-CPU span of a task that leaves the CPU now (who filled). */
static __always_inline void open_span(void *ctx, struct off_start *o, __u32 state, __u64 now)
{
	o->ts = 0;
	rp_barrier();
	o->state = state;
	o->stackid = o->runq_stackid = -1;
	o->waker_pid = o->waker_tid = 0;
	o->waker_comm[0] = '\0';
	o->epoch = rp_epoch();
	/*
	 * Engine and target tasks: uninterruptible sleeps and preemptions (where a task was when
	 * it lost its CPU is the evidence of a run-queue wait); their interruptible sleeps (idle
	 * threads, the most frequent by far) only when asked. Load tasks: only their
	 * uninterruptible sleeps, the ones that tie to disk work. None at all while userspace
	 * says so (--alternate stacks, even trials).
	 */
	if ((rp_cfg.stacks & RP_STACKS_WAITS) && !rp_no_stacks_now() &&
	    (state != RP_OFF_SLEEP || (rp_cfg.stacks & RP_STACKS_SLEEP)) &&
	    (!(o->who.flags & RP_TF_LOADCG) ||
	     (rp_cfg.stacks_load && (state == RP_OFF_IOWAIT || state == RP_OFF_BLOCKED))))
		o->stackid = rp_stackid(ctx);
	o->wake = state == RP_OFF_RUNQ ? now : 0;
	rp_barrier();
	o->ts = now;
}

/* The entry's who, read again only when something it holds may have changed. */
static __always_inline void who_of(struct task_sched *o, bool kept, struct task_struct *t,
				   const __u32 *hint)
{
	__u64 gen = rp_who_gen();

	if (kept && o->who_gen == gen) {
		rp_refresh_who(&o->off.who, t, hint);
		return;
	}
	rp_fill_who_hint(&o->off.who, t, hint);
	o->who_gen = gen;
}

/* prev, of interest (prev_of_interest), leaves the CPU: its run ends, its span opens. */
static __always_inline void left_cpu(void *ctx, struct task_struct *prev, __u32 tid,
				     const __u32 *hint, bool dead, __u64 now)
{
	struct task_sched *ts, *o;

	if (dead && !hint) {
		left_dead(prev, tid, now);
		return;
	}
	ts = task_sched_of(tid);
	o = ts ? ts : task_sched_new();
	if (!o)
		return;
	who_of(o, ts != NULL, prev, hint);
	if (hint)
		left_after_run(&o->off.who, ts, now);
	if (dead) {
		if (ts)
			bpf_map_delete_elem(&rp_tasksched, &tid);
		return;
	}
	open_span(ctx, &o->off, rp_off_state(prev), now);
	task_sched_put(tid, o, ts != NULL);
}

static __always_inline __s32 task_stack_bucket(const struct task_stack *s)
{
	__u32 h = 2166136261u;

	for (int i = 0; i < RP_STACK_DEPTH && s->ip[i]; i++)
		h = (h ^ (__u32)(s->ip[i] ^ (s->ip[i] >> 32))) * 16777619u;
	return RP_STACK_IDS + (__s32)(h & (RP_TASK_STACK_IDS - 1));
}

static __always_inline bool same_stack(const struct task_stack *a, const struct task_stack *b)
{
	for (int i = 0; i < RP_STACK_DEPTH; i++)
		if (a->ip[i] != b->ip[i])
			return false;
	return true;
}

/* The kernel stack of a task that is not running (it is being switched in). */
static __always_inline __s32 task_stackid(struct task_struct *t)
{
	__u64 t0 = bpf_ktime_get_ns();
	struct task_stack *s, *old;
	__u32 zero = 0;
	long n;
	__s32 id;

	s = bpf_map_lookup_elem(&rp_taskstack_scratch, &zero);
	if (!s)
		return -1;
	n = bpf_get_task_stack(t, s->ip, sizeof(s->ip), 0);
	if (n <= 0)
		return rp_stack_counted(n ? n : -RP_EFAULT, t0);
	id = task_stack_bucket(s);
	old = bpf_map_lookup_elem(&rp_taskstacks, &id);
	if (old)
		return rp_stack_counted(same_stack(s, old) ? id : -1, t0);
	if (bpf_map_update_elem(&rp_taskstacks, &id, s, BPF_NOEXIST))
		return rp_stack_counted(-1, t0);
	return rp_stack_counted(id, t0);
}

/*
 * A run-queue wait after an interruptible sleep has no stack (taking one at every such sleep
 * costs too much): a long one takes it now, from the task about to run.
 */
static __always_inline void stack_for_long_runq(struct off_start *o, struct task_struct *next,
						__u64 now)
{
	if (!next || o->stackid >= 0 || o->state != RP_OFF_SLEEP || !o->wake ||
	    now - o->wake < rp_cfg.runq_stack_ns || !(rp_cfg.stacks & RP_STACKS_WAITS) ||
	    rp_no_stacks_now() || (o->who.flags & RP_TF_LOADCG))
		return;
	o->runq_stackid = task_stackid(next);
}

/* The run-queue wait's stack: the one taken when the task left the CPU, else the woken one's. */
static __always_inline __s32 runq_stackid(const struct off_start *o)
{
	return o->stackid >= 0 ? o->stackid : o->runq_stackid;
}

static __always_inline void agg_span(const struct off_start *o, __u64 wake, __u64 end)
{
	struct rp_agg_key k;

	if (o->state != RP_OFF_RUNQ && wake > o->ts) {
		rp_agg_key_of(&k, RP_AGG_OFF_IOWAIT + o->state - RP_OFF_IOWAIT, o->ts, &o->who,
			      o->stackid);
		rp_agg_span(&k, o->ts, wake);
	}
	/* The run-queue wait keeps the stack the task will resume in. */
	if (end > wake) {
		rp_agg_key_of(&k, RP_AGG_RUNQ, wake, &o->who, runq_stackid(o));
		rp_agg_span(&k, wake, end);
	}
}

/* next, whose off-CPU span ts is open, is back on a CPU: the span closes. */
static __always_inline void back_on_cpu(struct task_sched *ts, struct task_struct *next, __u64 now)
{
	struct off_start *o = &ts->off;
	struct rp_offcpu_rec *r;
	__u64 wake;

	if (rp_runs_measured(&o->who)) {
		ts->on.ts = now;
		ts->on.epoch = rp_epoch();
		ts->on.hint = o->who.hint;
	}
	if (o->epoch != rp_epoch() || now < o->ts) {
		o->ts = 0;
		return;
	}
	/* A wake-up we missed: the whole span counts as sleep. */
	wake = o->wake ? o->wake : now;
	stack_for_long_runq(o, next, now);
	/*
	 * Streamed: long spans of engine and target tasks; with --events also the short ones,
	 * except preemptions (tens of thousands a second: streaming them slows the engine).
	 */
	if ((rp_cfg.detail && (o->state != RP_OFF_RUNQ || now - o->ts >= rp_cfg.long_span_ns)) ||
	    (now - o->ts >= rp_cfg.long_span_ns && !(o->who.flags & RP_TF_LOADCG) &&
	     !(o->who.flags & RP_TF_KTHREAD))) {
		r = rp_reserve(struct rp_offcpu_rec);
		if (r) {
			rp_hdr_who(&r->h, RP_REC_OFFCPU, o->state, o->ts, &o->who);
			r->wake = wake;
			r->end = now;
			r->stackid = runq_stackid(o);
			r->waker_pid = o->waker_pid;
			r->waker_tid = o->waker_tid;
			r->pad = 0;
			__builtin_memcpy(r->waker_comm, o->waker_comm, sizeof(r->waker_comm));
			rp_submit(r);
		}
	} else {
		agg_span(o, wake, now);
	}
	o->ts = 0;
}

/* The entry of next when its off-CPU span is open. */
static __always_inline struct task_sched *open_span_of(__u32 tid)
{
	struct task_sched *ts = tid ? task_sched_of(tid) : NULL;

	return ts && ts->off.ts ? ts : NULL;
}

/*
 * next: the task switched in, when the program has it as a trusted pointer (tp_btf). The
 * common switch, of two tasks of no interest, costs two lookups and no clock read. prev's
 * entry is written before next's is looked up: an insert into the LRU map may reuse the
 * element of another task.
 */
static __always_inline int on_switch(void *ctx, struct task_struct *prev,
				     const struct switch_view *v, struct task_struct *next)
{
	__u32 tid = v->prev_tid, *hint = NULL;
	struct task_sched *ts;
	bool dead = false;
	__u64 now;

	if (tid)
		hint = rp_tracked_hint(tid);
	if (!tid || !prev_of_interest(v, hint, &dead)) {
		ts = open_span_of(v->next_tid);
		if (ts)
			back_on_cpu(ts, next, bpf_ktime_get_ns());
		return 0;
	}
	now = bpf_ktime_get_ns();
	left_cpu(ctx, prev, tid, hint, dead, now);
	ts = open_span_of(v->next_tid);
	if (ts)
		back_on_cpu(ts, next, now);
	return 0;
}

static __always_inline int on_wakeup(__u32 tid)
{
	struct task_sched *ts;
	struct off_start *o;
	struct task_struct *cur;

	if (!rp_recording())
		return 0;
	ts = task_sched_of(tid);
	if (!ts || !ts->off.ts || ts->off.wake)
		return 0;
	o = &ts->off;
	o->wake = bpf_ktime_get_ns();
	cur = rp_current();
	o->waker_pid = BPF_CORE_READ(cur, tgid);
	o->waker_tid = BPF_CORE_READ(cur, pid);
	bpf_get_current_comm(o->waker_comm, sizeof(o->waker_comm));
	return 0;
}

/* The rest of a new task's entry (who and times filled): a run-queue wait from now on. */
static __always_inline int start_runq_wait(void *ctx, struct task_sched *ts, __u32 tid)
{
	struct off_start *o = &ts->off;

	o->state = RP_OFF_RUNQ;
	o->stackid = o->runq_stackid = -1;
	if (rp_cfg.stacks && !rp_no_stacks_now() && !(o->who.flags & RP_TF_LOADCG))
		o->stackid = rp_stackid(ctx);
	o->waker_pid = o->waker_tid = 0;
	o->waker_comm[0] = '\0';
	o->epoch = rp_epoch();
	task_sched_put(tid, ts, false);
	return 0;
}

/*
 * A new task of a tracked parent: its wait for a first CPU is run-queue delay. Its stack is
 * its parent's here (clone waking it up): the evidence of what made the task.
 */
static __always_inline int on_wakeup_new(void *ctx, struct task_struct *p, __u32 tid)
{
	struct task_sched *ts;
	__u32 *hint;
	__u64 now;

	if (!rp_recording())
		return 0;
	hint = rp_tracked_hint(tid);
	if (!hint)
		return 0;
	ts = task_sched_new();
	if (!ts)
		return 0;
	now = bpf_ktime_get_ns();
	who_of(ts, false, p, hint);
	ts->off.ts = ts->off.wake = now;
	return start_runq_wait(ctx, ts, tid);
}

/* The fallbacks' view: prev (and next, when there is one) read through the helper. */
static __always_inline int on_switch_probed(void *ctx, struct task_struct *prev, __u32 next_tid)
{
	struct switch_view v;

	if (!rp_recording())
		return 0;
	v.prev_tid = BPF_CORE_READ(prev, pid);
	v.next_tid = next_tid;
	v.prev_state = rp_task_state(prev);
	v.prev_kthread = BPF_CORE_READ(prev, flags) & PF_KTHREAD;
	return on_switch(ctx, prev, &v, NULL);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch_btf, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct switch_view v;

	if (!rp_recording())
		return 0;
	v.prev_tid = prev->pid;
	v.next_tid = next->pid;
	v.prev_state = rp_task_state_btf(prev);
	v.prev_kthread = prev->flags & PF_KTHREAD;
	return on_switch(ctx, prev, &v, next);
}

SEC("raw_tp/sched_switch")
int BPF_PROG(sched_switch_raw, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	return on_switch_probed(ctx, prev, BPF_CORE_READ(next, pid));
}

/* prev is current at sched_switch; the classic record has only next's pid. */
SEC("tracepoint/sched/sched_switch")
int sched_switch_tp(struct trace_event_raw_sched_switch *ctx)
{
	return on_switch_probed(ctx, rp_current(), ctx->next_pid);
}

SEC("tp_btf/sched_waking")
int BPF_PROG(sched_waking_btf, struct task_struct *p)
{
	return on_wakeup(BPF_CORE_READ(p, pid));
}

SEC("raw_tp/sched_waking")
int BPF_PROG(sched_waking_raw, struct task_struct *p)
{
	return on_wakeup(BPF_CORE_READ(p, pid));
}

SEC("tracepoint/sched/sched_waking")
int sched_waking_tp(struct trace_event_raw_sched_wakeup_template *ctx)
{
	return on_wakeup(ctx->pid);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_btf, struct task_struct *p)
{
	return on_wakeup_new(ctx, p, BPF_CORE_READ(p, pid));
}

SEC("raw_tp/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new_raw, struct task_struct *p)
{
	return on_wakeup_new(ctx, p, BPF_CORE_READ(p, pid));
}

/*
 * The classic record has the new task's pid only, and the waker is its parent, not the
 * task: its who is filled from the parent (same cgroup and hint at this point).
 */
SEC("tracepoint/sched/sched_wakeup_new")
int sched_wakeup_new_tp(struct trace_event_raw_sched_wakeup_template *ctx)
{
	struct task_sched *ts;
	__u32 tid = ctx->pid;

	if (!rp_recording() || !rp_tracked_hint(tid))
		return 0;
	ts = task_sched_new();
	if (!ts)
		return 0;
	rp_fill_who(&ts->off.who, rp_current());
	ts->off.who.tid = tid;
	ts->who_gen = RP_WHO_STALE; /* the parent's who */
	ts->off.ts = ts->off.wake = bpf_ktime_get_ns();
	return start_runq_wait(ctx, ts, tid);
}
