// SPDX-License-Identifier: GPL-2.0-only
// restartprof VM lab: one tiny program per attach type, each counting its hits. bpfcheck loads
// and attaches them one at a time to tell which attach types a kernel allows. No vmlinux.h:
// the programs read nothing from the kernel, so the object is the same for every architecture.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

__u64 hits[8];

#define COUNT(i) __sync_fetch_and_add(&hits[i], 1)

SEC("fentry/vfs_read") int fentry_vfs_read(void *ctx)
{
	COUNT(0);
	return 0;
}
SEC("fexit/vfs_read") int fexit_vfs_read(void *ctx)
{
	COUNT(1);
	return 0;
}
SEC("kprobe/vfs_read") int kprobe_vfs_read(void *ctx)
{
	COUNT(2);
	return 0;
}
SEC("kretprobe/vfs_read") int kretprobe_vfs_read(void *ctx)
{
	COUNT(3);
	return 0;
}
SEC("tp_btf/sched_switch") int tp_btf_sched_switch(void *ctx)
{
	COUNT(4);
	return 0;
}
SEC("raw_tp/sched_switch") int raw_tp_sched_switch(void *ctx)
{
	COUNT(5);
	return 0;
}
SEC("tracepoint/sched/sched_switch") int tracepoint_sched_switch(void *ctx)
{
	COUNT(6);
	return 0;
}
SEC("tp_btf/block_rq_issue") int tp_btf_block_rq_issue(void *ctx)
{
	COUNT(7);
	return 0;
}
