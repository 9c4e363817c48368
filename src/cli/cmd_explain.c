// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof explain DIR [--against BASE_DIR] [--rules FILE]: the causes behind each
 * phase of each cell, ranked, with their evidence and remedies; against a baseline run, what
 * changed.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "explain/explain.h"
#include "explain/text.h"
#include "rundir/csv.h"

struct explain_args {
	const char *dir, *against, *rules;
	unsigned flags;
};

static int explain_usage(const char *why)
{
	if (why)
		fprintf(stderr, "restartprof: %s\n", why);
	fprintf(stderr,
		"usage: restartprof explain DIR [--against BASE_DIR] [--rules FILE] [--lenient]\n");
	return EXIT_USAGE;
}

static void print_explain_help(void)
{
	printf("usage: restartprof explain DIR [--against BASE_DIR] [--rules FILE] [--lenient]\n"
	       "\n"
	       "For each cell and phase of the run in DIR, the time split into ranked causes\n"
	       "(categories of the cause rules) with their evidence (processes, kernel stacks,\n"
	       "files of blocking calls), a one-line explanation and known remedies, and the\n"
	       "time no rule explains. Needs a run made with kernel tracing (waits.csv).\n"
	       "\n"
	       "  --against BASE_DIR  explain each cell's difference from a baseline: the cell of\n"
	       "                      the same name in BASE_DIR, else its baseline cells pooled.\n"
	       "                      Without it, cells are compared with DIR's own baseline.\n"
	       "  --rules FILE        cause rules to use instead of the built-in ones\n"
	       "                      (rules/causes.rules; docs/causes.md).\n"
	       "  --lenient           leave malformed rows and unreadable optional files out,\n"
	       "                      with a warning per file, instead of refusing the run\n");
}

static int parse_explain_args(int argc, char **argv, struct explain_args *a)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			print_explain_help();
			return 1;
		}
		if (strcmp(argv[i], "--against") == 0 && i + 1 < argc)
			a->against = argv[++i];
		else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc)
			a->rules = argv[++i];
		else if (strcmp(argv[i], "--lenient") == 0)
			a->flags |= CSV_LENIENT;
		else if (argv[i][0] == '-' || a->dir) {
			explain_usage("explain takes one run directory, --against DIR, --rules "
				      "FILE, --lenient");
			return -1;
		} else
			a->dir = argv[i];
	}
	if (!a->dir) {
		explain_usage(NULL);
		return -1;
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

int cmd_explain(int argc, char **argv)
{
	struct explain_args a = {0};
	struct explain_run run = {0}, base = {0};
	struct rules rules;
	char err[512];
	int rc = parse_explain_args(argc, argv, &a);

	if (rc)
		return rc > 0 ? EXIT_OK : EXIT_USAGE;
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
	explain_print(stdout, &run, a.against ? &base : NULL, a.rules ? a.rules : "built-in");
	rc = fflush(stdout) || ferror(stdout) ? EXIT_FAILED : EXIT_OK;
	explain_run_free(&run);
	if (a.against)
		explain_run_free(&base);
	rules_free(&rules);
	return rc;
}
