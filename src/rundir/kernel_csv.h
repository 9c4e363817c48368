// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's share of a run's CSVs: the per-actor columns of phases.csv, execs.csv (every
 * program exec'd in a trial and how long it ran), events.csv (with --events: every kernel
 * event), probes.csv (the attach path of each probe), waits.csv (model/waits.h: the waits
 * of each phase and their share of its time) and stacks.csv (each kernel stack they name,
 * once per run).
 */
#ifndef RP_RUNDIR_KERNEL_CSV_H
#define RP_RUNDIR_KERNEL_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "model/cell.h"
#include "model/kernel.h"
#include "model/probe.h"
#include "model/trial.h"
#include "rundir/columns.h"
#include "rundir/csv.h"

/* The per-actor metrics of phases.csv, named "<actor>_<metric>". */
size_t kernel_phase_column_count(void);
/* Appends the names to columns (room for kernel_phase_column_count()); strings are static. */
void kernel_phase_columns(const char **columns);
/* Writes the fields of one phase (tk NULL or not attributed: empty fields). */
void kernel_phase_fields(struct csv_writer *w, const struct trial_kernel *tk, int phase);

extern const char *const kernel_exec_columns[];
extern const size_t kernel_exec_column_count;
extern const char *const kernel_event_columns[];
extern const size_t kernel_event_column_count;

int kernel_exec_rows(struct csv_writer *w, const char *run_id, const struct cell *cell,
		     const struct trial *t, const struct trial_kernel *tk);
int kernel_event_rows(struct csv_writer *w, const char *run_id, const struct cell *cell,
		      const struct trial *t, const struct trial_kernel *tk);
/* progstats.csv (--prog-stats): per trial, each BPF program that ran, and every one of ours. */
extern const char *const kernel_prog_columns[];
extern const size_t kernel_prog_column_count;
int kernel_prog_rows(struct csv_writer *w, const char *run_id, const struct cell *cell,
		     const struct trial *t, const struct trial_kernel *tk);
extern const char *const kernel_wait_columns[];
extern const size_t kernel_wait_column_count;
extern const char *const kernel_stack_columns[];
extern const size_t kernel_stack_column_count;

/* A stack id as waits.csv and stacks.csv write it: 16 hex digits. */
void stack_id_text(uint64_t id, char out[17]);
int kernel_wait_rows(struct csv_writer *w, const char *run_id, const struct cell *cell,
		     const struct trial *t, const struct trial_kernel *tk);
/* Stacks written so far, so each goes into stacks.csv once. */
struct stack_set;
struct stack_set *stack_set_new(void);
void stack_set_free(struct stack_set *s);
/* The stacks the trial's waits name and seen lacks. 0 or -errno. */
int kernel_stack_rows(struct csv_writer *w, struct stack_set *seen, const struct trial_kernel *tk);

/* Creates probes.csv in dirfd with one row per probe. 0 or -errno. */
int kernel_probes_write(int dirfd, const struct probe_status *p, int n);

#endif
