// SPDX-License-Identifier: GPL-2.0-only
/* The on-CPU sampler's attachment: a software CPU-clock perf event per online CPU. */
#ifndef RP_TRACE_ONCPU_ATTACH_H
#define RP_TRACE_ONCPU_ATTACH_H

#include <stddef.h>

struct bpf_link;
struct bpf_program;

/*
 * Opens a PERF_COUNT_SW_CPU_CLOCK event at hz samples a second on every online CPU and
 * attaches prog to each; the links (which close their events when destroyed) go to a new
 * array *links of *n. 0, or -1 with why (and nothing left open).
 */
int oncpu_attach(struct bpf_program *prog, unsigned hz, struct bpf_link ***links, int *n, char *why,
		 size_t len);

#endif
