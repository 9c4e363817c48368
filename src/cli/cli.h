// SPDX-License-Identifier: GPL-2.0-only
/* The subcommands; each returns the process exit code. */
#ifndef RP_CLI_CLI_H
#define RP_CLI_CLI_H

#include <argp.h>
#include <stdbool.h>
#include <stdio.h>

#include "trial/config.h"
#include "trial/run.h"

/* Exit codes, documented in README.md and docs/running.md. */
#define EXIT_OK		      0
#define EXIT_FAILED	      1	  /* the run could not be done: engine, images, output */
#define EXIT_USAGE	      2	  /* bad command line, missing privilege or kernel feature */
#define EXIT_TOO_MANY	      3	  /* stopped after too many consecutive failed trials */
#define EXIT_INTERRUPTED_BASE 128 /* + the signal number */

/* The option groups of run --help, in their order; check and run share the probe options. */
enum run_option_group {
	RUN_GROUP_RUN = 1,
	RUN_GROUP_LOAD,
	RUN_GROUP_TARGET,
	RUN_GROUP_ENGINE,
	RUN_GROUP_DEVELOPER,
};

/* Parses `run` options into cfg. 0, 1 when it printed the help instead, or -1 with one line
 * in err. */
int run_options_parse(int argc, char **argv, struct run_config *cfg, char *err, size_t errlen);
/* What another command (try) adds to the run options: its options as an argp child (input
 * given to it), its name and --help text, and where the first word before "--" goes. */
struct run_options_extra {
	const char *cmd; /* "try" */
	const struct argp *child;
	void *input;
	int group; /* where the child's options sort in --help */
	const char *args_doc, *doc;
	const char **first_word; /* NULL: every word is the target command */
	bool one_cell;		 /* --matrix and --alternate not offered in --help */
};
int run_options_parse_extra(int argc, char **argv, struct run_config *cfg,
			    const struct run_options_extra *x, char *err, size_t errlen);
void run_config_free(struct run_config *cfg);

/* What the command line says of the cells: --load, --stressors, --matrix, --quick. */
struct cell_options {
	const char *load; /* NULL when not given */
	int stressors;	  /* 0 when not given */
	bool matrix, quick;
	const char *stress_args; /* --stress-args, NULL when not given */
};
/* Fills cfg's cells (and its stress-ng arguments). 0, or -1 with one line in err. */
int run_cells_from_options(const struct cell_options *co, struct run_config *cfg, char *err,
			   size_t errlen);
/*
 * --probe-paths, --no-fentry, --no-kprobe, for run and check: an argp child parser whose input
 * is a struct probe_path_input (set it in the parent's ARGP_KEY_INIT). A bad list leaves one
 * line in err.
 */
struct probe_path_input {
	unsigned *paths; /* 1 << enum probe_path for each path allowed; 0: all */
	char *err;
	size_t errlen;
};
extern const struct argp probe_path_argp;

/* A whole decimal number in [lo, hi]; seconds (fractions allowed) in [lo, hi] as ns. 0 or -1. */
int cli_parse_long(const char *s, long lo, long hi, long *out);
int cli_parse_seconds(const char *s, double lo, double hi, int64_t *out_ns);
/* --oncpu-hz's value, 0 to 10000; -1 (then CLI_ONCPU_HZ_BAD says why) when it is not one. */
int cli_parse_oncpu_hz(const char *s, unsigned *hz);
#define CLI_ONCPU_HZ_BAD "--oncpu-hz '%.50s': give samples a second from 0 to 10000"

/* Help of the options that several commands take: one text each. */
#define CLI_DOCKER_HOST_HELP "Engine socket (default $DOCKER_HOST, else /var/run/docker.sock)"
/* --oncpu-hz, for run, try and watch. */
#define CLI_ONCPU_HZ_HELP                                                                          \
	"On-CPU samples a second per CPU of the engine's and the target's tasks, with kernel and " \
	"user stacks (default 199; 0: off)"
#define CLI_BTF_HELP "BTF of the running kernel, when it is not at /sys/kernel/btf/vmlinux"

/* --help, -h, -? or --usage before any "--": argp's own help is silenced with ARGP_NO_ERRS. */
bool cli_help_asked(int argc, char **argv);
/* At ARGP_KEY_ERROR: "unknown option or missing value at ARG (see restartprof cmd --help)"
 * into err, unless err already says why. */
void cli_unknown_option(const struct argp_state *state, const char *cmd, char *err, size_t errlen);

/* The report of one run directory (restartprof report DIR), the table into table. 0 or -1. */
int report_run_dir(const char *dir, FILE *table, char *err, size_t errlen);

/* The loud line when the engine's data-root keeps its data in memory; 1 then, else 0. */
struct storage_info;
int data_root_warning(const struct storage_info *si, char *out, size_t len);

/* Restores what a restartprof that died left changed (remedy/journal.h), saying each on
 * stderr; nothing without root. How many settings were restored. */
int cli_recover_changes(void);

/* For run and try: stderr's terminal width (0: no terminal, plain lines); a step's failure
 * said in one line, and the exit code it means; the exit code of an experiment's end. */
int cli_stderr_width(void);
int cli_step_failed(struct run *r, enum run_status st);
int cli_exit_code(enum experiment_end end);

int cmd_run(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_clean(int argc, char **argv);
int cmd_try(int argc, char **argv);

extern const char *const restartprof_version;
/* restartprof version: the version, git hash, architecture, link and libbpf, one per line. */
void print_version(FILE *f);

#endif
