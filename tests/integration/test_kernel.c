// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof run with BPF attached, against the private engine: what physics says must be
 * true of what the kernel recorded, on Docker or Podman. Disk load makes the engine's block
 * I/O slower and its I/O wait longer in the phases where it writes its state; runc runs
 * inside every window; the kernel's restart (old service's exit to the new one's first
 * listen) agrees with the service's own stamps; actors are right; nothing of ours stays in
 * the kernel; the classic tracepoint path gives the same picture as tp_btf.
 */
#include <bpf/bpf.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
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

#include "rundir/csv.h"
#include "support/harness.h"
#include "support/table.h"
#include "util/proc.h"

/* The service prints its stamps just before it exits and just before it listens; the gaps
 * are what separates the two measurements (docs/kernel.md, "The kernel's restart time"). */
#define AGREE_ABS_NS (50LL * 1000000)
#define AGREE_REL    0.05

struct run {
	char *dir;
	struct csv_table trials, phases, execs, events, probes;
	bool have_events;
};

static struct run baseline, hdd, fallback;

static void run_traced(struct run *r, const char *tag, const char *const *extra)
{
	const char *args[32] = {"run", "--trials", "3", "--interval", "0.2", "--events", "-o"};
	struct proc_result pr;
	int n = 7;

	r->dir = harness_tmpdir(tag);
	assert_non_null(r->dir);
	args[n++] = r->dir;
	for (int i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	assert_int_equal(harness_run(args, (uid_t)-1, &pr), 0);
	if (pr.exit_code != 0 || !strstr(pr.err, "kernel tracing with"))
		fprintf(stderr, "%s", pr.err);
	assert_int_equal(pr.exit_code, 0);
	assert_non_null(strstr(pr.err, "kernel tracing with"));
	proc_result_free(&pr);
	assert_int_equal(harness_csv(r->dir, "trials.csv", &r->trials), 0);
	assert_int_equal(harness_csv(r->dir, "phases.csv", &r->phases), 0);
	assert_int_equal(harness_csv(r->dir, "execs.csv", &r->execs), 0);
	assert_int_equal(harness_csv(r->dir, "events.csv", &r->events), 0);
	assert_int_equal(harness_csv(r->dir, "probes.csv", &r->probes), 0);
	r->have_events = true;
	assert_int_equal(r->trials.n_rows, 3);
}

static void free_run(struct run *r)
{
	if (!r->have_events)
		return;
	csv_table_free(&r->trials);
	csv_table_free(&r->phases);
	csv_table_free(&r->execs);
	csv_table_free(&r->events);
	csv_table_free(&r->probes);
	harness_rmtree(r->dir);
	free(r->dir);
	memset(r, 0, sizeof(*r));
}

/* Summed over the run's trials, for the phases named. */
static int64_t phase_sum(const struct run *r, const char *column, const char *const *phases)
{
	int64_t sum = 0;

	for (size_t i = 0; i < r->phases.n_rows; i++)
		for (int k = 0; phases[k]; k++)
			if (strcmp(table_str(&r->phases, i, "phase"), phases[k]) == 0) {
				int64_t v = table_i64(&r->phases, i, column);

				assert_true(v >= 0); /* traced: never "not measured" */
				sum += v;
			}
	return sum;
}

/* Every trial: ok, a kernel restart time that agrees with the stamps, clock bound small. */
static void check_trials(const struct run *r)
{
	for (size_t i = 0; i < r->trials.n_rows; i++) {
		int64_t stdout_ns = table_i64(&r->trials, i, "restart_stdout_ns");
		int64_t kernel_ns = table_i64(&r->trials, i, "restart_kernel_ns");
		int64_t diff =
			kernel_ns > stdout_ns ? kernel_ns - stdout_ns : stdout_ns - kernel_ns;
		int64_t err = table_i64(&r->trials, i, "clock_error_ns");

		assert_string_equal(table_str(&r->trials, i, "status"), "ok");
		if (kernel_ns <= 0 || diff > AGREE_ABS_NS + (int64_t)(AGREE_REL * stdout_ns))
			fprintf(stderr, "trial %zu: kernel %lld ns, stdout %lld ns\n", i + 1,
				(long long)kernel_ns, (long long)stdout_ns);
		assert_true(kernel_ns > 0);
		assert_true(diff <= AGREE_ABS_NS + (int64_t)(AGREE_REL * stdout_ns));
		assert_true(table_i64(&r->trials, i, "kernel_drops") >= 0);
		assert_true(err > 0 && err < 1000000);
	}
}

/*
 * runc ran inside each trial's window as the engine, the service once as the target. Other
 * engines share this machine: their runc is `other`, so only the engine's are counted.
 */
static void check_execs(const struct run *r)
{
	for (size_t tr = 1; tr <= r->trials.n_rows; tr++) {
		int runc = 0, svc = 0;

		for (size_t i = 0; i < r->execs.n_rows; i++) {
			const char *name = table_str(&r->execs, i, "name"),
				   *actor = table_str(&r->execs, i, "actor");

			if (table_i64(&r->execs, i, "trial") != (int64_t)tr ||
			    !table_str(&r->execs, i, "phase")[0])
				continue;
			runc += strcmp(name, "runc") == 0 && strcmp(actor, "engine") == 0;
			svc += strcmp(name, "restartprof-svc") == 0 && strcmp(actor, "target") == 0;
			/* The target runs nothing but the service. */
			if (strcmp(actor, "target") == 0)
				assert_string_equal(name, "restartprof-svc");
		}
		if (!runc || svc != 1)
			fprintf(stderr, "trial %zu: %d runc, %d service execs in the window\n", tr,
				runc, svc);
		assert_true(runc > 0);
		assert_true(svc == 1);
	}
}

/*
 * Who each task is: what is `load` is stress-ng, what is `target` the service, kernel
 * threads are `kernel`, and the engine is neither the service nor stress-ng (a stress-ng of
 * another engine on this machine may be `other`).
 */
static void check_actors(const struct run *r, bool loaded)
{
	int load = 0, target = 0;

	for (size_t i = 0; i < r->events.n_rows; i++) {
		const char *comm = table_str(&r->events, i, "comm"),
			   *actor = table_str(&r->events, i, "actor");
		bool stress = strncmp(comm, "stress-ng", 9) == 0;
		bool svc = strcmp(comm, "restartprof-svc") == 0;

		if (strcmp(actor, "load") == 0) {
			if (!stress)
				fprintf(stderr, "load: %s\n", comm);
			assert_true(stress);
			load++;
		}
		if (strcmp(actor, "target") == 0) {
			if (!svc)
				fprintf(stderr, "target: %s\n", comm);
			assert_true(svc);
			target++;
		}
		if (strcmp(actor, "engine") == 0)
			assert_false(stress || svc);
		if (strncmp(comm, "kworker/", 8) == 0 || strncmp(comm, "jbd2/", 5) == 0)
			assert_string_equal(actor, "kernel");
	}
	assert_true(target > 0);
	if (loaded)
		assert_true(load > 0);
	else
		assert_int_equal(load, 0);
}

static void check_probes(const struct run *r, const char *path)
{
	bool essential_seen = false;

	for (size_t i = 0; i < r->probes.n_rows; i++) {
		const char *name = table_str(&r->probes, i, "probe");

		if (table_i64(&r->probes, i, "essential") == 1) {
			assert_string_equal(table_str(&r->probes, i, "path"), path);
			essential_seen = true;
		}
		if (strcmp(name, "sched") == 0 || strcmp(name, "block") == 0 ||
		    strcmp(name, "listen") == 0 || strcmp(name, "exec") == 0)
			assert_string_equal(table_str(&r->probes, i, "path"), path);
	}
	assert_true(essential_seen);
}

/* ---- tests ---- */

static const char *const every_phase[] = {"kill",    "die",    "disconnect", "stop",
					  "destroy", "create", "attach",     "connect",
					  "start",   "ready",  NULL};

static void baseline_traced(void **state)
{
	(void)state;
	run_traced(&baseline, "kbase", NULL);
	check_trials(&baseline);
	check_execs(&baseline);
	check_actors(&baseline, false);
	check_probes(&baseline, "tp_btf");
	assert_int_equal(harness_leaked_bpf_maps(), 0);
}

static void hdd_traced(void **state)
{
	const char *extra[] = {"--load", "hdd", "--stressors", "2", "--settle", "1", NULL};

	(void)state;
	run_traced(&hdd, "khdd", extra);
	check_trials(&hdd);
	check_execs(&hdd);
	check_actors(&hdd, true);
	assert_int_equal(harness_leaked_bpf_maps(), 0);
}

/*
 * The engine's block I/O and I/O wait where it writes its state, per trial, are larger under
 * disk load: device time and I/O wait at least 1.5 times the baseline's. Docker writes in
 * create and connect (layers, libnetwork's store), Podman in die, destroy and attach (its
 * bolt database as the container is cleaned up and its network set up). Measured here the
 * factor is tens to hundreds; a run where the load did nothing fails.
 */
static void disk_load_slows_the_engine(void **state)
{
	static const char *const docker_writes[] = {"create", "connect", NULL};
	static const char *const podman_writes[] = {"die", "destroy", "attach", NULL};
	const char *const *cc =
		harness_engine_kind() == ENGINE_PODMAN ? podman_writes : docker_writes;
	double nb, nh;

	(void)state;
	if (!baseline.have_events || !hdd.have_events)
		skip();
	nb = (double)baseline.trials.n_rows;
	nh = (double)hdd.trials.n_rows;
	double dev_b = phase_sum(&baseline, "engine_bio_dev_ns_sum", cc) / nb;
	double dev_h = phase_sum(&hdd, "engine_bio_dev_ns_sum", cc) / nh;
	double io_b = phase_sum(&baseline, "engine_iowait_ns", cc) / nb;
	double io_h = phase_sum(&hdd, "engine_iowait_ns", cc) / nh;
	/* The stressors' own work shows as load somewhere in the window. */
	int64_t load_h = phase_sum(&hdd, "load_bio_reqs", every_phase) +
			 phase_sum(&hdd, "load_iowait_ns", every_phase) +
			 phase_sum(&hdd, "load_runq_ns", every_phase);

	fprintf(stderr,
		"%s+... per trial: engine device time %.1f -> %.1f ms, engine I/O wait "
		"%.1f -> %.1f ms\n",
		cc[0], dev_b / 1e6, dev_h / 1e6, io_b / 1e6, io_h / 1e6);
	assert_true(phase_sum(&baseline, "engine_bio_reqs", cc) > 0);
	assert_true(dev_h > 1.5 * dev_b);
	assert_true(io_h > 1.5 * io_b);
	assert_true(load_h > 0);
	assert_int_equal(phase_sum(&baseline, "load_bio_reqs", every_phase), 0);
}

static void collect_exec_names(const struct run *r, char names[][64], int *n, int max)
{
	*n = 0;
	for (size_t i = 0; i < r->execs.n_rows; i++) {
		char item[64];
		bool dup = false;

		const char *actor = table_str(&r->execs, i, "actor");

		/* Other tasks on the machine come and go between runs. */
		if (!table_str(&r->execs, i, "phase")[0] ||
		    (strcmp(actor, "engine") != 0 && strcmp(actor, "target") != 0))
			continue;
		snprintf(item, sizeof(item), "%s/%s", actor, table_str(&r->execs, i, "name"));
		for (int k = 0; k < *n && !dup; k++)
			dup = strcmp(names[k], item) == 0;
		if (!dup && *n < max)
			snprintf(names[(*n)++], 64, "%s", item);
	}
}

/*
 * With only classic tracepoints (what a kernel without BTF-typed tracepoints falls back to),
 * the picture is the same: the same programs in the window, by the same actors, the kernel
 * restart time, I/O, mounts.
 */
static void fallback_path_gives_the_same_picture(void **state)
{

	const char *extra[] = {"--probe-paths", "tracepoint", NULL};
	char a[64][64], b[64][64];
	int na, nb;

	(void)state;
	run_traced(&fallback, "kfall", extra);
	check_trials(&fallback);
	check_execs(&fallback);
	check_actors(&fallback, false);
	check_probes(&fallback, "tracepoint");
	assert_true(phase_sum(&fallback, "engine_bio_reqs", every_phase) > 0);
	assert_true(phase_sum(&fallback, "engine_mounts", every_phase) > 0);
	assert_true(phase_sum(&fallback, "engine_forks", every_phase) > 0);
	if (!baseline.have_events)
		skip();
	collect_exec_names(&baseline, a, &na, 64);
	collect_exec_names(&fallback, b, &nb, 64);
	for (int i = 0; i < na; i++) {
		bool found = false;

		for (int k = 0; k < nb && !found; k++)
			found = strcmp(a[i], b[k]) == 0;
		if (!found)
			fprintf(stderr, "%s ran with tp_btf but not with tracepoints\n", a[i]);
		assert_true(found);
	}
	assert_int_equal(na, nb);
	assert_int_equal(harness_leaked_bpf_maps(), 0);
}

static void check_reports_paths(void **state)
{
	const char *args[] = {"check", "--probe-paths", "raw_tp,tracepoint", NULL};
	const char *plain[] = {"check", "--no-fentry", "--no-kprobe", NULL};
	struct proc_result r;
	char engine[64];

	(void)state;
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code)
		fprintf(stderr, "%s%s", r.out, r.err);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(r.out, "can start, with kernel tracing"));
	assert_non_null(strstr(r.out, "  sched          raw_tp"));
	assert_non_null(strstr(r.out, "not tp_btf: disabled by --probe-paths"));
	assert_non_null(strstr(r.out, "cgroups     v"));
	snprintf(engine, sizeof(engine), "engine      %s",
		 engine_kind_title(harness_engine_kind()));
	assert_non_null(strstr(r.out, engine));
	proc_result_free(&r);
	assert_int_equal(harness_run(plain, (uid_t)-1, &r), 0);
	assert_int_equal(r.exit_code, 0);
	assert_non_null(strstr(r.out, "  sched          tp_btf"));
	assert_non_null(strstr(r.out, "not fentry: disabled by --probe-paths"));
	proc_result_free(&r);
	assert_int_equal(harness_leaked_bpf_maps(), 0);
}

static int teardown(void **state)
{
	(void)state;
	free_run(&baseline);
	free_run(&hdd);
	free_run(&fallback);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_reports_paths),
		cmocka_unit_test(baseline_traced),
		cmocka_unit_test(hdd_traced),
		cmocka_unit_test(disk_load_slows_the_engine),
		cmocka_unit_test(fallback_path_gives_the_same_picture),
	};

	if (!harness_docker_host()) {
		fprintf(stderr, "integration tests need DOCKER_HOST (run them with make test)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, teardown);
}
