// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cgroups: mkdir and rmdir are streamed always, also between trials (they are rare, and the
 * new container's cgroup id is learnt from its mkdir, whose path holds the container id);
 * attach (a task moved into a cgroup) while recording.
 */
#include "common.bpf.h"

static __always_inline struct rp_cgroup_rec *cg_begin(__u32 op, __u64 id, int root, int level)
{
	struct rp_cgroup_rec *r;

	if (op == RP_CG_ATTACH) {
		if (!rp_recording())
			return NULL;
		rp_who_changed();
	}
	r = rp_reserve(struct rp_cgroup_rec);
	if (!r)
		return NULL;
	rp_hdr(&r->h, RP_REC_CGROUP, op, bpf_ktime_get_ns(), rp_current());
	r->id = id;
	r->root = root;
	r->level = level;
	r->task_tid = 0;
	r->pad = 0;
	return r;
}

static __always_inline int cg_btf(__u32 op, struct cgroup *cgrp, const char *path,
				  struct task_struct *task)
{
	struct rp_cgroup_rec *r =
		cg_begin(op, BPF_CORE_READ(cgrp, kn, id), BPF_CORE_READ(cgrp, root, hierarchy_id),
			 BPF_CORE_READ(cgrp, level));

	if (!r)
		return 0;
	if (task)
		r->task_tid = BPF_CORE_READ(task, pid);
	bpf_probe_read_kernel_str(r->path, sizeof(r->path), path);
	rp_submit(r);
	return 0;
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(cgroup_mkdir_btf, struct cgroup *cgrp, const char *path)
{
	return cg_btf(RP_CG_MKDIR, cgrp, path, NULL);
}

SEC("raw_tp/cgroup_mkdir")
int BPF_PROG(cgroup_mkdir_raw, struct cgroup *cgrp, const char *path)
{
	return cg_btf(RP_CG_MKDIR, cgrp, path, NULL);
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(cgroup_rmdir_btf, struct cgroup *cgrp, const char *path)
{
	return cg_btf(RP_CG_RMDIR, cgrp, path, NULL);
}

SEC("raw_tp/cgroup_rmdir")
int BPF_PROG(cgroup_rmdir_raw, struct cgroup *cgrp, const char *path)
{
	return cg_btf(RP_CG_RMDIR, cgrp, path, NULL);
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(cgroup_attach_task_btf, struct cgroup *cgrp, const char *path,
	     struct task_struct *task)
{
	return cg_btf(RP_CG_ATTACH, cgrp, path, task);
}

SEC("raw_tp/cgroup_attach_task")
int BPF_PROG(cgroup_attach_task_raw, struct cgroup *cgrp, const char *path,
	     struct task_struct *task)
{
	return cg_btf(RP_CG_ATTACH, cgrp, path, task);
}

static __always_inline int cg_tp(__u32 op, struct trace_event_raw_cgroup *ctx)
{
	struct rp_cgroup_rec *r = cg_begin(op, ctx->id, ctx->root, ctx->level);

	if (!r)
		return 0;
	rp_tp_str(r->path, ctx, ctx->__data_loc_path);
	rp_submit(r);
	return 0;
}

SEC("tracepoint/cgroup/cgroup_mkdir")
int cgroup_mkdir_tp(struct trace_event_raw_cgroup *ctx)
{
	return cg_tp(RP_CG_MKDIR, ctx);
}

SEC("tracepoint/cgroup/cgroup_rmdir")
int cgroup_rmdir_tp(struct trace_event_raw_cgroup *ctx)
{
	return cg_tp(RP_CG_RMDIR, ctx);
}

SEC("tracepoint/cgroup/cgroup_attach_task")
int cgroup_attach_task_tp(struct trace_event_raw_cgroup_migrate *ctx)
{
	struct rp_cgroup_rec *r =
		cg_begin(RP_CG_ATTACH, ctx->dst_id, ctx->dst_root, ctx->dst_level);

	if (!r)
		return 0;
	r->task_tid = ctx->pid;
	rp_tp_str(r->path, ctx, ctx->__data_loc_dst_path);
	rp_submit(r);
	return 0;
}
