// SPDX-License-Identifier: GPL-2.0-only
/* run.json: what makes a run reproducible, written at its start and rewritten at its end. */
#ifndef RP_RUNDIR_RUN_JSON_H
#define RP_RUNDIR_RUN_JSON_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/cell.h"
#include "rundir/columns.h"
#include "util/host.h"

#define RUN_CONCURRENT_MAX 8
/* How a try run orders its variants, in run.json and the report. */
#define RUN_TRY_SEQUENCE "ABBA per trial"

struct remedy_set;

/* Another restartprof run (or watch) active on the machine while this one ran. */
struct run_concurrent {
	char run_id[32];
	char kind[16]; /* "run", "watch" */
	int pid;       /* in its own PID namespace */
};

struct run_info {
	char run_id[32];
	char tool_version[96];
	char state[16];	 /* running, done, interrupted, stopped, failed */
	char error[512]; /* why the run ended when not "done" ("" otherwise) */
	struct run_concurrent concurrent[RUN_CONCURRENT_MAX];
	int n_concurrent;
	const char *program; /* argv[0] as the user would type it ("restartprof") */
	int argc;	     /* the subcommand and its arguments */
	char **argv;
	int64_t start_ns, end_ns; /* wall clock; end 0 while running */
	/* host */
	char hostname[256], machine[256], kernel[256], kernel_version[256], arch[64];
	char cpu_model[256], governor[64];
	int cpus;
	long long mem_kib;
	struct storage_info storage; /* of the engine's data-root */
	/* engine */
	const char *engine_kind; /* "docker" or "podman" (engine/kind.h) */
	char engine_version[64], engine_api[16], api_version[16];
	char storage_driver[64], cgroup_version[16], cgroup_driver[64], engine_os[256];
	/* experiment */
	const char *kind; /* "run" or "watch" */
	bool matrix, trace;
	const char *alternate; /* "none", "trace", "stacks" */
	int trials_per_cell;
	char method[16];
	char image[256];
	int64_t settle_ns, interval_ns;
	const struct cell *cells;
	int n_cells;
	/* try: the remedies as given and what each changes (NULL for other runs) */
	const char *try_spec;
	const struct remedy_set *try_set;
	/* watch */
	const char *filters;
	int64_t replace_window_ns, ready_timeout_ns, history_ns;
};

/* How the cells of a run are ordered, in one sentence (also shown in the report). */
const char *run_cell_order_text(bool matrix);
json_object *run_json_build(const struct run_info *ri);
/* Atomically replaces dirfd/run.json. 0 or -errno. */
int run_json_write(int dirfd, const struct run_info *ri);
/* Reads dir/run.json; NULL if absent or not JSON. */
json_object *run_json_read(const char *dir);

#endif
