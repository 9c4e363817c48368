// SPDX-License-Identifier: GPL-2.0-only
/* Loading and attaching the BPF objects: path choice, fallback on failures, shared maps. */
#include "trace/loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/load_log.h"
#include "trace/oncpu_attach.h"
#include "trace/pathprobe.h"
#include "trace/probe_table.h"
#include "trace/progstats.h"

#include "skel/blkio.skel.h"
#include "skel/cgroup.skel.h"
#include "skel/net.skel.h"
#include "skel/oncpu.skel.h"
#include "skel/ovl.skel.h"
#include "skel/proc.skel.h"
#include "skel/sched.skel.h"
#include "skel/sys.skel.h"
#include "skel/wb.skel.h"
#include "util/heap.h"

/* One adapter per skeleton, so the loader can treat them alike. */
struct skel_ops {
	void *(*open)(const struct bpf_object_open_opts *opts);
	struct bpf_object *(*obj)(void *skel);
	struct rp_config *(*cfg)(void *skel);
	void (*destroy)(void *skel);
	const void *(*elf_bytes)(size_t *sz);
};

#define SKEL_ADAPTERS(n)                                                                           \
	static void *n##_open(const struct bpf_object_open_opts *opts)                             \
	{                                                                                          \
		return n##_bpf__open_opts(opts);                                                   \
	}                                                                                          \
	static struct bpf_object *n##_obj(void *s)                                                 \
	{                                                                                          \
		return ((struct n##_bpf *)s)->obj;                                                 \
	}                                                                                          \
	static struct rp_config *n##_cfg(void *s)                                                  \
	{                                                                                          \
		return &((struct n##_bpf *)s)->rodata->rp_cfg;                                     \
	}                                                                                          \
	static void n##_destroy(void *s)                                                           \
	{                                                                                          \
		n##_bpf__destroy(s);                                                               \
	}                                                                                          \
	static const void *n##_elf_bytes(size_t *sz)                                               \
	{                                                                                          \
		return n##_bpf__elf_bytes(sz);                                                     \
	}

SKEL_ADAPTERS(proc)
SKEL_ADAPTERS(cgroup)
SKEL_ADAPTERS(sched)
SKEL_ADAPTERS(blkio)
SKEL_ADAPTERS(sys)
SKEL_ADAPTERS(net)
SKEL_ADAPTERS(ovl)
SKEL_ADAPTERS(wb)
SKEL_ADAPTERS(oncpu)

#define SKEL_OPS_OF(n)                                                                             \
	{                                                                                          \
		n##_open, n##_obj, n##_cfg, n##_destroy, n##_elf_bytes                             \
	}
static const struct skel_ops skel_ops[BPF_OBJ_COUNT] = {
	[BPF_OBJ_PROC] = SKEL_OPS_OF(proc),   [BPF_OBJ_CGROUP] = SKEL_OPS_OF(cgroup),
	[BPF_OBJ_SCHED] = SKEL_OPS_OF(sched), [BPF_OBJ_BLKIO] = SKEL_OPS_OF(blkio),
	[BPF_OBJ_SYS] = SKEL_OPS_OF(sys),     [BPF_OBJ_NET] = SKEL_OPS_OF(net),
	[BPF_OBJ_OVL] = SKEL_OPS_OF(ovl),     [BPF_OBJ_WB] = SKEL_OPS_OF(wb),
	[BPF_OBJ_ONCPU] = SKEL_OPS_OF(oncpu),
};

static const char *const shared_names[SHARED_MAP_COUNT] = {
	[SHARED_MAP_TRACKED] = "rp_tracked", [SHARED_MAP_CGROUPS] = "rp_cgroups",
	[SHARED_MAP_STATE] = "rp_state",     [SHARED_MAP_COUNTERS] = "rp_counters",
	[SHARED_MAP_EVENTS] = "rp_events",   [SHARED_MAP_AGG0] = "rp_agg0",
	[SHARED_MAP_AGG1] = "rp_agg1",	     [SHARED_MAP_STACKS] = "rp_stacks",
	[SHARED_MAP_USTACKS] = "rp_ustacks", [SHARED_MAP_TASK_STACKS] = "rp_taskstacks",
	[SHARED_MAP_WHOGEN] = "rp_whogen",
};

/* Paths that failed to load or attach during this run, per probe. */
static unsigned failed_paths[LOADER_MAX_PROBES];

const char *shared_map_name(int m)
{
	return m >= 0 && m < SHARED_MAP_COUNT ? shared_names[m] : "?";
}

void loader_init(struct loader *l)
{
	memset(l, 0, sizeof(*l));
	l->allowed = PROBE_PATHS_ALL;
	l->ring_bytes = 4u << 20;
	for (int i = 0; i < SHARED_MAP_COUNT; i++)
		l->shared[i] = -1;
	l->n_probes = n_probe_defs;
	for (int i = 0; i < n_probe_defs; i++) {
		struct probe_status *p = &l->probes[i];

		snprintf(p->name, sizeof(p->name), "%s", probe_defs[i].name);
		snprintf(p->concern, sizeof(p->concern), "%s", bpf_obj_name(probe_defs[i].obj));
		snprintf(p->what, sizeof(p->what), "%s", probe_defs[i].what);
		p->paths = probe_defs[i].paths;
		p->essential = probe_defs[i].essential;
		p->chosen = -1;
		failed_paths[i] = 0;
	}
}

/* Whether every program of probe i on path passes the path probe; why tells the first that
 * does not. */
static bool path_passes(struct loader *l, int i, struct bpf_object *obj, int path, char *why,
			size_t len)
{
	const struct probe_def *d = &probe_defs[i];

	for (int m = 0; m < PROBE_MEMBERS_MAX && d->members[m]; m++) {
		struct bpf_program *prog =
			probe_program(obj, d->members[m], probe_path_suffixes[path][0]);
		const char *sec = prog ? bpf_program__section_name(prog) : NULL;
		const char *target = sec ? strchr(sec, '/') : NULL;

		if (prog && path == PROBE_PERF_EVENT)
			continue; /* no attach point to ask about: perf_event_open says at attach */
		if (!target) {
			snprintf(why, len, "no program for %s", d->members[m]);
			return false;
		}
		if (pathprobe_try(l->pp, path, target + 1, why, len))
			return false;
	}
	return true;
}

/* Picks the best path of probe i that is allowed, not failed, and passes the path probe. */
static void select_path(struct loader *l, int i, struct bpf_object *obj)
{
	const struct probe_def *d = &probe_defs[i];
	struct probe_status *p = &l->probes[i];

	p->chosen = -1;
	for (int path = 0; path < PROBE_PATH_COUNT; path++) {
		if (!(d->paths & PATH_BIT(path)))
			continue;
		if (!(l->allowed & PATH_BIT(path))) {
			snprintf(p->why[path], sizeof(p->why[path]), "disabled by --probe-paths");
			continue;
		}
		if (failed_paths[i] & PATH_BIT(path))
			continue;
		if (path == PROBE_PERF_EVENT && !l->oncpu_hz) {
			snprintf(p->why[path], sizeof(p->why[path]), "off (--oncpu-hz 0)");
			continue;
		}
		if (!path_passes(l, i, obj, path, p->why[path], sizeof(p->why[path]))) {
			failed_paths[i] |= PATH_BIT(path);
			continue;
		}
		p->chosen = path;
		p->why[path][0] = '\0';
		return;
	}
}

void loader_ask_btf_paths(struct loader *l)
{
	char why[PROBE_WHY_LEN];

	for (int ci = 0; ci < BPF_OBJ_COUNT; ci++) {
		LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = l->btf_path);
		void *skel = skel_ops[ci].open(&open_opts);

		if (!skel)
			continue;
		for (int i = 0; i < n_probe_defs; i++)
			for (int path = 0; path < PROBE_PATH_COUNT && probe_defs[i].obj == ci;
			     path++)
				if ((path == PROBE_FENTRY || path == PROBE_TP_BTF) &&
				    (probe_defs[i].paths & l->allowed & PATH_BIT(path)))
					path_passes(l, i, skel_ops[ci].obj(skel), path, why,
						    sizeof(why));
		skel_ops[ci].destroy(skel);
	}
}

static void prepare_shared(struct loader *l, struct bpf_object *obj)
{
	for (int i = 0; i < SHARED_MAP_COUNT; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_names[i]);

		if (!m)
			continue;
		if (l->shared[i] >= 0)
			bpf_map__reuse_fd(m, l->shared[i]);
		else if (i == SHARED_MAP_EVENTS)
			bpf_map__set_max_entries(m, l->ring_bytes);
	}
}

static void keep_shared(struct loader *l, struct bpf_object *obj)
{
	for (int i = 0; i < SHARED_MAP_COUNT; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_names[i]);

		if (m && l->shared[i] < 0 && bpf_map__fd(m) >= 0)
			l->shared[i] = fcntl(bpf_map__fd(m), F_DUPFD_CLOEXEC, 0);
	}
}

static void detach_all(struct loaded_object *c)
{
	for (int i = 0; i < c->n_links; i++)
		bpf_link__destroy(c->links[i]);
	c->n_links = 0;
	for (int i = 0; i < c->n_plinks; i++)
		bpf_link__destroy(c->plinks[i]);
	free(c->plinks);
	c->plinks = NULL;
	c->n_plinks = 0;
}

/* A perf_event program: one event per online CPU, a link each. */
static int attach_perf(struct loader *l, int i, struct loaded_object *c)
{
	struct probe_status *p = &l->probes[i];
	struct bpf_program *prog =
		probe_program(c->obj, probe_defs[i].members[0], probe_path_suffixes[p->chosen][0]);
	char why[PROBE_WHY_LEN];

	if (!prog) {
		snprintf(why, sizeof(why), "no program for %s", probe_defs[i].members[0]);
	} else if (oncpu_attach(prog, l->oncpu_hz, &c->plinks, &c->n_plinks, why, sizeof(why)) ==
		   0) {
		return 0;
	}
	snprintf(p->why[p->chosen], sizeof(p->why[p->chosen]), "%s", why);
	failed_paths[i] |= PATH_BIT(p->chosen);
	return -1;
}

/* Attaches the chosen programs; on a failure marks that probe's path and returns -1. */
static int attach_chosen(struct loader *l, int ci, struct loaded_object *c)
{
	for (int i = 0; i < n_probe_defs; i++) {
		const struct probe_def *d = &probe_defs[i];
		struct probe_status *p = &l->probes[i];

		if (d->obj != ci || p->chosen < 0)
			continue;
		if (p->chosen == PROBE_PERF_EVENT) {
			if (attach_perf(l, i, c))
				return -1;
			continue;
		}
		for (int m = 0; m < PROBE_MEMBERS_MAX && d->members[m]; m++)
			for (int s = 0; s < 2 && probe_path_suffixes[p->chosen][s]; s++) {
				struct bpf_program *prog = probe_program(
					c->obj, d->members[m], probe_path_suffixes[p->chosen][s]);
				struct bpf_link *link = prog ? bpf_program__attach(prog) : NULL;
				int err = link ? 0 : errno;

				if (!link || c->n_links >= LOADER_MAX_LINKS) {
					snprintf(p->why[p->chosen], sizeof(p->why[p->chosen]),
						 "loaded, but attaching %s failed: %s%s",
						 d->members[m], err == 524 ? "ENOTSUPP, " : "",
						 strerror(err ? err : E2BIG));
					failed_paths[i] |= PATH_BIT(p->chosen);
					bpf_link__destroy(link);
					return -1;
				}
				c->links[c->n_links++] = link;
			}
	}
	return 0;
}

static void note_load_failure(struct loader *l, int ci)
{
	char name[96], why[PROBE_WHY_LEN];
	int path, i = -1;

	if (load_log_failed_prog(name, sizeof(name), why, sizeof(why)) == 0)
		i = probe_of_program(ci, name, &path);
	if (i >= 0) {
		snprintf(l->probes[i].why[path], sizeof(l->probes[i].why[path]), "load failed: %s",
			 why);
		failed_paths[i] |= PATH_BIT(path);
		return;
	}
	/* Not told which: every chosen path of this object is suspect. */
	for (int k = 0; k < n_probe_defs; k++)
		if (probe_defs[k].obj == ci && l->probes[k].chosen >= 0) {
			snprintf(l->probes[k].why[l->probes[k].chosen], sizeof(l->probes[k].why[0]),
				 "the %s object failed to load", bpf_obj_name(ci));
			failed_paths[k] |= PATH_BIT(l->probes[k].chosen);
		}
}

static int load_object(struct loader *l, int ci)
{
	struct loaded_object *c = &l->objs[ci];

	for (int attempt = 0; attempt < 2 * PROBE_PATH_COUNT * 4; attempt++) {
		LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = l->btf_path);
		void *skel = skel_ops[ci].open(&open_opts);
		struct bpf_program *prog;
		bool any = false;
		int err;

		if (!skel) {
			snprintf(c->why, sizeof(c->why), "cannot open the %s object: %s",
				 bpf_obj_name(ci), strerror(errno));
			return -1;
		}
		c->obj = skel_ops[ci].obj(skel);
		*skel_ops[ci].cfg(skel) = l->cfg;
		bpf_object__for_each_program(prog, c->obj) bpf_program__set_autoload(prog, false);
		for (int i = 0; i < n_probe_defs; i++) {
			if (probe_defs[i].obj != ci)
				continue;
			select_path(l, i, c->obj);
			if (l->probes[i].chosen >= 0) {
				probe_set_autoload(c->obj, i, l->probes[i].chosen, true);
				any = true;
			}
		}
		if (!any) {
			skel_ops[ci].destroy(skel);
			c->obj = NULL;
			return 0;
		}
		prepare_shared(l, c->obj);
		load_log_clear();
		err = bpf_object__load(c->obj);
		if (err) {
			note_load_failure(l, ci);
			skel_ops[ci].destroy(skel);
			continue;
		}
		keep_shared(l, c->obj);
		if (attach_chosen(l, ci, c)) {
			detach_all(c);
			skel_ops[ci].destroy(skel);
			continue;
		}
		c->skel = skel;
		return 0;
	}
	snprintf(c->why, sizeof(c->why), "gave up after repeated failures");
	c->obj = NULL;
	return -1;
}

int loader_run(struct loader *l, char *err, size_t len)
{
	libbpf_print_fn_t old = libbpf_set_print(load_log_print);

	for (int ci = 0; ci < BPF_OBJ_COUNT; ci++) {
		size_t sz;
		const void *bytes;

		load_object(l, ci);
		/* Loaded (or given up): the object's ELF bytes are not read again. */
		bytes = skel_ops[ci].elf_bytes(&sz);
		mapped_give_back(bytes, sz);
	}
	libbpf_set_print(old);
	for (int i = 0; i < n_probe_defs; i++) {
		const struct probe_status *p = &l->probes[i];

		if (p->essential && p->chosen < 0) {
			const char *why = "";

			for (int path = PROBE_PATH_COUNT - 1; path >= 0 && !why[0]; path--)
				why = p->why[path];
			snprintf(err, len, "the %s probe cannot run: %s", p->name,
				 why[0] ? why : l->objs[probe_defs[i].obj].why);
			return -1;
		}
	}
	return 0;
}

void loader_destroy(struct loader *l)
{
	for (int ci = 0; ci < BPF_OBJ_COUNT; ci++) {
		struct loaded_object *c = &l->objs[ci];

		detach_all(c);
		if (c->skel)
			skel_ops[ci].destroy(c->skel);
		c->skel = NULL;
		c->obj = NULL;
	}
	for (int i = 0; i < SHARED_MAP_COUNT; i++) {
		if (l->shared[i] >= 0)
			close(l->shared[i]);
		l->shared[i] = -1;
	}
}

bool loader_attached(const struct loader *l)
{
	for (int ci = 0; ci < BPF_OBJ_COUNT; ci++)
		if (l->objs[ci].n_links || l->objs[ci].n_plinks)
			return true;
	return false;
}

void loader_detach(struct loader *l)
{
	for (int ci = 0; ci < BPF_OBJ_COUNT; ci++)
		detach_all(&l->objs[ci]);
}

int loader_attach(struct loader *l, char *err, size_t len)
{
	for (int ci = 0; ci < BPF_OBJ_COUNT; ci++) {
		struct loaded_object *c = &l->objs[ci];

		if (!c->skel || c->n_links || c->n_plinks)
			continue;
		if (attach_chosen(l, ci, c)) {
			int i;

			for (i = 0; i < n_probe_defs; i++)
				if (probe_defs[i].obj == ci && l->probes[i].chosen >= 0 &&
				    l->probes[i].why[l->probes[i].chosen][0])
					break;
			snprintf(err, len, "%s",
				 i < n_probe_defs ? l->probes[i].why[l->probes[i].chosen]
						  : "attaching failed");
			/* attach_chosen marked it failed; this run keeps the path it chose. */
			if (i < n_probe_defs)
				l->probes[i].why[l->probes[i].chosen][0] = '\0';
			loader_detach(l);
			return -1;
		}
	}
	return 0;
}

size_t loader_programs(const struct loader *l, struct own_prog *out, size_t max)
{
	size_t n = 0;

	for (int ci = 0; ci < BPF_OBJ_COUNT; ci++) {
		struct bpf_program *prog;

		if (!l->objs[ci].skel)
			continue;
		bpf_object__for_each_program(prog, l->objs[ci].obj)
		{
			struct bpf_prog_info info;
			__u32 len = sizeof(info);
			int fd = bpf_program__fd(prog);

			if (fd < 0 || n == max)
				continue;
			memset(&info, 0, sizeof(info));
			if (bpf_obj_get_info_by_fd(fd, &info, &len))
				continue;
			out[n].id = info.id;
			snprintf(out[n].name, sizeof(out[n].name), "%s", bpf_program__name(prog));
			n++;
		}
	}
	return n;
}
