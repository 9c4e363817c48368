// SPDX-License-Identifier: GPL-2.0-only
/*
 * Processes: fork keeps the tracked-task map (inherited from a tracked parent, always, also
 * between trials), exit removes from it; while recording, exec/fork/exit of tracked tasks are
 * streamed and those of everyone else counted per time slot.
 *
 * Each handler exists three times, one per attach path (tp_btf, raw_tp, classic tracepoint);
 * userspace loads the best one this kernel takes.
 */
#include "common.bpf.h"

static __always_inline int on_fork(struct task_struct *parent, __u32 child_pid, __u32 child_tid)
{
	__u32 ptid = BPF_CORE_READ(parent, pid), *h = rp_tracked_hint(ptid);
	bool thread = child_pid == (__u32)BPF_CORE_READ(parent, tgid);
	struct rp_fork_rec *r;

	if (h) {
		__u32 hint = *h;

		if (bpf_map_update_elem(&rp_tracked, &child_tid, &hint, BPF_ANY))
			rp_count(RP_DROP_TRACK);
	}
	if (!rp_recording())
		return 0;
	if (!h && !rp_cfg.detail) {
		struct rp_agg_key k;
		struct rp_who w;

		if (thread)
			return 0;
		rp_fill_who(&w, parent);
		rp_agg_key_of(&k, RP_AGG_FORK, bpf_ktime_get_ns(), &w, -1);
		rp_agg(&k, 0, 0, 0);
		return 0;
	}
	if (thread && !rp_cfg.detail)
		return 0;
	r = rp_reserve(struct rp_fork_rec);
	if (!r)
		return 0;
	rp_hdr(&r->h, RP_REC_FORK, 0, bpf_ktime_get_ns(), parent);
	r->child_pid = child_pid;
	r->child_tid = child_tid;
	r->is_thread = thread;
	r->pad = 0;
	if (!rp_stream_who(&r->h.who) && !thread) {
		/* A load task: counted, not streamed. */
		struct rp_agg_key k;

		rp_agg_key_of(&k, RP_AGG_FORK, r->h.ts, &r->h.who, -1);
		bpf_ringbuf_discard(r, 0);
		rp_agg(&k, 0, 0, 0);
		return 0;
	}
	rp_submit(r);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(sched_process_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, BPF_CORE_READ(child, tgid), BPF_CORE_READ(child, pid));
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(sched_process_fork_raw, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, BPF_CORE_READ(child, tgid), BPF_CORE_READ(child, pid));
}

/* The classic tracepoint has tids only: a new thread is the last of its group's list. */
SEC("tracepoint/sched/sched_process_fork")
int sched_process_fork_tp(struct trace_event_raw_sched_process_fork *ctx)
{
	struct task_struct *parent = rp_current(), *last;
	__u32 child_tid = ctx->child_pid, child_pid = child_tid;
	struct list_head *tail = BPF_CORE_READ(parent, signal, thread_head.prev);

	last = (void *)tail - bpf_core_field_offset(struct task_struct, thread_node);
	if ((__u32)BPF_CORE_READ(last, pid) == child_tid)
		child_pid = BPF_CORE_READ(parent, tgid);
	return on_fork(parent, child_pid, child_tid);
}

static __always_inline struct rp_exec_rec *exec_begin(__u32 old_tid)
{
	struct task_struct *t = rp_current();
	struct rp_exec_rec *r;
	struct rp_who w;

	if (!rp_recording())
		return NULL;
	rp_who_changed();
	rp_fill_who(&w, t);
	if (!rp_stream_who(&w)) {
		struct rp_agg_key k;

		rp_agg_key_of(&k, RP_AGG_EXEC, bpf_ktime_get_ns(), &w, -1);
		rp_agg(&k, 0, 0, 0);
		return NULL;
	}
	r = rp_reserve(struct rp_exec_rec);
	if (!r)
		return NULL;
	rp_hdr_who(&r->h, RP_REC_EXEC, 0, bpf_ktime_get_ns(), &w);
	r->old_tid = old_tid;
	r->pad = 0;
	bpf_probe_read_kernel_str(r->exe, sizeof(r->exe),
				  BPF_CORE_READ(t, mm, exe_file, f_path.dentry, d_name.name));
	return r;
}

/* tp_btf and raw_tp: the filename from the binprm the tracepoint passes. */
static __always_inline int btf_exec(pid_t old_pid, struct linux_binprm *bprm)
{
	struct rp_exec_rec *r = exec_begin(old_pid);

	if (!r)
		return 0;
	bpf_probe_read_kernel_str(r->filename, sizeof(r->filename), BPF_CORE_READ(bprm, filename));
	rp_submit(r);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(sched_process_exec_btf, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return btf_exec(old_pid, bprm);
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(sched_process_exec_raw, struct task_struct *p, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	return btf_exec(old_pid, bprm);
}

SEC("tracepoint/sched/sched_process_exec")
int sched_process_exec_tp(struct trace_event_raw_sched_process_exec *ctx)
{
	struct rp_exec_rec *r = exec_begin(ctx->old_pid);

	if (!r)
		return 0;
	rp_tp_str(r->filename, ctx, ctx->__data_loc_filename);
	rp_submit(r);
	return 0;
}

static __always_inline bool has_children(struct task_struct *t)
{
	return BPF_CORE_READ(t, children.next) != (void *)t + bpf_core_field_offset(t->children);
}

/* Leaves the tracked map always; streams the exit of a tracked process while recording. */
static __always_inline int on_exit(void)
{
	struct task_struct *t = rp_current();
	__u32 tid = BPF_CORE_READ(t, pid), pid = BPF_CORE_READ(t, tgid);
	__u32 *h = rp_tracked_hint(tid), hint = h ? *h : 0;
	bool tracked = h != NULL;
	struct rp_exit_rec *r;

	if (tracked)
		bpf_map_delete_elem(&rp_tracked, &tid);
	if (!rp_recording())
		return 0;
	if (has_children(t)) /* exit_notify gives them another parent */
		rp_who_changed();
	if (!rp_cfg.detail && (!tracked || tid != pid))
		return 0;
	r = rp_reserve(struct rp_exit_rec);
	if (!r)
		return 0;
	rp_hdr(&r->h, RP_REC_EXIT, 0, bpf_ktime_get_ns(), t);
	if (tracked) {
		/* rp_fill_who looked the map up after the delete. */
		r->h.who.flags |= RP_TF_TRACKED;
		r->h.who.hint = (__u8)hint;
	}
	r->start_ns = BPF_CORE_READ(t, start_time);
	r->exit_code = BPF_CORE_READ(t, exit_code);
	r->group_dead = BPF_CORE_READ(t, signal, live.counter) == 0;
	rp_submit(r);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(sched_process_exit_btf)
{
	return on_exit();
}

SEC("raw_tp/sched_process_exit")
int BPF_PROG(sched_process_exit_raw)
{
	return on_exit();
}

SEC("tracepoint/sched/sched_process_exit")
int sched_process_exit_tp(void *ctx)
{
	return on_exit();
}
