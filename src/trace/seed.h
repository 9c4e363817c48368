// SPDX-License-Identifier: GPL-2.0-only
/*
 * The engine's tasks already running when tracing starts, to seed the tracked-task map
 * (the kernel then inherits tracking on fork): dockerd (the socket's peer), the containerd it
 * uses (its child, else a system containerd), that containerd's shims (their -address is its
 * socket), and every descendant of those, each with all its threads.
 */
#ifndef RP_TRACE_SEED_H
#define RP_TRACE_SEED_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SEED_ADDR_LEN 256

struct proc_info {
	pid_t pid, ppid;
	char comm[16];
	char addr[SEED_ADDR_LEN]; /* containerd: its socket; a shim: its -address; else "" */
	bool engine;		  /* out: the engine's */
};

/* Marks the engine's processes in a snapshot. Returns how many. */
size_t seed_select(struct proc_info *procs, size_t n, pid_t dockerd);

/* The value of an option ("--address", "-a", "--address=X") in a NUL-separated cmdline. */
int cmdline_option(const char *cmdline, size_t len, const char *const *names, char *out,
		   size_t outlen);
/* The [grpc] address of a containerd config (TOML) text. 0 or -1. */
int containerd_config_address(const char *toml, char *out, size_t len);

/*
 * Scans /proc: the engine's threads (tids) into a malloc'd array. 0 or -errno; *n may be 0
 * when dockerd is gone.
 */
int seed_engine_tids(pid_t dockerd, pid_t **tids, size_t *n);
/* The same, the engine's processes (dockerd, containerd, shims and their descendants). */
int seed_engine_pids(pid_t dockerd, pid_t **pids, size_t *n);

#endif
