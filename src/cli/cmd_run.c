#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "engine/docker.h"
#include "engine/events.h"
#include "engine/http.h"
#include "engine/image.h"
#include "model/kernel.h"
#include "rundir/csv.h"
#include "rundir/kernel_csv.h"
#include "rundir/run_csv.h"
#include "rundir/run_json.h"
#include "trace/tracer.h"
#include "trial/experiment.h"
#include "trial/leftovers.h"
#include "trial/session.h"
#include "util/caps.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/interrupt.h"

struct run_ctx {
	struct run_config cfg;
	struct session s;
	struct run_csv *csv;
	struct progress progress;
	struct run_info info;
	bool info_written;
	int dirfd;
	int ok, failed;
	char stress_ref[IMAGE_REF_LEN];
	bool built_stress, built_target;
};

static int abort_on_interrupt(void)
{
	return interrupt_requested();
}

static int sink_trial(void *ctx, const struct cell *cell, const struct trial *t,
		      const struct trial_kernel *tk)
{
	struct run_ctx *rc = ctx;
	int64_t ns = t->status == TRIAL_OK ? trial_restart_ns(t, t->method) : -1;
	int index = (int)(cell - rc->cfg.cells);
	char remark[64] = "";

	if (t->status == TRIAL_OK)
		rc->ok++;
	else
		rc->failed++;
	if (ns >= 0 && tk && trial_kernel_drops(tk))
		snprintf(remark, sizeof(remark), "%llu kernel records lost",
			 (unsigned long long)trial_kernel_drops(tk));
	progress_trial(&rc->progress, index, cell->name, t->index, ns, trial_status_name(t->status),
		       ns >= 0 ? remark : t->reason, mono_ns());
	return run_csv_trial(rc->csv, cell, t, tk);
}

static void sink_progress(void *ctx, int cell, int trial, const char *note)
{
	struct run_ctx *rc = ctx;

	progress_update(&rc->progress, cell, rc->cfg.cells[cell].name, trial, note, mono_ns());
}

/* Terminal width of stderr, or 0 when it is no terminal (then plain lines). */
static int stderr_width(void)
{
	struct winsize ws;

	if (!isatty(STDERR_FILENO))
		return 0;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* run.json: written as soon as the run starts, rewritten when it ends. */
static void write_run_json(struct run_ctx *rc, const char *state)
{
	int e;

	if (rc->dirfd < 0)
		return;
	if (!rc->info_written)
		run_meta_collect(&rc->info, &rc->cfg, &rc->s.docker, rc->s.run_id, wall_ns());
	snprintf(rc->info.state, sizeof(rc->info.state), "%s", state);
	if (strcmp(state, "running") != 0)
		rc->info.end_ns = wall_ns();
	e = run_json_write(rc->dirfd, &rc->info);
	if (e)
		fprintf(stderr, "restartprof: cannot write %s: %s\n", RUN_JSON, strerror(-e));
	rc->info_written = true;
}

static const char *state_of(enum experiment_end end)
{
	switch (end) {
	case EXP_DONE:
		return "done";
	case EXP_INTERRUPTED:
		return "interrupted";
	case EXP_TOO_MANY_FAILURES:
		return "stopped";
	default:
		return "failed";
	}
}

static int check_privileges(const struct run_config *cfg)
{
	char missing[128];

	if (cfg->trace && access(cfg->btf_path, R_OK) != 0) {
		fprintf(stderr,
			"restartprof: no kernel BTF at %s (the kernel needs "
			"CONFIG_DEBUG_INFO_BTF=y, or give --btf PATH); pass --no-trace to measure "
			"without kernel tracing\n",
			cfg->btf_path);
		return -1;
	}

	if (caps_missing(cfg->trace, cfg->ready.kind == READY_TCP, missing, sizeof(missing)) == 0)
		return 0;
	fprintf(stderr, "restartprof: run needs %s%s (run it as root%s)\n", missing,
		cfg->trace ? " to load BPF programs" : " to probe inside the container",
		cfg->trace ? ", or pass --no-trace" : "");
	return -1;
}

static int open_output(struct run_ctx *rc)
{
	char dir[PATH_MAX];
	int fd;

	if (rc->cfg.out_dir[0]) {
		snprintf(dir, sizeof(dir), "%s", rc->cfg.out_dir);
	} else {
		if (mkdir("results", 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "restartprof: cannot create results/: %s\n",
				strerror(errno));
			return -1;
		}
		snprintf(dir, sizeof(dir), "results/%s", rc->s.run_id);
	}
	fd = out_dir_open(dir, 1);
	if (fd < 0) {
		fprintf(stderr, "restartprof: output directory %s is not usable: %s\n", dir,
			strerror(-fd));
		return -1;
	}
	snprintf(rc->cfg.out_dir, sizeof(rc->cfg.out_dir), "%s", dir);
	rc->dirfd = fd;
	return 0;
}

static bool needs_load(const struct run_config *cfg)
{
	for (int i = 0; i < cfg->n_cells; i++)
		if (cfg->cells[i].load != LOAD_NONE)
			return true;
	return false;
}

static int prepare_images(struct run_ctx *rc)
{
	struct session *s = &rc->s;
	json_object *o;
	int rc_;

	if (rc->cfg.image[0]) {
		rc_ = docker_image_inspect(&s->docker, rc->cfg.image, &o);
		if (rc_) {
			fprintf(stderr,
				"restartprof: image %s is not in the engine (restartprof never "
				"pulls: load or build it first)\n",
				rc->cfg.image);
			return EXIT_USAGE;
		}
		json_object_put(o);
		snprintf(s->target_image, sizeof(s->target_image), "%s", rc->cfg.image);
	} else {
		fprintf(stderr, "restartprof: preparing the service image\n");
		if (image_ensure_service(&s->docker, s->target_image, &(int){0},
					 abort_on_interrupt)) {
			fprintf(stderr, "restartprof: %s\n", s->docker.err);
			return interrupt_requested() ? EXIT_INTERRUPTED_BASE + interrupt_signal()
						     : EXIT_FAILED;
		}
		rc->built_target = true;
	}
	if (!needs_load(&rc->cfg))
		return 0;
	if (access(rc->cfg.stress_ng, X_OK) != 0) {
		fprintf(stderr,
			"restartprof: no stress-ng at %s (install Debian's stress-ng or pass "
			"--stress-ng PATH)\n",
			rc->cfg.stress_ng);
		return EXIT_USAGE;
	}
	fprintf(stderr, "restartprof: preparing the stress image from %s\n", rc->cfg.stress_ng);
	if (image_ensure_stress(&s->docker, rc->cfg.stress_ng, s->stress_image, &(int){0},
				abort_on_interrupt)) {
		fprintf(stderr, "restartprof: %s\n", s->docker.err);
		return interrupt_requested() ? EXIT_INTERRUPTED_BASE + interrupt_signal()
					     : EXIT_FAILED;
	}
	rc->built_stress = true;
	return 0;
}

/* One line: how many probes run and on which paths; the details go to probes.csv. */
static void report_probes(struct run_ctx *rc)
{
	int n, used = 0, by_path[PROBE_PATH_COUNT] = {0};
	const struct probe_status *p = tracer_probes(rc->s.tracer, &n);
	char paths[128] = "";
	int e;

	for (int i = 0; i < n; i++)
		if (p[i].chosen >= 0) {
			used++;
			by_path[p[i].chosen]++;
		}
	for (int k = 0; k < PROBE_PATH_COUNT; k++)
		if (by_path[k]) {
			size_t l = strlen(paths);

			snprintf(paths + l, sizeof(paths) - l, "%s%s %d", l ? ", " : "",
				 probe_path_name(k), by_path[k]);
		}
	fprintf(stderr, "restartprof: kernel tracing with %d of %d probes (%s), see %s\n", used, n,
		paths, PROBES_CSV);
	e = kernel_probes_write(rc->dirfd, p, n);
	if (e)
		fprintf(stderr, "restartprof: cannot write %s: %s\n", PROBES_CSV, strerror(-e));
}

static void start_tracer(struct run_ctx *rc)
{
	struct tracer_opts opts = {
		.events_detail = rc->cfg.events_csv,
		.engine_pid = docker_peer_pid(rc->cfg.socket_path),
		.probe_paths = rc->cfg.probe_paths,
		.no_stacks = rc->cfg.no_stacks,
		.prog_stats = rc->cfg.prog_stats,
		.sleep_stacks = rc->cfg.sleep_stacks,
		.btf_path = strcmp(rc->cfg.btf_path, "/sys/kernel/btf/vmlinux") ? rc->cfg.btf_path
										: NULL,
	};
	char err[256];

	if (!rc->cfg.trace)
		return;
	if (opts.engine_pid <= 0)
		fprintf(stderr,
			"restartprof: the engine's pid is unknown (no peer on %s): its tasks "
			"will count as other\n",
			rc->cfg.socket_path);
	if (tracer_open(&opts, &rc->s.tracer, err, sizeof(err))) {
		fprintf(stderr, "restartprof: measuring without kernel tracing: %s\n", err);
		return;
	}
	if (opts.prog_stats && tracer_prog_stats_note(rc->s.tracer)[0])
		fprintf(stderr, "restartprof: --prog-stats: %s\n",
			tracer_prog_stats_note(rc->s.tracer));
	if (!opts.no_stacks) {
		bool named;
		const char *why = tracer_symbols_desc(rc->s.tracer, &named);

		if (!named)
			fprintf(stderr, "restartprof: /proc/kallsyms: %s\n", why);
	}
}

/* The report of what the run wrote: tables, figures, timeline, page, and the table on stdout. */
static void run_report(struct run_ctx *rc)
{
	char err[512];

	fflush(stdout);
	if (report_run_dir(rc->cfg.out_dir, stdout, err, sizeof(err)))
		fprintf(stderr,
			"restartprof: report: %s (the CSVs are complete; run restartprof "
			"report %s again)\n",
			err, rc->cfg.out_dir);
	else
		fprintf(stderr, "restartprof: report in %s/report.html\n", rc->cfg.out_dir);
}

static void remove_built_images(struct run_ctx *rc)
{
	if (rc->cfg.keep_images)
		return;
	if (rc->built_target)
		docker_image_remove(&rc->s.docker, rc->s.target_image);
	if (rc->built_stress)
		docker_image_remove(&rc->s.docker, rc->s.stress_image);
}

static int exit_code_of(enum experiment_end end)
{
	switch (end) {
	case EXP_DONE:
		return EXIT_OK;
	case EXP_INTERRUPTED:
		return EXIT_INTERRUPTED_BASE + interrupt_signal();
	case EXP_TOO_MANY_FAILURES:
		return EXIT_TOO_MANY;
	case EXP_SETUP_FAILED:
		return EXIT_FAILED;
	default:
		return EXIT_FAILED;
	}
}

int cmd_run(int argc, char **argv)
{
	struct run_ctx *rc = calloc(1, sizeof(*rc));
	struct experiment_sink sink = {sink_trial, sink_progress, rc};
	enum experiment_end end;
	char err[512];
	int code = EXIT_FAILED, e;

	if (!rc)
		return EXIT_FAILED;
	rc->dirfd = -1;
	e = run_options_parse(argc, argv, &rc->cfg, err, sizeof(err));
	if (e) {
		if (e < 0)
			fprintf(stderr, "restartprof: %s\n", err);
		code = e < 0 ? EXIT_USAGE : EXIT_OK;
		goto out;
	}
	if (check_privileges(&rc->cfg)) {
		code = EXIT_USAGE;
		goto out;
	}
	interrupt_install();
	http_global_init();
	session_init(&rc->s, &rc->cfg);
	e = docker_open(&rc->s.docker, rc->cfg.socket_path);
	if (e) {
		fprintf(stderr, "restartprof: %s\n", rc->s.docker.err);
		goto out;
	}
	leftovers_remove(&rc->s.docker, stderr);
	if (open_output(rc)) {
		code = EXIT_USAGE;
		goto out;
	}
	code = prepare_images(rc);
	if (code)
		goto out;
	code = EXIT_FAILED;
	start_tracer(rc);
#ifdef __GLIBC__
	/*
	 * Images are built in memory (tens of MiB for the stress image) and loading the BPF
	 * objects parses the kernel's BTF again and again; once glibc has seen such large blocks
	 * freed it serves the next ones from its heap, and keeps what is freed there unless
	 * asked: the run would carry 20 MiB it no longer uses to its end.
	 */
	malloc_trim(0);
#endif
	if (run_csv_open(&rc->csv, rc->dirfd, rc->s.run_id,
			 (rc->s.tracer ? RUN_CSV_KERNEL : 0) |
				 (rc->s.tracer && rc->cfg.events_csv ? RUN_CSV_EVENTS : 0) |
				 (rc->s.tracer && rc->cfg.prog_stats ? RUN_CSV_PROGS : 0),
			 err, sizeof(err))) {
		fprintf(stderr, "restartprof: %s\n", err);
		code = EXIT_USAGE;
		goto out;
	}
	write_run_json(rc, "running");
	if (rc->s.tracer)
		report_probes(rc);
	if (event_stream_start(rc->cfg.socket_path, rc->s.docker.api_version, wall_ns(),
			       &rc->s.events, err, sizeof(err))) {
		fprintf(stderr, "restartprof: %s\n", err);
		goto out;
	}
	fprintf(stderr, "restartprof: run %s, engine %s (API %s), writing %s\n", rc->s.run_id,
		rc->s.docker.engine_version, rc->s.docker.api_version, rc->cfg.out_dir);
	progress_init(&rc->progress, stderr, stderr_width(), rc->cfg.n_cells, rc->cfg.trials,
		      mono_ns());
	end = experiment_run(&rc->s, &sink);
	progress_end(&rc->progress);
	code = exit_code_of(end);
	write_run_json(rc, state_of(end));
	if (end != EXP_DONE)
		fprintf(stderr, "restartprof: run stopped: %s\n", rc->s.err);
out:
	if (rc->s.events)
		event_stream_stop(rc->s.events);
	if (rc->csv && (e = run_csv_close(rc->csv)) != 0) {
		fprintf(stderr, "restartprof: writing the CSVs failed: %s\n", strerror(-e));
		code = EXIT_FAILED;
	}
	if (rc->csv && rc->info_written && strcmp(rc->info.state, "running") == 0)
		write_run_json(rc, "failed");
	/* The BPF programs, maps and kernel symbols go before the report needs its memory. */
	tracer_close(rc->s.tracer);
	rc->s.tracer = NULL;
	malloc_trim(0);
	if (rc->csv)
		run_report(rc);
	if (rc->s.docker.http) {
		/* Whatever path led here, no container of this run survives it. */
		if (rc->s.run_id[0])
			session_remove_all(&rc->s);
		remove_built_images(rc);
		docker_close(&rc->s.docker);
	}
	if (rc->dirfd >= 0)
		close(rc->dirfd);
	run_config_free(&rc->cfg);
	free(rc);
	return code;
}
