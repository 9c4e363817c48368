// SPDX-License-Identifier: GPL-2.0-only
/*
 * Loading the BPF objects (one per concern: proc, cgroup, sched, blkio, sys, net, ovl, wb) with
 * the best path this kernel allows for each probe, falling back on load and attach failures,
 * and sharing the maps every object declares (tracked tasks, cgroup roles, state, counters,
 * ring buffer, aggregates, stacks) through bpf_map__reuse_fd.
 */
#ifndef RP_TRACE_LOADER_H
#define RP_TRACE_LOADER_H

#include <stdbool.h>
#include <stddef.h>

#include "model/probe.h"
#include "restartprof/kevents.h"

struct btf;
struct bpf_link;
struct bpf_object;
struct pathprobe;

/* The BPF objects, one per concern (bpf/<name>.bpf.c). */
enum bpf_obj_kind {
	BPF_OBJ_PROC,
	BPF_OBJ_CGROUP,
	BPF_OBJ_SCHED,
	BPF_OBJ_BLKIO,
	BPF_OBJ_SYS,
	BPF_OBJ_NET,
	BPF_OBJ_OVL,
	BPF_OBJ_WB,
	BPF_OBJ_ONCPU,
	BPF_OBJ_COUNT
};

/* The maps every object declares and all share (bpf_map__reuse_fd). */
enum shared_map {
	SHARED_MAP_TRACKED,
	SHARED_MAP_CGROUPS,
	SHARED_MAP_STATE,
	SHARED_MAP_COUNTERS,
	SHARED_MAP_EVENTS,
	SHARED_MAP_AGG0,
	SHARED_MAP_AGG1,
	SHARED_MAP_STACKS,
	SHARED_MAP_WHOGEN,
	SHARED_MAP_TASK_STACKS, /* the scheduling object's only */
	SHARED_MAP_USTACKS,	/* the on-CPU object's only */
	SHARED_MAP_COUNT
};

#define LOADER_MAX_PROBES 32
#define LOADER_MAX_LINKS  48

struct loaded_object {
	void *skel;
	struct bpf_object *obj;
	struct bpf_link *links[LOADER_MAX_LINKS];
	int n_links;
	struct bpf_link **plinks; /* perf_event programs: a link per CPU */
	int n_plinks;
	char why[PROBE_WHY_LEN]; /* why the object did not load at all, "" otherwise */
};

struct loader {
	/* In. */
	unsigned allowed; /* PROBE_PATHS_ALL unless the user restricted them */
	struct rp_config cfg;
	unsigned ring_bytes;
	const char *btf_path; /* kernel BTF when not at the standard place; NULL: libbpf finds it */
	struct pathprobe *pp;
	unsigned oncpu_hz; /* on-CPU sampling frequency, 0: the sampler stays off */
	/* Out. */
	struct probe_status probes[LOADER_MAX_PROBES];
	int n_probes;
	struct loaded_object objs[BPF_OBJ_COUNT];
	int shared[SHARED_MAP_COUNT]; /* fds, -1 until an object made them */
};

void loader_init(struct loader *l);
/* Loads and attaches everything it can. Fails (-1, why in err) only when an essential probe
 * (fork, exit) cannot run. */
int loader_run(struct loader *l, char *err, size_t len);
/*
 * Asks l->pp, before anything loads, every question that needs the kernel's BTF (the fentry
 * and tp_btf targets, as loader_run would ask them): the path probe keeps the answers, and
 * the caller can free the BTF before libbpf parses its own copy for each object.
 */
void loader_ask_btf_paths(struct loader *l);
/*
 * Detaches every program (destroys its links; programs and maps stay loaded), and attaches
 * the same ones again: for A/B measurements of tracing within one run (--alternate trace).
 * loader_attach fails (-1, why in err) if any chosen program does not attach again; what did
 * attach is detached again then.
 */
void loader_detach(struct loader *l);
int loader_attach(struct loader *l, char *err, size_t len);
bool loader_attached(const struct loader *l);
/* The id and full name of every program loaded (at most max); how many. */
struct own_prog;
size_t loader_programs(const struct loader *l, struct own_prog *out, size_t max);
/* Detaches and unloads everything; closes the shared maps. */
void loader_destroy(struct loader *l);
const char *shared_map_name(int m);

#endif
