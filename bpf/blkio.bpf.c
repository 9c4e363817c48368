// SPDX-License-Identifier: GPL-2.0-only
/*
 * Block I/O, every task's while recording. The submitter is taken where the bio is queued
 * (block_bio_queue, in the submitting task), kept by (major, sector) until a request starting
 * at that sector is inserted or issued, then carried by the request to its completion. Queue
 * time runs from that first bio (or the insert, if no bio was seen) to the issue, device time
 * from the issue to the completion. Requests of tracked, non-load submitters are streamed;
 * the others (load, kernel threads, other tasks) are added to the aggregates at the slot of
 * their first bio.
 *
 * The tp_btf and raw_tp variants key requests by their address; the classic tracepoint
 * variant by (device, sector), all it has.
 */
#include "common.bpf.h"

struct bio_key {
	__u64 sector;
	__u32 major;
	__u32 pad;
};

struct bio_val {
	__u64 ts;
	__u32 epoch;
	__u32 pad;
	struct rp_who who;
};

struct rq_val {
	__u64 queued;
	__u64 insert;
	__u64 issue;
	__u32 epoch;
	__u32 pad;
	struct rp_who who;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct bio_key);
	__type(value, struct bio_val);
} rp_bios SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2048);
	__type(key, __u64);
	__type(value, struct rq_val);
} rp_rqs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rq_val);
} rp_rqscratch SEC(".maps");

static __always_inline void on_bio_queue(__u32 major, __u64 sector)
{
	struct bio_key k = {.sector = sector, .major = major};
	struct bio_val v;

	if (!rp_recording())
		return;
	v.ts = bpf_ktime_get_ns();
	v.epoch = rp_epoch();
	v.pad = 0;
	rp_fill_who(&v.who, rp_current());
	bpf_map_update_elem(&rp_bios, &k, &v, BPF_ANY);
}

/*
 * Where a request starts: read from the request itself (tp_btf, raw_tp) or given by the
 * tracepoint (rq NULL). Only read when needed, since each read is a helper call.
 */
static __always_inline void rq_place(struct request *rq, __u32 *dev, __u64 *sector)
{
	if (!rq)
		return;
	*dev = rp_rq_dev(rq);
	*sector = BPF_CORE_READ(rq, __sector);
}

/* The request's entry, made from its first bio (or the current task) when new. */
static __always_inline struct rq_val *rq_get(__u64 rk, struct request *rq, __u32 dev, __u64 sector,
					     __u64 now)
{
	__u32 zero = 0, epoch = rp_epoch();
	struct rq_val *v = bpf_map_lookup_elem(&rp_rqs, &rk);
	struct bio_key bk = {};
	struct bio_val *b;

	if (v && v->epoch == epoch)
		return v;
	rq_place(rq, &dev, &sector);
	bk.sector = sector;
	bk.major = RP_MAJOR(dev);
	v = bpf_map_lookup_elem(&rp_rqscratch, &zero);
	if (!v)
		return NULL;
	v->insert = v->issue = 0;
	v->epoch = epoch;
	v->pad = 0;
	b = bpf_map_lookup_elem(&rp_bios, &bk);
	if (b && b->epoch == epoch && b->ts <= now) {
		v->queued = b->ts;
		v->who = b->who;
		bpf_map_delete_elem(&rp_bios, &bk);
	} else {
		v->queued = now;
		rp_fill_who(&v->who, rp_current());
	}
	if (bpf_map_update_elem(&rp_rqs, &rk, v, BPF_ANY))
		return NULL;
	return bpf_map_lookup_elem(&rp_rqs, &rk);
}

static __always_inline void on_insert(__u64 rk, struct request *rq, __u32 dev, __u64 sector)
{
	__u64 now;
	struct rq_val *v;

	if (!rp_recording())
		return;
	now = bpf_ktime_get_ns();
	v = rq_get(rk, rq, dev, sector, now);
	if (v)
		v->insert = now;
}

static __always_inline void on_issue(__u64 rk, struct request *rq, __u32 dev, __u64 sector)
{
	__u64 now;
	struct rq_val *v;

	if (!rp_recording())
		return;
	now = bpf_ktime_get_ns();
	v = rq_get(rk, rq, dev, sector, now);
	if (v)
		v->issue = now;
}

static __always_inline __u16 agg_kind(__u32 op)
{
	return op == RP_BIO_READ    ? RP_AGG_BIO_READ
	       : op == RP_BIO_WRITE ? RP_AGG_BIO_WRITE
				    : RP_AGG_BIO_OTHER;
}

/* The operation and flags, two ways; (device, sector) keys for the classic tracepoints. */

static __always_inline __u32 flags_bit(int bit, __u32 rp_flag, __u32 cmd_flags)
{
	return bit >= 0 && bit < 32 && (cmd_flags & (1u << bit)) ? rp_flag : 0;
}

static __always_inline void rq_op(struct request *rq, __u32 *op, __u32 *flags)
{
	__u32 cf = BPF_CORE_READ(rq, cmd_flags), o = cf & 0xff;

	*op = o <= RP_BIO_DISCARD ? o : RP_BIO_OTHER;
	*flags = flags_bit(rp_req_flag_bit(__REQ_SYNC), RP_BIOF_SYNC, cf) |
		 flags_bit(rp_req_flag_bit(__REQ_META), RP_BIOF_META, cf) |
		 flags_bit(rp_req_flag_bit(__REQ_FUA), RP_BIOF_FUA, cf) |
		 flags_bit(rp_req_flag_bit(__REQ_PREFLUSH), RP_BIOF_PREFLUSH, cf);
}

static __always_inline __u64 tp_key(__u32 dev, __u64 sector)
{
	return ((__u64)dev << 40) ^ sector;
}

static __always_inline void rwbs_op(const char *rwbs, __u32 *op, __u32 *flags)
{
	bool seen_op = false;

	*op = RP_BIO_OTHER;
	*flags = 0;
#pragma unroll
	for (int i = 0; i < 8; i++) {
		char c = rwbs[i];

		if (!c)
			break;
		if (c == 'F')
			*flags |= seen_op ? RP_BIOF_FUA : RP_BIOF_PREFLUSH;
		else if (c == 'R' && !seen_op)
			*op = RP_BIO_READ, seen_op = true;
		else if (c == 'W' && !seen_op)
			*op = RP_BIO_WRITE, seen_op = true;
		else if ((c == 'D' || c == 'E') && !seen_op)
			*op = RP_BIO_DISCARD, seen_op = true;
		else if (c == 'N' && !seen_op)
			seen_op = true;
		else if (c == 'S')
			*flags |= RP_BIOF_SYNC;
		else if (c == 'M')
			*flags |= RP_BIOF_META;
	}
	if (*op == RP_BIO_OTHER && (*flags & RP_BIOF_PREFLUSH))
		*op = RP_BIO_FLUSH;
}

/* The operation and its flags: from the request's cmd_flags, or from the tracepoint's rwbs. */
static __always_inline void complete_op(struct request *rq,
					struct trace_event_raw_block_rq_completion *tp, __u32 *op,
					__u32 *flags)
{
	char rwbs[10];

	if (rq) {
		rq_op(rq, op, flags);
		return;
	}
	bpf_probe_read_kernel(rwbs, sizeof(rwbs), tp->rwbs);
	rwbs_op(rwbs, op, flags);
}

/*
 * A request completes: streamed when its submitter is followed, else added to the aggregates.
 * Device and sector are read only for a streamed record, the operation only for a request we
 * saw begin: most completions need one lookup and one read.
 */
static __always_inline void on_complete(__u64 rk, struct request *rq,
					struct trace_event_raw_block_rq_completion *tp, __u32 bytes,
					int error)
{
	struct rq_val *v;
	struct rp_bio_rec *r;
	__u64 now, issue, sector = 0;
	__u32 op, flags, dev = 0;

	if (!rp_recording())
		return;
	v = bpf_map_lookup_elem(&rp_rqs, &rk);
	if (!v)
		return;
	if (v->epoch != rp_epoch()) {
		bpf_map_delete_elem(&rp_rqs, &rk);
		return;
	}
	now = bpf_ktime_get_ns();
	issue = v->issue ? v->issue : v->insert ? v->insert : v->queued;
	complete_op(rq, tp, &op, &flags);
	if (rp_stream_who(&v->who)) {
		r = rp_reserve(struct rp_bio_rec);
		if (r) {
			if (tp) {
				dev = tp->dev;
				sector = tp->sector;
			}
			rq_place(rq, &dev, &sector);
			rp_hdr_who(&r->h, RP_REC_BIO, op, v->queued, &v->who);
			r->insert = v->insert;
			r->issue = issue;
			r->complete = now;
			r->sector = sector;
			r->dev = dev;
			r->bytes = bytes;
			r->op = op;
			r->flags = flags;
			r->error = error;
			r->pad = 0;
			rp_submit(r);
		}
	} else {
		struct rp_agg_key k;

		rp_agg_key_of(&k, agg_kind(op), v->queued, &v->who, -1);
		rp_agg(&k, now > issue ? now - issue : 0, bytes,
		       issue > v->queued ? issue - v->queued : 0);
	}
	bpf_map_delete_elem(&rp_rqs, &rk);
}

/* tp_btf and raw_tp: from the kernel's structs. */

static __always_inline int btf_bio_queue(struct bio *bio)
{
	on_bio_queue(rp_bio_major(bio), BPF_CORE_READ(bio, bi_iter.bi_sector));
	return 0;
}

static __always_inline int btf_insert(struct request *rq)
{
	on_insert((__u64)rq, rq, 0, 0);
	return 0;
}

static __always_inline int btf_issue(struct request *rq)
{
	on_issue((__u64)rq, rq, 0, 0);
	return 0;
}

static __always_inline int btf_complete(struct request *rq, int error, unsigned int nr_bytes)
{
	on_complete((__u64)rq, rq, NULL, nr_bytes, error);
	return 0;
}

SEC("tp_btf/block_bio_queue")
int BPF_PROG(block_bio_queue_btf, struct bio *bio)
{
	return btf_bio_queue(bio);
}

SEC("raw_tp/block_bio_queue")
int BPF_PROG(block_bio_queue_raw, struct bio *bio)
{
	return btf_bio_queue(bio);
}

SEC("tp_btf/block_rq_insert")
int block_rq_insert_btf(unsigned long long *ctx)
{
	return btf_insert(rp_rq_tp_arg(ctx, rp_cfg.rq_has_q));
}

SEC("raw_tp/block_rq_insert")
int block_rq_insert_raw(unsigned long long *ctx)
{
	return btf_insert(rp_rq_tp_arg(ctx, rp_cfg.rq_has_q));
}

SEC("tp_btf/block_rq_issue")
int block_rq_issue_btf(unsigned long long *ctx)
{
	return btf_issue(rp_rq_tp_arg(ctx, rp_cfg.rq_has_q));
}

SEC("raw_tp/block_rq_issue")
int block_rq_issue_raw(unsigned long long *ctx)
{
	return btf_issue(rp_rq_tp_arg(ctx, rp_cfg.rq_has_q));
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete_btf, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	return btf_complete(rq, error, nr_bytes);
}

SEC("raw_tp/block_rq_complete")
int BPF_PROG(block_rq_complete_raw, struct request *rq, int error, unsigned int nr_bytes)
{
	return btf_complete(rq, error, nr_bytes);
}

/* Classic tracepoints: device numbers, sectors and the rwbs text. */

SEC("tracepoint/block/block_bio_queue")
int block_bio_queue_tp(struct trace_event_raw_block_bio *ctx)
{
	on_bio_queue(RP_MAJOR(ctx->dev), ctx->sector);
	return 0;
}

SEC("tracepoint/block/block_rq_insert")
int block_rq_insert_tp(struct trace_event_raw_block_rq *ctx)
{
	on_insert(tp_key(ctx->dev, ctx->sector), NULL, ctx->dev, ctx->sector);
	return 0;
}

SEC("tracepoint/block/block_rq_issue")
int block_rq_issue_tp(struct trace_event_raw_block_rq *ctx)
{
	on_issue(tp_key(ctx->dev, ctx->sector), NULL, ctx->dev, ctx->sector);
	return 0;
}

SEC("tracepoint/block/block_rq_complete")
int block_rq_complete_tp(struct trace_event_raw_block_rq_completion *ctx)
{
	on_complete(tp_key(ctx->dev, ctx->sector), NULL, ctx, ctx->nr_sector << 9, ctx->error);
	return 0;
}
