/* What the kernel recorded during one trial, in model terms (no BPF, no libbpf). */
#ifndef RP_MODEL_KERNEL_H
#define RP_MODEL_KERNEL_H

#include <stdint.h>
#include <sys/types.h>

#include "model/trial.h"

struct trial_kernel {
	int64_t wall_minus_mono_ns; /* add to a BPF timestamp to get wall-clock ns */
	int64_t clock_error_ns;
	uint64_t ring_drops;
};

void trial_kernel_free(struct trial_kernel *tk);

/* Old service's exit to the new service's first listen(), in wall-clock ns. 0, or -1. */
int kernel_restart_window(const struct trial_kernel *tk, pid_t old_pid, pid_t new_pid,
			  struct trial_window *w);

#endif
