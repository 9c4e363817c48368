// SPDX-License-Identifier: GPL-2.0-only
/* The probes: which BPF object holds each, the paths it may take, and its programs' names. */
#ifndef RP_TRACE_PROBE_TABLE_H
#define RP_TRACE_PROBE_TABLE_H

#include <stdbool.h>

#include "model/probe.h"
#include "trace/loader.h"

struct bpf_object;
struct bpf_program;

#define PATH_BIT(p) (1u << (p))
/* A kernel tracepoint, through BTF, raw or through tracefs. */
#define PATHS_TRACEPOINT                                                                           \
	(PATH_BIT(PROBE_TP_BTF) | PATH_BIT(PROBE_RAW_TP) | PATH_BIT(PROBE_TRACEPOINT))
/* A kernel function, through fentry/fexit or kprobes. */
#define PATHS_KFUNC (PATH_BIT(PROBE_FENTRY) | PATH_BIT(PROBE_KPROBE))

#define PROBE_MEMBERS_MAX 4

struct probe_def {
	const char *name;
	int obj; /* enum bpf_obj_kind */
	unsigned paths;
	bool essential;
	const char *what;
	/* The tracepoints or functions it attaches to; program names are <member>_<suffix>. */
	const char *members[PROBE_MEMBERS_MAX];
};

extern const struct probe_def probe_defs[];
extern const int n_probe_defs;
/* The program-name suffixes of each path (entry, then return for function paths); the first
 * is the one the path probe tries. */
extern const char *const probe_path_suffixes[PROBE_PATH_COUNT][2];

/* "proc", "cgroup"...; "?" when out of range. */
const char *bpf_obj_name(int obj);
/* The program <member>_<suffix> in obj, or NULL. */
struct bpf_program *probe_program(struct bpf_object *obj, const char *member, const char *suffix);
/* Turns the autoload of probe i's programs on path on or off. */
void probe_set_autoload(struct bpf_object *obj, int i, int path, bool on);
/* The probe (and its path) a program name of object obj belongs to; -1 when none. */
int probe_of_program(int obj, const char *name, int *path);

#endif
