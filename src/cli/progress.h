// SPDX-License-Identifier: GPL-2.0-only
/*
 * Progress of a run on stderr. On a terminal: one line redrawn in place (\r) with a bar, the
 * current cell, the trial and an estimate of the time left; failures and notes get lines of
 * their own above it. Elsewhere (a log file, a pipe): one plain line per trial and per note.
 */
#ifndef RP_CLI_PROGRESS_H
#define RP_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct progress {
	FILE *f;
	int width; /* columns of the terminal; 0 when f is not one */
	int n_cells, trials_per_cell;
	int cell; /* 0-based index of the current cell */
	char cell_name[32];
	int trial; /* 1-based trial under way in the cell, 0 while it sets up */
	int done;  /* trials ended in the whole run */
	int failed;
	int64_t start_ns;
	char note[64]; /* what the cell is doing while it sets up */
	bool drawn;    /* a bar is on the screen */
};

/* width: terminal columns, or 0 when f is no terminal (plain lines). */
void progress_init(struct progress *p, FILE *f, int width, int n_cells, int trials_per_cell,
		   int64_t now_ns);
/* The cell changes or sets up (trial 0), or a trial of it starts; note may be NULL. */
void progress_update(struct progress *p, int cell, const char *cell_name, int trial,
		     const char *note, int64_t now_ns);
/* A trial ended: restart_ns >= 0 when it succeeded, else why it did not. */
void progress_trial(struct progress *p, int cell, const char *cell_name, int trial,
		    int64_t restart_ns, const char *status, const char *reason, int64_t now_ns);
/* A line of its own (the bar, if any, is cleared first and redrawn by the next update). */
void progress_line(struct progress *p, const char *text);
/* Clears the bar so that what follows starts on a clean line. */
void progress_end(struct progress *p);

/* Estimated time left, from the pace so far; -1 before the first trial has ended. */
int64_t progress_eta_ns(const struct progress *p, int64_t now_ns);
/* "1h02m", "12m04s", "9s", or "?" for a negative value. */
void progress_format_duration(int64_t ns, char *buf, size_t len);
/* The bar's text (no \r, no escape), at most width - 1 characters. */
void progress_format_bar(const struct progress *p, int64_t now_ns, char *buf, size_t len);

#endif
