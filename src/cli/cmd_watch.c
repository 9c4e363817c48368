// SPDX-License-Identifier: GPL-2.0-only
/* restartprof watch: the metrics endpoint, the engine (awaited with --wait), the loop, the end. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/watch_cli.h"
#include "metrics/http.h"
#include "metrics/registry.h"
#include "metrics/textfile.h"
#include "util/clock.h"
#include "util/interrupt.h"
#include "watch/filter.h"
#include "watch/watch.h"

#define ENGINE_RETRY_NS (2 * NSEC_PER_SEC)

static void print_note(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "restartprof: %s\n", line);
}

static void show_restart(void *ctx, const struct cell *cell, const struct trial *t)
{
	struct watch_cli *wc = ctx;
	int64_t ns = trial_restart_ns(t, t->method);

	wc->restarts++;
	if (t->status != TRIAL_OK) {
		wc->failed++;
		fprintf(stderr, "restartprof: restart %s (%s): %s\n", cell->name, t->kind,
			t->reason);
		return;
	}
	fprintf(stderr, "restartprof: restart %s (%s): %.3f s, ready by %s\n", cell->name, t->kind,
		(double)ns / NSEC_PER_SEC, restart_method_name(t->method));
}

static int step_failed(struct run *r, enum run_status st)
{
	fprintf(stderr, "restartprof: %s\n", r->err);
	if (st == RUN_INTERRUPTED)
		return EXIT_OK; /* stopped before it began: nothing was measured */
	return st == RUN_REFUSED ? EXIT_USAGE : EXIT_FAILED;
}

static int start_metrics(struct watch_cli *wc)
{
	const struct watch_spec *ws = &wc->cfg.watch;
	struct utsname u;
	char err[256];

	if (!ws->listen[0] && !ws->textfile_dir[0])
		return 0;
	uname(&u);
	wc->wm.m = metrics_new(restartprof_version, u.release, "");
	if (!wc->wm.m) {
		fprintf(stderr, "restartprof: out of memory\n");
		return -1;
	}
	if ((ws->textfile_dir[0] &&
	     metrics_textfile_open(ws->textfile_dir, &wc->wm.textfile, err, sizeof(err))) ||
	    (ws->listen[0] &&
	     metrics_http_start(wc->wm.m, ws->listen, &wc->http, err, sizeof(err)))) {
		fprintf(stderr, "restartprof: %s\n", err);
		return -1;
	}
	return 0;
}

/* The engine, awaited with --wait until it answers or a signal comes. */
static enum run_status open_engine(struct watch_cli *wc)
{
	struct run *r = &wc->run;
	enum run_status st;
	bool said = false;

	while ((st = run_open_engine(r)) == RUN_FAILED && wc->cfg.watch.wait_engine) {
		if (!said)
			fprintf(stderr, "restartprof: %s; waiting for it (--wait)\n", r->err);
		said = true;
		run_lock_release(&r->lock);
		if (!interrupt_sleep(ENGINE_RETRY_NS))
			return RUN_INTERRUPTED;
	}
	return st;
}

static int start_watch(struct watch_cli *wc)
{
	struct run *r = &wc->run;
	enum run_status st;
	char warning[512];

	if (run_check_privileges(&wc->cfg, r->err, sizeof(r->err)))
		return step_failed(r, RUN_REFUSED);
	if (start_metrics(wc))
		return EXIT_USAGE;
	interrupt_install();
	if ((st = open_engine(wc)) || (st = run_open_dir(r)))
		return step_failed(r, st);
	if (wc->wm.m)
		metrics_engine_version(wc->wm.m, r->s.docker.engine_version);
	run_start_tracer(r);
	if ((st = run_open_files(r)) || (st = run_start_events(r)))
		return step_failed(r, st);
	if (data_root_warning(&r->info.storage, warning, sizeof(warning)))
		fprintf(stderr, "restartprof: %s\n", warning);
	return EXIT_OK;
}

static int follow(struct watch_cli *wc)
{
	struct watch_hooks hooks = {print_note, show_restart, wc};
	struct run *r = &wc->run;
	enum watch_end end;

	fprintf(stderr,
		"restartprof: run %s, engine %s (API %s), writing %s; watching restarts%s%s\n",
		r->s.run_id, r->s.docker.engine_version, r->s.docker.api_version, r->dir,
		wc->cfg.watch.filters[0] ? " of " : "", wc->cfg.watch.filters);
	if (wc->http)
		fprintf(stderr,
			"restartprof: metrics on port %d, http://%s/metrics (no "
			"authentication)\n",
			metrics_http_port(wc->http), wc->cfg.watch.listen);
	end = watch_follow(r, wc->filters, &wc->wm, &hooks);
	run_write_state(r, end == WATCH_STOPPED ? "done" : "failed");
	if (end != WATCH_STOPPED) {
		fprintf(stderr, "restartprof: watch stopped: %s\n", r->err);
		return EXIT_FAILED;
	}
	fprintf(stderr,
		"restartprof: %d restarts recorded (%d without a window) in %s; see restartprof "
		"explain %s\n",
		wc->restarts, wc->failed, r->dir, r->dir);
	return EXIT_OK;
}

static int end_watch(struct watch_cli *wc, int code)
{
	struct run *r = &wc->run;

	if (run_finish(r)) {
		fprintf(stderr, "restartprof: %s\n", r->err);
		code = EXIT_FAILED;
	}
	run_close(r);
	metrics_http_stop(wc->http);
	metrics_textfile_close(wc->wm.textfile);
	metrics_free(wc->wm.m);
	return code;
}

int cmd_watch(int argc, char **argv)
{
	struct watch_cli *wc = calloc(1, sizeof(*wc));
	struct run_hooks hooks = {.note = print_note, .tool_version = restartprof_version};
	char err[512];
	int code, e;

	if (!wc)
		return EXIT_FAILED;
	e = watch_options_parse(argc, argv, wc, err, sizeof(err));
	if (e) {
		if (e < 0)
			fprintf(stderr, "restartprof: %s\n", err);
		code = e < 0 ? EXIT_USAGE : EXIT_OK;
	} else {
		cli_recover_changes();
		run_init(&wc->run, &wc->cfg, &hooks);
		code = start_watch(wc);
		if (code == EXIT_OK && !interrupt_requested())
			code = follow(wc);
		code = end_watch(wc, code);
	}
	filters_free(wc->filters);
	free(wc);
	return code;
}
