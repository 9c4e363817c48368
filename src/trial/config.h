// SPDX-License-Identifier: GPL-2.0-only
/* Everything a run was asked to do, as parsed from the command line. */
#ifndef RP_TRIAL_CONFIG_H
#define RP_TRIAL_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "model/cell.h"
#include "model/trial.h"
#include "trial/ready.h"

#define CONFIG_MAX_ARGS	 32
#define CONFIG_MAX_CELLS 64

/* What `watch` adds to a run's configuration (on is false for `run`). */
struct watch_spec {
	bool on;
	char filters[512];	   /* the --filter values as given, ";"-joined, for run.json */
	int64_t duration_ns;	   /* 0: until a signal */
	int64_t replace_window_ns; /* destroy to the new start, for a replacement */
	int64_t history_ns;	   /* how far back the kernel's history reaches */
	char listen[64];	   /* --listen ADDR:PORT, "" for none */
	char textfile_dir[PATH_MAX];
	bool wait_engine; /* --wait: an absent engine is waited for */
};

struct remedy_set;

/* What `try` adds to a run's configuration (on is false for `run` and `watch`). */
struct try_spec {
	bool on;
	char spec[128];		      /* the remedies as given, "dirty=64M:16M,wbt=2000" */
	char remedies_file[PATH_MAX]; /* --remedies FILE, "" for none */
	bool insist;		      /* --insist */
	const struct remedy_set *set; /* parsed and checked; owned by the command */
};

struct run_config {
	char socket_path[108];
	char out_dir[PATH_MAX];
	char image[256]; /* empty: the service shipped inside restartprof */
	char *cmd[CONFIG_MAX_ARGS];
	int n_cmd;
	struct ready_spec ready;
	enum restart_method method; /* follows from ready.kind */
	int trials;
	int grace_s;
	int64_t ready_timeout_ns;
	int64_t interval_ns;	/* pause between trials */
	int64_t load_settle_ns; /* after the load starts, before the first trial */
	char network[64];
	int publish_port; /* container port published on 127.0.0.1; 0: none */
	char stress_ng[PATH_MAX];
	char *stress_args[CONFIG_MAX_ARGS];
	int n_stress_args;
	struct cell cells[CONFIG_MAX_CELLS];
	int n_cells;
	int max_failures;	   /* consecutive failed trials that end the run */
	int64_t engine_timeout_ns; /* how long to wait for a lost engine to answer again */
	bool trace;
	char btf_path[PATH_MAX]; /* BTF of the running kernel */
	bool events_csv;
	unsigned probe_paths; /* 1 << enum probe_path for each path allowed; 0: all */
	bool no_stacks;
	enum alternate alternate; /* --alternate: on for odd trials, off for even ones */
	bool prog_stats;	  /* --prog-stats: progstats.csv */
	bool sleep_stacks;	  /* also stacks of interruptible sleeps */
	unsigned oncpu_hz;	  /* on-CPU samples a second per CPU, 0: off (--oncpu-hz) */
	bool keep_images;
	bool exclusive; /* refuse to start while another restartprof run is active */
	bool matrix;	/* cells from --matrix */
	struct watch_spec watch;
	struct try_spec try;
	int argc;
	char **argv;
};

#endif
