// SPDX-License-Identifier: GPL-2.0-only
/*
 * overlayfs work inside the kernel where fentry or kprobes are allowed: lookups (many: counted
 * and timed per slot), object creation and copy-up (streamed for tracked tasks). Overlay
 * mounts and unmounts themselves are seen by the syscall programs (sys.bpf.c) on every kernel.
 */
#include "fn.bpf.h"

static __always_inline int ovl_done(__u32 fn, __u64 entry, long ret)
{
	struct rp_ovl_rec *r;
	struct rp_who w;
	__u64 now;

	if (!entry)
		return 0;
	now = bpf_ktime_get_ns();
	rp_fill_who(&w, rp_current());
	if (!rp_cfg.detail && (fn == RP_OVL_LOOKUP || !rp_stream_who(&w))) {
		struct rp_agg_key k;

		rp_agg_key_of(&k, RP_AGG_OVL, entry, &w, fn);
		rp_agg(&k, now > entry ? now - entry : 0, 0, 0);
		return 0;
	}
	r = rp_reserve(struct rp_ovl_rec);
	if (!r)
		return 0;
	rp_hdr_who(&r->h, RP_REC_OVL, fn, entry, &w);
	r->end = now;
	r->ret = ret;
	rp_submit(r);
	return 0;
}

FN_PROBES(ovl_lookup, RP_OVL_LOOKUP, ovl_done)
FN_PROBES(ovl_create_object, RP_OVL_CREATE, ovl_done)
FN_PROBES(ovl_copy_up_flags, RP_OVL_COPY_UP, ovl_done)
