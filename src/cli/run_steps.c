// SPDX-License-Identifier: GPL-2.0-only
/* What run and try share in driving an experiment: exit codes of its steps, the terminal. */
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "trial/run.h"
#include "util/interrupt.h"

int cli_stderr_width(void)
{
	struct winsize ws;

	if (!isatty(STDERR_FILENO))
		return 0;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

int cli_step_failed(struct run *r, enum run_status st)
{
	fprintf(stderr, "restartprof: %s\n", r->err);
	switch (st) {
	case RUN_REFUSED:
		return EXIT_USAGE;
	case RUN_INTERRUPTED:
		return EXIT_INTERRUPTED_BASE + interrupt_signal();
	default:
		return EXIT_FAILED;
	}
}

int cli_exit_code(enum experiment_end end)
{
	switch (end) {
	case EXP_DONE:
		return EXIT_OK;
	case EXP_INTERRUPTED:
		return EXIT_INTERRUPTED_BASE + interrupt_signal();
	case EXP_TOO_MANY_FAILURES:
		return EXIT_TOO_MANY;
	default:
		return EXIT_FAILED;
	}
}
