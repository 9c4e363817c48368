// SPDX-License-Identifier: GPL-2.0-only
/* A cell of an experiment: one load type at one stressor count. */
#ifndef RP_MODEL_CELL_H
#define RP_MODEL_CELL_H

#include <stddef.h>

enum load_type {
	LOAD_NONE,
	LOAD_CPU,
	LOAD_MEM,
	LOAD_IO,
	LOAD_HDD,
	LOAD_CUSTOM,
	LOAD_DEVICE, /* watch: whatever the device runs beside the restarting service */
	LOAD_COUNT
};

#define CELL_NAME_LEN 128

struct cell {
	enum load_type load;
	int stressors;		  /* containers; 0 for LOAD_NONE */
	int repeat;		  /* 0, or which repetition of a baseline cell this is (1-based) */
	char name[CELL_NAME_LEN]; /* "none", "hdd-2", "none#2"; watch: "web", "project/service" */
};

const char *load_name(enum load_type t);
/* -1 when unknown. */
int load_from_name(const char *name);
void cell_init(struct cell *c, enum load_type load, int stressors, int repeat);
/* True for the cells of a baseline (no load), whatever their repeat. */
int cell_is_baseline(const struct cell *c);

/*
 * Reads a cell name back ("none", "hdd-2", "none#3", "custom-1"): load, stressors and repeat
 * (1 when the name carries none). For files that lack the load and stressors columns. 0, or -1
 * when the name is none of these forms.
 */
int cell_parse_name(const char *name, enum load_type *load, int *stressors, int *repeat);

/*
 * The paper's grid in the order it is run, so that drift cannot pass for an effect: a baseline,
 * then each load of loads[] with 1..max_stressors containers (ascending), each load block
 * followed by another baseline ("none#2", "none#3", ...). Every load block is thus bracketed by
 * two baselines run just before and just after it. Returns the number of cells (n_loads *
 * (max_stressors + 1) + 1), or -1 if that is more than max_cells or an argument is out of range.
 */
int cells_matrix(const enum load_type *loads, int n_loads, int max_stressors, struct cell *out,
		 int max_cells);

#endif
