// SPDX-License-Identifier: GPL-2.0-only
/* At the start of a root subcommand: settings a dead restartprof changed, put back and said. */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "remedy/journal.h"
#include "util/clock.h"

static void said(void *ctx, const struct journal_entry *e)
{
	time_t t = (time_t)(e->when_ns / NSEC_PER_SEC);
	char when[32] = "?";
	struct tm tm;

	(void)ctx;
	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (e->kind == JOURNAL_MOUNT)
		fprintf(stderr,
			"restartprof: remounted %s with its old options %s (changed %s by "
			"restartprof pid %d, which is gone)\n",
			e->path, e->old, when, e->pid);
	else
		fprintf(stderr,
			"restartprof: restored %s to its old value %s (changed %s by restartprof "
			"pid %d, which is gone)\n",
			e->path, e->old, when, e->pid);
}

int cli_recover_changes(void)
{
	char err[512] = "";
	int n;

	if (geteuid() != 0)
		return 0;
	n = journal_recover(JOURNAL_DIR, said, NULL, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "restartprof: WARNING: %s\n", err);
		return 0;
	}
	return n;
}
