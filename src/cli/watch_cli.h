// SPDX-License-Identifier: GPL-2.0-only
/* restartprof watch: what its command line holds, shared by its parser and its driver. */
#ifndef RP_CLI_WATCH_CLI_H
#define RP_CLI_WATCH_CLI_H

#include "trial/config.h"
#include "trial/run.h"
#include "watch/watch.h"

struct filters;
struct metrics;
struct metrics_http;

struct watch_cli {
	struct run_config cfg;
	struct filters *filters;
	struct run run;
	struct watch_metrics wm;
	struct metrics_http *http;
	int restarts, failed;
};

/* 0, 1 when it printed the help instead, or -1 with one line in err. */
int watch_options_parse(int argc, char **argv, struct watch_cli *wc, char *err, size_t errlen);

#endif
