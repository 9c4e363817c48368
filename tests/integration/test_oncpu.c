// SPDX-License-Identifier: GPL-2.0-only
/*
 * The on-CPU sampler on the real engine: the tracer opens a CPU-clock perf event per online
 * CPU and closes them all again; a short baseline run has on-CPU rows (state oncpu) for the
 * engine in create and start, with kernel frames in their stacks and sample counts that fit
 * the frequency and the window; --oncpu-hz 0 has none; no program of the sampler stays.
 */
#include <bpf/bpf.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/phase.h"
#include "model/probe.h"
#include "rundir/csv.h"
#include "support/harness.h"
#include "support/table.h"
#include "trace/tracer.h"
#include "util/proc.h"

#define HZ	  ONCPU_HZ_DEFAULT
#define PERIOD_NS (1000000000LL / HZ)

/* Kernel frames every on-CPU stack that entered the kernel passes through (x86, arm64). */
static const char *const kernel_entries[] = {
	"entry_SYSCALL_64", "do_syscall_64", "asm_exc_page_fault",
	"asm_sysvec_",	    "ret_from_fork", "el0_svc",
	"el0t_64_",	    "el0_da",	     NULL,
};

/* Our perf events open in this process now. */
static int perf_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d))) {
		char path[300], target[64];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		n += strcmp(target, "anon_inode:[perf_event]") == 0;
	}
	if (d)
		closedir(d);
	return n;
}

/* Loaded BPF programs named like the sampler's. */
static int sampler_progs(void)
{
	unsigned id = 0;
	int n = 0;

	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info;
		unsigned len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
			n += strcmp(info.name, "oncpu_perf") == 0;
		close(fd);
	}
	return n;
}

static const struct probe_status *oncpu_probe(const struct tracer *tr)
{
	int n;
	const struct probe_status *p = tracer_probes(tr, &n);

	for (int i = 0; i < n; i++)
		if (strcmp(p[i].name, "oncpu") == 0)
			return &p[i];
	fail_msg("no oncpu probe");
	return NULL;
}

/* A perf event per online CPU while the tracer is open, none once it is closed. */
static void tracer_opens_and_closes_events(void **state)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int before = perf_fds(), progs = sampler_progs();
	struct tracer_opts o = {.oncpu_hz = HZ};
	struct tracer *tr;
	char err[256];

	(void)state;
	if (tracer_open(&o, &tr, err, sizeof(err)))
		fail_msg("tracer_open: %s", err);
	assert_true(tracer_oncpu_on(tr));
	assert_int_equal(oncpu_probe(tr)->chosen, PROBE_PERF_EVENT);
	assert_int_equal(perf_fds() - before, (int)cpus);
	assert_int_equal(sampler_progs(), progs + 1);
	tracer_close(tr);
	assert_int_equal(perf_fds(), before);
	assert_int_equal(sampler_progs(), progs);

	o.oncpu_hz = 0;
	if (tracer_open(&o, &tr, err, sizeof(err)))
		fail_msg("tracer_open: %s", err);
	assert_false(tracer_oncpu_on(tr));
	assert_int_equal(oncpu_probe(tr)->chosen, -1);
	assert_string_equal(oncpu_probe(tr)->why[PROBE_PERF_EVENT], "off (--oncpu-hz 0)");
	assert_int_equal(perf_fds(), before);
	tracer_close(tr);
}

struct run {
	char *dir;
	struct csv_table trials, waits, stacks, probes, phases;
};

/*
 * A 3-trial baseline at hz; with alternate ("oncpu"), 4 trials alternating; with load, 2
 * trials of --load hdd --stressors 2.
 */
static void run_sampled_in(struct run *r, const char *tag, const char *hz, const char *alternate,
			   const char *load)
{
	const char *trials = load ? "2" : alternate ? "4" : "3";
	const char *args[16] = {"run",	      "--trials", trials, "--interval", "0.2",
				"--oncpu-hz", hz,	  "-o",	  NULL};
	int n = 9;
	struct proc_result pr;

	r->dir = harness_tmpdir(tag);
	assert_non_null(r->dir);
	args[8] = r->dir;
	if (alternate) {
		args[n++] = "--alternate";
		args[n++] = alternate;
	}
	if (load) {
		args[n++] = "--load";
		args[n++] = load;
		args[n++] = "--stressors";
		args[n++] = "2";
	}
	assert_int_equal(harness_run(args, (uid_t)-1, &pr), 0);
	if (pr.exit_code != 0)
		fprintf(stderr, "%s", pr.err);
	assert_int_equal(pr.exit_code, 0);
	/* The run says when the sampler is off, and why; when on, how the frames were named. */
	assert_int_equal(strstr(pr.err, "no on-CPU samples: off (--oncpu-hz 0)") != NULL,
			 strcmp(hz, "0") == 0);
	assert_int_equal(strstr(pr.err, "user frames named: ") != NULL, strcmp(hz, "0") != 0);
	proc_result_free(&pr);
	assert_int_equal(harness_csv(r->dir, "trials.csv", &r->trials), 0);
	assert_int_equal(harness_csv(r->dir, "waits.csv", &r->waits), 0);
	assert_int_equal(harness_csv(r->dir, "stacks.csv", &r->stacks), 0);
	assert_int_equal(harness_csv(r->dir, "probes.csv", &r->probes), 0);
	assert_int_equal(harness_csv(r->dir, "phases.csv", &r->phases), 0);
	assert_int_equal(r->trials.n_rows, atoi(trials));
}

static void run_sampled(struct run *r, const char *tag, const char *hz, const char *alternate)
{
	run_sampled_in(r, tag, hz, alternate, NULL);
}

static void free_run(struct run *r)
{
	csv_table_free(&r->trials);
	csv_table_free(&r->waits);
	csv_table_free(&r->stacks);
	csv_table_free(&r->probes);
	csv_table_free(&r->phases);
	harness_rmtree(r->dir);
	free(r->dir);
}

static const char *folded_of(const struct run *r, const char *stack)
{
	for (size_t i = 0; i < r->stacks.n_rows; i++)
		if (strcmp(table_str(&r->stacks, i, "stack"), stack) == 0)
			return table_str(&r->stacks, i, "folded");
	return "";
}

static bool has_kernel_entry(const char *folded)
{
	for (int k = 0; kernel_entries[k]; k++)
		if (strstr(folded, kernel_entries[k]))
			return true;
	return false;
}

static const char *probe_path(const struct run *r, const char *name)
{
	for (size_t i = 0; i < r->probes.n_rows; i++)
		if (strcmp(table_str(&r->probes, i, "probe"), name) == 0)
			return table_str(&r->probes, i, "path");
	return "";
}

/* A frame named in one of the engine's Go binaries (pclntab), by its package path. */
static bool go_named(const char *frame, size_t len)
{
	static const char *const prefixes[] = {
		"runtime.",  "github.com/", "main.",	"golang.org/", "google.golang.org/",
		"internal/", "sync.",	    "syscall.", "os.",	       "net.",
		"regexp",    NULL};

	for (int i = 0; prefixes[i]; i++)
		if (len >= strlen(prefixes[i]) &&
		    strncmp(frame, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* A user frame of the engine's Go binaries that no table named. */
static bool go_unnamed(const char *frame, size_t len)
{
	static const char *const files[] = {"[unknown dockerd", "[unknown runc",
					    "[unknown containerd", NULL};

	for (int i = 0; files[i]; i++)
		if (len >= strlen(files[i]) && strncmp(frame, files[i], strlen(files[i])) == 0)
			return true;
	return false;
}

/*
 * The engine's on-CPU time in start, weighted by samples: the share of it in rows whose stack
 * holds a named Go function, and the share of the Go binaries' frames left unnamed.
 */
static void named_go_frames(const struct run *r, double *rows_named, double *frames_unnamed)
{
	double all = 0, named = 0, fn = 0, fu = 0;

	for (size_t i = 0; i < r->waits.n_rows; i++) {
		const char *f;
		double w;
		bool any = false;

		if (strcmp(table_str(&r->waits, i, "state"), "oncpu") != 0 ||
		    strcmp(table_str(&r->waits, i, "actor"), "engine") != 0 ||
		    strcmp(table_str(&r->waits, i, "phase"), "start") != 0)
			continue;
		w = (double)table_i64(&r->waits, i, "offcpu_ns");
		all += w;
		for (f = folded_of(r, table_str(&r->waits, i, "stack")); *f;) {
			size_t n = strcspn(f, ";");

			if (go_named(f, n)) {
				fn += w;
				any = true;
			} else if (go_unnamed(f, n)) {
				fu += w;
			}
			f += n + (f[n] == ';');
		}
		named += any ? w : 0;
	}
	*rows_named = all > 0 ? named / all : 0;
	*frames_unnamed = fn + fu > 0 ? fu / (fn + fu) : 1;
}

/* symbols.csv: the engine's Go binaries named by their pclntab, nearly every frame named. */
static void symbols_named_by_pclntab(const struct run *r)
{
	struct csv_table t;
	int go = 0;

	assert_int_equal(harness_csv(r->dir, "symbols.csv", &t), 0);
	for (size_t i = 0; i < t.n_rows; i++) {
		const char *path = table_str(&t, i, "path"), *base = strrchr(path, '/');
		int64_t named = table_i64(&t, i, "named_frames");
		int64_t unnamed = table_i64(&t, i, "unnamed_frames");

		fprintf(stderr, "symbols.csv: %s %s %s named %lld unnamed %lld\n", path,
			table_str(&t, i, "method"), table_str(&t, i, "go_layout"), (long long)named,
			(long long)unnamed);
		if (!base || (strcmp(base, "/dockerd") != 0 && strcmp(base, "/runc") != 0 &&
			      strncmp(base, "/containerd", 11) != 0))
			continue;
		go++;
		assert_string_equal(table_str(&t, i, "method"), "pclntab");
		assert_true(named > 0 && unnamed * 10 < named + unnamed);
	}
	assert_true(go >= 2);
	csv_table_free(&t);
}

/* The stack of the engine's largest on-CPU row of a phase, for the record. */
static void print_top(const struct run *r, const char *phase)
{
	int64_t best = -1;
	size_t at = 0;

	for (size_t i = 0; i < r->waits.n_rows; i++)
		if (strcmp(table_str(&r->waits, i, "state"), "oncpu") == 0 &&
		    strcmp(table_str(&r->waits, i, "phase"), phase) == 0 &&
		    table_i64(&r->waits, i, "offcpu_ns") > best) {
			best = table_i64(&r->waits, i, "offcpu_ns");
			at = i;
		}
	if (best >= 0)
		fprintf(stderr, "top on-CPU row of %s: %s %.1f ms: %.600s\n", phase,
			table_str(&r->waits, at, "comm"), best / 1e6,
			folded_of(r, table_str(&r->waits, at, "stack")));
}

/*
 * The share of each phase's elapsed time that no wait, run or sleep holds (the waits' shares),
 * printed for every phase: under 5 % in every phase of 10 ms or more.
 */
static void unaccounted_is_small(const struct run *r)
{
	for (int p = 0; p < PH_COUNT; p++) {
		int64_t elapsed = 0, shared = 0;
		double rest;

		for (size_t i = 0; i < r->phases.n_rows; i++)
			if (strcmp(table_str(&r->phases, i, "phase"), phase_name(p)) == 0)
				elapsed += table_i64(&r->phases, i, "duration_ns");
		for (size_t i = 0; i < r->waits.n_rows; i++)
			if (strcmp(table_str(&r->waits, i, "phase"), phase_name(p)) == 0)
				shared += table_i64(&r->waits, i, "wall_ns");
		if (!elapsed)
			continue;
		rest = 1 - (double)shared / (double)elapsed;
		fprintf(stderr, "%-10s %7.1f ms per trial, unaccounted %4.1f %%\n", phase_name(p),
			elapsed / 1e6 / (double)r->trials.n_rows, 100 * rest);
		if (elapsed / (int64_t)r->trials.n_rows >= 10 * 1000000LL)
			assert_true(rest < 0.05);
	}
}

/*
 * Run-queue waits of the engine and the target carry the stack the task resumes in: taken at
 * the switch for preemptions, and at the switch back in after a wait of RUNQ_STACK_NS or more
 * that followed an interruptible sleep (tp_btf only). About half of their time had none
 * without the latter; with it, the shorter waits left bare are 8-27 % of the time, the most
 * on a fast machine's unloaded baseline, so the bound is a third.
 */
static void runq_waits_have_stacks(const struct run *r)
{
	int64_t runq = 0, bare = 0;

	for (size_t i = 0; i < r->waits.n_rows; i++) {
		const char *actor = table_str(&r->waits, i, "actor");

		if (strcmp(table_str(&r->waits, i, "state"), "runq") != 0 ||
		    (strcmp(actor, "engine") != 0 && strcmp(actor, "target") != 0))
			continue;
		runq += table_i64(&r->waits, i, "offcpu_ns");
		if (!table_str(&r->waits, i, "stack")[0])
			bare += table_i64(&r->waits, i, "offcpu_ns");
	}
	fprintf(stderr, "run-queue waits: %.1f ms per trial, %.1f %% without a stack (sched: %s)\n",
		runq / 1e6 / (double)r->trials.n_rows, runq ? 100.0 * bare / runq : 0.0,
		probe_path(r, "sched"));
	assert_true(runq > 0);
	if (strcmp(probe_path(r, "sched"), "tp_btf") == 0)
		assert_true(bare < runq / 3);
}

static void baseline_has_oncpu_rows(void **state)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int progs = sampler_progs();
	int64_t samples = 0, window_ns = 0, cpu_ns = 0, sampled_ns = 0, oncpu_wall_ns = 0;
	int create = 0, start = 0, with_kernel = 0;
	double rows_named, frames_unnamed;
	struct run r;

	(void)state;
	run_sampled(&r, "oncpu", "199", NULL);
	assert_string_equal(probe_path(&r, "oncpu"), "perf_event");
	for (size_t i = 0; i < r.trials.n_rows; i++)
		window_ns += table_i64(&r.trials, i, "restart_stdout_ns");
	for (size_t i = 0; i < r.waits.n_rows; i++) {
		const char *phase = table_str(&r.waits, i, "phase");

		if (strcmp(table_str(&r.waits, i, "state"), "oncpu") != 0)
			continue;
		/* Rows with a stack are samples; without, runs no sample fell in. */
		if (table_str(&r.waits, i, "stack")[0])
			samples += table_i64(&r.waits, i, "count");
		cpu_ns += table_i64(&r.waits, i, "offcpu_ns");
		oncpu_wall_ns += table_i64(&r.waits, i, "wall_ns");
		if (strcmp(table_str(&r.waits, i, "actor"), "engine") != 0)
			continue;
		create += strcmp(phase, "create") == 0;
		start += strcmp(phase, "start") == 0;
		with_kernel += has_kernel_entry(folded_of(&r, table_str(&r.waits, i, "stack")));
	}
	fprintf(stderr,
		"oncpu: %lld samples in %.0f ms of restart windows (%ld CPUs at %d Hz), "
		"%d engine rows in create, %d in start, %d with kernel frames\n",
		(long long)samples, window_ns / 1e6, cpus, HZ, create, start, with_kernel);
	print_top(&r, "create");
	print_top(&r, "start");
	symbols_named_by_pclntab(&r);
	/* Start is mostly runc, the shim and dockerd's hook starting up: Go code, named. */
	named_go_frames(&r, &rows_named, &frames_unnamed);
	fprintf(stderr,
		"start: %.0f %% of the engine's on-CPU time in stacks with named Go functions, "
		"%.1f %% of the Go binaries' frames unnamed\n",
		100 * rows_named, 100 * frames_unnamed);
	assert_true(rows_named >= 0.3);
	assert_true(frames_unnamed < 0.1);
	assert_true(create > 0 && start > 0);
	assert_true(with_kernel > 0);
	/*
	 * The samples, one period each, estimate the CPU time the scheduler measured; no more
	 * samples than the CPUs could give.
	 */
	assert_true(samples > 0);
	sampled_ns = samples * PERIOD_NS;
	fprintf(stderr, "on CPU: %.1f ms measured, %.1f ms by the samples\n", cpu_ns / 1e6,
		sampled_ns / 1e6);
	assert_true(sampled_ns > cpu_ns * 3 / 4 && sampled_ns < cpu_ns * 4 / 3);
	/* Its share of the phases' time claims no more than the CPU time (summed over threads). */
	assert_true(oncpu_wall_ns <= cpu_ns);
	unaccounted_is_small(&r);
	runq_waits_have_stacks(&r);
	assert_true(samples <= (int64_t)((double)window_ns / 1e9 * HZ * cpus * 1.5) + 20);
	free_run(&r);
	assert_int_equal(sampler_progs(), progs);
	assert_int_equal(harness_leaked_bpf_maps(), 0);
}

/* --alternate oncpu (make bench's 6c): samples in the odd trials only. */
static void alternate_samples_odd_trials(void **state)
{
	int64_t per_trial[5] = {0};
	struct run r;

	(void)state;
	run_sampled(&r, "oncpu-alt", "199", "oncpu");
	for (size_t i = 0; i < r.trials.n_rows; i++) {
		int64_t t = table_i64(&r.trials, i, "trial");

		assert_string_equal(table_str(&r.trials, i, "variant"),
				    t % 2 ? "oncpu" : "no-oncpu");
	}
	for (size_t i = 0; i < r.waits.n_rows; i++) {
		int64_t t = table_i64(&r.waits, i, "trial");

		if (strcmp(table_str(&r.waits, i, "state"), "oncpu") == 0 && t >= 1 && t <= 4)
			per_trial[t] += table_i64(&r.waits, i, "count");
	}
	fprintf(stderr, "--alternate oncpu: samples per trial %lld %lld %lld %lld\n",
		(long long)per_trial[1], (long long)per_trial[2], (long long)per_trial[3],
		(long long)per_trial[4]);
	assert_true(per_trial[1] > 0 && per_trial[3] > 0);
	assert_int_equal(per_trial[2], 0);
	assert_int_equal(per_trial[4], 0);
	free_run(&r);
}

/* Under disk load the phases are long and mostly waits: accounted for just the same. */
static void hdd_load_accounted(void **state)
{
	struct run r;

	(void)state;
	run_sampled_in(&r, "oncpuhdd", "199", NULL, "hdd");
	unaccounted_is_small(&r);
	runq_waits_have_stacks(&r);
	free_run(&r);
}

static void zero_hz_has_none(void **state)
{
	struct run r;

	(void)state;
	run_sampled(&r, "oncpu0", "0", NULL);
	assert_string_equal(probe_path(&r, "oncpu"), "none");
	for (size_t i = 0; i < r.waits.n_rows; i++)
		assert_string_not_equal(table_str(&r.waits, i, "state"), "oncpu");
	assert_true(r.waits.n_rows > 0); /* the waits themselves are still there */
	free_run(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tracer_opens_and_closes_events),
		cmocka_unit_test(baseline_has_oncpu_rows),
		cmocka_unit_test(alternate_samples_odd_trials),
		cmocka_unit_test(hdd_load_accounted),
		cmocka_unit_test(zero_hz_has_none),
	};

	if (!harness_docker_host()) {
		fprintf(stderr, "integration tests need DOCKER_HOST (run them with make test)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
