// SPDX-License-Identifier: GPL-2.0-only
/*
 * Who did kernel work: engine, target, load, kernel or other, decided from what the kernel
 * tells about a task (cgroup id, lineage hint, comm, kernel-thread flag) and what the run
 * knows (the containers' cgroups, which containers are the target and the load).
 */
#ifndef RP_MODEL_ACTOR_H
#define RP_MODEL_ACTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum actor {
	ACTOR_ENGINE, /* dockerd, containerd, shims, runc and everything they spawn */
	ACTOR_TARGET, /* the service's container (old and new) */
	ACTOR_LOAD,   /* the stressor containers (watch: every container but the target) */
	ACTOR_KERNEL, /* kernel threads: kworkers, writeback, jbd2... */
	ACTOR_OTHER,  /* everyone else, other containers included */
	ACTOR_COUNT
};

/* Task flags as the model knows them. */
#define KT_KTHREAD 1 /* a kernel thread */
#define KT_RUNC	   2 /* runs runc: comm begins with "runc", or is "exe" running runc */
#define KT_LOADCG  4 /* its cgroup was marked as a load container's in the kernel */
#define KT_TRACKED 8 /* in the engine's lineage (spawned by dockerd, containerd or a shim) */

#define KH_ENGINE 1 /* lineage hint: the engine's */

#define KCONTAINER_ID_LEN 64
#define KLOAD_MAX	  16
#define KCG_PATH_LEN	  128

struct kev_task {
	int32_t pid; /* tgid; 0 when not known */
	int32_t tid;
	int32_t ppid;
	uint64_t cgid; /* in the hierarchy of actor_map.root */
	uint8_t hint;
	uint8_t flags; /* KT_* */
	char comm[16];
};

/* A cgroup the kernel reported (mkdir) or userspace resolved. */
struct kcgroup {
	uint64_t id;
	int root; /* hierarchy id: v1 from /proc/cgroups, 0 for the v2 default hierarchy */
	char path[KCG_PATH_LEN];
	char container[KCONTAINER_ID_LEN + 1]; /* "" when the path names no container */
};

/* What the run knows about containers, for one trial. */
struct actor_map {
	int root; /* the hierarchy whose cgroup ids the events carry */
	int n_load;
	char load[KLOAD_MAX][KCONTAINER_ID_LEN + 1];
	bool others_are_load; /* watch: every container that is not the target is `load` */
};

struct actor_ctx {
	const struct actor_map *map;
	const struct kcgroup *cg;
	size_t n_cg;
	const char *target[2]; /* old and new container ids; NULL or "" when unknown */
};

const char *actor_name(int actor);
int actor_from_name(const char *name);

/*
 * The 64-hex container id a cgroup path names, in its last component that holds one:
 * "/docker/<id>" (cgroupfs), "/system.slice/docker-<id>.scope" (systemd), "/docker/<id>/x"
 * (a cgroup the container made). 0 with out filled, -1 (out "") when there is none.
 */
int container_id_from_path(const char *path, char out[KCONTAINER_ID_LEN + 1]);
void kcgroup_init(struct kcgroup *c, uint64_t id, int root, const char *path);
const struct kcgroup *kcgroup_find(const struct kcgroup *cg, size_t n, int root, uint64_t id);

/*
 * A kernel thread is `kernel`. A task in a container's cgroup is `engine` while its comm says
 * runc (runc init joins the cgroup before it execs the container's program), else `target`
 * for the old or new target container, `load` for a stressor (also when the kernel flagged
 * its cgroup, and for any container when map->others_are_load), `other` for any other
 * container. Outside containers, the engine's lineage is
 * `engine`, the rest `other`.
 */
int actor_of(const struct actor_ctx *c, const struct kev_task *w);

#endif
