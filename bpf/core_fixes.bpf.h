// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel-version differences, in one place: every read of a kernel struct, enum or program
 * argument whose name or layout changed between the kernels we support (5.10 and later).
 * Each accessor says which change it survives; CO-RE picks the variant the running kernel
 * has at load time. A program reads such a field only through these.
 *
 * The ___suffix structs below are "flavours": CO-RE matches them to the kernel's struct of
 * the name before the ___ and resolves only the fields they list, so a field that no longer
 * exists in vmlinux.h can still be named.
 */
#ifndef RP_CORE_FIXES_BPF_H
#define RP_CORE_FIXES_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

/* The major of a kernel dev_t, whose minor takes the low MINORBITS (20) bits. */
#define RP_MAJOR(dev) ((__u32)(dev) >> 20)

/* ---- task_struct ---- */

/* Before 5.14 (commit 2f064a59a1, "sched: Change task_struct::state"): a long named state. */
struct task_struct___pre514 {
	long state;
} __attribute__((preserve_access_index));

/* The scheduler state (TASK_*). 5.14 renamed task_struct->state to __state, an unsigned int. */
static __always_inline unsigned int rp_task_state(struct task_struct *t)
{
	struct task_struct___pre514 *o = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return (unsigned int)BPF_CORE_READ(o, state);
}

/* The same through a pointer the verifier trusts (tp_btf): plain loads, no helper calls. */
static __always_inline unsigned int rp_task_state_btf(struct task_struct *t)
{
	struct task_struct___pre514 *o = (void *)t;

	if (bpf_core_field_exists(t->__state))
		return t->__state;
	return (unsigned int)o->state;
}

/*
 * Whether an uninterruptible sleep is an I/O wait. in_iowait is a one-bit field among
 * task_struct's flag bits, and which bits come before it depends on the release and the
 * config, so its byte and shift are not those of our vmlinux.h: the probed read takes them
 * from the running kernel.
 */
static __always_inline bool rp_task_in_iowait(struct task_struct *t)
{
	return BPF_CORE_READ_BITFIELD_PROBED(t, in_iowait);
}

/* ---- block layer ---- */

/* Before 5.12 (commit 309dca309f, "block: store a block_device pointer in struct bio"). */
struct bio___pre512 {
	struct gendisk *bi_disk;
} __attribute__((preserve_access_index));

/* The major of a bio's device. 5.12 replaced bio->bi_disk with bio->bi_bdev. */
static __always_inline __u32 rp_bio_major(struct bio *bio)
{
	struct bio___pre512 *o = (void *)bio;

	if (bpf_core_field_exists(bio->bi_bdev))
		return RP_MAJOR(BPF_CORE_READ(bio, bi_bdev, bd_dev));
	return BPF_CORE_READ(o, bi_disk, major);
}

/* Before 5.17 ("block: remove the ->rq_disk field in struct request"). */
struct request___pre517 {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

/* A request's disk as a kernel dev_t. 5.17 removed request->rq_disk: rq->q->disk holds it. */
static __always_inline __u32 rp_rq_dev(struct request *rq)
{
	struct request___pre517 *o = (void *)rq;
	struct gendisk *disk;

	if (bpf_core_field_exists(o->rq_disk))
		disk = BPF_CORE_READ(o, rq_disk);
	else
		disk = BPF_CORE_READ(rq, q, disk);
	return ((__u32)BPF_CORE_READ(disk, major) << 20) | (__u32)BPF_CORE_READ(disk, first_minor);
}

/*
 * The bit of a request flag (__REQ_SYNC, __REQ_FUA...) in rq->cmd_flags on the running
 * kernel. enum req_flag_bits is numbered in declaration order and is no ABI: releases add,
 * drop and rename flags (5.16 renamed __REQ_HIPRI to __REQ_POLLED), so the number comes
 * from the kernel's BTF, not from our vmlinux.h.
 */
#define rp_req_flag_bit(name) bpf_core_enum_value(enum req_flag_bits, name)

/* ---- writeback ---- */

/*
 * The number of a writeback reason (WB_REASON_SYNC...) on the running kernel. enum
 * wb_reason is internal to the kernel and its members come and go over releases (no ABI);
 * a reordering of the four we name would mislabel writeback silently, so each number comes
 * from the kernel's BTF rather than from our vmlinux.h.
 */
#define rp_wb_reason_value(name) bpf_core_enum_value(enum wb_reason, name)

/* ---- tracepoint arguments ---- */

/*
 * The request of a block_rq_insert or block_rq_issue raw tracepoint. Before 5.11 ("block:
 * remove the request_queue to argument request based tracepoints") the queue came first;
 * userspace tells which from the kernel's BTF (has_q).
 */
static __always_inline struct request *rp_rq_tp_arg(unsigned long long *ctx, bool has_q)
{
	if (has_q)
		return (void *)ctx[1];
	return (void *)ctx[0];
}

#endif
