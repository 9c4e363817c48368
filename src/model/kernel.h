// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the kernel recorded during one trial, in model terms (no BPF, no libbpf): the events
 * streamed one by one, the per-slot aggregates, the cgroups known, and, once attributed to
 * the trial's phases, the per (phase, actor) figures and the list of programs exec'd.
 * All times are wall-clock ns (the trace layer converts BPF's monotonic clock).
 */
#ifndef RP_MODEL_KERNEL_H
#define RP_MODEL_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/actor.h"
#include "model/trial.h"

#define KEV_COMM_LEN	16
#define KEV_NAME_LEN	128
#define KEV_PATH_LEN	256
#define KEV_FSTYPE_LEN	16
#define KEV_EXE_LEN	48
#define KSTACK_DEPTH	48
#define KLOAD_MAX	16
#define KEXEC_NAMES_LEN 256

enum kev_type {
	KEV_EXEC,
	KEV_FORK,
	KEV_EXIT,
	KEV_CGROUP,
	KEV_SYSCALL,
	KEV_LISTEN,
	KEV_BIO,
	KEV_OFFCPU,
	KEV_NET,
	KEV_OVL,
	KEV_TYPE_COUNT
};

enum kev_cgroup_op {
	KCG_MKDIR = 1,
	KCG_RMDIR,
	KCG_ATTACH
};
enum kev_sys_kind {
	KSYS_MOUNT = 1,
	KSYS_UMOUNT,
	KSYS_SETNS,
	KSYS_UNSHARE,
	KSYS_FSYNC, /* the blocking file calls of the engine, from here on */
	KSYS_FDATASYNC,
	KSYS_SYNC,
	KSYS_SYNCFS,
	KSYS_SYNC_FILE_RANGE,
	KSYS_RENAME,
	KSYS_RENAMEAT,
	KSYS_UNLINK,
	KSYS_UNLINKAT,
	KSYS_FLOCK,
	KSYS_KIND_COUNT
};
/* Bits of kevent.sys.flags. */
#define KSYSF_DELETED	1 /* the file had no name left when the call began */
#define KSYSF_TRUNCATED 2 /* the path was cut (too long or too deep) */
#define KSYSF_RELATIVE	4 /* a relative name whose directory was not known */

/* Why pages were written back (see bpf/wb.bpf.c). */
enum kwb_reason {
	KWB_OTHER,
	KWB_BACKGROUND,
	KWB_PERIODIC,
	KWB_SYNC,
	KWB_RECLAIM,
	KWB_REASON_COUNT
};
enum kev_off_state {
	KOFF_RUNQ,
	KOFF_IOWAIT,
	KOFF_BLOCKED,
	KOFF_SLEEP
};
enum kev_bio_op {
	KBIO_READ,
	KBIO_WRITE,
	KBIO_FLUSH,
	KBIO_DISCARD,
	KBIO_OTHER
};
enum kev_net_kind {
	KNET_VETH_XMIT = 1,
	KNET_BRIDGE_XMIT,
	KNET_FDB_ADD,
	KNET_FDB_UPDATE,
	KNET_FDB_DELETE,
	KNET_VETH_NEWLINK,
	KNET_VETH_DELLINK,
	KNET_BR_ADD_IF,
	KNET_BR_DEL_IF,
	KNET_KIND_COUNT
};
enum kev_ovl_fn {
	KOVL_LOOKUP = 1,
	KOVL_CREATE,
	KOVL_COPY_UP,
	KOVL_FN_COUNT
};

/* Aggregate kinds, in the order of the BPF side's (see trace/convert.c). */
enum kagg_kind {
	KAGG_OFF_IOWAIT,
	KAGG_OFF_BLOCKED,
	KAGG_OFF_SLEEP,
	KAGG_RUNQ,
	KAGG_BIO_READ,
	KAGG_BIO_WRITE,
	KAGG_BIO_OTHER,
	KAGG_EXEC,
	KAGG_FORK,
	KAGG_NET,
	KAGG_OVL,
	KAGG_WB,	 /* pages written back (bytes: pages), sub: kwb_reason, who: the dirtier */
	KAGG_ONCPU,	 /* on-CPU samples: count, sum_ns (samples x period); sub: kernel stack,
			    ustackid: user stack */
	KAGG_ONCPU_TIME, /* on-CPU runs ended in the slot: count, sum_ns, max_ns (the longest),
			    queue_ns (where in the slot the last ended), bytes (how long before
			    the slot's end the first began) */
	KAGG_KIND_COUNT
};

struct kevent {
	int type;    /* kev_type */
	int64_t ts;  /* the event; spans: their beginning (off-CPU: left the CPU; I/O: queued) */
	int64_t end; /* spans: their end (back on a CPU, completed, returned); == ts otherwise */
	struct kev_task who;
	int actor; /* enum actor, filled by kernel_attribute(); -1 before */
	union {
		struct {
			int32_t old_tid;
			char filename[KEV_NAME_LEN];
			char exe[KEV_EXE_LEN]; /* the file run: "runc" for /proc/self/exe */
		} exec;
		struct {
			int32_t child_pid, child_tid;
			int thread;
		} fork;
		struct {
			int code; /* wait(2) status */
			int group_dead;
			int64_t start; /* wall ns of the task's fork */
		} exit;
		struct {
			int op; /* kev_cgroup_op */
			int root;
			int level;
			int32_t task_tid;
			uint64_t id;
			char path[KEV_NAME_LEN];
		} cgroup;
		struct {
			int kind; /* kev_sys_kind */
			int nr;
			int overlay; /* an overlay mount, or the unmount of a known overlay mount */
			int flags;   /* KSYSF_* */
			int64_t ret;
			uint64_t arg;
			char fstype[KEV_FSTYPE_LEN];
			char path[KEV_PATH_LEN];
		} sys;
		struct {
			int port, family;
		} listen;
		struct {
			int64_t insert; /* 0 when issued directly */
			int64_t issue;
			uint64_t sector;
			uint32_t dev;
			uint32_t bytes;
			int op, flags, error;
		} bio;
		struct {
			int state; /* kev_off_state */
			int32_t stackid;
			int64_t wake;
			int32_t waker_pid, waker_tid;
			char waker_comm[KEV_COMM_LEN];
		} off;
		struct {
			int kind; /* kev_net_kind */
			uint32_t ifindex, len;
			int64_t ret;
			char dev[KEV_COMM_LEN];
		} net;
		struct {
			int fn; /* kev_ovl_fn */
			int64_t ret;
		} ovl;
	};
};

/* One in-kernel aggregate entry: what `who` did in one time slot. */
struct kagg {
	int kind; /* kagg_kind */
	int64_t slot_start;
	int64_t slot_ns;
	struct kev_task who; /* pid is 0 when summed over processes; tid is empty; comm is the
				process's (or the load's), empty for other tasks; WB: the inode's
				dirtier, cgid 0 when unknown */
	int32_t sub; /* off-CPU: stack id (-1 none); NET: kev_net_kind; OVL: kev_ovl_fn; WB: reason
		      */
	int32_t ustackid; /* ONCPU: the user stack's id (-1 none); -1 for other kinds */
	uint64_t count, sum_ns, max_ns, bytes, queue_ns;
	int actor;
};

struct kwait; /* model/waits.h */

struct kstack {
	int32_t id;
	int depth;
	uint64_t ip[KSTACK_DEPTH]; /* leaf first, as the kernel gives it */
	char *folded; /* symbolized, root first, ';'-joined (malloc'd; NULL until symbolized) */
	uint64_t folded_hash; /* stack_hash() of folded, 0 until symbolized */
};

/* One user frame as the kernel gives it: the file's build ID and the offset in it, or only
 * the address when the kernel could not read the build ID (status KUFRAME_IP). */
#define KBUILD_ID_LEN 20
enum kuframe_status {
	KUFRAME_EMPTY = 0,
	KUFRAME_VALID = 1,
	KUFRAME_IP = 2,
};
struct kuframe {
	int status; /* kuframe_status */
	uint8_t build_id[KBUILD_ID_LEN];
	uint64_t off; /* VALID: offset in the file; IP: the address */
};

/* A user stack of on-CPU samples. */
struct kustack {
	int32_t id;
	int depth;
	struct kuframe f[KSTACK_DEPTH]; /* leaf first */
	char *folded; /* named, root first, ';'-joined (malloc'd; NULL until named) */
};

/* A user stack and a kernel stack joined (see trial_kernel_oncpu_folded). */
struct kjoined {
	int32_t ustackid, stackid;
	char *folded;
};

/* /proc/meminfo's Dirty and Writeback at one moment. */
struct kmem_sample {
	int64_t ts;
	int64_t dirty_kib, writeback_kib;
};

/* Per phase and actor. */
struct kphase_stats {
	int64_t bio_reqs, bio_bytes, bio_dev_ns_sum, bio_dev_ns_max, bio_queue_ns;
	int64_t iowait_ns, blocked_ns, runq_ns;
	int64_t execs, forks, exits;
	int64_t mounts, mount_ns, ovl_mounts, ovl_mount_ns;
	int64_t net_events;
	int64_t sleep_ns;		  /* interruptible sleep, summed over tasks */
	int64_t syncs, sync_ns;		  /* fsync, fdatasync, sync, syncfs, sync_file_range */
	int64_t renames, unlinks;	  /* rename(at)(2), unlink(at) */
	int64_t flocks, flock_ns;	  /* flock */
	int64_t wb_pages;		  /* pages written back that this actor dirtied */
	char exec_names[KEXEC_NAMES_LEN]; /* ;-joined, in time order, "..." when cut */
};

/* A program exec'd during the trial and how long it ran as that program. */
struct kexec {
	int64_t start;
	int64_t end; /* its exit or next exec; -1 when neither was seen */
	int phase;   /* enum phase holding start, -1 outside the window */
	int actor;
	int32_t pid, ppid;
	int exit_code;		/* -1 unless it ended by exit */
	char comm[KEV_EXE_LEN]; /* the program's name (see exec_name in kernel.c) */
	char filename[KEV_NAME_LEN];
};

/* One BPF program's work during a trial (--prog-stats): the kernel's own counters' change. */
#define KPROG_NAME_LEN 64
struct kprog {
	uint32_t id;
	char name[KPROG_NAME_LEN]; /* ours: the full program name; others: the kernel's 15 chars */
	char type[24];		   /* "tracing", "raw_tracepoint", "tracepoint", "kprobe"... */
	bool own;		   /* one of restartprof's */
	uint64_t run_cnt, run_time_ns;
};

/* Per phase, not per actor: the writeback context. */
struct kphase_wb {
	int64_t dirty_kib_begin, dirty_kib_end; /* -1 when not sampled */
	int64_t writeback_kib_begin, writeback_kib_end;
	int64_t pages[KWB_REASON_COUNT]; /* written back in the phase, by reason */
	int64_t pages_unknown;		 /* ... of inodes whose dirtier is unknown */
};

/* Where the stack of an id sits in its array. */
struct kstack_ref {
	int32_t id;
	uint32_t at;
};

struct trial_kernel {
	int64_t wall_minus_mono_ns; /* added to a BPF timestamp gives wall-clock ns */
	int64_t clock_error_ns;
	uint64_t ring_drops, agg_drops, stack_drops, track_drops;
	uint64_t stacks_captured, stack_ns; /* stacks taken (kernel and user), the time it took */
	uint64_t oncpu_samples;		    /* on-CPU samples of engine and target tasks */
	uint64_t ustack_ip_frames;	    /* frames of its user stacks given without a build ID */
	int64_t page_size;		    /* bytes per page, for the writeback counts */
	int64_t record_begin_ns, record_end_ns; /* when recording ran, wall */

	struct kevent *ev;
	size_t n_ev, cap_ev;
	struct kagg *agg;
	size_t n_agg, cap_agg;
	struct kcgroup *cg;
	size_t n_cg, cap_cg;
	struct kstack *stacks;
	size_t n_stacks, cap_stacks;
	struct kustack *ustacks; /* user stacks of the ONCPU aggregates */
	size_t n_ustacks, cap_ustacks;
	/* Both stacks' ids in id order (trial_kernel_index_stacks), for the lookups by id. */
	struct kstack_ref *stack_refs, *ustack_refs;
	size_t n_stack_refs, n_ustack_refs;
	struct kmem_sample *mem; /* in time order */
	size_t n_mem, cap_mem;
	struct actor_map map; /* hierarchy, load containers (the cgroups live in cg) */
	struct kprog *progs;  /* --prog-stats: programs that ran in the trial, and all of ours */
	size_t n_progs;

	/* Filled by kernel_attribute(). */
	bool attributed;
	struct kphase_stats by[PH_COUNT][ACTOR_COUNT];
	struct kphase_wb wb[PH_COUNT];
	struct kexec *execs;
	size_t n_execs;
	/* Filled by kernel_waits() (model/waits.h). */
	struct kwait *waits;
	size_t n_waits;
	struct kjoined *joined; /* the folded stacks of on-CPU waits (user then kernel frames) */
	size_t n_joined, cap_joined;
	/* Filled by kernel_restart_window(). */
	int64_t old_exit_ns, new_exec_ns, new_listen_ns;
};

/* Growing arrays; -ENOMEM on failure. */
int trial_kernel_reserve(struct trial_kernel *tk, size_t n_ev, size_t n_agg);
int trial_kernel_add_event(struct trial_kernel *tk, const struct kevent *e);
int trial_kernel_add_agg(struct trial_kernel *tk, const struct kagg *a);
int trial_kernel_add_cgroup(struct trial_kernel *tk, const struct kcgroup *c);
int trial_kernel_add_stack(struct trial_kernel *tk, const struct kstack *s);
int trial_kernel_add_mem(struct trial_kernel *tk, const struct kmem_sample *m);
int trial_kernel_add_ustack(struct trial_kernel *tk, const struct kustack *s);
/* The user stack of that id, NULL when not collected. */
const struct kustack *trial_kernel_ustack(const struct trial_kernel *tk, int32_t id);
/* Indexes the stacks collected so far by id; those added later are looked for one by one.
 * 0 or -ENOMEM (then every lookup goes one by one). */
int trial_kernel_index_stacks(struct trial_kernel *tk);
/*
 * The folded stack of an on-CPU aggregate: its user frames then its kernel frames, root
 * first, kept with the trial (one string per pair of stacks); NULL when it has neither, or
 * -ENOMEM in *err.
 */
const char *trial_kernel_oncpu_folded(struct trial_kernel *tk, const struct kagg *g, int *err);
/* Frees those strings. */
void trial_kernel_drop_joined(struct trial_kernel *tk);
/* The stack of that id, NULL when not collected. */
const struct kstack *trial_kernel_stack(const struct trial_kernel *tk, int32_t id);
void trial_kernel_free(struct trial_kernel *tk);
/* Drops reported for the trial: ring, aggregate and tracking drops (stack ids are separate). */
uint64_t trial_kernel_drops(const struct trial_kernel *tk);

/* Sorts the events by time (stable), as the ring delivers them per CPU. */
void trial_kernel_sort(struct trial_kernel *tk);

/*
 * The kernel's restart window: the exit of the old service's main process (old_pid's
 * leader thread, its first exit after recording began) to the first TCP LISTEN, after that
 * exit, by a process of the new container (cgroup of new_id, or a descendant of new_pid).
 * The new service's exec (new_pid's first exec after the exit) is kept in new_exec_ns.
 * 0 and w filled, or -1 when the exit or the listen was not seen.
 */
int kernel_restart_window(struct trial_kernel *tk, const char *new_id, pid_t old_pid, pid_t new_pid,
			  struct trial_window *w);

/*
 * Gives every event and aggregate an actor (old and new container of t are `target`) and,
 * when t's phases are tiled (status ok), adds everything up per (phase, actor) and lists the
 * execs. Instants count in the phase holding them (a phase is [start, end)); off-CPU spans,
 * mount durations are split over the phases they overlap; block requests count in the phase
 * in which their first bio was queued; aggregates in the phase holding their slot's middle.
 */
int kernel_attribute(struct trial_kernel *tk, const struct trial *t);

/* The phase holding ts (-1 outside the window or in no phase). */
int phase_at(const struct trial *t, int64_t ts);

const char *kev_type_name(int type);
const char *kev_off_state_name(int state);
const char *kev_bio_op_name(int op);
const char *kev_net_kind_name(int kind);
const char *kev_ovl_fn_name(int fn);
const char *kev_sys_kind_name(int kind);
const char *kev_cgroup_op_name(int op);
const char *kwb_reason_name(int reason);
/* The blocking file calls: fsync, fdatasync, sync, syncfs, sync_file_range. */
bool kev_sys_is_sync(int kind);
/* Whether a call's kind names a file or mount point (everything but setns, unshare). */
bool kev_sys_has_path(int kind);

#endif
