// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writeback: the pages written back during a trial, why, and whose dirtying they were.
 *
 * - writeback_dirty_inode_enqueue: an inode goes from clean to dirty; the task doing it is
 *   kept as the inode's dirtier (the first since the inode was last clean). Also between
 *   trials: an inode dirtied before a trial is often written back in it.
 * - writeback_start / writeback_written: a flusher work begins and ends on this worker
 *   thread; its reason (background, periodic, sync, reclaim...) is kept per thread meanwhile.
 * - writeback_single_inode: an inode's pages were written (nr_to_write - wbc->nr_to_write);
 *   added to the aggregates at the event's slot, keyed by the dirtier (unknown: cgroup 0),
 *   with the reason of the worker's current work, or sync for WB_SYNC_ALL writeback outside
 *   a work (sync_inode, a task's own fsync of metadata).
 *
 * tp_btf and raw_tp key inodes by (superblock dev, ino); the classic tracepoint of
 * writeback_single_inode has no dev, so that path keys by ino alone.
 */
#include "common.bpf.h"

struct ino_key {
	__u64 ino;
	__u32 dev;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ino_key);
	__type(value, struct rp_who);
} rp_dirtier SEC(".maps");

/* Worker tid -> rp_wb_reason of the work it runs. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
} rp_wbwork SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rp_who);
} rp_wbscratch SEC(".maps");

static __always_inline __u32 wb_reason(int reason)
{
	if (reason == rp_wb_reason_value(WB_REASON_BACKGROUND))
		return RP_WB_BACKGROUND;
	if (reason == rp_wb_reason_value(WB_REASON_PERIODIC))
		return RP_WB_PERIODIC;
	if (reason == rp_wb_reason_value(WB_REASON_SYNC))
		return RP_WB_SYNC;
	if (reason == rp_wb_reason_value(WB_REASON_VMSCAN))
		return RP_WB_RECLAIM;
	return RP_WB_OTHER;
}

static __always_inline int on_dirty(__u32 dev, __u64 ino)
{
	struct ino_key k = {.ino = ino, .dev = dev};
	struct rp_who *w;
	__u32 zero = 0;

	w = bpf_map_lookup_elem(&rp_wbscratch, &zero);
	if (!w)
		return 0;
	rp_fill_who(w, rp_current());
	bpf_map_update_elem(&rp_dirtier, &k, w, BPF_ANY);
	return 0;
}

static __always_inline int on_work_start(int reason)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), r = wb_reason(reason);

	bpf_map_update_elem(&rp_wbwork, &tid, &r, BPF_ANY);
	return 0;
}

static __always_inline int on_work_done(void)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&rp_wbwork, &tid);
	return 0;
}

static __always_inline int on_written(__u32 dev, __u64 ino, long pages, bool sync_all)
{
	struct ino_key k = {.ino = ino, .dev = dev};
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), reason, *wr;
	struct rp_who unknown = {}, *w;
	struct rp_agg_key ak;

	if (pages <= 0 || !rp_recording())
		return 0;
	wr = bpf_map_lookup_elem(&rp_wbwork, &tid);
	reason = wr ? *wr : sync_all ? RP_WB_SYNC : RP_WB_OTHER;
	w = bpf_map_lookup_elem(&rp_dirtier, &k);
	rp_agg_key_of(&ak, RP_AGG_WB, bpf_ktime_get_ns(), w ? w : &unknown, (__s32)reason);
	rp_agg(&ak, 0, (__u64)pages, 0);
	return 0;
}

/* tp_btf and raw_tp */

static __always_inline int btf_dirty(struct inode *inode)
{
	return on_dirty(BPF_CORE_READ(inode, i_sb, s_dev), BPF_CORE_READ(inode, i_ino));
}

static __always_inline int btf_written(struct inode *inode, struct writeback_control *wbc,
				       unsigned long nr_to_write)
{
	long left = BPF_CORE_READ(wbc, nr_to_write);
	bool all = BPF_CORE_READ(wbc, sync_mode) == WB_SYNC_ALL;

	return on_written(BPF_CORE_READ(inode, i_sb, s_dev), BPF_CORE_READ(inode, i_ino),
			  (long)nr_to_write - left, all);
}

SEC("tp_btf/writeback_dirty_inode_enqueue")
int BPF_PROG(writeback_dirty_inode_enqueue_btf, struct inode *inode)
{
	return btf_dirty(inode);
}

SEC("raw_tp/writeback_dirty_inode_enqueue")
int BPF_PROG(writeback_dirty_inode_enqueue_raw, struct inode *inode)
{
	return btf_dirty(inode);
}

SEC("tp_btf/writeback_start")
int BPF_PROG(writeback_start_btf, struct bdi_writeback *wb, struct wb_writeback_work *work)
{
	return on_work_start(BPF_CORE_READ(work, reason));
}

SEC("raw_tp/writeback_start")
int BPF_PROG(writeback_start_raw, struct bdi_writeback *wb, struct wb_writeback_work *work)
{
	return on_work_start(BPF_CORE_READ(work, reason));
}

SEC("tp_btf/writeback_written")
int BPF_PROG(writeback_written_btf)
{
	return on_work_done();
}

SEC("raw_tp/writeback_written")
int BPF_PROG(writeback_written_raw)
{
	return on_work_done();
}

SEC("tp_btf/writeback_single_inode")
int BPF_PROG(writeback_single_inode_btf, struct inode *inode, struct writeback_control *wbc,
	     unsigned long nr_to_write)
{
	return btf_written(inode, wbc, nr_to_write);
}

SEC("raw_tp/writeback_single_inode")
int BPF_PROG(writeback_single_inode_raw, struct inode *inode, struct writeback_control *wbc,
	     unsigned long nr_to_write)
{
	return btf_written(inode, wbc, nr_to_write);
}

/* Classic tracepoints: inodes by number only (writeback_single_inode has no device). */

SEC("tracepoint/writeback/writeback_dirty_inode_enqueue")
int writeback_dirty_inode_enqueue_tp(struct trace_event_raw_writeback_inode_template *ctx)
{
	return on_dirty(0, ctx->ino);
}

SEC("tracepoint/writeback/writeback_start")
int writeback_start_tp(struct trace_event_raw_writeback_work_class *ctx)
{
	return on_work_start(ctx->reason);
}

SEC("tracepoint/writeback/writeback_written")
int writeback_written_tp(struct trace_event_raw_writeback_work_class *ctx)
{
	return on_work_done();
}

SEC("tracepoint/writeback/writeback_single_inode")
int writeback_single_inode_tp(struct trace_event_raw_writeback_single_inode_template *ctx)
{
	return on_written(0, ctx->ino, (long)ctx->wrote, false);
}
