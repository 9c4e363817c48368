// SPDX-License-Identifier: GPL-2.0-only
/* The remedy definitions once parsed: shared by the definitions parser and the spec parser. */
#ifndef RP_REMEDY_DEFS_H
#define RP_REMEDY_DEFS_H

#include <stdbool.h>
#include <stdint.h>

#include "remedy/remedy.h"

#define DEF_PATH_LEN  128
#define DEF_ABOUT_LEN 160
#define DEF_ARGS_LEN  48
#define DEF_ARGS_MAX  2

enum arg_type {
	ARG_SIZE,
	ARG_RATE,
	ARG_NUMBER,
	ARG_PATH
};

struct def_arg {
	enum arg_type type;
	bool has_default;
	int default_of; /* 0: default is the literal; K: $K / default_div */
	uint64_t default_div;
	char default_value[REMEDY_VALUE_LEN];
	uint64_t min, max;
};

struct remedy_def {
	char name[REMEDY_NAME_LEN];
	char about[DEF_ABOUT_LEN];
	char args[DEF_ARGS_LEN]; /* as shown: "BYTES[:BACKGROUND]" */
	enum remedy_kind kind;
	unsigned needs;
	struct def_arg arg[DEF_ARGS_MAX];
	int n_args;
	struct {
		char path[DEF_PATH_LEN];
		char value[REMEDY_VALUE_LEN]; /* "$1", "$2" or a literal */
	} set[REMEDY_SETTINGS_MAX];
	int n_set;
	char save[REMEDY_SETTINGS_MAX][DEF_PATH_LEN];
	int n_save;
	bool builtin;
};

struct remedy_defs {
	struct remedy_def d[REMEDY_DEFS_MAX];
	int n;
};

/* The definition called name, or NULL. */
const struct remedy_def *remedy_def_find(const struct remedy_defs *d, const char *name);
/* A setting's path as a definition may name it: /proc/sys/vm/NAME or
 * /sys/block/DISK/queue/..., DISK possibly "$DEV"; no "." or ".." components. */
bool remedy_path_allowed(const char *path);
/* The same for a path that exists, on its realpath: no symlink leads out of those trees.
 * 0, or -errno (-EACCES when it leads out). */
int remedy_path_allowed_real(const char *path);
/* "64M" -> 67108864 (K, M, G, T: powers of 1024; an optional B or iB; for a rate, an optional
 * "/s"). 0 or -1. */
int remedy_parse_size(const char *s, bool rate, uint64_t *out);

/* text as a value of argument a: 0 (*num its number), -1 not of its type, -2 out of range. */
int remedy_arg_check(const struct def_arg *a, const char *text, uint64_t *num);

#endif
