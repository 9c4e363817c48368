// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which cgroup ids the BPF programs read, and the id of a given container's cgroup.
 *
 * cgroup v2 (/sys/fs/cgroup is cgroup2): the default hierarchy, task->cgroups->dfl_cgrp.
 * cgroup v1 or hybrid: one v1 controller's hierarchy (pids if mounted, else memory, cpu...),
 * task->cgroups->subsys[ssid]->cgroup; ssid from the kernel's BTF (enum cgroup_subsys_id),
 * else the controller's row in /proc/cgroups. The hybrid unified hierarchy is not used: a
 * v1 engine need not put containers there. A cgroup's id is its kernfs node id, which
 * name_to_handle_at() returns as the file handle of the cgroup's directory.
 *
 * The parsers take text so they can be tested with synthetic inputs.
 */
#ifndef RP_TRACE_CGROUPS_H
#define RP_TRACE_CGROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct btf;

struct cgroup_mode {
	bool v2;
	int ssid; /* v1 subsystem index, -1 on v2 */
	int root; /* hierarchy id: v1 the /proc/cgroups column, 0 on v2 */
	char controller[32];
	char mount[256]; /* where that hierarchy is mounted */
};

/*
 * From /proc/cgroups text: the first of the preferred controllers that is enabled and mounted
 * on v1. Fills controller, its row index (ssid) and hierarchy id. 0, or -1 when none is.
 */
int cgroup_pick_v1(const char *proc_cgroups, struct cgroup_mode *m);
/* The mount point of the v1 controller (v2: the cgroup2 mount) from mountinfo text. 0 or -1. */
int cgroup_find_mount(const char *mountinfo, const struct cgroup_mode *m, char *out, size_t len);
/* The task's cgroup path in that hierarchy from /proc/PID/cgroup text. 0 or -1. */
int cgroup_task_path(const char *pid_cgroup, const struct cgroup_mode *m, char *out, size_t len);

/* Looks at this machine: /sys/fs/cgroup, /proc/cgroups, mountinfo, the BTF. 0 or -1 + why. */
int cgroup_mode_detect(struct cgroup_mode *m, const struct btf *vmlinux, char *err, size_t len);
/* kernfs id of a cgroup directory. 0 or -errno. */
int cgroup_id_of_dir(const char *dir, uint64_t *id);
/* The cgroup id (and path inside the hierarchy) of a running task. 0 or -errno. */
int cgroup_of_pid(const struct cgroup_mode *m, pid_t pid, uint64_t *id, char *path, size_t len);

#endif
