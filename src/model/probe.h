// SPDX-License-Identifier: GPL-2.0-only
/*
 * Attach points and the paths to them: what `check` prints, what a run records in probes.csv.
 * Preference goes fentry > kprobe > tp_btf > raw_tp > tracepoint, among the paths a probe has;
 * the on-CPU sampler has one path of its own, perf_event.
 */
#ifndef RP_MODEL_PROBE_H
#define RP_MODEL_PROBE_H

#include <stdbool.h>
#include <stddef.h>

enum probe_path {
	PROBE_FENTRY,	  /* fentry/fexit (BPF trampolines) */
	PROBE_KPROBE,	  /* kprobe/kretprobe */
	PROBE_TP_BTF,	  /* BTF-typed raw tracepoint */
	PROBE_RAW_TP,	  /* raw tracepoint */
	PROBE_TRACEPOINT, /* classic (perf) tracepoint, needs tracefs */
	PROBE_PERF_EVENT, /* a perf event per CPU (the on-CPU sampler's only path) */
	PROBE_PATH_COUNT
};

#define PROBE_PATHS_ALL ((1u << PROBE_PATH_COUNT) - 1)
#define PROBE_WHY_LEN	160
#define PROBE_WHAT_LEN	256

struct probe_status {
	char name[32];
	char concern[16];	   /* the BPF object holding its programs */
	char what[PROBE_WHAT_LEN]; /* what it sees, in words (never cut: see test_probe) */
	unsigned paths;		   /* the paths this probe has */
	bool essential;		   /* without it nothing can be attributed */
	int chosen;		   /* enum probe_path, -1 when none works */
	char why[PROBE_PATH_COUNT][PROBE_WHY_LEN]; /* why a path was not used ("" when untried) */
};

const char *probe_path_name(int path);
int probe_path_from_name(const char *name);
/* "fentry,kprobe,tp_btf,raw_tp,tracepoint" (any subset, in any order) or "all". */
int probe_paths_parse(const char *list, unsigned *mask, char *err, size_t errlen);

#endif
