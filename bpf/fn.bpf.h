// SPDX-License-Identifier: GPL-2.0-only
/*
 * Timing kernel functions where the kernel lets us: fentry/fexit, else kprobe/kretprobe.
 * The entry keeps the time per (thread, function); the return hands (entry, now, result)
 * to the concern's handler. FN_PROBES defines the four programs of one function, named
 * <fn>_fentry, <fn>_fexit, <fn>_kprobe and <fn>_kretprobe; userspace loads one pair.
 * fexit does not read the result (its position depends on the function's arguments, which
 * change between kernels); kretprobe does.
 */
#ifndef RP_FN_BPF_H
#define RP_FN_BPF_H

#include "common.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} rp_fnstart SEC(".maps");

static __always_inline __u64 fn_key(__u32 fn)
{
	return (bpf_get_current_pid_tgid() << 32 >> 24) | fn;
}

static __always_inline int fn_enter(__u32 fn)
{
	__u64 key = fn_key(fn), now;

	if (!rp_recording())
		return 0;
	now = bpf_ktime_get_ns();
	bpf_map_update_elem(&rp_fnstart, &key, &now, BPF_ANY);
	return 0;
}

/* Entry time of the call returning now, 0 if its entry was not seen. */
static __always_inline __u64 fn_entry(__u32 fn)
{
	__u64 key = fn_key(fn), *ts, t;

	ts = bpf_map_lookup_elem(&rp_fnstart, &key);
	if (!ts)
		return 0;
	t = *ts;
	bpf_map_delete_elem(&rp_fnstart, &key);
	return rp_recording() ? t : 0;
}

#define FN_PROBES(fn, id, on_return)                                                               \
	SEC("fentry/" #fn)                                                                         \
	int BPF_PROG(fn##_fentry)                                                                  \
	{                                                                                          \
		return fn_enter(id);                                                               \
	}                                                                                          \
	SEC("fexit/" #fn)                                                                          \
	int BPF_PROG(fn##_fexit)                                                                   \
	{                                                                                          \
		return on_return(id, fn_entry(id), 0);                                             \
	}                                                                                          \
	SEC("kprobe/" #fn)                                                                         \
	int BPF_KPROBE(fn##_kprobe)                                                                \
	{                                                                                          \
		return fn_enter(id);                                                               \
	}                                                                                          \
	SEC("kretprobe/" #fn)                                                                      \
	int BPF_KRETPROBE(fn##_kretprobe, long ret)                                                \
	{                                                                                          \
		return on_return(id, fn_entry(id), ret);                                           \
	}

#endif
