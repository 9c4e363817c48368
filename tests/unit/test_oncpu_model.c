// SPDX-License-Identifier: GPL-2.0-only
/*
 * On-CPU samples in the model, on synthetic aggregates: an ONCPU aggregate converted from the
 * BPF side's key, its place in the phase (the sampling period before its slot's end, cut at
 * the phase's start), its share of the phase's elapsed time beside the waits, none inside a
 * call of its process or for the load, its folded stack (user frames, then kernel frames),
 * and the attach path's name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/kernel.h"
#include "model/probe.h"
#include "model/waits.h"
#include "support/synth_trial.h"
#include "restartprof/kevents.h"
#include "trace/convert.h"

static struct kev_task task(int pid, int flags, const char *comm)
{
	struct kev_task w = {.pid = pid, .ppid = 1, .cgid = (flags & KT_LOADCG) ? 7 : 1};

	w.hint = (flags & KT_TRACKED) ? KH_ENGINE : 0;
	w.flags = (uint8_t)flags;
	snprintf(w.comm, sizeof(w.comm), "%s", comm);
	return w;
}

/* count samples of period us each, in the 10 us slot starting at slot us. */
static void add_oncpu(struct trial_kernel *tk, struct kev_task who, int64_t slot, int count,
		      int64_t period, int32_t kstack, int32_t ustack)
{
	struct kagg a = {.kind = KAGG_ONCPU, .slot_ns = 10 * US, .actor = -1};

	a.who = who;
	a.slot_start = slot * US;
	a.count = (uint64_t)count;
	a.sum_ns = (uint64_t)(count * period * US);
	a.sub = kstack;
	a.ustackid = ustack;
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
}

/* Runs measured by the scheduler ending in the 10 us slot at slot us, the last at end us. */
static struct kagg *add_runs(struct trial_kernel *tk, struct kev_task who, int64_t slot, int count,
			     int64_t sum, int64_t longest, int64_t end)
{
	struct kagg a = {.kind = KAGG_ONCPU_TIME, .slot_ns = 10 * US, .actor = -1, .sub = -1};

	a.who = who;
	a.slot_start = slot * US;
	a.count = (uint64_t)count;
	a.sum_ns = (uint64_t)(sum * US);
	a.max_ns = (uint64_t)(longest * US);
	a.queue_ns = (uint64_t)((end - slot) * US);
	a.ustackid = -1;
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
	return &tk->agg[tk->n_agg - 1];
}

static void add_ustack(struct trial_kernel *tk, int32_t id, const char *folded)
{
	struct kustack s = {.id = id, .depth = 1};

	s.folded = strdup(folded);
	assert_int_equal(trial_kernel_add_ustack(tk, &s), 0);
}

static void add_event(struct trial_kernel *tk, struct kev_task who, int tid, int type, int64_t ts,
		      int64_t end)
{
	struct kevent e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts = ts * US;
	e.end = end * US;
	e.who = who;
	e.who.tid = tid;
	e.actor = -1;
	if (type == KEV_OFFCPU) {
		e.off.state = KOFF_IOWAIT;
		e.off.wake = end * US;
		e.off.stackid = -1;
	} else {
		e.sys.kind = KSYS_FSYNC;
		snprintf(e.sys.path, sizeof(e.sys.path), "/var/lib/docker/x");
	}
	assert_int_equal(trial_kernel_add_event(tk, &e), 0);
}

/*
 * In create [1400, 1500): dockerd 1 sample and runc 2 samples of 20 us in the slot
 * [1440, 1450), so both over [1430, 1450); containerd in iowait [1440, 1460).
 *   [1430,1440) dockerd + runc          5 each
 *   [1440,1450) dockerd + runc + ctrd   10/3 each
 *   [1450,1460) containerd alone        10
 */
static void oncpu_shares_the_phase(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	const struct kwait *w;

	(void)state;
	synth_trial(&t);
	add_oncpu(tk, task(10, KT_TRACKED, "dockerd"), 1440, 1, 20, -1, -1);
	add_oncpu(tk, task(30, KT_TRACKED, "runc"), 1440, 2, 20, -1, -1);
	add_event(tk, task(20, KT_TRACKED, "containerd"), 21, KEV_OFFCPU, 1440, 1460);
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	assert_in_range(synth_phase_wall(tk, PH_CREATE), 30 * US - 2,
			30 * US); /* rounded per row */
	w = synth_find_wait(tk, PH_CREATE, "dockerd", KW_ONCPU);
	assert_non_null(w);
	assert_int_equal(w->actor, ACTOR_ENGINE);
	assert_int_equal(w->wall_ns, 8333);
	assert_int_equal(w->offcpu_ns, 20 * US);
	assert_int_equal(w->count, 1);
	w = synth_find_wait(tk, PH_CREATE, "runc", KW_ONCPU);
	assert_int_equal(w->wall_ns, 8333);
	assert_int_equal(w->offcpu_ns, 40 * US);
	assert_int_equal(w->count, 2);
	w = synth_find_wait(tk, PH_CREATE, "containerd", KW_IOWAIT);
	assert_int_equal(w->wall_ns, 13333);
	assert_string_equal(kwait_state_name(KW_ONCPU), "oncpu");
	assert_int_equal(kwait_state_from_name("oncpu"), KW_ONCPU);
	trial_kernel_free(tk);
}

static const struct kwait *find_stack(const struct trial_kernel *tk, int phase, const char *comm,
				      const char *folded)
{
	for (size_t i = 0; i < tk->n_waits; i++)
		if (tk->waits[i].phase == phase && strcmp(tk->waits[i].comm, comm) == 0 &&
		    tk->waits[i].state == KW_ONCPU &&
		    strcmp(tk->waits[i].folded ? tk->waits[i].folded : "", folded) == 0)
			return &tk->waits[i];
	return NULL;
}

/*
 * Measured runs hold the time, samples name it. dockerd ran 8 us ending at 1446, so over
 * [1438, 1446), sampled 3 times in A and once in B; runc ran 4 us ending at 1490, never
 * sampled; containerd ran 20 us ending at 1505, across create's end at 1500.
 *   create: dockerd 8 alone (A 6, B 2); [1485,1486) containerd 1; [1486,1490) both, 2 each;
 *           [1490,1500) containerd 10.  attach: containerd 5.
 */
static void runs_named_by_samples(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	const struct kwait *w;

	(void)state;
	synth_trial(&t);
	synth_add_stack(tk, 1, "do_syscall_64;a");
	synth_add_stack(tk, 2, "do_syscall_64;b");
	add_runs(tk, task(10, KT_TRACKED, "dockerd"), 1440, 3, 8, 5, 1446);
	add_oncpu(tk, task(10, KT_TRACKED, "dockerd"), 1440, 3, 5, 1, -1);
	add_oncpu(tk, task(10, KT_TRACKED, "dockerd"), 1440, 1, 5, 2, -1);
	add_runs(tk, task(30, KT_TRACKED, "runc"), 1480, 1, 4, 4, 1490);
	add_runs(tk, task(20, KT_TRACKED, "containerd"), 1500, 1, 20, 20, 1505);
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	w = find_stack(tk, PH_CREATE, "dockerd", "do_syscall_64;a");
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 6 * US);
	assert_int_equal(w->offcpu_ns, 6 * US);
	assert_int_equal(w->count, 3);
	w = find_stack(tk, PH_CREATE, "dockerd", "do_syscall_64;b");
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 2 * US);
	assert_int_equal(w->count, 1);
	assert_null(find_stack(tk, PH_CREATE, "dockerd", "")); /* named: no row of its own */
	w = find_stack(tk, PH_CREATE, "runc", "");
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 2 * US);
	assert_int_equal(w->offcpu_ns, 4 * US);
	assert_int_equal(w->count, 1);
	w = find_stack(tk, PH_CREATE, "containerd", "");
	assert_int_equal(w->wall_ns, 13 * US);
	assert_int_equal(w->offcpu_ns, 15 * US);
	w = find_stack(tk, PH_ATTACH, "containerd", "");
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 5 * US);
	assert_int_equal(w->offcpu_ns, 5 * US);
	assert_int_equal(w->count, 0); /* counted once, in the phase it began in */
	trial_kernel_free(tk);
}

/*
 * In connect: dockerd's runs fill 6 of their 8 us extent [1601, 1609): that busy stretch is
 * theirs. containerd's fill 1 of [1621, 1629): they sit at the end, [1628, 1629).
 */
static void runs_fill_their_extent(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));

	(void)state;
	synth_trial(&t);
	add_runs(tk, task(10, KT_TRACKED, "dockerd"), 1600, 3, 6, 3, 1609)->bytes = 9 * US;
	add_runs(tk, task(20, KT_TRACKED, "containerd"), 1620, 2, 1, 1, 1629)->bytes = 9 * US;
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	assert_int_equal(synth_find_wait(tk, PH_CONNECT, "dockerd", KW_ONCPU)->wall_ns, 8 * US);
	assert_int_equal(synth_find_wait(tk, PH_CONNECT, "dockerd", KW_ONCPU)->offcpu_ns, 6 * US);
	assert_int_equal(synth_find_wait(tk, PH_CONNECT, "containerd", KW_ONCPU)->wall_ns, 1 * US);
	trial_kernel_free(tk);
}

/*
 * Runs are any thread's: a short call of one dockerd thread at their middle holds only its own
 * 2 us of [1601, 1609). A call of containerd covering all its runs holds their share; their
 * CPU time stays with the stack sampled there.
 */
static void runs_held_by_a_call_only_when_covered(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	struct kev_task dockerd = task(10, KT_TRACKED, "dockerd");
	struct kev_task containerd = task(20, KT_TRACKED, "containerd");
	const struct kwait *w;

	(void)state;
	synth_trial(&t);
	add_runs(tk, dockerd, 1600, 2, 8, 5, 1609)->bytes = 9 * US;
	add_event(tk, dockerd, 11, KEV_SYSCALL, 1604, 1606);
	add_runs(tk, containerd, 1620, 2, 8, 5, 1629)->bytes = 9 * US;
	synth_add_stack(tk, 1, "do_syscall_64;do_fsync");
	add_oncpu(tk, containerd, 1620, 1, 5, 1, -1);
	add_event(tk, containerd, 21, KEV_SYSCALL, 1620, 1640);
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	assert_true(synth_find_wait(tk, PH_CONNECT, "dockerd", KW_ONCPU)->wall_ns >= 6 * US);
	w = find_stack(tk, PH_CONNECT, "containerd", "do_syscall_64;do_fsync");
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 0);
	assert_int_equal(w->offcpu_ns, 8 * US); /* the runs' CPU time, named by the sample */
	assert_int_equal(synth_find_wait(tk, PH_CONNECT, "containerd", KW_CALL)->wall_ns, 20 * US);
	assert_int_equal(synth_phase_wall(tk, PH_CONNECT), 28 * US);
	trial_kernel_free(tk);
}

/* Cut at the phase's start; none inside a call of the process; the load: listed, no share. */
static void oncpu_cut_call_and_load(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	struct kev_task dockerd = task(10, KT_TRACKED, "dockerd");
	const struct kwait *w;

	(void)state;
	synth_trial(&t);
	add_oncpu(tk, dockerd, 1550, 1, 20, -1, -1); /* [1540, 1560) -> [1550, 1560) */
	add_oncpu(tk, dockerd, 1620, 1, 20, -1, -1); /* inside the fsync below */
	add_event(tk, dockerd, 11, KEV_SYSCALL, 1600, 1650);
	add_oncpu(tk, task(40, KT_TRACKED | KT_LOADCG, "stress-ng"), 1680, 3, 20, -1, -1);
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	w = synth_find_wait(tk, PH_CONNECT, "dockerd", KW_ONCPU);
	assert_non_null(w);
	assert_int_equal(w->count, 2);
	assert_int_equal(w->offcpu_ns, 40 * US);
	assert_int_equal(w->wall_ns, 10 * US);
	w = synth_find_wait(tk, PH_CONNECT, "dockerd", KW_CALL);
	assert_int_equal(w->wall_ns, 50 * US);
	w = synth_find_wait(tk, PH_CONNECT, "stress-ng", KW_ONCPU);
	assert_int_equal(w->actor, ACTOR_LOAD);
	assert_int_equal(w->wall_ns, 0);
	assert_int_equal(w->offcpu_ns, 60 * US);
	assert_int_equal(synth_phase_wall(tk, PH_CONNECT), 60 * US);
	trial_kernel_free(tk);
}

/* User frames then kernel frames, root first; one row per pair of stacks. */
static void oncpu_stacks_join(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	struct kev_task runc = task(30, KT_TRACKED, "runc");
	const char *both = "runtime.main;main.main;syscall.Syscall;entry_SYSCALL_64;do_mount";
	int seen_both = 0, seen_user = 0, seen_none = 0;

	(void)state;
	synth_trial(&t);
	add_ustack(tk, 5, "runtime.main;main.main;syscall.Syscall");
	synth_add_stack(tk, 7, "entry_SYSCALL_64;do_mount");
	add_oncpu(tk, runc, 1410, 1, 5, 7, 5);
	add_oncpu(tk, runc, 1420, 1, 5, 7, 5);
	add_oncpu(tk, runc, 1430, 1, 5, -1, 5); /* in user mode: no kernel stack */
	add_oncpu(tk, runc, 1440, 1, 5, -1, -1);
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	for (size_t i = 0; i < tk->n_waits; i++) {
		const struct kwait *w = &tk->waits[i];

		assert_int_equal(w->state, KW_ONCPU);
		if (!w->folded) {
			assert_int_equal(w->stack, 0);
			seen_none++;
		} else if (strcmp(w->folded, both) == 0) {
			assert_int_equal(w->stack, stack_hash(both));
			assert_int_equal(w->count, 2);
			seen_both++;
		} else {
			assert_string_equal(w->folded, "runtime.main;main.main;syscall.Syscall");
			seen_user++;
		}
	}
	assert_int_equal(seen_both + seen_user * 10 + seen_none * 100, 111);
	/* Again: the joined strings are made afresh, not piled up. */
	assert_int_equal(kernel_waits(tk, &t), 0);
	assert_int_equal(tk->n_joined, 2);
	trial_kernel_free(tk);
}

/* The BPF side's key: kind and user stack id; -1 for every other kind. */
static void oncpu_from_the_kernel_key(void **state)
{
	struct rp_agg_key k = {.slot = 7, .cgid = 3, .tgid = 10, .stackid = 4, .ustackid = 9};
	struct rp_agg_val v = {.count = 2, .sum_ns = 10050250};
	struct kagg a;

	(void)state;
	k.kind = RP_AGG_ONCPU;
	assert_int_equal(convert_agg(&k, &v, 1000000, 0, &a), 0);
	assert_int_equal(a.kind, KAGG_ONCPU);
	assert_int_equal(a.sub, 4);
	assert_int_equal(a.ustackid, 9);
	assert_int_equal(a.count, 2);
	k.kind = RP_AGG_RUNQ;
	assert_int_equal(convert_agg(&k, &v, 1000000, 0, &a), 0);
	assert_int_equal(a.ustackid, -1);
}

/* The sampler's attach path, by name. */
static void oncpu_path_name(void **state)
{
	unsigned m;
	char err[200];

	(void)state;
	assert_string_equal(probe_path_name(PROBE_PERF_EVENT), "perf_event");
	assert_int_equal(probe_paths_parse("tp_btf,perf_event", &m, err, sizeof(err)), 0);
	assert_int_equal(m, (1u << PROBE_TP_BTF) | (1u << PROBE_PERF_EVENT));
	assert_true(PROBE_PATHS_ALL & (1u << PROBE_PERF_EVENT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(oncpu_shares_the_phase),
		cmocka_unit_test(oncpu_cut_call_and_load),
		cmocka_unit_test(oncpu_stacks_join),
		cmocka_unit_test(oncpu_from_the_kernel_key),
		cmocka_unit_test(oncpu_path_name),
		cmocka_unit_test(runs_named_by_samples),
		cmocka_unit_test(runs_fill_their_extent),
		cmocka_unit_test(runs_held_by_a_call_only_when_covered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
