// SPDX-License-Identifier: GPL-2.0-only
/*
 * --prog-stats: what every BPF program on the machine did during a trial, from the kernel's
 * own counters (bpf_prog_info.run_cnt and run_time_ns, kept while BPF statistics are on).
 * Snapshots before and after a trial; their difference per program.
 */
#ifndef RP_TRACE_PROGSTATS_H
#define RP_TRACE_PROGSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "model/kernel.h"

struct prog_snap {
	uint32_t id;
	uint64_t run_cnt, run_time_ns;
	char name[16];
	char type[24];
};

struct prog_snaps {
	struct prog_snap *v;
	size_t n, cap;
};

/* One of restartprof's own programs: its id and full name. */
struct own_prog {
	uint32_t id;
	char name[KPROG_NAME_LEN];
};

/* Reads every program on the machine (needs CAP_SYS_ADMIN). 0 or -errno. */
int prog_snaps_read(struct prog_snaps *s);
void prog_snaps_free(struct prog_snaps *s);

/*
 * The change from before to after, as kprog rows (heap, *n of them): every program whose run
 * count grew, and each of ours even if it did not run; ours carry their full names. Programs
 * loaded during the trial count from zero; a program gone by the end is not listed. Pure.
 */
int prog_snaps_delta(const struct prog_snaps *before, const struct prog_snaps *after,
		     const struct own_prog *own, size_t n_own, struct kprog **out, size_t *n);

/* Keeps BPF statistics on while the returned fd is open (BPF_ENABLE_STATS); -errno if not. */
int prog_stats_enable(void);

#endif
