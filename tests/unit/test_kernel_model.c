// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel's record of a trial, attributed: actors from synthetic tasks on cgroup v1 and
 * v2, per (phase, actor) sums from synthetic event sequences (events before the window,
 * spans crossing phase boundaries, a pid reused, aggregates at slot edges), and the kernel
 * restart window.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "model/actor.h"
#include "model/kernel.h"
#include "model/phase.h"
#include "model/trial.h"
#include "util/array.h"

#define OLD   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define NEW   "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define LOADC "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define OTHC  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"

enum {
	CG_OLD = 101,
	CG_NEW = 102,
	CG_LOAD = 103,
	CG_OTHER = 104,
	CG_ROOT = 1
};

/* Window [1000, 2000]; each phase ends at its event. */
static void make_trial(struct trial *t)
{
	static const int64_t at[PH_COUNT] = {
		[PH_KILL] = 1100,   [PH_DIE] = 1200,	 [PH_DISCONNECT] = 1300,
		[PH_STOP] = 1350,   [PH_DESTROY] = 1400, [PH_CREATE] = 1500,
		[PH_ATTACH] = 1550, [PH_CONNECT] = 1700, [PH_START] = 1900,
	};

	memset(t, 0, sizeof(*t));
	t->index = 1;
	t->status = TRIAL_OK;
	t->method = RM_STDOUT;
	t->window[RM_STDOUT] = (struct trial_window){1000, 2000};
	t->have_window[RM_STDOUT] = 1;
	memcpy(t->event_ns, at, sizeof(at));
	snprintf(t->old_id, sizeof(t->old_id), OLD);
	snprintf(t->new_id, sizeof(t->new_id), NEW);
	assert_int_equal(trial_tile_phases(t), 0);
}

static struct trial_kernel *make_tk(int root, bool v2)
{
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	struct kcgroup c;
	char path[128];
	const struct {
		int id;
		const char *cid;
	} cgs[] = {{CG_OLD, OLD}, {CG_NEW, NEW}, {CG_LOAD, LOADC}, {CG_OTHER, OTHC}};

	tk->map.root = root;
	tk->map.n_load = 1;
	snprintf(tk->map.load[0], sizeof(tk->map.load[0]), LOADC);
	for (size_t i = 0; i < sizeof(cgs) / sizeof(cgs[0]); i++) {
		if (v2)
			snprintf(path, sizeof(path), "/system.slice/docker-%s.scope", cgs[i].cid);
		else
			snprintf(path, sizeof(path), "/docker/%s", cgs[i].cid);
		kcgroup_init(&c, (uint64_t)cgs[i].id, root, path);
		assert_int_equal(trial_kernel_add_cgroup(tk, &c), 0);
	}
	/* The same ids in another hierarchy mean nothing to this one. */
	kcgroup_init(&c, 999, root + 1, "/docker/" OTHC);
	assert_int_equal(trial_kernel_add_cgroup(tk, &c), 0);
	return tk;
}

static struct kev_task task(int pid, int tid, uint64_t cgid, int hint, int flags, const char *comm)
{
	struct kev_task w = {.pid = pid, .tid = tid, .ppid = 1, .cgid = cgid};

	w.hint = (uint8_t)hint;
	w.flags = (uint8_t)flags;
	snprintf(w.comm, sizeof(w.comm), "%s", comm);
	return w;
}

static struct kevent ev(int type, int64_t ts, int64_t end, struct kev_task who)
{
	struct kevent e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts = ts;
	e.end = end ? end : ts;
	e.who = who;
	e.actor = -1;
	return e;
}

static void add_event(struct trial_kernel *tk, struct kevent e)
{
	assert_int_equal(trial_kernel_add_event(tk, &e), 0);
}

static struct kevent exec_ev(int64_t ts, struct kev_task who, const char *file, const char *exe)
{
	struct kevent e = ev(KEV_EXEC, ts, 0, who);

	snprintf(e.exec.filename, sizeof(e.exec.filename), "%s", file);
	snprintf(e.exec.exe, sizeof(e.exec.exe), "%s", exe);
	return e;
}

static struct kevent exit_ev(int64_t ts, struct kev_task who, int status)
{
	struct kevent e = ev(KEV_EXIT, ts, 0, who);

	e.exit.code = status;
	e.exit.group_dead = who.pid == who.tid;
	return e;
}

/* ---- actors ---- */

static void actors(int root, bool v2)
{
	struct trial_kernel *tk = make_tk(root, v2);
	struct actor_ctx c = {.map = &tk->map, .cg = tk->cg, .n_cg = tk->n_cg};
	struct kev_task w;

	c.target[0] = OLD;
	c.target[1] = NEW;
	w = task(2, 2, CG_ROOT, 0, KT_KTHREAD, "kworker/u8:0");
	assert_int_equal(actor_of(&c, &w), ACTOR_KERNEL);
	w = task(10, 10, CG_ROOT, KH_ENGINE, KT_TRACKED, "dockerd");
	assert_int_equal(actor_of(&c, &w), ACTOR_ENGINE);
	/* runc init has joined the new container's cgroup but not exec'd yet. */
	w = task(20, 20, CG_NEW, KH_ENGINE, KT_TRACKED | KT_RUNC, "runc:[2:INIT]");
	assert_int_equal(actor_of(&c, &w), ACTOR_ENGINE);
	/* ... and once it has, the same lineage is the target's. */
	w = task(20, 20, CG_NEW, KH_ENGINE, KT_TRACKED, "restartprof-svc");
	assert_int_equal(actor_of(&c, &w), ACTOR_TARGET);
	w = task(21, 21, CG_OLD, KH_ENGINE, KT_TRACKED, "node");
	assert_int_equal(actor_of(&c, &w), ACTOR_TARGET);
	w = task(30, 30, CG_LOAD, KH_ENGINE, KT_TRACKED, "stress-ng-hdd");
	assert_int_equal(actor_of(&c, &w), ACTOR_LOAD);
	/* Flagged load in the kernel, its cgroup not in the table: still load. */
	w = task(31, 31, 777, 0, KT_LOADCG, "stress-ng");
	assert_int_equal(actor_of(&c, &w), ACTOR_LOAD);
	w = task(40, 40, CG_OTHER, KH_ENGINE, KT_TRACKED, "nginx");
	assert_int_equal(actor_of(&c, &w), ACTOR_OTHER);
	/* Another engine's container: not tracked, in no container we know. */
	w = task(41, 41, 999, 0, 0, "nginx");
	assert_int_equal(actor_of(&c, &w), ACTOR_OTHER);
	w = task(50, 50, CG_ROOT, 0, 0, "bash");
	assert_int_equal(actor_of(&c, &w), ACTOR_OTHER);
	w = task(51, 51, CG_ROOT, 0, KT_RUNC, "runc");
	assert_int_equal(actor_of(&c, &w), ACTOR_OTHER); /* another engine's runc */
	trial_kernel_free(tk);
}

/* Watch: the other containers are the load; outside containers nothing changes. */
static void others_are_load_in_watch(void **state)
{
	struct trial_kernel *tk = make_tk(0, true);
	struct actor_ctx c = {.map = &tk->map, .cg = tk->cg, .n_cg = tk->n_cg};
	struct kev_task w;

	(void)state;
	tk->map.others_are_load = true;
	c.target[0] = OLD;
	c.target[1] = NEW;
	w = task(40, 40, CG_OTHER, KH_ENGINE, KT_TRACKED, "nginx");
	assert_int_equal(actor_of(&c, &w), ACTOR_LOAD);
	w = task(21, 21, CG_OLD, KH_ENGINE, KT_TRACKED, "node");
	assert_int_equal(actor_of(&c, &w), ACTOR_TARGET);
	w = task(20, 20, CG_NEW, KH_ENGINE, KT_TRACKED | KT_RUNC, "runc:[2:INIT]");
	assert_int_equal(actor_of(&c, &w), ACTOR_ENGINE);
	w = task(10, 10, CG_ROOT, KH_ENGINE, KT_TRACKED, "dockerd");
	assert_int_equal(actor_of(&c, &w), ACTOR_ENGINE);
	w = task(50, 50, CG_ROOT, 0, 0, "bash");
	assert_int_equal(actor_of(&c, &w), ACTOR_OTHER);
	w = task(41, 41, 999, 0, 0, "nginx"); /* a cgroup the table does not know */
	assert_int_equal(actor_of(&c, &w), ACTOR_OTHER);
	trial_kernel_free(tk);
}

static void actors_cgroup_v1(void **state)
{
	(void)state;
	actors(8, false);
}

static void actors_cgroup_v2(void **state)
{
	(void)state;
	actors(0, true);
}

static void container_ids_from_paths(void **state)
{
	char id[65];

	(void)state;
	assert_int_equal(container_id_from_path("/docker/" NEW, id), 0);
	assert_string_equal(id, NEW);
	assert_int_equal(container_id_from_path("/system.slice/docker-" NEW ".scope", id), 0);
	assert_string_equal(id, NEW);
	assert_int_equal(container_id_from_path("/docker/" NEW "/init.scope", id), 0);
	assert_string_equal(id, NEW);
	assert_int_equal(container_id_from_path("/kubepods/pod1/" OLD "/x/" NEW, id), 0);
	assert_string_equal(id, NEW);					      /* the innermost */
	assert_int_equal(container_id_from_path("/docker/" NEW "a", id), -1); /* 65 digits */
	assert_int_equal(container_id_from_path("/docker/abc", id), -1);
	assert_int_equal(container_id_from_path("/", id), -1);
	assert_string_equal(id, "");
	assert_int_equal(container_id_from_path("/DOCKER/"
						"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"
						"BBBBBBBBBBBBBBBBBBBBBBBBB",
						id),
			 0);
	assert_string_equal(id, NEW);
}

/* ---- attribution ---- */

static void instants_go_to_the_phase_holding_them(void **state)
{
	struct trial t;
	struct trial_kernel *tk = make_tk(8, false);
	struct kev_task runc = task(500, 500, CG_ROOT, KH_ENGINE, KT_TRACKED | KT_RUNC, "runc");
	struct kev_task other = task(600, 600, CG_ROOT, 0, 0, "make");
	struct kevent f;

	(void)state;
	make_trial(&t);
	add_event(tk, exec_ev(900, runc, "/usr/sbin/runc", "runc"));  /* before the window */
	add_event(tk, exec_ev(1450, runc, "/usr/sbin/runc", "runc")); /* create */
	add_event(tk, exec_ev(1500, runc, "/proc/self/exe", "runc")); /* on create's end: attach */
	add_event(tk, exec_ev(1600, other, "/usr/bin/cc", "cc"));     /* connect, other */
	add_event(tk,
		  exec_ev(2000, runc, "/usr/sbin/runc", "runc")); /* the window's end: outside */
	f = ev(KEV_FORK, 1460, 0, runc);
	f.fork.child_pid = 501;
	add_event(tk, f);
	f.fork.thread = 1;
	add_event(tk, f); /* threads are not forks */
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_true(tk->attributed);
	assert_int_equal(tk->by[PH_CREATE][ACTOR_ENGINE].execs, 1);
	assert_string_equal(tk->by[PH_CREATE][ACTOR_ENGINE].exec_names, "runc");
	assert_int_equal(tk->by[PH_CREATE][ACTOR_ENGINE].forks, 1);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].execs, 1);
	assert_string_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].exec_names, "runc");
	assert_int_equal(tk->by[PH_CONNECT][ACTOR_OTHER].execs, 1);
	for (int p = 0; p < PH_COUNT; p++)
		if (p != PH_CREATE && p != PH_ATTACH)
			assert_int_equal(tk->by[p][ACTOR_ENGINE].execs, 0);
	/* Every event got an actor. */
	for (size_t i = 0; i < tk->n_ev; i++)
		assert_true(tk->ev[i].actor >= 0 && tk->ev[i].actor < ACTOR_COUNT);
	trial_kernel_free(tk);
}

static void spans_are_split_at_phase_boundaries(void **state)
{
	struct trial t;
	struct trial_kernel *tk = make_tk(8, false);
	struct kev_task d = task(10, 11, CG_ROOT, KH_ENGINE, KT_TRACKED, "dockerd");
	struct kevent e;

	(void)state;
	make_trial(&t);
	/* iowait from 1450 to 1620 (create 50, attach 50, connect 70), then 30 on the run queue. */
	e = ev(KEV_OFFCPU, 1450, 1650, d);
	e.off.state = KOFF_IOWAIT;
	e.off.wake = 1620;
	add_event(tk, e);
	/* Began before the window: only its part inside counts (kill: 50). */
	e = ev(KEV_OFFCPU, 900, 1050, d);
	e.off.state = KOFF_BLOCKED;
	e.off.wake = 1050;
	add_event(tk, e);
	/* Preempted: all of it is run-queue wait; runs past the window's end. */
	e = ev(KEV_OFFCPU, 1950, 2100, d);
	e.off.state = KOFF_RUNQ;
	e.off.wake = 1950;
	add_event(tk, e);
	/* Interruptible sleep is not I/O wait; its run-queue part counts. */
	e = ev(KEV_OFFCPU, 1100, 1180, d);
	e.off.state = KOFF_SLEEP;
	e.off.wake = 1170;
	add_event(tk, e);
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(tk->by[PH_CREATE][ACTOR_ENGINE].iowait_ns, 50);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].iowait_ns, 50);
	assert_int_equal(tk->by[PH_CONNECT][ACTOR_ENGINE].iowait_ns, 70);
	assert_int_equal(tk->by[PH_CONNECT][ACTOR_ENGINE].runq_ns, 30);
	assert_int_equal(tk->by[PH_KILL][ACTOR_ENGINE].blocked_ns, 50);
	assert_int_equal(tk->by[PH_READY][ACTOR_ENGINE].runq_ns, 50);
	assert_int_equal(tk->by[PH_DIE][ACTOR_ENGINE].runq_ns, 10);
	assert_int_equal(tk->by[PH_DIE][ACTOR_ENGINE].iowait_ns, 0);
	assert_int_equal(tk->by[PH_DIE][ACTOR_ENGINE].blocked_ns, 0);
	trial_kernel_free(tk);
}

static void block_io_counts_where_it_was_queued(void **state)
{
	struct trial t;
	struct trial_kernel *tk = make_tk(8, false);
	struct kev_task d = task(10, 12, CG_ROOT, KH_ENGINE, KT_TRACKED, "dockerd");
	struct kev_task svc = task(70, 70, CG_NEW, KH_ENGINE, KT_TRACKED, "svc");
	struct kevent e;

	(void)state;
	make_trial(&t);
	e = ev(KEV_BIO, 1510, 1580, d); /* queued in attach, done in connect */
	e.bio.issue = 1520;
	e.bio.bytes = 4096;
	add_event(tk, e);
	e = ev(KEV_BIO, 1530, 1545, d);
	e.bio.issue = 1535;
	e.bio.bytes = 8192;
	add_event(tk, e);
	e = ev(KEV_BIO, 1600, 1700, svc);
	e.bio.issue = 1600;
	e.bio.bytes = 512;
	add_event(tk, e);
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].bio_reqs, 2);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].bio_bytes, 12288);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].bio_dev_ns_sum, 60 + 10);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].bio_dev_ns_max, 60);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].bio_queue_ns, 10 + 5);
	assert_int_equal(tk->by[PH_CONNECT][ACTOR_ENGINE].bio_reqs, 0);
	assert_int_equal(tk->by[PH_CONNECT][ACTOR_TARGET].bio_reqs, 1);
	assert_int_equal(tk->by[PH_CONNECT][ACTOR_TARGET].bio_dev_ns_sum, 100);
	trial_kernel_free(tk);
}

static void aggregates_go_by_their_slot_middle(void **state)
{
	struct trial t;
	struct trial_kernel *tk = make_tk(8, false);
	struct kagg a = {.slot_ns = 10, .sub = -1};

	(void)state;
	make_trial(&t);
	a.who = task(0, 0, CG_LOAD, 0, KT_LOADCG, "");
	a.kind = KAGG_BIO_WRITE;
	a.slot_start = 1490; /* middle 1495: create */
	a.count = 3;
	a.bytes = 3 * 4096;
	a.sum_ns = 900;
	a.max_ns = 500;
	a.queue_ns = 30;
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
	a.slot_start = 1495; /* middle 1500: attach */
	a.max_ns = 700;
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
	a.slot_start = 1993; /* middle 1998: ready */
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
	a.slot_start = 1996; /* middle 2001: outside */
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
	a.who = task(2, 0, CG_ROOT, 0, KT_KTHREAD, "");
	a.kind = KAGG_OFF_IOWAIT;
	a.slot_start = 1500;
	a.sum_ns = 7;
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
	a.who = task(10, 0, CG_ROOT, KH_ENGINE, KT_TRACKED, "");
	a.kind = KAGG_RUNQ;
	a.sum_ns = 11;
	assert_int_equal(trial_kernel_add_agg(tk, &a), 0);
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(tk->by[PH_CREATE][ACTOR_LOAD].bio_reqs, 3);
	assert_int_equal(tk->by[PH_CREATE][ACTOR_LOAD].bio_bytes, 3 * 4096);
	assert_int_equal(tk->by[PH_CREATE][ACTOR_LOAD].bio_dev_ns_max, 500);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_LOAD].bio_reqs, 3);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_LOAD].bio_dev_ns_max, 700);
	assert_int_equal(tk->by[PH_READY][ACTOR_LOAD].bio_reqs, 3);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_KERNEL].iowait_ns, 7);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].runq_ns, 11);
	int64_t total = 0;

	for (int p = 0; p < PH_COUNT; p++)
		total += tk->by[p][ACTOR_LOAD].bio_reqs;
	assert_int_equal(total, 9);
	trial_kernel_free(tk);
}

static void mounts_and_network(void **state)
{
	struct trial t;
	struct trial_kernel *tk = make_tk(8, false);
	struct kev_task d = task(10, 13, CG_ROOT, KH_ENGINE, KT_TRACKED, "dockerd");
	struct kevent e;

	(void)state;
	make_trial(&t);
	e = ev(KEV_SYSCALL, 1480, 1520, d); /* overlay mount across create/attach */
	e.sys.kind = KSYS_MOUNT;
	e.sys.overlay = 1;
	add_event(tk, e);
	e = ev(KEV_SYSCALL, 1360, 1370, d);
	e.sys.kind = KSYS_UMOUNT;
	e.sys.overlay = 0;
	add_event(tk, e);
	e = ev(KEV_SYSCALL, 1600, 1601, d); /* setns into a network namespace */
	e.sys.kind = KSYS_SETNS;
	e.sys.arg = 0x40000000;
	add_event(tk, e);
	e.sys.arg = 0x00020000; /* a mount namespace: not network */
	add_event(tk, e);
	e = ev(KEV_NET, 1650, 0, d);
	e.net.kind = KNET_VETH_XMIT;
	add_event(tk, e);
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(tk->by[PH_CREATE][ACTOR_ENGINE].mounts, 1);
	assert_int_equal(tk->by[PH_CREATE][ACTOR_ENGINE].mount_ns, 20);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].mount_ns, 20);
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].ovl_mount_ns, 20);
	assert_int_equal(tk->by[PH_CREATE][ACTOR_ENGINE].ovl_mounts, 1);
	assert_int_equal(tk->by[PH_DESTROY][ACTOR_ENGINE].mounts, 1);
	assert_int_equal(tk->by[PH_DESTROY][ACTOR_ENGINE].ovl_mounts, 0);
	assert_int_equal(tk->by[PH_CONNECT][ACTOR_ENGINE].net_events, 2);
	trial_kernel_free(tk);
}

static void a_reused_pid_gives_two_programs(void **state)
{
	struct trial t;
	struct trial_kernel *tk = make_tk(8, false);
	struct kev_task p = task(500, 500, CG_ROOT, KH_ENGINE, KT_TRACKED, "runc");

	(void)state;
	make_trial(&t);
	/* Out of order, as per-CPU ring records come: sorted by time before use. */
	add_event(tk, exec_ev(1320, p, "/usr/sbin/iptables", "xtables-legacy-multi"));
	add_event(tk, exec_ev(1100, p, "/usr/sbin/runc", "runc"));
	add_event(tk, exit_ev(1150, p, 0));
	add_event(tk, exit_ev(1330, p, 1 << 8));
	add_event(tk, exec_ev(1800, p, "/proc/self/exe", "memfd:runc_cloned:/proc/self/exe"));
	add_event(tk, exec_ev(1810, p, "/usr/bin/svc", "svc")); /* execs again: the first ends */
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(tk->n_execs, 4);
	assert_string_equal(tk->execs[0].comm, "runc");
	assert_int_equal(tk->execs[0].end - tk->execs[0].start, 50);
	assert_int_equal(tk->execs[0].exit_code, 0);
	assert_int_equal(tk->execs[0].phase, PH_DIE);
	assert_string_equal(tk->execs[1].comm, "iptables");
	assert_int_equal(tk->execs[1].end - tk->execs[1].start, 10);
	assert_int_equal(tk->execs[1].exit_code, 1);
	assert_string_equal(tk->execs[2].comm, "runc"); /* the memfd copy of runc */
	assert_int_equal(tk->execs[2].end, 1810);
	assert_int_equal(tk->execs[2].exit_code, -1);
	assert_int_equal(tk->execs[3].end, -1); /* still running */
	assert_string_equal(tk->by[PH_DIE][ACTOR_ENGINE].exec_names, "runc");
	assert_string_equal(tk->by[PH_STOP][ACTOR_ENGINE].exec_names, "iptables");
	assert_int_equal(tk->by[PH_DIE][ACTOR_ENGINE].exits, 1);
	trial_kernel_free(tk);
}

static void exec_names_are_cut_visibly(void **state)
{
	struct trial t;
	struct trial_kernel *tk = make_tk(8, false);
	struct kev_task p = task(500, 500, CG_ROOT, KH_ENGINE, KT_TRACKED, "x");
	const char *names;

	(void)state;
	make_trial(&t);
	for (int i = 0; i < 40; i++)
		add_event(tk, exec_ev(1501 + i, p, "/usr/sbin/iptables-legacy", "x"));
	assert_int_equal(kernel_attribute(tk, &t), 0);
	names = tk->by[PH_ATTACH][ACTOR_ENGINE].exec_names;
	assert_int_equal(tk->by[PH_ATTACH][ACTOR_ENGINE].execs, 40);
	assert_true(strlen(names) < KEXEC_NAMES_LEN);
	assert_non_null(strstr(names, "..."));
	assert_int_equal(strncmp(names, "iptables-legacy;iptables-legacy;", 32), 0);
	trial_kernel_free(tk);
}

static void a_failed_trial_keeps_actors_but_no_phases(void **state)
{
	struct trial t;
	struct trial_kernel *tk = make_tk(8, false);
	struct kev_task p = task(500, 500, CG_ROOT, KH_ENGINE, KT_TRACKED, "runc");

	(void)state;
	make_trial(&t);
	t.status = TRIAL_FAILED;
	add_event(tk, exec_ev(1450, p, "/usr/sbin/runc", "runc"));
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_false(tk->attributed);
	assert_int_equal(tk->by[PH_CREATE][ACTOR_ENGINE].execs, 0);
	assert_int_equal(tk->ev[0].actor, ACTOR_ENGINE);
	assert_int_equal(tk->n_execs, 1);
	assert_int_equal(tk->execs[0].phase, -1);
	trial_kernel_free(tk);
}

/* ---- the kernel's restart window ---- */

static struct kevent listen_ev(int64_t ts, struct kev_task who, int port)
{
	struct kevent e = ev(KEV_LISTEN, ts, 0, who);

	e.listen.port = port;
	return e;
}

static void restart_window_exit_to_listen(void **state)
{
	struct trial_kernel *tk = make_tk(8, false);
	struct trial_window w;
	struct kev_task old_thread = task(300, 301, CG_OLD, KH_ENGINE, KT_TRACKED, "svc");
	struct kev_task old = task(300, 300, CG_OLD, KH_ENGINE, KT_TRACKED, "svc");
	struct kev_task proxy = task(600, 600, CG_ROOT, KH_ENGINE, KT_TRACKED, "docker-proxy");
	struct kev_task init = task(400, 400, CG_NEW, KH_ENGINE, KT_TRACKED | KT_RUNC, "runc");
	struct kev_task svc = task(400, 400, CG_NEW, KH_ENGINE, KT_TRACKED, "svc");
	struct kev_task child = task(401, 401, CG_NEW, KH_ENGINE, KT_TRACKED, "worker");
	struct kevent f;

	(void)state;
	add_event(tk, listen_ev(900, svc, 8080)); /* before the old one died: not it */
	add_event(tk, exit_ev(1040, old_thread, 0));
	add_event(tk, exit_ev(1050, old, 15));
	add_event(tk, exec_ev(1800, svc, "/svc", "svc"));
	add_event(tk, listen_ev(1850, proxy, 32768)); /* the engine's proxy, not the container */
	f = ev(KEV_FORK, 1900, 0, svc);
	f.fork.child_pid = 401;
	f.fork.child_tid = 401;
	add_event(tk, f);
	add_event(tk, listen_ev(1950, child, 8080));
	add_event(tk, exit_ev(1990, old, 0)); /* pid 300 reused and gone again: ignored */
	(void)init;
	assert_int_equal(kernel_restart_window(tk, NEW, 300, 400, &w), 0);
	assert_int_equal(w.begin_ns, 1050);
	assert_int_equal(w.end_ns, 1950);
	assert_int_equal(tk->new_exec_ns, 1800);
	trial_kernel_free(tk);
}

static void restart_window_by_cgroup_and_when_missing(void **state)
{
	struct trial_kernel *tk = make_tk(0, true);
	struct trial_window w = {0};
	struct kev_task old = task(300, 300, CG_OLD, KH_ENGINE, KT_TRACKED, "svc");
	/* Not a descendant of new_pid (say, forked before recording), but in the new cgroup. */
	struct kev_task other = task(450, 450, CG_NEW, KH_ENGINE, KT_TRACKED, "svc");

	(void)state;
	add_event(tk, exit_ev(1050, old, 0));
	assert_int_equal(kernel_restart_window(tk, NEW, 300, 400, &w), -1);
	assert_int_equal(tk->old_exit_ns, 1050);
	add_event(tk, listen_ev(1700, other, 80));
	assert_int_equal(kernel_restart_window(tk, NEW, 300, 400, &w), 0);
	assert_int_equal(w.end_ns, 1700);
	/* The old container's listen is never the new one's. */
	assert_int_equal(kernel_restart_window(tk, OLD, 300, 400, &w), -1);
	assert_int_equal(kernel_restart_window(tk, NEW, 0, 400, &w), -1);
	trial_kernel_free(tk);
}

/* Stacks are found by id whether indexed, added after the index, or in both arrays; ids come
 * sorted and each once from array_sort_unique. */
static void stacks_are_found_by_id(void **state)
{
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	int32_t ids[] = {9, 2, 5, 2, 9, 2};
	struct kustack u = {.id = 4};

	(void)state;
	assert_non_null(tk);
	assert_int_equal(array_sort_unique(ids, 6, sizeof(*ids), array_cmp_i32), 3);
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], 5);
	assert_int_equal(ids[2], 9);
	for (int i = 2; i >= 0; i--) {
		struct kstack k = {.id = ids[i], .depth = i};

		assert_int_equal(trial_kernel_add_stack(tk, &k), 0);
	}
	assert_int_equal(trial_kernel_add_ustack(tk, &u), 0);
	assert_int_equal(trial_kernel_index_stacks(tk), 0);
	{
		struct kstack late = {.id = 7, .depth = 7};

		assert_int_equal(trial_kernel_add_stack(tk, &late), 0);
	}
	assert_int_equal(trial_kernel_stack(tk, 2)->depth, 0);
	assert_int_equal(trial_kernel_stack(tk, 5)->depth, 1);
	assert_int_equal(trial_kernel_stack(tk, 9)->depth, 2);
	assert_int_equal(trial_kernel_stack(tk, 7)->depth, 7);
	assert_null(trial_kernel_stack(tk, 3));
	assert_null(trial_kernel_stack(tk, -1));
	assert_int_equal(trial_kernel_ustack(tk, 4)->id, 4);
	assert_null(trial_kernel_ustack(tk, 5));
	trial_kernel_free(tk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(actors_cgroup_v1),
		cmocka_unit_test(actors_cgroup_v2),
		cmocka_unit_test(others_are_load_in_watch),
		cmocka_unit_test(container_ids_from_paths),
		cmocka_unit_test(instants_go_to_the_phase_holding_them),
		cmocka_unit_test(spans_are_split_at_phase_boundaries),
		cmocka_unit_test(block_io_counts_where_it_was_queued),
		cmocka_unit_test(aggregates_go_by_their_slot_middle),
		cmocka_unit_test(mounts_and_network),
		cmocka_unit_test(a_reused_pid_gives_two_programs),
		cmocka_unit_test(exec_names_are_cut_visibly),
		cmocka_unit_test(a_failed_trial_keeps_actors_but_no_phases),
		cmocka_unit_test(restart_window_exit_to_listen),
		cmocka_unit_test(restart_window_by_cgroup_and_when_missing),
		cmocka_unit_test(stacks_are_found_by_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
