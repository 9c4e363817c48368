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
	LOAD_COUNT
};

struct cell {
	enum load_type load;
	int stressors; /* containers; 0 for LOAD_NONE */
	int repeat;    /* 0, or which repetition of a baseline cell this is (1-based) */
	char name[32]; /* "none", "hdd-2", "none#2" */
};

const char *load_name(enum load_type t);
/* -1 when unknown. */
int load_from_name(const char *name);
void cell_init(struct cell *c, enum load_type load, int stressors, int repeat);

#endif
