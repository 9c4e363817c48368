// SPDX-License-Identifier: GPL-2.0-only
/* restartprof try: what its command line holds, shared by its parser and its driver. */
#ifndef RP_CLI_TRY_CLI_H
#define RP_CLI_TRY_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "cli/progress.h"
#include "remedy/journal.h"
#include "remedy/remedy.h"
#include "trial/config.h"
#include "trial/run.h"
#include "trial/variants.h"

struct try_cli {
	struct run_config cfg;
	struct run run;
	struct progress progress;
	const char *spec; /* the first word: REMEDY[,REMEDY...] */
	bool list;	  /* --list */
	struct remedy_set set;
	struct journal journal;
	bool journal_open;
	struct try_samples samples;
};

/* 0, 1 when it printed the help or the list instead, or -1 with one line in err. */
int try_options_parse(int argc, char **argv, struct try_cli *tc, char *err, size_t errlen);
/* The comparison of A and B per phase, as a table. */
void try_print_comparison(FILE *f, const struct try_cli *tc, const struct comparison *c);

#endif
