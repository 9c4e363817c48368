// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which restartprof runs are alive on this machine, told by a lock each one holds on a file
 * of /run/restartprof/ (flock: it crosses PID namespaces, and the kernel drops it when the
 * process dies, however it dies), not by looking its pid up in the caller's /proc.
 */
#ifndef RP_TRIAL_RUN_LOCK_H
#define RP_TRIAL_RUN_LOCK_H

#include "rundir/run_json.h"

#define RUN_LOCK_DIR "/run/restartprof"

struct run_lock {
	int fd; /* -1 when none is held */
	char name[64];
};

/*
 * Creates RUN_LOCK_DIR/<run_id>.lock (the directory too, owned by us and writable by nobody
 * else, reached without following a symlink) and holds an exclusive lock on it until
 * run_lock_release or the end of the process. kind is "run" or "watch". 0 or -errno.
 */
int run_lock_take(struct run_lock *l, const char *run_id, const char *kind);
/* Removes the file and drops the lock. */
void run_lock_release(struct run_lock *l);

enum run_liveness {
	RUN_GONE,    /* its lock file is there and nobody holds it */
	RUN_LIVE,    /* its process holds the lock */
	RUN_UNKNOWN, /* no lock file: a run of an older restartprof, or one that had none */
};

enum run_liveness run_lock_liveness(const char *run_id);

/* Other runs holding their lock now (not own_run_id): up to max in out. How many found. */
int run_lock_peers(const char *own_run_id, struct run_concurrent *out, int max);

/* Removes the lock files of runs that are gone. How many were removed. */
int run_lock_sweep(void);

#endif
