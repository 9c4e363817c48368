/* The kernel side of a run: BPF programs loaded once, recording around each trial. */
#ifndef RP_TRACE_TRACER_H
#define RP_TRACE_TRACER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tracer;
struct trial_kernel; /* model/kernel.h */

struct tracer_opts {
	bool events_detail; /* stream every event (for events.csv), not only the aggregates */
	pid_t engine_pid;   /* dockerd, found from the socket's peer */
};

/* Loads and attaches what this kernel allows. Fails only if nothing useful can run. */
int tracer_open(const struct tracer_opts *opts, struct tracer **out, char *err, size_t errlen);
void tracer_close(struct tracer *tr);

/* A container whose processes are `load` (its main pid, once it runs). */
int tracer_add_load(struct tracer *tr, const char *container_id, pid_t pid);

/* Starts recording a trial; ends it and hands over everything recorded for it. */
int tracer_trial_begin(struct tracer *tr);
int tracer_trial_end(struct tracer *tr, struct trial_kernel **out);

#endif
