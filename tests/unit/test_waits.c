// SPDX-License-Identifier: GPL-2.0-only
/*
 * The waits of a synthetic trial and their shares of each phase's time: the innermost wait per
 * thread, overlaps shared equally, spans cut at phase boundaries, blocking calls around
 * off-CPU spans, aggregates, and the gaps no wait holds given to the sleep that ended them.
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
#include "model/trial.h"
#include "model/waits.h"
#include "support/synth_trial.h"

static struct kev_task task(int pid, int tid, uint64_t cgid, int flags, const char *comm)
{
	struct kev_task w = {.pid = pid, .tid = tid, .ppid = 1, .cgid = cgid};

	w.hint = (flags & KT_TRACKED) ? KH_ENGINE : 0;
	w.flags = (uint8_t)flags;
	snprintf(w.comm, sizeof(w.comm), "%s", comm);
	return w;
}

static void add_off(struct trial_kernel *tk, struct kev_task who, int state, int64_t ts,
		    int64_t wake, int64_t end, int32_t stack, const char *waker)
{
	struct kevent e;

	memset(&e, 0, sizeof(e));
	e.type = KEV_OFFCPU;
	e.ts = ts * US;
	e.end = end * US;
	e.who = who;
	e.actor = -1;
	e.off.state = state;
	e.off.wake = wake * US;
	e.off.stackid = stack;
	snprintf(e.off.waker_comm, sizeof(e.off.waker_comm), "%s", waker);
	assert_int_equal(trial_kernel_add_event(tk, &e), 0);
}

static void add_call(struct trial_kernel *tk, struct kev_task who, int kind, int64_t ts,
		     int64_t end, const char *path)
{
	struct kevent e;

	memset(&e, 0, sizeof(e));
	e.type = KEV_SYSCALL;
	e.ts = ts * US;
	e.end = end * US;
	e.who = who;
	e.actor = -1;
	e.sys.kind = kind;
	snprintf(e.sys.path, sizeof(e.sys.path), "%s", path);
	assert_int_equal(trial_kernel_add_event(tk, &e), 0);
}

/*
 * In create [1400, 1500): dockerd's thread 11 fsyncs [1410, 1470), inside it sleeps in
 * iowait [1420, 1460) and waits for a CPU [1460, 1465); containerd's thread 12 is blocked
 * [1440, 1480); runc's thread 13 is in iowait [1480, 1520), across the end of create.
 * dockerd's thread 14 sleeps interruptibly all along, a stressor is in iowait all along:
 * [1400, 1410) is no one's.
 *
 *   [1410,1420) fsync alone            10  -> call
 *   [1420,1440) 11 iowait alone        20
 *   [1440,1460) 11 iowait + 12         10 each
 *   [1460,1465) 11 runq + 12            2.5 each
 *   [1465,1470) 11 in call + 12         2.5 each
 *   [1470,1480) 12 alone               10
 *   [1480,1500) 13 alone               20; and [1500,1520) in attach, 20
 */
/*
 * In connect [1550, 1700): containerd's thread 12 sleeps [1560, 1600), woken by a timer, then
 * waits for a CPU [1600, 1610); dockerd's 11 is in iowait [1610, 1650); runc's 13 sleeps
 * [1500, 1640). No wait holds [1550, 1600): containerd's wake-up ended it, so its sleep holds
 * [1560, 1600); [1550, 1560) and [1650, 1700) stay no one's.
 */
static void gap_goes_to_the_sleep_that_ended_it(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	const struct kwait *w;

	(void)state;
	synth_trial(&t);
	add_off(tk, task(20, 12, 1, KT_TRACKED, "containerd"), KOFF_SLEEP, 1560, 1600, 1610, -1,
		"swapper/0");
	add_off(tk, task(10, 11, 1, KT_TRACKED, "dockerd"), KOFF_IOWAIT, 1610, 1650, 1650, -1, "");
	add_off(tk, task(30, 13, 1, KT_TRACKED, "runc"), KOFF_SLEEP, 1500, 1640, 1640, -1, "runc");
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	w = synth_find_wait(tk, PH_CONNECT, "containerd", KW_SLEEP);
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 40 * US);
	assert_string_equal(w->waker, "swapper/0");
	assert_int_equal(synth_find_wait(tk, PH_CONNECT, "containerd", KW_RUNQ)->wall_ns, 10 * US);
	assert_int_equal(synth_find_wait(tk, PH_CONNECT, "runc", KW_SLEEP)->wall_ns, 0);
	assert_int_equal(synth_phase_wall(tk, PH_CONNECT), 90 * US);
	trial_kernel_free(tk);
}

static void waits_share_each_instant(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	struct kev_task dockerd = task(10, 11, 1, KT_TRACKED, "dockerd");
	struct kev_task containerd = task(20, 12, 1, KT_TRACKED, "containerd");
	struct kev_task runc = task(30, 13, 1, KT_TRACKED, "runc");
	struct kev_task idle = task(10, 14, 1, KT_TRACKED, "dockerd");
	struct kev_task stress = task(40, 41, 7, KT_TRACKED | KT_LOADCG, "stress-ng-hdd");
	const struct kwait *w;

	(void)state;
	synth_trial(&t);
	synth_add_stack(tk, 1, "entry;do_fsync;ext4_sync_file;folio_wait_writeback;io_schedule");
	synth_add_stack(tk, 2, "entry;bolt;mutex_lock;schedule");
	synth_add_stack(tk, 3, "entry;filemap_fault;io_schedule");
	add_call(tk, dockerd, KSYS_FSYNC, 1410, 1470, "/var/lib/docker/containers/c/.tmp-config");
	add_off(tk, dockerd, KOFF_IOWAIT, 1420, 1460, 1465, 1, "kworker/u8:1");
	add_off(tk, containerd, KOFF_BLOCKED, 1440, 1480, 1480, 2, "dockerd");
	add_off(tk, runc, KOFF_IOWAIT, 1480, 1520, 1520, 3, "swapper/0");
	add_off(tk, idle, KOFF_SLEEP, 1305, 1595, 1595, -1, "dockerd");
	add_off(tk, stress, KOFF_IOWAIT, 1400, 1500, 1500, 3, "");
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);

	/* The time of a phase is shared out, never more than it lasted. */
	assert_int_equal(synth_phase_wall(tk, PH_CREATE), 90 * US);
	assert_int_equal(synth_phase_wall(tk, PH_ATTACH), 20 * US);
	w = synth_find_wait(tk, PH_CREATE, "dockerd", KW_IOWAIT);
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 30 * US);
	assert_int_equal(w->offcpu_ns, 40 * US);
	assert_int_equal(w->call, KSYS_FSYNC); /* carries the call around it, and its file */
	assert_string_equal(w->file, "/var/lib/docker/containers/c/.tmp-config");
	assert_string_equal(w->waker, "kworker/u8:1");
	assert_int_equal(w->stack, stack_hash(tk->stacks[0].folded));
	w = synth_find_wait(tk, PH_CREATE, "dockerd", KW_RUNQ);
	assert_int_equal(w->wall_ns, 2500);
	assert_int_equal(w->call, KSYS_FSYNC);
	w = synth_find_wait(tk, PH_CREATE, "dockerd", KW_CALL);
	assert_int_equal(w->wall_ns, 12500);
	assert_int_equal(w->offcpu_ns, 0);
	assert_int_equal(w->count, 1);
	w = synth_find_wait(tk, PH_CREATE, "containerd", KW_BLOCKED);
	assert_int_equal(w->wall_ns, 25 * US);
	assert_int_equal(w->call, 0);
	/* Cut at the phase boundary: counted once, time on both sides. */
	w = synth_find_wait(tk, PH_CREATE, "runc", KW_IOWAIT);
	assert_int_equal(w->wall_ns, 20 * US);
	assert_int_equal(w->count, 1);
	w = synth_find_wait(tk, PH_ATTACH, "runc", KW_IOWAIT);
	assert_int_equal(w->offcpu_ns, 20 * US);
	assert_int_equal(w->count, 0);
	/* Idle sleeps and the load's waits: listed, no share. */
	w = synth_find_wait(tk, PH_CREATE, "dockerd", KW_SLEEP);
	assert_int_equal(w->wall_ns, 0);
	assert_int_equal(w->offcpu_ns, 100 * US);
	w = synth_find_wait(tk, PH_CREATE, "stress-ng-hdd", KW_IOWAIT);
	assert_int_equal(w->actor, ACTOR_LOAD);
	assert_int_equal(w->wall_ns, 0);
	assert_int_equal(w->offcpu_ns, 100 * US);
	trial_kernel_free(tk);
}

/* Short spans from the aggregates: at their slot's start, at most a slot long; none inside
 * a call of their process; the window's outside is dropped. */
static void waits_from_aggregates(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	struct kev_task dockerd = task(10, 11, 1, KT_TRACKED, "dockerd");
	struct kagg a = {.kind = KAGG_RUNQ, .slot_ns = 10 * US, .count = 4, .sum_ns = 30 * US};
	const struct kwait *w;

	(void)state;
	synth_trial(&t);
	a.who = dockerd;
	a.who.tid = 0;
	a.slot_start = 1600 * US; /* connect */
	a.sub = -1;
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
	a.kind = KAGG_OFF_IOWAIT;
	a.slot_start = 1420 * US; /* create, inside dockerd's fsync: no share */
	a.sum_ns = 5 * US;
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
	a.slot_start = 900 * US; /* before the window */
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
	add_call(tk, dockerd, KSYS_FDATASYNC, 1410, 1440,
		 "/var/lib/docker/network/files/local-kv.db");
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	w = synth_find_wait(tk, PH_CONNECT, "dockerd", KW_RUNQ);
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 10 * US);
	assert_int_equal(w->offcpu_ns, 30 * US);
	assert_int_equal(w->count, 4);
	w = synth_find_wait(tk, PH_CREATE, "dockerd", KW_IOWAIT);
	assert_int_equal(w->wall_ns, 0);
	assert_int_equal(w->offcpu_ns, 5 * US);
	w = synth_find_wait(tk, PH_CREATE, "dockerd", KW_CALL);
	assert_int_equal(w->wall_ns, 30 * US);
	assert_int_equal(synth_phase_wall(tk, PH_DIE) + synth_phase_wall(tk, PH_KILL), 0);
	trial_kernel_free(tk);
}

static void waits_need_a_tiled_trial(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));

	(void)state;
	synth_trial(&t);
	t.status = TRIAL_FAILED;
	add_off(tk, task(10, 11, 1, KT_TRACKED, "dockerd"), KOFF_IOWAIT, 1420, 1460, 1465, -1, "");
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	assert_int_equal(tk->n_waits, 0);
	trial_kernel_free(tk);
}

/* ---- diagnosis ---- */

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(waits_share_each_instant),
		cmocka_unit_test(gap_goes_to_the_sleep_that_ended_it),
		cmocka_unit_test(waits_from_aggregates),
		cmocka_unit_test(waits_need_a_tiled_trial),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
