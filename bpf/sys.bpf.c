// SPDX-License-Identifier: GPL-2.0-only
/*
 * System calls that a restart waits on, entry to exit: mount and umount (overlay layers,
 * by anyone), setns and unshare (namespaces, by tracked tasks), and the blocking file calls
 * of tracked tasks outside load containers: fsync, fdatasync, sync, syncfs, sync_file_range,
 * rename(at2), unlink(at), flock. Which numbers mean what is userspace's table in
 * rp_cfg.sys_kind, so one pair of programs serves every architecture and more calls can be
 * added without new programs. Everything is read at entry: strings from user memory, and
 * the file of an fd call or the directory of a relative name resolved from the task's own
 * file table and working directory (path.bpf.h), so no later look-up can race with the
 * file's renaming or removal. The record is written at exit.
 */
#include "path.bpf.h"

struct sys_start {
	__u64 ts;
	__u64 arg;
	__u32 nr;
	__u32 kind;
	__u32 epoch;
	__u32 flags;
	char fstype[RP_FSTYPE_LEN];
	char path[RP_PATH_LEN];
	struct rp_who who;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 512); /* calls in flight: at most one per thread */
	__type(key, __u32);
	__type(value, struct sys_start);
} rp_sysstart SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct sys_start);
} rp_sysscratch SEC(".maps");

static __always_inline __u32 sys_kind(long nr)
{
	if (nr < 0 || nr >= RP_SYS_MAX)
		return RP_SYS_NONE;
	return rp_cfg.sys_kind[nr];
}

static __always_inline bool file_kind(__u32 kind)
{
	return kind >= RP_SYS_FSYNC && kind < RP_SYS_KIND_COUNT;
}

/*
 * The arguments of each kind: the path, flags or namespace type it is about. The file of an
 * fd call and the name of a path call are resolved at one place each, which keeps the
 * verifier's work (the path walks are bounded loops) within its limits.
 */
static __always_inline void read_args(struct sys_start *st, __u32 kind, unsigned long a0,
				      unsigned long a1, unsigned long a2, unsigned long a3)
{
	long fd = -1, dirfd = RP_AT_FDCWD;
	const char *uname = NULL;

	switch (kind) {
	case RP_SYS_MOUNT:
		bpf_probe_read_user_str(st->path, sizeof(st->path), (void *)a1);
		bpf_probe_read_user_str(st->fstype, sizeof(st->fstype), (void *)a2);
		st->arg = a3;
		return;
	case RP_SYS_UMOUNT:
		bpf_probe_read_user_str(st->path, sizeof(st->path), (void *)a0);
		st->arg = a1;
		return;
	case RP_SYS_SETNS:
		st->arg = a1;
		return;
	case RP_SYS_UNSHARE:
	case RP_SYS_SYNC:
		st->arg = a0;
		return;
	case RP_SYS_FSYNC:
	case RP_SYS_FDATASYNC:
	case RP_SYS_SYNCFS:
		fd = (long)(int)a0;
		st->arg = a0;
		break;
	case RP_SYS_SYNC_FILE_RANGE:
		fd = (long)(int)a0;
		st->arg = a3;
		break;
	case RP_SYS_FLOCK:
		fd = (long)(int)a0;
		st->arg = a1;
		break;
	case RP_SYS_RENAME:
		uname = (const char *)a1;
		break;
	case RP_SYS_RENAMEAT:
		dirfd = (long)(int)a2;
		uname = (const char *)a3;
		break;
	case RP_SYS_UNLINK:
		uname = (const char *)a0;
		break;
	case RP_SYS_UNLINKAT:
		dirfd = (long)(int)a0;
		uname = (const char *)a1;
		st->arg = a2;
		break;
	default:
		return;
	}
	if (fd >= 0)
		rp_file_path(rp_fd_file(fd), st->path, st->fstype, &st->flags);
	else if (uname)
		rp_user_path(dirfd, uname, st->path, st->fstype, &st->flags);
}

static __always_inline int on_enter(long nr, unsigned long a0, unsigned long a1, unsigned long a2,
				    unsigned long a3)
{
	__u32 kind = sys_kind(nr), zero = 0, tid;
	struct rp_state *s;
	struct sys_start *st;

	if (kind == RP_SYS_NONE)
		return 0;
	s = rp_st();
	if (!s || !s->recording)
		return 0;
	tid = (__u32)bpf_get_current_pid_tgid();
	if ((kind == RP_SYS_SETNS || kind == RP_SYS_UNSHARE || file_kind(kind)) &&
	    !rp_tracked_hint(tid))
		return 0;
	st = bpf_map_lookup_elem(&rp_sysscratch, &zero);
	if (!st)
		return 0;
	rp_fill_who(&st->who, rp_current());
	/* The stressors' own file calls are their business, not the restart's. */
	if (file_kind(kind) && (st->who.flags & RP_TF_LOADCG))
		return 0;
	st->ts = bpf_ktime_get_ns();
	st->nr = nr;
	st->kind = kind;
	st->epoch = s->recording;
	st->flags = 0;
	st->arg = 0;
	st->fstype[0] = '\0';
	st->path[0] = '\0';
	read_args(st, kind, a0, a1, a2, a3);
	bpf_map_update_elem(&rp_sysstart, &tid, st, BPF_ANY);
	return 0;
}

static __always_inline int on_exit(long nr, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct rp_syscall_rec *r;
	struct sys_start *st;
	struct rp_state *s;

	if (sys_kind(nr) == RP_SYS_NONE)
		return 0;
	st = bpf_map_lookup_elem(&rp_sysstart, &tid);
	if (!st)
		return 0;
	s = rp_st();
	if (s && s->recording && st->epoch == s->recording && st->nr == nr) {
		r = rp_reserve(struct rp_syscall_rec);
		if (r) {
			rp_hdr_who(&r->h, RP_REC_SYSCALL, st->kind, st->ts, &st->who);
			r->end = bpf_ktime_get_ns();
			r->ret = ret;
			r->nr = st->nr;
			r->flags = st->flags;
			r->arg = st->arg;
			__builtin_memcpy(r->fstype, st->fstype, sizeof(r->fstype));
			__builtin_memcpy(r->path, st->path, sizeof(r->path));
			rp_submit(r);
		}
	}
	bpf_map_delete_elem(&rp_sysstart, &tid);
	return 0;
}

static __always_inline int btf_enter(struct pt_regs *regs, long id)
{
	if (sys_kind(id) == RP_SYS_NONE)
		return 0;
	return on_enter(id, PT_REGS_PARM1_CORE_SYSCALL(regs), PT_REGS_PARM2_CORE_SYSCALL(regs),
			PT_REGS_PARM3_CORE_SYSCALL(regs), PT_REGS_PARM4_CORE_SYSCALL(regs));
}

SEC("tp_btf/sys_enter")
int BPF_PROG(sys_enter_btf, struct pt_regs *regs, long id)
{
	return btf_enter(regs, id);
}

SEC("raw_tp/sys_enter")
int BPF_PROG(sys_enter_raw, struct pt_regs *regs, long id)
{
	return btf_enter(regs, id);
}

/* The syscall number at exit, as syscall_get_nr() reads it on each architecture. */
static __always_inline long regs_nr(struct pt_regs *regs)
{
#if defined(__TARGET_ARCH_x86)
	return BPF_CORE_READ(regs, orig_ax);
#elif defined(__TARGET_ARCH_arm64)
	return BPF_CORE_READ(regs, syscallno);
#elif defined(__TARGET_ARCH_arm)
	return BPF_CORE_READ(regs, uregs[7]);
#else
	return -1;
#endif
}

SEC("tp_btf/sys_exit")
int BPF_PROG(sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_exit(regs_nr(regs), ret);
}

SEC("raw_tp/sys_exit")
int BPF_PROG(sys_exit_raw, struct pt_regs *regs, long ret)
{
	return on_exit(regs_nr(regs), ret);
}

SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter_tp(struct trace_event_raw_sys_enter *ctx)
{
	long id = ctx->id;

	if (sys_kind(id) == RP_SYS_NONE)
		return 0;
	return on_enter(id, ctx->args[0], ctx->args[1], ctx->args[2], ctx->args[3]);
}

SEC("tracepoint/raw_syscalls/sys_exit")
int sys_exit_tp(struct trace_event_raw_sys_exit *ctx)
{
	return on_exit(ctx->id, ctx->ret);
}
