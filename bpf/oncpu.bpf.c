// SPDX-License-Identifier: GPL-2.0-only
/*
 * On-CPU samples of the engine's and the target's tasks: a perf_event program on the software
 * CPU clock, one event per online CPU opened by userspace at the chosen frequency. Each sample
 * of a tracked task (not of a load container) while a trial records adds one count and one
 * sampling period of CPU time to the aggregate of its slot, keyed by process, kernel stack and
 * user stack; the user stack is kept as (build ID, file offset) frames, named by userspace
 * after the process may have gone.
 */
#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, RP_USTACK_ENTRIES);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, RP_STACK_DEPTH * sizeof(struct bpf_stack_build_id));
	__uint(map_flags, BPF_F_STACK_BUILD_ID);
} rp_ustacks SEC(".maps");

static __always_inline void count_sample(void)
{
	__u32 zero = 0;
	struct rp_counters *c = bpf_map_lookup_elem(&rp_counters, &zero);

	if (c)
		c->samples++;
}

SEC("perf_event")
int oncpu_perf(struct bpf_perf_event_data *ctx)
{
	struct task_struct *t;
	struct rp_agg_key k;
	struct rp_who w;
	__u64 period;
	__u32 tid;

	if (!rp_recording() || rp_state_flag(RP_STATE_NO_ONCPU))
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	if (!tid || !rp_tracked_hint(tid))
		return 0;
	t = rp_current();
	rp_fill_who(&w, t);
	if ((w.flags & (RP_TF_LOADCG | RP_TF_KTHREAD)) || !(w.flags & RP_TF_TRACKED))
		return 0;
	period = ctx->sample_period ? ctx->sample_period : rp_cfg.oncpu_period_ns;
	rp_agg_key_of(&k, RP_AGG_ONCPU, bpf_ktime_get_ns(), &w,
		      rp_sample_stackid(ctx, &rp_stacks, 0));
	/* The user stack as build IDs and offsets (the map's BPF_F_STACK_BUILD_ID). */
	k.ustackid = rp_sample_stackid(ctx, &rp_ustacks, BPF_F_USER_STACK);
	count_sample();
	rp_agg(&k, period, 0, 0);
	return 0;
}
