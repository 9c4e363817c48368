// SPDX-License-Identifier: GPL-2.0-only
/* trials.csv, phases.csv and api_calls.csv of a run, written row by row as trials end. */
#ifndef RP_RUNDIR_RUN_CSV_H
#define RP_RUNDIR_RUN_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "model/cell.h"
#include "model/trial.h"
#include "rundir/columns.h"

struct trial_kernel;
struct run_csv;

#define RUN_CSV_KERNEL 1 /* execs.csv: the kernel is traced */
#define RUN_CSV_EVENTS 2 /* events.csv: every kernel event (--events) */
#define RUN_CSV_PROGS  4 /* progstats.csv: BPF programs' run counts and times (--prog-stats) */

/*
 * Creates the files in dirfd; fails if any already exists (a run is never overwritten), and
 * then removes those it had created, so a refusal leaves the directory as it was.
 */
int run_csv_open(struct run_csv **out, int dirfd, const char *run_id, unsigned flags, char *err,
		 size_t errlen);
/*
 * Appends the rows of one trial. 0 or -errno; on failure (a full disk) every file is cut back
 * to where it ended before this trial: whole rows, and no detail row without its trial row.
 */
int run_csv_trial(struct run_csv *rc, const struct cell *cell, const struct trial *t,
		  const struct trial_kernel *tk);
/* Log rotation: every file opened again by name (appended to, or made anew with its header).
 * 0 or the first -errno. */
int run_csv_reopen(struct run_csv *rc);
/* Closes (fsync) every file. 0 or the first -errno any write met. */
int run_csv_close(struct run_csv *rc);

#endif
