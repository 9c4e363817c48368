// SPDX-License-Identifier: GPL-2.0-only
/* restartprof try: the remedies checked, the run with them off and on, restored, compared. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/try_cli.h"
#include "model/kernel.h"
#include "rundir/columns.h"
#include "util/clock.h"
#include "util/interrupt.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static void print_note(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "restartprof: %s\n", line);
}

static int show_trial(void *ctx, const struct cell *cell, const struct trial *t,
		      const struct trial_kernel *tk)
{
	struct try_cli *tc = ctx;
	int64_t ns = t->status == TRIAL_OK ? trial_restart_ns(t, t->method) : -1;
	char remark[64];

	(void)tk;
	snprintf(remark, sizeof(remark), "%s",
		 t->variant && t->variant[0] == 'B' ? "B, remedy on" : "A, remedy off");
	if (try_samples_add(&tc->samples, t))
		fprintf(stderr, "restartprof: out of memory for the comparison\n");
	progress_trial(&tc->progress, 0, cell->name, t->index, ns, trial_status_name(t->status),
		       ns >= 0 ? remark : t->reason, mono_ns());
	return 0;
}

static void show_progress(void *ctx, int cell, int trial, const char *what)
{
	struct try_cli *tc = ctx;

	progress_update(&tc->progress, cell, tc->cfg.cells[cell].name, trial, what, mono_ns());
}

/* A second Ctrl-C exits at once, from the signal handler: the journal stays for later. */
static void journal_left(void)
{
	static const char msg[] = "restartprof: the settings try changed stay changed until the "
				  "next restartprof start or restartprof clean restores them\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
}

/* The engine's data-root (GET /info) and the host's cgroup version, for remedy_check. */
static int host_facts(struct run *r, struct remedy_host *h)
{
	json_object *info = NULL;
	struct statfs sf;

	if (docker_call(&r->s.docker, "info", "GET", "/info", NULL, 10000, &info) || !info) {
		snprintf(r->err, sizeof(r->err), "the engine's /info: %s", r->s.docker.err);
		return -1;
	}
	snprintf(h->data_root, sizeof(h->data_root), "%s", json_str(info, "DockerRootDir", ""));
	json_object_put(info);
	h->cgroup_version = statfs("/sys/fs/cgroup", &sf) == 0 &&
					    (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC
				    ? 2
				    : 1;
	return 0;
}

/* The remedies parsed from the command line and the definitions: no machine needed yet. */
static enum run_status parse_remedies(struct try_cli *tc)
{
	const char *file = tc->cfg.try.remedies_file[0] ? tc->cfg.try.remedies_file : NULL;
	struct run *r = &tc->run;
	struct remedy_defs *d = remedy_defs_load(file, r->err, sizeof(r->err));
	int rc;

	if (!d)
		return RUN_REFUSED;
	rc = remedy_parse(d, tc->cfg.try.spec, &tc->set, r->err, sizeof(r->err));
	remedy_defs_free(d);
	return rc ? RUN_REFUSED : RUN_OK;
}

/* The remedies checked against this machine and its engine. RUN_OK or RUN_REFUSED. */
static enum run_status check_remedies(struct try_cli *tc)
{
	struct remedy_host host = {.insist = tc->cfg.try.insist};
	struct run *r = &tc->run;

	if (host_facts(r, &host))
		return RUN_FAILED;
	return remedy_check(&tc->set, &host, r->err, sizeof(r->err)) ? RUN_REFUSED : RUN_OK;
}

/* Everything up to the first trial: the remedies checked before anything is made. */
static int start_try(struct try_cli *tc)
{
	struct run *r = &tc->run;
	enum run_status st;
	char warning[512];

	if (parse_remedies(tc))
		return cli_step_failed(r, RUN_REFUSED);
	if (geteuid() != 0) {
		snprintf(r->err, sizeof(r->err),
			 "try needs root: it changes kernel settings (run it as root)");
		return cli_step_failed(r, RUN_REFUSED);
	}
	if (run_check_privileges(&tc->cfg, r->err, sizeof(r->err)))
		return cli_step_failed(r, RUN_REFUSED);
	interrupt_install();
	if ((st = run_open_engine(r)) || (st = check_remedies(tc)))
		return cli_step_failed(r, st);
	if (journal_open(&tc->journal, JOURNAL_DIR, r->err, sizeof(r->err)))
		return cli_step_failed(r, RUN_FAILED);
	tc->journal_open = true;
	r->s.journal = &tc->journal;
	interrupt_set_last_words(journal_left);
	if ((st = run_open_dir(r)) || (st = run_prepare_images(r)))
		return cli_step_failed(r, st);
	run_start_tracer(r);
	if ((st = run_open_files(r)) || (st = run_start_events(r)))
		return cli_step_failed(r, st);
	if (data_root_warning(&r->info.storage, warning, sizeof(warning)))
		fprintf(stderr, "restartprof: %s\n", warning);
	return EXIT_OK;
}

/* Everything the remedies changed written back. EXIT_FAILED when something could not be. */
static int restore(struct try_cli *tc, int code)
{
	char err[512];

	if (!tc->journal_open)
		return code;
	tc->journal_open = false;
	tc->run.s.journal = NULL;
	interrupt_set_last_words(NULL);
	if (journal_close(&tc->journal, err, sizeof(err)) == 0)
		return code;
	fprintf(stderr, "restartprof: restoring the settings: %s (restartprof clean tries again)\n",
		err);
	return EXIT_FAILED;
}

static int drive_trials(struct try_cli *tc)
{
	struct experiment_sink display = {show_trial, show_progress, tc};
	struct run *r = &tc->run;
	enum experiment_end end;

	fprintf(stderr, "restartprof: try %s, run %s, engine %s (API %s), writing %s\n",
		tc->cfg.try.spec, r->s.run_id, r->s.docker.engine_version, r->s.docker.api_version,
		r->dir);
	progress_init(&tc->progress, stderr, cli_stderr_width(), 1, tc->cfg.trials, mono_ns());
	end = run_experiment(r, &display);
	progress_end(&tc->progress);
	run_write_state(r, run_state_of(end));
	if (end != EXP_DONE)
		fprintf(stderr, "restartprof: run stopped: %s\n", r->s.err);
	return restore(tc, cli_exit_code(end));
}

/* comparison.csv, from the ok trials of each variant, into c. */
static int compare_variants(struct try_cli *tc, struct comparison *c, int code)
{
	int e;

	if (try_compare(&tc->samples, c)) {
		fprintf(stderr, "restartprof: out of memory for the comparison\n");
		return EXIT_FAILED;
	}
	e = try_comparison_write(tc->run.dirfd, tc->cfg.cells[0].name, c);
	if (e) {
		fprintf(stderr, "restartprof: cannot write %s: %s\n", COMPARISON_CSV, strerror(-e));
		code = EXIT_FAILED;
	}
	/* Like a cell without one ok trial: what was asked, a comparison, could not be made. */
	if (code == EXIT_OK && (!c[TRY_ROW_RESTART].n_a || !c[TRY_ROW_RESTART].n_b)) {
		fprintf(stderr, "restartprof: no comparison: no ok trial with the remedies %s\n",
			c[TRY_ROW_RESTART].n_b ? "off (A)" : "on (B)");
		code = EXIT_FAILED;
	}
	return code;
}

static int end_try(struct try_cli *tc, int code)
{
	struct comparison c[TRY_ROWS];
	struct run *r = &tc->run;
	char err[512];

	memset(c, 0, sizeof(c));
	code = restore(tc, code);
	if (run_finish(r)) {
		fprintf(stderr, "restartprof: %s\n", r->err);
		code = EXIT_FAILED;
	}
	if (r->files_opened) {
		code = compare_variants(tc, c, code);
		fflush(stdout);
		if (report_run_dir(r->dir, stdout, err, sizeof(err)))
			fprintf(stderr,
				"restartprof: report: %s (run restartprof report %s again)\n", err,
				r->dir);
		try_print_comparison(stdout, tc, c);
	}
	run_close(r);
	return code;
}

int cmd_try(int argc, char **argv)
{
	struct try_cli *tc = calloc(1, sizeof(*tc));
	struct run_hooks hooks = {.note = print_note, .tool_version = restartprof_version};
	char err[512];
	int code, e;

	if (!tc)
		return EXIT_FAILED;
	e = try_options_parse(argc, argv, tc, err, sizeof(err));
	if (e) {
		if (e < 0)
			fprintf(stderr, "restartprof: %s\n", err);
		code = e < 0 ? EXIT_USAGE : EXIT_OK;
	} else {
		cli_recover_changes();
		run_init(&tc->run, &tc->cfg, &hooks);
		code = start_try(tc);
		if (code == EXIT_OK)
			code = drive_trials(tc);
		code = end_try(tc, code);
	}
	try_samples_free(&tc->samples);
	run_config_free(&tc->cfg);
	free(tc);
	return code;
}
