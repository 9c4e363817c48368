// SPDX-License-Identifier: GPL-2.0-only
/* The kernel side of a run: BPF programs loaded once, recording around each trial. */
#ifndef RP_TRACE_TRACER_H
#define RP_TRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/probe.h"

struct tracer;
struct trial_kernel; /* model/kernel.h */

/*
 * On-CPU samples a second per CPU unless --oncpu-hz says otherwise: a prime, so the sampling
 * does not lock onto periodic work (timer ticks at 100, 250 or 1000 Hz).
 */
#define ONCPU_HZ_DEFAULT 199

struct tracer_opts {
	bool events_detail;   /* stream every event (for events.csv), not only the aggregates */
	pid_t engine_pid;     /* dockerd, found from the socket's peer; 0: track nothing (check) */
	unsigned probe_paths; /* paths allowed (1 << enum probe_path); 0 means all */
	bool no_stacks;	      /* do not capture kernel stacks of sleeping tasks */
	bool sleep_stacks;    /* ... and do capture them for interruptible sleeps */
	const char *btf_path; /* kernel BTF when not at /sys/kernel/btf/vmlinux; NULL: default */
	bool prog_stats;      /* every BPF program's run count and time per trial (tk->progs) */
	unsigned oncpu_hz;    /* on-CPU samples a second per CPU, 0: no sampling */
};

/* Loads and attaches what this kernel allows. Fails only if nothing useful can run. */
int tracer_open(const struct tracer_opts *opts, struct tracer **out, char *err, size_t errlen);
/* With prog_stats: "" when BPF statistics are on, else why the run times will be zero. */
const char *tracer_prog_stats_note(const struct tracer *tr);
/* Detaches and unloads everything (and unmounts tracefs if it mounted it). */
void tracer_close(struct tracer *tr);

/* Each probe, the path it uses and why better ones were not used. */
const struct probe_status *tracer_probes(const struct tracer *tr, int *n);
/* "v1 pids (hierarchy 8, subsystem 11)" or "v2". */
const char *tracer_cgroup_desc(const struct tracer *tr);
/* What /proc/kallsyms allows (trace/symbols.h); ok (may be NULL) when stacks get names. */
const char *tracer_symbols_desc(const struct tracer *tr, bool *ok);

/* Per file registered for naming user frames (trace/usyms.h): how it named them and how many
 * frames it did and did not name, over the run so far. 0, or -1 past the last file. */
struct usym_file_stats;
int tracer_usyms_stats(const struct tracer *tr, size_t i, struct usym_file_stats *out);
/* User frames the kernel gave without a build ID over the run so far (unnamed, in no file's
 * stats). */
uint64_t tracer_ustack_ip_frames(const struct tracer *tr);
/* Whether the on-CPU sampler runs (probes say why not). */
bool tracer_oncpu_on(const struct tracer *tr);

/* A container whose processes are `load` (its main pid, once it runs). */
int tracer_add_load(struct tracer *tr, const char *container_id, pid_t pid);

/* A container that already runs, whose cgroup was made while nothing was attached. */
int tracer_add_container(struct tracer *tr, pid_t pid);

/*
 * A/B measurements within one run (--alternate). tracer_detach destroys every probe's link
 * (programs, maps and the reader stay); tracer_attach attaches them again and seeds the
 * tracked tasks afresh (exits and forks went unseen meanwhile). tracer_set_stacks turns the
 * capture of kernel stacks of sleeping tasks on or off (with it off, tracer_open's no_stacks
 * still wins).
 */
bool tracer_attached(const struct tracer *tr);
void tracer_detach(struct tracer *tr);
int tracer_attach(struct tracer *tr, char *err, size_t len);
void tracer_set_stacks(struct tracer *tr, bool on);
/* --alternate oncpu: on-CPU samples taken (on) or not, from now on. */
void tracer_set_oncpu(struct tracer *tr, bool on);

/*
 * Waits (up to timeout_ns) until a TCP LISTEN by the new service (pid, a child of it, or a
 * task in the container's cgroup) is recorded: the end of the kernel's restart window may
 * come after the readiness method's (a service prints before it listens). 0 when seen.
 */
int tracer_wait_listen(struct tracer *tr, const char *container_id, pid_t pid, int64_t timeout_ns);

/* Starts recording a trial; ends it and hands over everything recorded for it. -EBUSY in
 * follow mode (as tracer_wait_listen: use tracer_first_listen there). */
int tracer_trial_begin(struct tracer *tr);
int tracer_trial_end(struct tracer *tr, struct trial_kernel **out);

/*
 * Follow mode (watch): recording stays on; the last keep_ns of records, aggregates, memory
 * samples and cgroups are kept, at most max_bytes (oldest dropped first, counted). Not with
 * trials: tracer_follow_begin is -EBUSY while a trial records, and the trial calls are -EBUSY
 * while following. -EINVAL for keep_ns under a second or max_bytes 0.
 *
 * Sizes: a record takes 72 to 368 bytes (a syscall record is the largest), an aggregate entry
 * 88, a memory sample 24 (100 a second). Typical rates: an idle engine about 20 KB/s, two
 * disk writers (stress-ng --hdd 2) about 50 KB/s, an engine busy creating, starting and
 * stopping containers back to back about 800 KB/s. At the defaults (FOLLOW_KEEP_NS,
 * FOLLOW_MAX_BYTES) the whole minute is kept unless the engine churns containers for more
 * than about ten seconds on end; then the oldest part goes first, counted, and
 * tracer_follow_stats says how far back the history reaches. bytes counts what is held; the
 * arena's allocation can be up to twice its part.
 *
 * The stack map keeps the stacks the history names; an id named by nothing for keep_ns is
 * deleted (a sleep that began before its stack was deleted loses its stack, counted in
 * stack_drops).
 */
#define FOLLOW_KEEP_NS	 (60LL * 1000000000)
#define FOLLOW_MAX_BYTES ((size_t)8 << 20)
int tracer_follow_begin(struct tracer *tr, int64_t keep_ns, size_t max_bytes);
/*
 * The kernel's view of [begin_ns, end_ns] (wall clock ns), copied out of the history (which
 * stays): records whose span meets the range, aggregates whose slot does, all cgroups known,
 * the stacks they name (symbolized), memory samples (one before and one after the range
 * too), drops counted from the last second before the range to now (they are sampled once a
 * second). tk->map.others_are_load is set: every container but the target is `load`.
 * record_begin_ns/record_end_ns are the range cut to what is kept. 0; -ERANGE when begin is
 * older than the oldest thing kept (still fills *out with what there is); -EINVAL when not
 * following; -ENOMEM.
 */
int tracer_follow_take(struct tracer *tr, int64_t begin_ns, int64_t end_ns,
		       struct trial_kernel **out);
/* Drops history older than now - keep_ns (the reader thread also calls it about once a
 * second), cgroups removed longer ago than that, and stack ids no longer named. */
void tracer_follow_prune(struct tracer *tr);
/* First TCP LISTEN recorded at or after since_ns (wall) by pid, a child of pid, or a task in
 * container_id's cgroup; its wall time, or 0. Non-blocking: what the reader has consumed
 * (it reads the ring every ~10 ms). */
int64_t tracer_first_listen(struct tracer *tr, const char *container_id, pid_t pid,
			    int64_t since_ns);
/* First exit of pid's leader thread at or after since_ns (wall), or 0: the old service's end
 * as the kernel saw it (exits are recorded for the engine's lineage, containers included). */
int64_t tracer_exit_of(struct tracer *tr, pid_t pid, int64_t since_ns);
/* The engine was restarted: its new pid's lineage is tracked from now on. 0 or -EINVAL. */
int tracer_set_engine(struct tracer *tr, pid_t engine_pid);
/* What the history holds now: oldest wall time kept (from when on it is whole), bytes held,
 * records and aggregate entries dropped for room. All 0 when not following. */
struct tracer_follow_stats {
	int64_t oldest_ns;
	size_t bytes;
	uint64_t dropped;
};
void tracer_follow_stats(struct tracer *tr, struct tracer_follow_stats *out);
/* Recording stops, the history and the stack ids it named are freed. */
void tracer_follow_end(struct tracer *tr);

#endif
