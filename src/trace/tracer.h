// SPDX-License-Identifier: GPL-2.0-only
/* The kernel side of a run: BPF programs loaded once, recording around each trial. */
#ifndef RP_TRACE_TRACER_H
#define RP_TRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "model/probe.h"

struct tracer;
struct trial_kernel; /* model/kernel.h */

struct tracer_opts {
	bool events_detail;   /* stream every event (for events.csv), not only the aggregates */
	pid_t engine_pid;     /* dockerd, found from the socket's peer; 0: track nothing (check) */
	unsigned probe_paths; /* paths allowed (1 << enum probe_path); 0 means all */
	bool no_stacks;	      /* do not capture kernel stacks of sleeping tasks */
	bool sleep_stacks;    /* ... and do capture them for interruptible sleeps */
	const char *btf_path; /* kernel BTF when not at /sys/kernel/btf/vmlinux; NULL: default */
	bool prog_stats;      /* every BPF program's run count and time per trial (tk->progs) */
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

/*
 * Waits (up to timeout_ns) until a TCP LISTEN by the new service (pid, a child of it, or a
 * task in the container's cgroup) is recorded: the end of the kernel's restart window may
 * come after the readiness method's (a service prints before it listens). 0 when seen.
 */
int tracer_wait_listen(struct tracer *tr, const char *container_id, pid_t pid, int64_t timeout_ns);

/* Starts recording a trial; ends it and hands over everything recorded for it. */
int tracer_trial_begin(struct tracer *tr);
int tracer_trial_end(struct tracer *tr, struct trial_kernel **out);

#endif
