// SPDX-License-Identifier: GPL-2.0-only
/* The probes: which BPF object holds each, the paths it may take, and its programs' names. */
#include "trace/probe_table.h"

#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>

static const char *const obj_names[BPF_OBJ_COUNT] = {
	[BPF_OBJ_PROC] = "proc",   [BPF_OBJ_CGROUP] = "cgroup", [BPF_OBJ_SCHED] = "sched",
	[BPF_OBJ_BLKIO] = "blkio", [BPF_OBJ_SYS] = "sys",	[BPF_OBJ_NET] = "net",
	[BPF_OBJ_OVL] = "ovl",	   [BPF_OBJ_WB] = "wb",		[BPF_OBJ_ONCPU] = "oncpu",
};

const char *const probe_path_suffixes[PROBE_PATH_COUNT][2] = {
	[PROBE_FENTRY] = {"fentry", "fexit"}, [PROBE_KPROBE] = {"kprobe", "kretprobe"},
	[PROBE_TP_BTF] = {"btf", NULL},	      [PROBE_RAW_TP] = {"raw", NULL},
	[PROBE_TRACEPOINT] = {"tp", NULL},    [PROBE_PERF_EVENT] = {"perf", NULL},
};

const struct probe_def probe_defs[] = {
	{"fork",
	 BPF_OBJ_PROC,
	 PATHS_TRACEPOINT,
	 true,
	 "process and thread creation; tracks the engine's tasks",
	 {"sched_process_fork"}},
	{"exit",
	 BPF_OBJ_PROC,
	 PATHS_TRACEPOINT,
	 true,
	 "process exit; untracks tasks",
	 {"sched_process_exit"}},
	{"exec",
	 BPF_OBJ_PROC,
	 PATHS_TRACEPOINT,
	 false,
	 "programs executed",
	 {"sched_process_exec"}},
	{"cgroup_mkdir",
	 BPF_OBJ_CGROUP,
	 PATHS_TRACEPOINT,
	 false,
	 "cgroups made: the new container's cgroup id",
	 {"cgroup_mkdir"}},
	{"cgroup_rmdir",
	 BPF_OBJ_CGROUP,
	 PATHS_TRACEPOINT,
	 false,
	 "cgroups removed",
	 {"cgroup_rmdir"}},
	{"cgroup_attach",
	 BPF_OBJ_CGROUP,
	 PATHS_TRACEPOINT,
	 false,
	 "tasks moved into cgroups",
	 {"cgroup_attach_task"}},
	{"sched",
	 BPF_OBJ_SCHED,
	 PATHS_TRACEPOINT,
	 false,
	 "off-CPU time (state, stack, waker) and run-queue delay",
	 {"sched_switch", "sched_waking", "sched_wakeup_new"}},
	{"block",
	 BPF_OBJ_BLKIO,
	 PATHS_TRACEPOINT,
	 false,
	 "block I/O: submitter, bytes, queue and device time",
	 {"block_bio_queue", "block_rq_insert", "block_rq_issue", "block_rq_complete"}},
	{"syscalls",
	 BPF_OBJ_SYS,
	 PATHS_TRACEPOINT,
	 false,
	 "mount, umount, setns, unshare; the engine's fsync, fdatasync, sync, syncfs, "
	 "sync_file_range, rename, unlink, flock with their files",
	 {"sys_enter", "sys_exit"}},
	{"listen",
	 BPF_OBJ_NET,
	 PATHS_TRACEPOINT,
	 false,
	 "TCP LISTEN: the end of the kernel's restart window",
	 {"inet_sock_set_state"}},
	{"veth_xmit",
	 BPF_OBJ_NET,
	 PATHS_TRACEPOINT,
	 false,
	 "packets sent on veth devices",
	 {"net_dev_xmit"}},
	{"fdb_add",
	 BPF_OBJ_NET,
	 PATHS_TRACEPOINT,
	 false,
	 "bridge FDB entries added",
	 {"br_fdb_add"}},
	{"fdb_update",
	 BPF_OBJ_NET,
	 PATHS_TRACEPOINT,
	 false,
	 "bridge FDB entries learnt",
	 {"br_fdb_update"}},
	{"fdb_delete",
	 BPF_OBJ_NET,
	 PATHS_TRACEPOINT,
	 false,
	 "bridge FDB entries removed",
	 {"fdb_delete"}},
	{"veth_newlink", BPF_OBJ_NET, PATHS_KFUNC, false, "veth pairs made", {"veth_newlink"}},
	{"veth_dellink", BPF_OBJ_NET, PATHS_KFUNC, false, "veth pairs removed", {"veth_dellink"}},
	{"br_add_if", BPF_OBJ_NET, PATHS_KFUNC, false, "ports added to a bridge", {"br_add_if"}},
	{"br_del_if",
	 BPF_OBJ_NET,
	 PATHS_KFUNC,
	 false,
	 "ports removed from a bridge",
	 {"br_del_if"}},
	{"ovl_lookup", BPF_OBJ_OVL, PATHS_KFUNC, false, "overlayfs lookups", {"ovl_lookup"}},
	{"ovl_create",
	 BPF_OBJ_OVL,
	 PATHS_KFUNC,
	 false,
	 "overlayfs objects created",
	 {"ovl_create_object"}},
	{"ovl_copy_up",
	 BPF_OBJ_OVL,
	 PATHS_KFUNC,
	 false,
	 "overlayfs copy-ups",
	 {"ovl_copy_up_flags"}},
	{"writeback",
	 BPF_OBJ_WB,
	 PATHS_TRACEPOINT,
	 false,
	 "pages written back, the reason, and who dirtied them",
	 {"writeback_dirty_inode_enqueue", "writeback_start", "writeback_written",
	  "writeback_single_inode"}},
	{"oncpu",
	 BPF_OBJ_ONCPU,
	 PATH_BIT(PROBE_PERF_EVENT),
	 false,
	 "on-CPU samples of the engine's and the target's tasks, kernel and user stacks "
	 "(--oncpu-hz)",
	 {"oncpu"}},
};

const int n_probe_defs = (int)(sizeof(probe_defs) / sizeof(probe_defs[0]));
_Static_assert(sizeof(probe_defs) / sizeof(probe_defs[0]) <= LOADER_MAX_PROBES, "too many probes");

const char *bpf_obj_name(int obj)
{
	return obj >= 0 && obj < BPF_OBJ_COUNT ? obj_names[obj] : "?";
}

struct bpf_program *probe_program(struct bpf_object *obj, const char *member, const char *suffix)
{
	char name[96];

	snprintf(name, sizeof(name), "%s_%s", member, suffix);
	return bpf_object__find_program_by_name(obj, name);
}

void probe_set_autoload(struct bpf_object *obj, int i, int path, bool on)
{
	const struct probe_def *d = &probe_defs[i];

	for (int m = 0; m < PROBE_MEMBERS_MAX && d->members[m]; m++)
		for (int s = 0; s < 2 && probe_path_suffixes[path][s]; s++) {
			struct bpf_program *prog =
				probe_program(obj, d->members[m], probe_path_suffixes[path][s]);

			if (prog)
				bpf_program__set_autoload(prog, on);
		}
}

int probe_of_program(int obj, const char *name, int *path)
{
	for (int i = 0; i < n_probe_defs; i++) {
		if (probe_defs[i].obj != obj)
			continue;
		for (int m = 0; m < PROBE_MEMBERS_MAX && probe_defs[i].members[m]; m++)
			for (int pa = 0; pa < PROBE_PATH_COUNT; pa++)
				for (int s = 0; s < 2 && probe_path_suffixes[pa][s]; s++) {
					char want[96];

					snprintf(want, sizeof(want), "%s_%s",
						 probe_defs[i].members[m],
						 probe_path_suffixes[pa][s]);
					if (strcmp(want, name) == 0) {
						*path = pa;
						return i;
					}
				}
	}
	return -1;
}
