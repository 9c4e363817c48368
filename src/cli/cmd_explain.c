// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof explain DIR [--against BASE_DIR] [--rules FILE] [--brief] [--proven TRY_DIR]: the
 * headline of each cell (median restart, the phases that grew or cost most, their top cause and
 * what helps), then the causes behind each phase of each cell, ranked, with their evidence and
 * remedies; against a baseline run, what changed; beside a cause, what try runs measured.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "explain/explain.h"
#include "explain/text.h"
#include "explain/tried.h"
#include "explain/wrap.h"
#include "rundir/csv.h"

enum {
	OPT_AGAINST = 1000,
	OPT_RULES,
	OPT_LENIENT,
	OPT_PROVEN,
};

#define PROVEN_MAX 8

static const struct argp_option explain_options[] = {
	{"brief", 'b', NULL, 0, "Print only the headline of each cell", 0},
	{"against", OPT_AGAINST, "BASE_DIR", 0,
	 "Explain each cell's difference from a baseline run: the cell of the same name in "
	 "BASE_DIR, else its baseline cells pooled (default: DIR's own baseline cells)",
	 0},
	{"rules", OPT_RULES, "FILE", 0,
	 "Cause rules to use instead of the built-in ones (rules/causes.rules; docs/causes.md)", 0},
	{"proven", OPT_PROVEN, "TRY_DIR", 0,
	 "The directory of a restartprof try run: under each cause its remedy addresses, what it "
	 "measured (repeatable)",
	 0},
	{"lenient", OPT_LENIENT, NULL, 0,
	 "Leave malformed rows and unreadable optional files out, with a warning per file, "
	 "instead of refusing the run",
	 0},
	{0},
};

static const char explain_doc[] =
	"Why the restarts of the run in DIR take the time they take. First a headline per cell: "
	"its median restart time and change against the baseline, and the two or three phases "
	"that grew most (or cost most), each with its top cause and the remedy most likely to "
	"help. Then, for each cell and phase, the time split into ranked causes (the cause "
	"rules' categories) with their evidence (processes, kernel stacks, files of blocking "
	"calls), why they happen, what helps and the `restartprof try` command that tests it, "
	"and the time on CPU. For a try run's directory (or with --proven), what the remedy "
	"measured beside each phase and cause: B - A of the medians, its 95 % interval and a "
	"verdict. Needs a run made with kernel tracing (waits.csv). Lines wrap to the terminal's "
	"width (100 columns when "
	"piped)."
	"\v"
	"EXAMPLES:\n"
	"  restartprof explain results/20261204T203651-4a59c0 --brief\n"
	"  restartprof explain results/hdd --against results/base | less\n"
	"  restartprof explain results/hdd --rules my.rules\n"
	"  restartprof explain results/hdd --proven results/try-dirty\n"
	"\n"
	"EXIT CODES:\n"
	"  0  done\n"
	"  1  the output could not be written\n"
	"  2  bad command line, not a run directory (or, for --proven, not a try run), or rules "
	"that do not parse\n";

struct explain_args {
	const char *dir, *against, *rules;
	const char *proven[PROVEN_MAX];
	int n_proven;
	bool brief;
	unsigned flags;
	char *err;
	size_t errlen;
};

static error_t parse_explain_option(int key, char *arg, struct argp_state *state)
{
	struct explain_args *a = state->input;

	switch (key) {
	case 'b':
		a->brief = true;
		break;
	case OPT_AGAINST:
		a->against = arg;
		break;
	case OPT_RULES:
		a->rules = arg;
		break;
	case OPT_LENIENT:
		a->flags |= CSV_LENIENT;
		break;
	case OPT_PROVEN:
		if (a->n_proven == PROVEN_MAX) {
			snprintf(a->err, a->errlen, "--proven: at most %d directories", PROVEN_MAX);
			return EINVAL;
		}
		a->proven[a->n_proven++] = arg;
		break;
	case ARGP_KEY_ARG:
		if (a->dir) {
			snprintf(a->err, a->errlen, "explain takes one run directory (see --help)");
			return EINVAL;
		}
		a->dir = arg;
		break;
	case ARGP_KEY_END:
		if (!a->dir) {
			snprintf(a->err, a->errlen,
				 "usage: restartprof explain DIR [--against BASE_DIR] [--rules "
				 "FILE] [--brief] [--lenient] [--proven TRY_DIR] (see --help)");
			return EINVAL;
		}
		break;
	case ARGP_KEY_ERROR:
		cli_unknown_option(state, "explain", a->err, a->errlen);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* One line per file that --lenient read with rows left out. */
static void print_warnings(const char *lines)
{
	for (const char *l = lines; l && *l;) {
		size_t n = strcspn(l, "\n");

		fprintf(stderr, "restartprof: warning: %.*s\n", (int)n, l);
		l += n + (l[n] == '\n');
	}
}

/* The try runs of --proven, each with a cell of A and B trials. 0, or -1 with err. */
static int read_proven(const struct explain_args *a, const struct rules *rules,
		       struct explain_run *out, char *err, size_t errlen)
{
	for (int k = 0; k < a->n_proven; k++) {
		bool paired = false;

		if (explain_read(a->proven[k], rules, a->flags, &out[k], err, errlen))
			goto fail;
		print_warnings(out[k].warnings);
		for (size_t c = 0; c < out[k].n_cells; c++)
			paired = paired || tried_cell_paired(&out[k].cells[c]);
		if (!paired) {
			snprintf(err, errlen,
				 "%s is not a try run (no cell with trials of variant A and B)",
				 a->proven[k]);
			explain_run_free(&out[k]);
			goto fail;
		}
		continue;
	fail:
		while (k-- > 0)
			explain_run_free(&out[k]);
		return -1;
	}
	return 0;
}

int cmd_explain(int argc, char **argv)
{
	char err[512] = "";
	struct explain_args a = {.err = err, .errlen = sizeof(err)};
	struct argp argp = {
		explain_options, parse_explain_option, "DIR", explain_doc, NULL, NULL, NULL};
	struct explain_run run = {0}, base = {0}, proven[PROVEN_MAX];
	struct explain_text_opts o;
	struct rules rules;
	int rc;

	if (cli_help_asked(argc, argv)) {
		argp_help(&argp, stdout, ARGP_HELP_STD_HELP, "restartprof explain");
		return EXIT_OK;
	}
	if (argp_parse(&argp, argc, argv, ARGP_NO_ERRS, NULL, &a)) {
		fprintf(stderr, "restartprof: %s\n",
			err[0] ? err : "bad command line (see restartprof explain --help)");
		return EXIT_USAGE;
	}
	if (explain_rules_load(a.rules, &rules, err, sizeof(err))) {
		fprintf(stderr, "restartprof: cause rules: %s\n", err);
		return EXIT_USAGE;
	}
	if (explain_read(a.dir, &rules, a.flags, &run, err, sizeof(err)) ||
	    (print_warnings(run.warnings),
	     a.against && explain_read(a.against, &rules, a.flags, &base, err, sizeof(err)))) {
		fprintf(stderr, "restartprof: %s\n", err);
		explain_run_free(&run);
		rules_free(&rules);
		return EXIT_USAGE;
	}
	print_warnings(base.warnings);
	if (read_proven(&a, &rules, proven, err, sizeof(err))) {
		fprintf(stderr, "restartprof: %s\n", err);
		explain_run_free(&run);
		if (a.against)
			explain_run_free(&base);
		rules_free(&rules);
		return EXIT_USAGE;
	}
	o = (struct explain_text_opts){.rules_origin = a.rules ? a.rules : "built-in",
				       .width = wrap_width(STDOUT_FILENO),
				       .brief = a.brief,
				       .proven = proven,
				       .n_proven = (size_t)a.n_proven};
	explain_print(stdout, &run, a.against ? &base : NULL, &o);
	rc = fflush(stdout) || ferror(stdout) ? EXIT_FAILED : EXIT_OK;
	explain_run_free(&run);
	if (a.against)
		explain_run_free(&base);
	for (int k = 0; k < a.n_proven; k++)
		explain_run_free(&proven[k]);
	rules_free(&rules);
	return rc;
}
