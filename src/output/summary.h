/* Per-cell statistics of restart time, read back from trials.csv. */
#ifndef RP_OUTPUT_SUMMARY_H
#define RP_OUTPUT_SUMMARY_H

#include <stdio.h>

#include "model/stats.h"
#include "output/csv.h"

struct cell_summary {
	char cell[32];
	char load[16];
	int stressors;
	int trials;   /* rows, whatever their status */
	int failures; /* failed or interrupted */
	struct stats restart_s; /* over ok trials, seconds */
	double change_pct;	/* median against the baseline cell ("none"), NAN without one */
};

/* One entry per cell, in order of first appearance. Caller frees *out. */
int summary_compute(const struct csv_table *trials, struct cell_summary **out, size_t *n);
/* The one-screen table. */
void summary_print(FILE *f, const struct cell_summary *cells, size_t n);

#endif
