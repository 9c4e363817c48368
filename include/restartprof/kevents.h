// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the BPF programs (bpf/) hand to userspace (src/trace/): the records of the ring
 * buffer, the keys and values of the in-kernel aggregates, the shared maps' values and the
 * configuration in .rodata. Included by both sides: keep it free of anything but fixed-size
 * types. Times are bpf_ktime_get_ns() (CLOCK_MONOTONIC); userspace moves them to the wall
 * clock.
 */
#ifndef RESTARTPROF_KEVENTS_H
#define RESTARTPROF_KEVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define RP_COMM_LEN    16
#define RP_NAME_LEN    128 /* exec filenames, cgroup paths */
#define RP_PATH_LEN    256 /* files and mount points of blocking calls, resolved in the kernel */
#define RP_PATH_DEPTH  24  /* steps walked up from a dentry: names and mounts crossed */
#define RP_FSTYPE_LEN  16
#define RP_EXE_LEN     48
#define RP_STACK_DEPTH 48
/* Kernel stack ids: those of the stack map (bpf_get_stackid of the current task) lie below
 * RP_STACK_IDS; those of woken tasks (bpf_get_task_stack, see sched.bpf.c) from there on, one
 * per hash bucket of the task stack map. */
#define RP_STACK_IDS	  4096
#define RP_TASK_STACK_IDS 1024
/* Aggregate entries (slot, task, stack, kind): userspace drains them every 250 ms; a few
 * hundred are in use then on a busy device, and a full map is counted as a drop. */
#define RP_AGG_ENTRIES 4096
/* User stacks of on-CPU samples (build ID and offset per frame, 32 bytes each): the distinct
 * stacks of one trial; userspace deletes them once copied. */
#define RP_USTACK_ENTRIES 2048
#define RP_SYS_MAX	  512 /* syscall numbers the syscall table covers */
#define RP_MAX_SUBSYS	  16  /* bound for the v1 controller index */

/* Lineage hint kept for every tracked task (seeded by userspace, inherited on fork). */
enum rp_hint {
	RP_HINT_NONE = 0,
	RP_HINT_ENGINE = 1, /* dockerd, containerd, shims, and every task they spawned */
};

/* Bits of rp_who.flags and rp_agg_key.flags. */
enum rp_task_flags {
	RP_TF_KTHREAD = 1, /* PF_KTHREAD */
	RP_TF_RUNC = 2,	   /* runc before it execs the container's program (see rp_is_runc) */
	RP_TF_LOADCG = 4,  /* cgroup marked as a load container's by userspace */
	RP_TF_TRACKED = 8, /* in the tracked-task map */
};

/* Roles userspace gives cgroups in the rp_cgroups map. */
enum rp_cg_role {
	RP_CG_LOAD = 1,
};

/* What a syscall number means to the syscall programs (rp_config.sys_kind). */
enum rp_sys_kind {
	RP_SYS_NONE = 0,
	RP_SYS_MOUNT,
	RP_SYS_UMOUNT,
	RP_SYS_SETNS,
	RP_SYS_UNSHARE,
	/* Blocking file calls of tracked tasks: the file is resolved in the kernel at entry. */
	RP_SYS_FSYNC,		/* fd */
	RP_SYS_FDATASYNC,	/* fd */
	RP_SYS_SYNC,		/* - */
	RP_SYS_SYNCFS,		/* fd */
	RP_SYS_SYNC_FILE_RANGE, /* fd, ..., flags */
	RP_SYS_RENAME,		/* old, new */
	RP_SYS_RENAMEAT,	/* olddirfd, old, newdirfd, new (renameat2: flags too) */
	RP_SYS_UNLINK,		/* path */
	RP_SYS_UNLINKAT,	/* dirfd, path, flags */
	RP_SYS_FLOCK,		/* fd, operation */
	RP_SYS_KIND_COUNT,
};

/* Bits of rp_syscall_rec.flags. */
enum rp_sys_flags {
	RP_SYSF_DELETED = 1,   /* the file had no name left (unlinked while open) */
	RP_SYSF_TRUNCATED = 2, /* the path was longer than RP_PATH_LEN or RP_PATH_DEPTH */
	RP_SYSF_RELATIVE = 4,  /* a relative name whose directory could not be resolved */
};

/* Why the flusher wrote pages back (the kernel's enum wb_reason, folded). */
enum rp_wb_reason {
	RP_WB_OTHER = 0,  /* laptop mode, free space, foreign flush, ... */
	RP_WB_BACKGROUND, /* dirty memory above the background threshold */
	RP_WB_PERIODIC,	  /* dirty for longer than dirty_expire_centisecs */
	RP_WB_SYNC,	  /* sync(2), syncfs(2), umount, or a task's WB_SYNC_ALL writeback */
	RP_WB_RECLAIM,	  /* memory reclaim */
	RP_WB_REASON_COUNT,
};

enum rp_rec_type {
	RP_REC_EXEC = 1,
	RP_REC_FORK,
	RP_REC_EXIT,
	RP_REC_CGROUP,
	RP_REC_SYSCALL,
	RP_REC_LISTEN,
	RP_REC_BIO,
	RP_REC_OFFCPU,
	RP_REC_NET,
	RP_REC_OVL,
};

enum rp_cgroup_op {
	RP_CG_MKDIR = 1,
	RP_CG_RMDIR,
	RP_CG_ATTACH,
};

/* Off-CPU states, from the task's state when it left the CPU. */
enum rp_off_state {
	RP_OFF_RUNQ = 0,    /* preempted: runnable all along, the span is run-queue wait */
	RP_OFF_IOWAIT = 1,  /* uninterruptible, in io_schedule() */
	RP_OFF_BLOCKED = 2, /* uninterruptible, not I/O (locks, ...) */
	RP_OFF_SLEEP = 3,   /* interruptible, idle (TASK_IDLE) or anything else */
};

enum rp_bio_op {
	RP_BIO_READ = 0,
	RP_BIO_WRITE = 1,
	RP_BIO_FLUSH = 2,
	RP_BIO_DISCARD = 3,
	RP_BIO_OTHER = 4,
};

enum rp_bio_flags {
	RP_BIOF_SYNC = 1,
	RP_BIOF_META = 2,
	RP_BIOF_FUA = 4,
	RP_BIOF_PREFLUSH = 8,
};

enum rp_net_kind {
	RP_NET_VETH_XMIT = 1,
	RP_NET_BRIDGE_XMIT,
	RP_NET_FDB_ADD,
	RP_NET_FDB_UPDATE,
	RP_NET_FDB_DELETE,
	RP_NET_VETH_NEWLINK,
	RP_NET_VETH_DELLINK,
	RP_NET_BR_ADD_IF,
	RP_NET_BR_DEL_IF,
	RP_NET_KIND_COUNT,
};

enum rp_ovl_fn {
	RP_OVL_LOOKUP = 1,
	RP_OVL_CREATE,
	RP_OVL_COPY_UP,
	RP_OVL_FN_COUNT,
};

/* The task an event is about (for block I/O: the submitter of its first bio). */
struct rp_who {
	__u64 cgid; /* v1: the chosen controller's cgroup; v2: the default hierarchy's */
	__u32 pid;  /* tgid */
	__u32 tid;
	__u32 ppid; /* real parent's tgid */
	__u8 hint;
	__u8 flags;
	__u16 pad;
	char comm[RP_COMM_LEN];
};

struct rp_hdr {
	__u64 ts;
	__u32 type; /* rp_rec_type */
	__u32 sub;  /* per type: cgroup op, syscall kind, net kind, ovl fn, off-CPU state */
	struct rp_who who;
};

struct rp_exec_rec {
	struct rp_hdr h;
	__u32 old_tid; /* a non-leader thread that exec'd becomes the leader */
	__u32 pad;
	char filename[RP_NAME_LEN]; /* as given to execve: /proc/self/exe, /dev/fd/6... */
	char exe[RP_EXE_LEN];	    /* the name of the file actually run (mm->exe_file) */
};

struct rp_fork_rec {
	struct rp_hdr h; /* who: the parent */
	__u32 child_pid;
	__u32 child_tid;
	__u32 is_thread;
	__u32 pad;
};

struct rp_exit_rec {
	struct rp_hdr h;
	__u64 start_ns;	 /* when the task was forked (same clock) */
	__s32 exit_code; /* as wait(2) reports it */
	__u32 group_dead;
};

struct rp_cgroup_rec {
	struct rp_hdr h; /* who: the task that made, removed or moved into the cgroup */
	__u64 id;	 /* kernfs id of the cgroup in its hierarchy */
	__s32 root;	 /* hierarchy id (0: the v2 default hierarchy) */
	__s32 level;
	__u32 task_tid; /* ATTACH: the task moved */
	__u32 pad;
	char path[RP_NAME_LEN];
};

struct rp_syscall_rec {
	struct rp_hdr h; /* ts: entry */
	__u64 end;
	__s64 ret;
	__u32 nr;
	__u32 flags; /* rp_sys_flags */
	__u64 arg;   /* mount/umount/unlinkat/renameat2/sync_file_range flags, setns/unshare
			namespace type, flock operation, the fd of fd calls */
	char fstype[RP_FSTYPE_LEN];
	char path[RP_PATH_LEN]; /* mount point, umount target; the file of fd calls; unlink's
				   name; rename's new name */
};

struct rp_listen_rec {
	struct rp_hdr h;
	__u16 port;
	__u16 family;
	__u32 pad;
};

struct rp_bio_rec {
	struct rp_hdr h; /* ts: the first bio queued (or the insert, if no bio was seen) */
	__u64 insert;	 /* 0 when the request was issued directly */
	__u64 issue;
	__u64 complete;
	__u64 sector;
	__u32 dev; /* major << 20 | minor, as the kernel's dev_t */
	__u32 bytes;
	__u32 op; /* rp_bio_op */
	__u32 flags;
	__s32 error;
	__u32 pad;
};

struct rp_offcpu_rec {
	struct rp_hdr h; /* ts: left the CPU; sub: rp_off_state */
	__u64 wake;	 /* woken (== ts when preempted) */
	__u64 end;	 /* back on a CPU */
	__s32 stackid;	 /* kernel stack when it left, -1 none */
	__u32 waker_pid;
	__u32 waker_tid;
	__u32 pad;
	char waker_comm[RP_COMM_LEN];
};

struct rp_net_rec {
	struct rp_hdr h; /* sub: rp_net_kind; ts: the event, or the function's entry */
	__u64 end;	 /* the function's return (== ts for tracepoints) */
	__s64 ret;
	__u32 ifindex;
	__u32 len;
	char dev[RP_COMM_LEN];
};

struct rp_ovl_rec {
	struct rp_hdr h; /* sub: rp_ovl_fn */
	__u64 end;
	__s64 ret;
};

/* In-kernel aggregates, one entry per time slot and who. */
enum rp_agg_kind {
	RP_AGG_OFF_IOWAIT = 1, /* these four as rp_off_state + 1 */
	RP_AGG_OFF_BLOCKED,
	RP_AGG_OFF_SLEEP,
	RP_AGG_RUNQ,
	RP_AGG_BIO_READ,
	RP_AGG_BIO_WRITE,
	RP_AGG_BIO_OTHER,
	RP_AGG_EXEC,
	RP_AGG_FORK,
	RP_AGG_NET,	   /* key.stackid holds the rp_net_kind */
	RP_AGG_OVL,	   /* key.stackid holds the rp_ovl_fn */
	RP_AGG_WB,	   /* pages written back, by the inode's dirtier: stackid holds the
			      rp_wb_reason, bytes the pages */
	RP_AGG_ONCPU,	   /* on-CPU samples: count the samples, sum_ns samples x period; stackid
			      the kernel stack, ustackid the user stack */
	RP_AGG_ONCPU_TIME, /* on-CPU time measured by the scheduler: runs ended in the slot,
			      sum_ns their time, max_ns the longest, queue_ns where in the slot
			      the last ended, bytes how long before its end the first began;
			      stackid -1 */
	RP_AGG_KIND_COUNT,
};

struct rp_agg_key {
	__u64 slot; /* ts / slot_ns: off-CPU at leaving the CPU, run-queue at wake-up, I/O at
		       its first bio, others at the event */
	__u64 cgid;
	__u32 tgid;    /* 0 when summed over the processes of a cgroup (load, other) */
	__s32 stackid; /* off-CPU: the stack, -1 none; NET/OVL: the kind */
	__u16 kind;    /* rp_agg_kind */
	__u8 hint;
	__u8 flags;
	__s32 ustackid; /* ONCPU: the user stack (rp_ustacks), -1 none; -1 for other kinds */
	char comm[RP_COMM_LEN]; /* per-process entries (tgid != 0) and load: the task's comm */
};

struct rp_agg_val {
	__u64 count;
	__u64 sum_ns; /* off-CPU/run-queue time; I/O: device time (issue to completion) */
	__u64 max_ns;
	__u64 bytes;
	__u64 queue_ns; /* I/O: queued to issued */
};

/* The one entry of the rp_state array, written by userspace only. */
struct rp_state {
	__u32 recording; /* 0 between trials (programs return at once), else the trial's number */
	__u32 gen;	 /* which of the two aggregate maps the programs fill */
	__u32 flags;	 /* rp_state_flags, switched by userspace between trials */
	__u32 pad;
};

/* Bits of rp_state.flags. */
enum rp_state_flags {
	RP_STATE_NO_STACKS = 1, /* capture no kernel stacks now (--alternate stacks, even trials) */
	RP_STATE_NO_ONCPU = 2,	/* take no on-CPU samples now (--alternate oncpu, even trials) */
};

/* The per-CPU entry of the rp_counters array, written by the programs only. */
struct rp_counters {
	__u64 ring_drops;  /* ring buffer full: a record lost */
	__u64 agg_drops;   /* aggregate map full: a count lost */
	__u64 stack_drops; /* no stack id (map full, or no stack) */
	__u64 track_drops; /* tracked-task or pending-state map full */
	__u64 stacks;	   /* kernel stacks captured (bpf_get_stackid calls that succeeded) */
	__u64 stack_ns;	   /* time spent in bpf_get_stackid, measured around each call */
	__u64 samples;	   /* on-CPU samples taken (of tracked tasks, while recording) */
};

/* Bits of rp_config.stacks. */
enum rp_stacks {
	RP_STACKS_WAITS = 1, /* tracked tasks' uninterruptible sleeps and run-queue waits */
	RP_STACKS_SLEEP = 2, /* ... and their interruptible sleeps (idle threads: many) */
};

/* Per-skeleton .rodata, filled by userspace before load. */
struct rp_config {
	__s32 cgroup_ssid; /* v1 controller's subsystem index; -1: the v2 default hierarchy */
	__u32 detail;	   /* stream every event, aggregate nothing */
	__u64 long_span_ns;
	__u64 slot_ns;
	__u32 stacks;	   /* rp_stacks bits: which kernel stacks to capture */
	__u32 stacks_load; /* ... also of load tasks (uninterruptible sleeps only) */
	__u32 rq_has_q;	   /* block_rq_* tracepoints take (q, rq): kernels before 5.11 */
	__u32 self_tgid;
	__u64 oncpu_period_ns; /* the on-CPU sampling period, when a sample does not say */
	__u64 runq_stack_ns;   /* a run-queue wait after a sleep this long takes the task's stack */
	__u8 sys_kind[RP_SYS_MAX]; /* rp_sys_kind by syscall number */
};

#endif
