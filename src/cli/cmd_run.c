// SPDX-License-Identifier: GPL-2.0-only
/* restartprof run: parses the options, drives trial/run's steps, shows progress, decides. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "model/kernel.h"
#include "trial/run.h"
#include "util/clock.h"
#include "util/interrupt.h"

struct run_cli {
	struct run_config cfg;
	struct run run;
	struct progress progress;
};

static void print_note(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "restartprof: %s\n", line);
}

static int show_trial(void *ctx, const struct cell *cell, const struct trial *t,
		      const struct trial_kernel *tk)
{
	struct run_cli *rc = ctx;
	int64_t ns = t->status == TRIAL_OK ? trial_restart_ns(t, t->method) : -1;
	int index = (int)(cell - rc->cfg.cells);
	char remark[64] = "";

	if (ns >= 0 && tk && trial_kernel_drops(tk))
		snprintf(remark, sizeof(remark), "%llu kernel records lost",
			 (unsigned long long)trial_kernel_drops(tk));
	progress_trial(&rc->progress, index, cell->name, t->index, ns, trial_status_name(t->status),
		       ns >= 0 ? remark : t->reason, mono_ns());
	return 0;
}

static void show_progress(void *ctx, int cell, int trial, const char *what)
{
	struct run_cli *rc = ctx;

	progress_update(&rc->progress, cell, rc->cfg.cells[cell].name, trial, what, mono_ns());
}

/* Everything up to the first trial. EXIT_OK when the experiment can start. */
static int start_run(struct run_cli *rc)
{
	struct run *r = &rc->run;
	enum run_status st;
	char warning[512];

	if (run_check_privileges(&rc->cfg, r->err, sizeof(r->err)))
		return cli_step_failed(r, RUN_REFUSED);
	interrupt_install();
	if ((st = run_open_engine(r)) || (st = run_open_dir(r)) || (st = run_prepare_images(r)))
		return cli_step_failed(r, st);
	run_start_tracer(r);
	if ((st = run_open_files(r)) || (st = run_start_events(r)))
		return cli_step_failed(r, st);
	if (data_root_warning(&r->info.storage, warning, sizeof(warning)))
		fprintf(stderr, "restartprof: %s\n", warning);
	return EXIT_OK;
}

static int drive_trials(struct run_cli *rc)
{
	struct experiment_sink display = {show_trial, show_progress, rc};
	struct run *r = &rc->run;
	enum experiment_end end;

	fprintf(stderr, "restartprof: run %s, engine %s %s (API %s), writing %s\n", r->s.run_id,
		engine_kind_title(r->s.docker.kind), r->s.docker.engine_version,
		r->s.docker.api_version, r->dir);
	progress_init(&rc->progress, stderr, cli_stderr_width(), rc->cfg.n_cells, rc->cfg.trials,
		      mono_ns());
	end = run_experiment(r, &display);
	progress_end(&rc->progress);
	run_write_state(r, run_state_of(end));
	if (end != EXP_DONE)
		fprintf(stderr, "restartprof: run stopped: %s\n", r->s.err);
	return cli_exit_code(end);
}

/* The report of what the run wrote: tables, figures, timeline, page (its path said on stderr),
 * and the table on stdout. */
static void report_run(const char *dir, bool csv_complete)
{
	char err[512];

	fflush(stdout);
	if (report_run_dir(dir, stdout, err, sizeof(err)))
		fprintf(stderr,
			"restartprof: report: %s (the CSVs %s; run restartprof report %s again)\n",
			err,
			csv_complete ? "are complete"
				     : "hold every trial before the failed write, in whole rows",
			dir);
}

/* Whatever happened: files closed, the report if there is something to report, cleanup. */
static int end_run(struct run_cli *rc, int code)
{
	struct run *r = &rc->run;

	if (run_finish(r)) {
		fprintf(stderr, "restartprof: %s\n", r->err);
		code = EXIT_FAILED;
	}
	if (r->files_opened)
		report_run(r->dir, r->csv_error == 0);
	run_close(r);
	return code;
}

int cmd_run(int argc, char **argv)
{
	struct run_cli *rc = calloc(1, sizeof(*rc));
	struct run_hooks hooks = {.note = print_note, .tool_version = restartprof_version};
	char err[512];
	int code, e;

	if (!rc)
		return EXIT_FAILED;
	e = run_options_parse(argc, argv, &rc->cfg, err, sizeof(err));
	if (e) {
		if (e < 0)
			fprintf(stderr, "restartprof: %s\n", err);
		code = e < 0 ? EXIT_USAGE : EXIT_OK;
	} else {
		cli_recover_changes();
		run_init(&rc->run, &rc->cfg, &hooks);
		code = start_run(rc);
		if (code == EXIT_OK)
			code = drive_trials(rc);
		code = end_run(rc, code);
	}
	run_config_free(&rc->cfg);
	free(rc);
	return code;
}
