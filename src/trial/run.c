// SPDX-License-Identifier: GPL-2.0-only
/* One run's lifecycle: engine, run directory and files, tracer, events, cleanup. */
#include "trial/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/docker.h"
#include "engine/events.h"
#include "engine/http.h"
#include "engine/image.h"
#include "model/kernel.h"
#include "model/probe.h"
#include "rundir/kernel_csv.h"
#include "rundir/run_csv.h"
#include "rundir/symbols_csv.h"
#include "trace/tracer.h"
#include "trace/usyms.h"
#include "trial/leftovers.h"
#include "trial/run_meta.h"
#include "util/caps.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/heap.h"
#include "util/interrupt.h"

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"
/* Room for the last run.json (a few KiB) and its temporary, whatever fills the disk. */
#define RUN_JSON_RESERVE (16 * 1024)

static void tell_user(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tell_user(struct run *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (!r->hooks.note)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	r->hooks.note(r->hooks.ctx, line);
}

static void note_leftover(void *ctx, const char *line)
{
	tell_user(ctx, "%s", line);
}

static int abort_on_interrupt(void)
{
	return interrupt_requested();
}

enum run_status run_check_privileges(const struct run_config *cfg, char *err, size_t errlen)
{
	char missing[128];

	if (cfg->trace && access(cfg->btf_path, R_OK) != 0) {
		snprintf(err, errlen,
			 "no kernel BTF at %s (the kernel needs CONFIG_DEBUG_INFO_BTF=y, or give "
			 "--btf PATH); pass --no-trace to measure without kernel tracing",
			 cfg->btf_path);
		return RUN_REFUSED;
	}
	if (caps_missing(cfg->trace, cfg->ready.kind == READY_TCP, missing, sizeof(missing)) == 0)
		return RUN_OK;
	snprintf(err, errlen, "run needs %s%s (run it as root%s)", missing,
		 cfg->trace ? " to load BPF programs" : " to probe inside the container",
		 cfg->trace ? ", or pass --no-trace" : "");
	return RUN_REFUSED;
}

void run_init(struct run *r, const struct run_config *cfg, const struct run_hooks *hooks)
{
	memset(r, 0, sizeof(*r));
	r->cfg = cfg;
	if (hooks)
		r->hooks = *hooks;
	r->dirfd = -1;
	r->reserve_fd = -1;
	r->lock.fd = -1;
	session_init(&r->s, cfg);
}

/* Adds the runs active now that r->peers lacks; says so for each unless quiet. How many were
 * new. */
static int note_peers(struct run *r, bool quiet)
{
	struct run_concurrent now[RUN_CONCURRENT_MAX];
	int n = run_lock_peers(r->s.run_id, now, RUN_CONCURRENT_MAX), added = 0;

	for (int i = 0; i < n && i < RUN_CONCURRENT_MAX; i++) {
		bool known = false;

		for (int k = 0; k < r->n_peers; k++)
			known |= strcmp(r->peers[k].run_id, now[i].run_id) == 0;
		if (known || r->n_peers >= RUN_CONCURRENT_MAX)
			continue;
		r->peers[r->n_peers++] = now[i];
		added++;
		if (!quiet)
			tell_user(r,
				  "another restartprof %s is active on this machine (%s, pid %d): "
				  "its load and restarts can slow this run's trials (recorded in "
				  "%s)",
				  now[i].kind, now[i].run_id, now[i].pid, RUN_JSON);
	}
	return added;
}

/* The run's lock; with --exclusive, a refusal when another run is already going. */
static enum run_status hold_lock(struct run *r)
{
	int e = run_lock_take(&r->lock, r->s.run_id,
			      r->cfg->watch.on ? "watch"
			      : r->cfg->try.on ? "try"
					       : "run");

	if (e)
		tell_user(r,
			  "cannot hold a lock in %s (%s): a restartprof in another PID namespace "
			  "may take this run's containers for leftovers",
			  RUN_LOCK_DIR, strerror(-e));
	if (r->cfg->exclusive && note_peers(r, true)) {
		snprintf(r->err, sizeof(r->err),
			 "another restartprof %s is active on this machine (%s, pid %d); "
			 "--exclusive refuses to start beside it",
			 r->peers[0].kind, r->peers[0].run_id, r->peers[0].pid);
		return RUN_REFUSED;
	}
	return RUN_OK;
}

enum run_status run_open_engine(struct run *r)
{
	enum run_status st = hold_lock(r);

	if (st)
		return st;
	http_global_init();
	if (session_open_engine(&r->s)) {
		snprintf(r->err, sizeof(r->err), "%s", r->s.docker.err);
		return interrupt_requested() ? RUN_INTERRUPTED : RUN_FAILED;
	}
	leftovers_remove(&r->s.docker, note_leftover, r);
	return RUN_OK;
}

/* Why the output directory cannot be used, in one line. */
static void dir_refused(struct run *r, const char *dir, int e, const struct dir_walk *w)
{
	if (e == -ELOOP)
		snprintf(r->err, sizeof(r->err),
			 "output directory %s is refused: %s is a symbolic link (restartprof "
			 "follows none in the paths it writes)",
			 dir, w->link);
	else
		snprintf(r->err, sizeof(r->err), "output directory %s is not usable: %s", dir,
			 strerror(-e));
}

enum run_status run_open_dir(struct run *r)
{
	char dir[PATH_MAX];
	int fd;

	if (r->cfg->out_dir[0])
		snprintf(dir, sizeof(dir), "%s", r->cfg->out_dir);
	else
		snprintf(dir, sizeof(dir), "results/%s", r->s.run_id);
	fd = dir_walk_open(dir, 1, &r->dir_made);
	if (fd >= 0 && faccessat(fd, ".", W_OK, AT_EACCESS) < 0) {
		int e = -errno;

		close(fd);
		fd = e;
	}
	if (fd < 0) {
		dir_refused(r, dir, fd, &r->dir_made);
		dir_walk_undo(dir, &r->dir_made);
		r->dir_made.made = 0;
		return RUN_REFUSED;
	}
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	r->dirfd = fd;
	return RUN_OK;
}

static bool cells_need_load(const struct run_config *cfg)
{
	for (int i = 0; i < cfg->n_cells; i++)
		if (cfg->cells[i].load != LOAD_NONE)
			return true;
	return false;
}

/* After an image build failed: the engine's reason, and whether an interrupt caused it. */
static enum run_status image_build_failed(struct run *r)
{
	snprintf(r->err, sizeof(r->err), "%s", r->s.docker.err);
	return interrupt_requested() ? RUN_INTERRUPTED : RUN_FAILED;
}

static enum run_status prepare_target_image(struct run *r)
{
	struct session *s = &r->s;
	json_object *o;

	if (r->cfg->image[0]) {
		if (docker_image_inspect(&s->docker, r->cfg->image, &o)) {
			if (interrupt_requested())
				return image_build_failed(r);
			snprintf(r->err, sizeof(r->err),
				 "image %s is not in the engine (restartprof never pulls: load or "
				 "build it first)",
				 r->cfg->image);
			return RUN_REFUSED;
		}
		json_object_put(o);
		snprintf(s->target_image, sizeof(s->target_image), "%s", r->cfg->image);
		return RUN_OK;
	}
	tell_user(r, "preparing the service image");
	if (image_ensure_service(&s->docker, s->target_image, &(int){0}, abort_on_interrupt))
		return image_build_failed(r);
	r->built_target = true;
	return RUN_OK;
}

enum run_status run_prepare_images(struct run *r)
{
	const struct run_config *cfg = r->cfg;
	enum run_status st = prepare_target_image(r);

	if (st || !cells_need_load(cfg))
		return st;
	if (access(cfg->stress_ng, X_OK) != 0) {
		snprintf(r->err, sizeof(r->err),
			 "no stress-ng at %s (install Debian's stress-ng or pass --stress-ng PATH)",
			 cfg->stress_ng);
		return RUN_REFUSED;
	}
	tell_user(r, "preparing the stress image from %s", cfg->stress_ng);
	if (image_ensure_stress(&r->s.docker, cfg->stress_ng, r->s.stress_image, &(int){0},
				abort_on_interrupt))
		return image_build_failed(r);
	r->built_stress = true;
	return RUN_OK;
}

void run_start_tracer(struct run *r)
{
	const struct run_config *cfg = r->cfg;
	struct tracer_opts opts = {
		.events_detail = cfg->events_csv,
		.engine_pid = docker_peer_pid(cfg->socket_path),
		.probe_paths = cfg->probe_paths,
		.no_stacks = cfg->no_stacks,
		.prog_stats = cfg->prog_stats,
		.sleep_stacks = cfg->sleep_stacks,
		.oncpu_hz = cfg->oncpu_hz,
		.btf_path = strcmp(cfg->btf_path, DEFAULT_BTF) ? cfg->btf_path : NULL,
	};
	char err[256];

	if (cfg->trace) {
		if (opts.engine_pid <= 0)
			tell_user(r,
				  "the engine's pid is unknown (no peer on %s): its tasks will "
				  "count as "
				  "other",
				  cfg->socket_path);
		if (tracer_open(&opts, &r->s.tracer, err, sizeof(err)))
			tell_user(r, "measuring without kernel tracing: %s", err);
	}
	if (r->s.tracer && opts.prog_stats && tracer_prog_stats_note(r->s.tracer)[0])
		tell_user(r, "--prog-stats: %s", tracer_prog_stats_note(r->s.tracer));
	if (r->s.tracer && !opts.no_stacks) {
		bool named;
		const char *why = tracer_symbols_desc(r->s.tracer, &named);

		if (!named)
			tell_user(r, "/proc/kallsyms: %s", why);
	}
	/*
	 * Images are built in memory (tens of MiB for the stress image) and loading the BPF
	 * objects parses the kernel's BTF again and again; once glibc has seen such large blocks
	 * freed it serves the next ones from its heap, and keeps what is freed there unless
	 * asked: the run would carry 20 MiB it no longer uses to its end.
	 */
	heap_give_back();
}

/* run.json with state; at the end also why (error, "" when done) and the runs seen beside. */
static void record_state(struct run *r, const char *state, const char *error)
{
	bool running = strcmp(state, "running") == 0;
	int e;

	if (r->dirfd < 0)
		return;
	if (!r->info_written)
		run_meta_collect(&r->info, r->cfg, &r->s.docker, r->s.run_id, r->hooks.tool_version,
				 wall_ns());
	snprintf(r->info.state, sizeof(r->info.state), "%s", state);
	if (!running) {
		r->info.end_ns = wall_ns();
		snprintf(r->info.error, sizeof(r->info.error), "%s",
			 strcmp(state, "done") ? error : "");
		note_peers(r, false);
		/* On a full disk the room kept since the start takes this last write. */
		if (r->reserve_fd >= 0)
			close(r->reserve_fd);
		r->reserve_fd = -1;
	}
	memcpy(r->info.concurrent, r->peers, sizeof(r->peers));
	r->info.n_concurrent = r->n_peers;
	e = run_json_write(r->dirfd, &r->info);
	if (e)
		tell_user(r, "cannot write %s: %s", RUN_JSON, strerror(-e));
	r->info_written = true;
}

void run_write_state(struct run *r, const char *state)
{
	record_state(r, state, r->s.err);
}

/* One line: how many probes run and on which paths; the details go to probes.csv. */
static void write_probes(struct run *r)
{
	int n, used = 0, by_path[PROBE_PATH_COUNT] = {0};
	const struct probe_status *p = tracer_probes(r->s.tracer, &n);
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
	tell_user(r, "kernel tracing with %d of %d probes (%s), see %s", used, n, paths,
		  PROBES_CSV);
	for (int i = 0; i < n; i++)
		if (strcmp(p[i].name, "oncpu") == 0 && p[i].chosen < 0)
			tell_user(r, "no on-CPU samples: %s",
				  p[i].why[PROBE_PERF_EVENT][0] ? p[i].why[PROBE_PERF_EVENT]
								: "not tried");
	e = kernel_probes_write(r->dirfd, p, n);
	if (e)
		tell_user(r, "cannot write %s: %s", PROBES_CSV, strerror(-e));
}

#define SYMBOLS_SHOWN 4

static int by_frames(const void *a, const void *b)
{
	const struct symbols_row *x = a, *y = b;
	uint64_t fx = x->named + x->unnamed, fy = y->named + y->unnamed;

	return fx > fy ? -1 : fx < fy;
}

/* symbols.csv, and one line: the binaries whose frames the samples hit most, how named. */
static void write_symbols(struct run *r)
{
	struct symbols_row rows[64];
	struct usym_file_stats s;
	char line[512] = "";
	size_t n = 0, shown = 0;
	int e;

	for (size_t i = 0;
	     n + 1 < sizeof(rows) / sizeof(rows[0]) && tracer_usyms_stats(r->s.tracer, i, &s) == 0;
	     i++)
		if (s.named + s.unnamed > 0)
			rows[n++] = (struct symbols_row){s.path,       usym_method_name(s.method),
							 s.go_version, s.named,
							 s.unnamed,    s.table_peak,
							 s.kept_bytes};
	if (tracer_ustack_ip_frames(r->s.tracer))
		rows[n++] = (struct symbols_row){"(no build ID)",
						 usym_method_name(USYM_NONE),
						 NULL,
						 0,
						 tracer_ustack_ip_frames(r->s.tracer),
						 0,
						 0};
	if (!n)
		return;
	qsort(rows, n, sizeof(rows[0]), by_frames);
	for (size_t i = 0; i < n && shown < SYMBOLS_SHOWN; i++, shown++) {
		const char *base = strrchr(rows[i].path, '/');
		size_t l = strlen(line);

		snprintf(line + l, sizeof(line) - l, "%s%s %.0f%% (%s)", l ? ", " : "",
			 base ? base + 1 : rows[i].path,
			 100.0 * (double)rows[i].named / (double)(rows[i].named + rows[i].unnamed),
			 rows[i].method);
	}
	tell_user(r, "user frames named: %s%s; see %s", line, n > shown ? ", ..." : "",
		  SYMBOLS_CSV);
	e = symbols_csv_write(r->dirfd, rows, n);
	if (e)
		tell_user(r, "cannot write %s: %s", SYMBOLS_CSV, strerror(-e));
}

enum run_status run_open_files(struct run *r)
{
	bool traced = r->s.tracer != NULL;
	unsigned flags = (traced ? RUN_CSV_KERNEL : 0) |
			 (traced && r->cfg->events_csv ? RUN_CSV_EVENTS : 0) |
			 (traced && r->cfg->prog_stats ? RUN_CSV_PROGS : 0);

	if (run_csv_open(&r->csv, r->dirfd, r->s.run_id, flags, r->err, sizeof(r->err)))
		return RUN_REFUSED;
	r->files_opened = true;
	note_peers(r, false); /* before run.json, which lists them */
	run_write_state(r, "running");
	r->reserve_fd = space_reserve(r->dirfd, RUN_JSON_RESERVE);
	if (traced)
		write_probes(r);
	return RUN_OK;
}

enum run_status run_start_events(struct run *r)
{
	if (event_stream_start(&r->s.docker, wall_ns(), &r->s.events, r->err, sizeof(r->err)))
		return interrupt_requested() ? RUN_INTERRUPTED : RUN_FAILED;
	return RUN_OK;
}

/* The experiment's sink: the display sees each trial first, then the CSVs get it. */
static int record_trial(void *ctx, const struct cell *cell, const struct trial *t,
			const struct trial_kernel *tk)
{
	struct run *r = ctx;
	int index = (int)(cell - r->cfg->cells), e;

	if (r->display && r->display->trial)
		r->display->trial(r->display->ctx, cell, t, tk);
	if (t->status == TRIAL_OK && index >= 0 && index < CONFIG_MAX_CELLS)
		r->ok_trials[index]++;
	else if (t->status == TRIAL_FAILED)
		snprintf(r->last_failure, sizeof(r->last_failure), "%s", t->reason);
	e = run_csv_trial(r->csv, cell, t, tk);
	if (e)
		r->csv_error = e;
	note_peers(r, false); /* a run started meanwhile, told as soon as it is seen */
	return e;
}

static void forward_progress(void *ctx, int cell, int trial, const char *what)
{
	struct run *r = ctx;

	if (r->display && r->display->progress)
		r->display->progress(r->display->ctx, cell, trial, what);
}

enum experiment_end run_experiment(struct run *r, const struct experiment_sink *display)
{
	struct experiment_sink sink = {record_trial, forward_progress, r};
	enum experiment_end end;

	r->display = display;
	end = experiment_run(&r->s, &sink);
	r->display = NULL;
	/* Every trial of a cell failed: nothing measured there, whatever --max-failures says. */
	for (int c = 0; c < r->cfg->n_cells && end == EXP_DONE; c++)
		if (r->ok_trials[c] == 0) {
			snprintf(r->s.err, sizeof(r->s.err),
				 "no trial of cell %s succeeded (the last failed because: %s)",
				 r->cfg->cells[c].name, r->last_failure);
			end = EXP_NO_TRIAL_OK;
		}
	return end;
}

void run_reopen_files(struct run *r)
{
	int e = r->csv ? run_csv_reopen(r->csv) : 0;

	if (e)
		tell_user(r, "reopening the CSVs of %s failed: %s", r->dir, strerror(-e));
	run_write_state(r, "running");
}

const char *run_state_of(enum experiment_end end)
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

enum run_status run_finish(struct run *r)
{
	enum run_status st = RUN_OK;
	int e;

	if (r->s.events)
		event_stream_stop(r->s.events);
	r->s.events = NULL;
	if (r->csv && (e = run_csv_close(r->csv)) != 0) {
		snprintf(r->err, sizeof(r->err), "writing the CSVs failed: %s", strerror(-e));
		st = RUN_FAILED;
	}
	r->csv = NULL;
	if (r->files_opened && r->info_written && strcmp(r->info.state, "running") == 0)
		record_state(r, "failed", r->err[0] ? r->err : r->s.err);
	if (r->reserve_fd >= 0)
		close(r->reserve_fd);
	r->reserve_fd = -1;
	if (r->s.tracer && r->files_opened)
		write_symbols(r);
	/* The BPF programs, maps and kernel symbols go before the report needs its memory. */
	tracer_close(r->s.tracer);
	r->s.tracer = NULL;
	heap_give_back();
	return st;
}

/* No container of this run, nor an image it built (unless kept), or a line naming them. */
static void clean_engine(struct run *r)
{
	const char *images[2];
	int n = 0;

	if (!r->cfg->keep_images && r->built_target)
		images[n++] = r->s.target_image;
	if (!r->cfg->keep_images && r->built_stress)
		images[n++] = r->s.stress_image;
	if (session_clean_engine(&r->s, images, n))
		tell_user(r, "%s", r->s.err);
}

void run_close(struct run *r)
{
	if (r->s.docker.http) {
		/* Whatever path led here, no container of this run survives it. */
		if (r->s.run_id[0])
			clean_engine(r);
		docker_close(&r->s.docker);
	}
	if (r->dirfd >= 0)
		close(r->dirfd);
	r->dirfd = -1;
	/* A run that never wrote its files takes back the directories it made (empty ones). */
	if (!r->files_opened && r->dir[0])
		dir_walk_undo(r->dir, &r->dir_made);
	run_lock_release(&r->lock);
}
