// SPDX-License-Identifier: GPL-2.0-only
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "report/report.h"
#include "util/interrupt.h"

#define REPORT_MAX_DIRS 16

enum {
	OPT_GNUPLOT = 1000,
	OPT_LENIENT,
};

static const struct argp_option options[] = {
	{"output", 'o', "OUT", 0,
	 "Write the report here instead, leaving the run directory as it is; with several run "
	 "directories, the comparison (default: the first)",
	 0},
	{"gnuplot", OPT_GNUPLOT, "PROGRAM", 0, "gnuplot to draw the figures with (default gnuplot)",
	 0},
	{"quiet", 'q', NULL, 0, "Print no table", 0},
	{"lenient", OPT_LENIENT, NULL, 0,
	 "Leave malformed rows and unreadable optional files out, with a warning per file, "
	 "instead of refusing the directory",
	 0},
	{0},
};

struct report_args {
	const char *dirs[REPORT_MAX_DIRS];
	size_t n;
	const char *out;
	const char *gnuplot;
	int quiet;
	bool lenient;
	char *err;
	size_t errlen;
};

static error_t parse_report_option(int key, char *arg, struct argp_state *state)
{
	struct report_args *a = state->input;

	switch (key) {
	case 'o':
		if (!*arg || strlen(arg) >= PATH_MAX - 64) {
			snprintf(a->err, a->errlen, "-o: give a directory");
			return EINVAL;
		}
		a->out = arg;
		break;
	case OPT_GNUPLOT:
		a->gnuplot = arg;
		break;
	case 'q':
		a->quiet = 1;
		break;
	case OPT_LENIENT:
		a->lenient = true;
		break;
	case ARGP_KEY_ARG:
		if (a->n == REPORT_MAX_DIRS) {
			snprintf(a->err, a->errlen, "report takes at most %d run directories",
				 REPORT_MAX_DIRS);
			return EINVAL;
		}
		if (strlen(arg) >= PATH_MAX - 64) {
			snprintf(a->err, a->errlen, "run directory name too long");
			return EINVAL;
		}
		a->dirs[a->n++] = arg;
		break;
	case ARGP_KEY_END:
		if (!a->n) {
			snprintf(a->err, a->errlen,
				 "usage: restartprof report DIR [DIR...] [-o OUT] (see --help)");
			return EINVAL;
		}
		break;
	case ARGP_KEY_ERROR:
		cli_unknown_option(state, "report", a->err, a->errlen);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static bool report_cancelled(void)
{
	return interrupt_requested();
}

/* At the end of a run, also an interrupted one: the interrupt that stopped the run must not
 * stop its report too (a second SIGINT ends the process; gnuplot has its own time limit). */
int report_run_dir(const char *dir, FILE *table, char *err, size_t errlen)
{
	const char *dirs[1] = {dir};
	struct report_opts o = {.table = table, .log = stderr};

	return report_dirs(dirs, 1, &o, err, errlen);
}

static const char report_doc[] =
	"Statistics, figures, a timeline and report.html from run directories; with several, "
	"also a comparison of them (compare.html). The table goes to stdout, where the pages are "
	"to stderr."
	"\v"
	"EXAMPLES:\n"
	"  restartprof report results/RUN_ID\n"
	"  restartprof report results/RUN_ID -o /tmp/rp-report  (the run's directory unchanged)\n"
	"  restartprof report results/before results/after -o results/compare\n"
	"\n"
	"EXIT CODES:\n"
	"  0      every page written\n"
	"  1      something could not be written\n"
	"  2      bad command line, or a directory that holds no readable run\n"
	"  128+N  interrupted by signal N\n";

int cmd_report(int argc, char **argv)
{
	char err[512] = "";
	struct report_args a = {.err = err, .errlen = sizeof(err)};
	struct argp argp = {options, parse_report_option, "DIR [DIR...]", report_doc, NULL, NULL,
			    NULL};
	struct report_opts o;
	int rc;

	if (cli_help_asked(argc, argv)) {
		argp_help(&argp, stdout, ARGP_HELP_STD_HELP, "restartprof report");
		return EXIT_OK;
	}
	if (argp_parse(&argp, argc, argv, ARGP_NO_ERRS, NULL, &a)) {
		fprintf(stderr, "restartprof: %s\n",
			err[0] ? err : "bad command line (see restartprof report --help)");
		return EXIT_USAGE;
	}
	interrupt_install();
	o = (struct report_opts){.gnuplot = a.gnuplot,
				 .cancelled = report_cancelled,
				 .table = a.quiet ? NULL : stdout,
				 .log = stderr,
				 .out_dir = a.out,
				 .lenient = a.lenient};
	rc = report_dirs(a.dirs, a.n, &o, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "restartprof: %s\n", err);
		if (interrupt_requested())
			return EXIT_INTERRUPTED_BASE + interrupt_signal();
		return rc == REPORT_BAD_INPUT ? EXIT_USAGE : EXIT_FAILED;
	}
	return EXIT_OK;
}
