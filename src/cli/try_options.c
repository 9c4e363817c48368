// SPDX-License-Identifier: GPL-2.0-only
/* restartprof try's command line: the remedies, the run options, --list; its table. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/try_cli.h"

enum {
	OPT_REMEDIES = 3000,
	OPT_INSIST,
	OPT_LIST,
};

static const struct argp_option options[] = {
	{NULL, 0, NULL, 0, "The remedies:", 0},
	{"remedies", OPT_REMEDIES, "FILE", 0,
	 "Also the remedies defined in FILE (settings under /proc/sys/vm and "
	 "/sys/block/*/queue only)",
	 0},
	{"insist", OPT_INSIST, NULL, 0,
	 "Apply a remedy that is refused only because it may not work here (load-wbps on cgroup "
	 "v1 or without load-fs), and let the measurement say",
	 0},
	{"list", OPT_LIST, NULL, 0, "Print the remedies known, one per line, and exit", 0},
	{0},
};

static const char try_doc[] =
	"Measure a remedy: the cell the run options describe (one --load with --stressors, or no "
	"load), trials with the remedies off (A) and on (B) interleaved A B B A in every group of "
	"four, so that a slow drift of the machine cancels out. Every setting changed is recorded "
	"under " JOURNAL_DIR " before it changes and restored at the end, on SIGINT, SIGTERM and "
	"SIGHUP, and after a crash by the next start or restartprof clean. The run directory gets "
	"trials.csv with the variant of each trial and comparison.csv: per phase, the medians of "
	"A and B, the difference, its 95 % bootstrap interval and the verdict."
	"\v"
	"EXAMPLES:\n"
	"  restartprof try --list                                the remedies known\n"
	"  restartprof try dirty=64M:16M --load hdd --stressors 2 -n 20\n"
	"  restartprof try load-cpus=1 --load cpu --stressors 2 -n 20\n"
	"  restartprof try wbt=2000,dirty=64M --load hdd -n 40 -o results/wbt\n"
	"  restartprof try nodiscard --load hdd -n 20            data-root mounted with discard\n"
	"  restartprof try --remedies my.remedies ratio=5 --load hdd\n"
	"\n"
	"EXIT CODES:\n"
	"  0      every trial done, the comparison written\n"
	"  1      the run could not be done, a variant had no ok trial (no comparison), or a\n"
	"         setting could not be restored\n"
	"  2      bad command line, a remedy refused here, missing privilege or kernel feature\n"
	"  3      stopped after --max-failures failed trials in a row\n"
	"  128+N  stopped by signal N (130: Ctrl-C); settings restored, what was measured "
	"compared\n";

static error_t parse_try_option(int key, char *arg, struct argp_state *state)
{
	struct try_cli *tc = state->input;

	switch (key) {
	case OPT_REMEDIES:
		snprintf(tc->cfg.try.remedies_file, sizeof(tc->cfg.try.remedies_file), "%s", arg);
		break;
	case OPT_INSIST:
		tc->cfg.try.insist = true;
		break;
	case OPT_LIST:
		tc->list = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const struct argp try_argp = {options, parse_try_option, NULL, NULL, NULL, NULL, NULL};

/* What try cannot measure: more than one cell, or --alternate. 0 or -1 with err. */
static int refuse_shape(const struct try_cli *tc, char *err, size_t errlen)
{
	if (tc->cfg.matrix) {
		snprintf(err, errlen,
			 "--matrix: try measures one cell (give one --load with --stressors)");
		return -1;
	}
	if (tc->cfg.alternate != ALT_NONE) {
		snprintf(err, errlen,
			 "--alternate: try alternates the remedy itself; leave --alternate out");
		return -1;
	}
	if (tc->cfg.n_cells != 1) {
		snprintf(err, errlen, "try measures one cell; give one --load type");
		return -1;
	}
	if (!tc->spec) {
		snprintf(err, errlen,
			 "try needs the remedies to try, such as dirty=64M:16M (restartprof try "
			 "--list names them)");
		return -1;
	}
	if (strlen(tc->spec) >= sizeof(tc->cfg.try.spec)) {
		snprintf(err, errlen, "the remedies '%.60s...' are too long", tc->spec);
		return -1;
	}
	return 0;
}

/* --list: the built-in remedies and the user's. */
static int print_list(struct try_cli *tc, char *err, size_t errlen)
{
	const char *file = tc->cfg.try.remedies_file[0] ? tc->cfg.try.remedies_file : NULL;
	struct remedy_defs *d = remedy_defs_load(file, err, errlen);
	char *out;
	int rc = -1;

	if (!d)
		return -1;
	out = malloc(65536);
	if (out && remedy_defs_describe(d, out, 65536) >= 0) {
		fputs(out, stdout);
		if (out[0] && out[strlen(out) - 1] != '\n')
			fputc('\n', stdout);
		rc = 1;
	} else {
		snprintf(err, errlen, "cannot describe the remedies");
	}
	free(out);
	remedy_defs_free(d);
	return rc;
}

int try_options_parse(int argc, char **argv, struct try_cli *tc, char *err, size_t errlen)
{
	struct run_options_extra x = {
		.cmd = "try",
		.child = &try_argp,
		.input = tc,
		.group = RUN_GROUP_RUN,
		.args_doc = "REMEDY[,REMEDY...] [-- COMMAND...]",
		.doc = try_doc,
		.first_word = &tc->spec,
		.one_cell = true,
	};
	int rc = run_options_parse_extra(argc, argv, &tc->cfg, &x, err, errlen);

	if (rc)
		return rc;
	if (tc->list)
		return print_list(tc, err, errlen);
	if (refuse_shape(tc, err, errlen))
		return -1;
	tc->cfg.try.on = true;
	snprintf(tc->cfg.try.spec, sizeof(tc->cfg.try.spec), "%s", tc->spec);
	tc->cfg.try.set = &tc->set;
	return 0;
}

/* "12.3 ms" in a column, or "-" when there is no value. */
static void ms_cell(FILE *f, bool have, double s)
{
	if (have)
		fprintf(f, " %10.1f ms", s * 1e3);
	else
		fprintf(f, " %13s", "-");
}

/* A verdict from fewer values than make its interval trustworthy. */
static bool few(const struct comparison *k)
{
	return k->verdict != VERDICT_NONE && (k->n_a < COMPARE_FEW || k->n_b < COMPARE_FEW);
}

void try_print_comparison(FILE *f, const struct try_cli *tc, const struct comparison *c)
{
	const struct comparison *r = &c[TRY_ROW_RESTART];

	fprintf(f, "\ntry %s, cell %s: %zu trials A (remedy off), %zu B (on), %s\n",
		tc->cfg.try.spec, tc->cfg.cells[0].name, r->n_a, r->n_b, RUN_TRY_SEQUENCE);
	fprintf(f, "%-10s %13s %13s %13s   %-25s %s\n", "phase", "median A", "median B", "B - A",
		"95 % interval of B - A", "verdict");
	for (int row = 0; row < TRY_ROWS; row++) {
		const struct comparison *k = &c[row];
		char interval[64] = "-";

		if (k->verdict != VERDICT_NONE)
			snprintf(interval, sizeof(interval), "[%.1f, %.1f] ms", k->lo * 1e3,
				 k->hi * 1e3);
		fprintf(f, "%-10s", try_row_name(row));
		ms_cell(f, k->n_a > 0, k->median_a);
		ms_cell(f, k->n_b > 0, k->median_b);
		ms_cell(f, k->n_a > 0 && k->n_b > 0, k->diff);
		fprintf(f, "   %-25s %s%s\n", interval, verdict_name(k->verdict),
			few(k) ? " (few trials)" : "");
	}
	if (few(r))
		fprintf(f,
			"(few trials: with fewer than %d of A or B the interval is too narrow to "
			"trust; give more trials)\n",
			COMPARE_FEW);
}
