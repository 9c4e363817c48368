// SPDX-License-Identifier: GPL-2.0-only
/*
 * One run, from the engine connection to the cleanup: the pieces every way of finding
 * restarts shares (the synthetic experiment today; a passive watch and a remedy A/B can call
 * the same steps): the engine and its leftovers, the run directory and its files (CSVs,
 * run.json, probes.csv), the tracer, the engine's event stream, and the cleanup that follows
 * whatever happened. Images and the experiment itself are the synthetic driver's steps.
 *
 * Nothing here prints: a step returns a status and leaves one line in r->err; what the user
 * should know on the way (an image being built, tracing going without something) goes to
 * hooks.note, one line each.
 *
 *   run_init -> run_open_engine -> run_open_dir -> [run_prepare_images] -> run_start_tracer
 *   -> run_open_files -> run_start_events -> run_experiment -> run_write_state
 *   -> run_finish -> (the report of r->dir) -> run_close
 *
 * run_finish and run_close are always called, whichever step failed.
 */
#ifndef RP_TRIAL_RUN_H
#define RP_TRIAL_RUN_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "rundir/run_json.h"
#include "trial/config.h"
#include "trial/experiment.h"
#include "trial/run_lock.h"
#include "trial/session.h"
#include "util/files.h"

struct run_csv;

/* How a step ended; r->err says why when it is not RUN_OK. */
enum run_status {
	RUN_OK = 0,
	RUN_REFUSED,	 /* the command line, the machine or the output directory forbid it */
	RUN_FAILED,	 /* the engine, an image or a file failed */
	RUN_INTERRUPTED, /* a signal asked to stop */
};

struct run_hooks {
	/* One line for the user, without prefix or newline; may be NULL. */
	void (*note)(void *ctx, const char *line);
	void *ctx;
	const char *tool_version; /* recorded in run.json */
};

struct run {
	const struct run_config *cfg;
	struct run_hooks hooks;
	struct session s;
	char dir[PATH_MAX]; /* the run directory, once open */
	int dirfd;
	struct dir_walk dir_made; /* the directories run_open_dir created */
	struct run_csv *csv;
	bool files_opened; /* the CSVs were created: a report can read them */
	struct run_info info;
	bool info_written;
	bool built_target, built_stress;
	const struct experiment_sink *display; /* during run_experiment */
	int ok_trials[CONFIG_MAX_CELLS];       /* per cell */
	char last_failure[256];		       /* the reason of the last failed trial */
	int csv_error;			       /* -errno of a trial the CSVs could not take */
	int reserve_fd;			       /* room kept for the last run.json */
	struct run_lock lock;
	struct run_concurrent peers[RUN_CONCURRENT_MAX]; /* other runs seen active */
	int n_peers;
	char err[512];
};

/* Before anything is touched: the kernel's BTF and the privileges cfg needs. RUN_OK or
 * RUN_REFUSED with one line in err. */
enum run_status run_check_privileges(const struct run_config *cfg, char *err, size_t errlen);

/* A run id and owner label; no engine contact yet. cfg must outlive the run. */
void run_init(struct run *r, const struct run_config *cfg, const struct run_hooks *hooks);
/*
 * Takes the run's lock (trial/run_lock.h; refused with cfg->exclusive while another run holds
 * one), connects to the engine and removes what runs that died left in it.
 */
enum run_status run_open_engine(struct run *r);
/* Creates the run directory: cfg->out_dir, else results/RUN_ID. */
enum run_status run_open_dir(struct run *r);
/* The target image (given, or built from the service inside restartprof) and, when a cell
 * has load, the stress image. */
enum run_status run_prepare_images(struct run *r);
/* Loads the BPF side when cfg->trace. Never fails: without it the run measures the engine
 * alone, and a note says why. */
void run_start_tracer(struct run *r);
/* Creates the CSVs (never over an earlier run's), run.json in state "running" (with a note
 * for each other run active on the machine), probes.csv. */
enum run_status run_open_files(struct run *r);
/* Follows the engine's events from now on. */
enum run_status run_start_events(struct run *r);

/*
 * Drives every cell of cfg. Each trial is written to the CSVs after display->trial has seen it
 * (its return value is ignored); display->progress gets the progress. display may be NULL.
 * r->s.err says why the experiment ended when not EXP_DONE; a cell without one ok trial
 * makes a complete experiment EXP_NO_TRIAL_OK.
 */
enum experiment_end run_experiment(struct run *r, const struct experiment_sink *display);

/* run.json's state for an end of the experiment: done, interrupted, stopped, failed. */
const char *run_state_of(enum experiment_end end);
/* Log rotation: the CSVs opened again by name and run.json rewritten; a failure is noted. */
void run_reopen_files(struct run *r);
/* Rewrites run.json with this state (and the end time, the error in r->s.err and the other
 * runs seen, unless "running"). */
void run_write_state(struct run *r, const char *state);

/*
 * Stops the events, closes the CSVs, marks a run that never ended "failed" in run.json and
 * unloads the tracer (its memory goes before a report needs some). RUN_FAILED when a CSV
 * write failed.
 */
enum run_status run_finish(struct run *r);
/* Removes every container of the run and the images it built (unless kept), and closes. */
void run_close(struct run *r);

#endif
