// SPDX-License-Identifier: GPL-2.0-only
/*
 * Naming the cause, on synthetic inputs: symbols from a synthetic kallsyms (a zeroed view
 * too) and folded stacks; the rules file and its matcher; folded stacks written and read
 * back; the waits of a trial and their shares of each phase's time (innermost wait per
 * thread, overlaps shared equally, spans cut at phase boundaries, blocking calls around
 * off-CPU spans, aggregates); the diagnosis (ranking, evidence, explained + unexplained =
 * measured) and its comparison with a baseline.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "explain/explain.h"
#include "explain/text.h"
#include "model/diagnosis.h"
#include "model/fold.h"
#include "model/kernel.h"
#include "model/ksyms.h"
#include "model/rules.h"
#include "model/waits.h"
#include "restartprof/kevents.h"
#include "trace/convert.h"
#include "trace/symbols.h"
#include "util/proc.h"
#include "support/harness.h"

/* ---- symbols ---- */

static const char kallsyms[] = "ffffffff81000000 T _stext\n"
			       "ffffffff81000100 t io_schedule\n"
			       "ffffffff81000200 T schedule\n"
			       "ffffffff81000200 t schedule_alias\n"
			       "ffffffff81000300 T ext4_sync_file\n"
			       "ffffffff81000400 d some_data\n"
			       "ffffffff81000500 T do_fsync\n"
			       "ffffffff81000600 T __traceiter_sched_switch\n"
			       "ffffffff81000700 T bpf_trace_run4\n"
			       "garbage line\n"
			       "ffffffffzz000800 T bad_address\n"
			       "ffffffffc0001000 t jbd2_log_wait_commit\t[jbd2]\n"
			       "ffffffffc0002000 t bpf_prog_0123456789abcdef_sched_switch\t[bpf]\n";

static void symbols_from_synthetic_kallsyms(void **state)
{
	struct ksyms *ks;
	char name[KSYM_NAME_SIZE];
	uint64_t off = 0;

	(void)state;
	assert_int_equal(ksyms_parse(kallsyms, strlen(kallsyms), &ks), 0);
	/* Function symbols only (not the data one, not the malformed lines), one per address. */
	assert_int_equal(ksyms_count(ks), 9);
	assert_false(ksyms_zeroed(ks));
	assert_string_equal(ksyms_lookup(ks, 0xffffffff81000123, &off, name), "io_schedule");
	assert_int_equal(off, 0x23);
	/* Two names at one address: the global one. */
	assert_string_equal(ksyms_lookup(ks, 0xffffffff81000200, NULL, name), "schedule");
	/* A data symbol between functions does not end the one before it. */
	assert_string_equal(ksyms_lookup(ks, 0xffffffff81000450, NULL, name), "ext4_sync_file");
	/* Module symbols keep their name without the module. */
	assert_string_equal(ksyms_lookup(ks, 0xffffffffc0001010, NULL, name),
			    "jbd2_log_wait_commit");
	assert_null(ksyms_lookup(ks, 0xffffffff80000000, NULL, name));
	assert_null(ksyms_lookup(ks, 0xffffffffd0000000, NULL, name)); /* far past the last one */
	ksyms_free(ks);
}

static void write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/*
 * The file read a line at a time (its last line without a newline) names every address as the
 * parsed text does, and is read once: what the file says later changes nothing.
 */
static void symbols_from_a_file_are_the_parsed_text(void **state)
{
	char path[] = "/tmp/rp-kallsyms-XXXXXX";
	char name_p[KSYM_NAME_SIZE], name_r[KSYM_NAME_SIZE];
	struct ksyms *parsed, *read;
	uint64_t off_p = 0, off_r = 0;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	write_text(path, kallsyms, strlen(kallsyms) - 1);
	assert_int_equal(ksyms_load(path, &read), 0);
	assert_int_equal(ksyms_parse(kallsyms, strlen(kallsyms), &parsed), 0);
	assert_int_equal(ksyms_count(read), ksyms_count(parsed));
	write_text(path, "ffffffff81000000 T _stext\n", 26);
	for (uint64_t a = 0xffffffff81000000; a < 0xffffffff81000800; a += 0x40) {
		assert_string_equal(ksyms_lookup(read, a, &off_r, name_r),
				    ksyms_lookup(parsed, a, &off_p, name_p));
		assert_int_equal(off_r, off_p);
	}
	assert_string_equal(ksyms_lookup(read, 0xffffffffc0002001, NULL, name_r),
			    "bpf_prog_0123456789abcdef_sched_switch");
	unlink(path);
	ksyms_free(read);
	ksyms_free(parsed);
	assert_int_equal(ksyms_load("/nonexistent/kallsyms", &read), -ENOENT);
	assert_null(read);
}

static void zeroed_kallsyms_is_told(void **state)
{
	static const char zero[] = "0000000000000000 T _stext\n0000000000000000 t schedule\n";
	struct ksyms *ks;
	uint64_t ip[2] = {0xffffffff81000210, 0xffffffff81000520};
	char out[128], name[KSYM_NAME_SIZE];

	(void)state;
	assert_int_equal(ksyms_parse(zero, strlen(zero), &ks), 0);
	assert_true(ksyms_zeroed(ks));
	assert_int_equal(ksyms_count(ks), 0);
	assert_null(ksyms_lookup(ks, ip[0], NULL, name));
	/* Stacks stay addresses, root first. */
	assert_int_equal(ksyms_fold(ks, ip, 2, out, sizeof(out)), 2);
	assert_string_equal(out, "0xffffffff81000520;0xffffffff81000210");
	ksyms_free(ks);
	assert_int_equal(ksyms_parse("", 0, &ks), 0);
	assert_false(ksyms_zeroed(ks)); /* nothing listed is not a zeroed view */
	ksyms_free(ks);
}

static void stacks_fold_root_first_without_the_tracer(void **state)
{
	struct ksyms *ks;
	/* Leaf first, as bpf_get_stackid gives it: our program, the tracepoint, schedule... */
	uint64_t ip[] = {0xffffffffc0002010, 0xffffffff81000710, 0xffffffff81000610,
			 0xffffffff81000210, 0xffffffffc0001020, 0xffffffff81000310,
			 0xffffffff81000510, 0xffffffff70000000};
	char out[256];

	(void)state;
	assert_int_equal(ksyms_parse(kallsyms, strlen(kallsyms), &ks), 0);
	assert_int_equal(ksyms_fold(ks, ip, 8, out, sizeof(out)), 5);
	assert_string_equal(out, "0xffffffff70000000;do_fsync;ext4_sync_file;jbd2_log_wait_commit;"
				 "schedule");
	/* Cut at the buffer, never mid-frame. */
	assert_int_equal(ksyms_fold(ks, ip, 8, out, 30), 2);
	assert_string_equal(out, "0xffffffff70000000;do_fsync");
	ksyms_free(ks);
}

/* ---- rules ---- */

static const char rules_text[] = "# comment\n"
				 "format 1\n"
				 "version test-3\n"
				 "\n"
				 "rule overlay-sync\n"
				 "title  Overlay unmount syncs\n"
				 "match  frame=ovl_sync_fs\n"
				 "match  call=umount frame=sync_filesystem,sync_inodes_sb\n"
				 "explain Because.\n"
				 "remedy First.\n"
				 "remedy Second.\n"
				 "rule bolt\n"
				 "match  call=fdatasync,fsync file=*.db\n"
				 "rule flush\n"
				 "match  leaf=wait_for_completion_io* frame=blkdev_issue_flush\n"
				 "rule cpu\n"
				 "match  state=runq actor=engine\n"
				 "rule iptables\n"
				 "match  comm=ipt?bles waker=kworker/*\n";

static struct wait_view view(const char *folded, const char *call, const char *file,
			     const char *state, const char *comm)
{
	struct wait_view v = {folded, call, file, state, comm, "engine", ""};

	return v;
}

static void rules_parse_and_match(void **state)
{
	struct rules r;
	char err[256];
	struct wait_view v;

	(void)state;
	assert_int_equal(rules_parse(rules_text, strlen(rules_text), &r, err, sizeof(err)), 0);
	assert_int_equal(r.n, 5);
	assert_string_equal(r.version, "test-3");
	assert_string_equal(r.rule[0].title, "Overlay unmount syncs");
	assert_int_equal(r.rule[0].n_remedies, 2);
	assert_string_equal(r.rule[1].title, "bolt"); /* no title: its name */
	/* Any frame. */
	v = view("entry;x;ovl_sync_fs;schedule", "", "", "blocked", "dockerd");
	assert_int_equal(rules_match(&r, &v), 0);
	/* All conditions of a line: call and frame. */
	v = view("entry;sync_inodes_sb;schedule", "umount", "/m", "iowait", "dockerd");
	assert_int_equal(rules_match(&r, &v), 0);
	v = view("entry;sync_inodes_sb;schedule", "", "", "iowait", "dockerd");
	assert_int_equal(rules_match(&r, &v), -1);
	/* The first matching rule wins: bolt before flush. */
	v = view("x;blkdev_issue_flush;submit_bio_wait;wait_for_completion_io_timeout;"
		 "io_schedule_timeout;schedule",
		 "fdatasync", "/var/lib/docker/network/files/local-kv.db", "iowait", "dockerd");
	assert_int_equal(rules_match(&r, &v), 1);
	v.file = "/var/lib/docker/containers/x/.tmp-config.v2.json1";
	assert_int_equal(rules_match(&r, &v), 2); /* leaf: past the scheduler frames */
	v = view("", "", "", "runq", "dockerd");
	assert_int_equal(rules_match(&r, &v), 3);
	v.actor = "target";
	assert_int_equal(rules_match(&r, &v), -1);
	v = view("", "", "", "blocked", "iptables");
	v.waker = "kworker/1:3";
	assert_int_equal(rules_match(&r, &v), 4);
	v.waker = "";
	assert_int_equal(rules_match(&r, &v), -1);
	assert_int_equal(rules_find(&r, "cpu"), 3);
	assert_int_equal(rules_find(&r, "nope"), -1);
	rules_free(&r);
}

static void rules_errors_name_their_line(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"rule x\nmatch frame=a\n", "no 'format 1' line"},
		{"format 2\n", "line 1: format 2 is not known"},
		{"format 1\ntitle x\n", "line 2: 'title' before the first rule"},
		{"format 1\nrule a\nexplain x\n", "line 2: rule a has no match line"},
		{"format 1\nrule a\nmatch frame=x\nrule a\n", "line 4: rule a is defined twice"},
		{"format 1\nrule a\nmatch colour=red\n", "line 3: unknown key 'colour'"},
		{"format 1\nrule a\nmatch frame\n", "line 3: 'frame' is not key=value"},
		{"format 1\nrule a b\n", "line 2: rule name 'a b'"},
		{"format 1\nrule a\nmatch frame=x\nfrobnicate\n", "line 4: unknown directive"},
	};
	char err[256];
	struct rules r;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
			rules_parse(bad[i].text, strlen(bad[i].text), &r, err, sizeof(err)), -1);
		if (!strstr(err, bad[i].want))
			fprintf(stderr, "case %zu: %s\n", i, err);
		assert_non_null(strstr(err, bad[i].want));
		assert_int_equal(r.n, 0);
	}
}

static void globs(void **state)
{
	(void)state;
	assert_true(glob_match("*", ""));
	assert_true(glob_match("jbd2_*", "jbd2_log_wait_commit"));
	assert_true(glob_match("*sync*", "ext4_sync_file"));
	assert_true(glob_match("a?c", "abc"));
	assert_false(glob_match("a?c", "ac"));
	assert_true(glob_match("*a*b*c", "xxaxxbxxc"));
	assert_false(glob_match("*a*b*c", "xxaxxcxxb"));
	assert_false(glob_match("schedule", "schedule_timeout"));
}

static void leaf_skips_scheduler_plumbing(void **state)
{
	char leaf[64];

	(void)state;
	stack_leaf("a;b;folio_wait_bit;io_schedule;schedule;__schedule", leaf, sizeof(leaf));
	assert_string_equal(leaf, "folio_wait_bit");
	stack_leaf("schedule;__schedule", leaf, sizeof(leaf));
	assert_string_equal(leaf, "");
}

/* ---- folded stacks ---- */

static void fold_merge_write_read(void **state)
{
	struct fold *f = fold_new(), *g = fold_new();
	char *text = NULL, frames[256];
	size_t len = 0, bad = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(fold_add(f, "engine;dockerd;[iowait];b;c", 5), 0);
	assert_int_equal(fold_add(f, "engine;dockerd;[iowait];a", 7), 0);
	assert_int_equal(fold_add(f, "engine;dockerd;[iowait];b;c", 10), 0);
	assert_int_equal(fold_add(f, "bad;;stack", 1), -EINVAL);
	assert_int_equal(fold_add(f, ";bad", 1), -EINVAL);
	assert_int_equal(fold_count(f), 2);
	assert_int_equal(fold_total(f), 22);
	assert_int_equal(fold_write(f, out), 0);
	fclose(out);
	assert_string_equal(text, "engine;dockerd;[iowait];a 7\nengine;dockerd;[iowait];b;c 15\n");
	/* Read back, with lines flame-graph tools would reject. */
	assert_int_equal(fold_parse(g, text, len, &bad), 0);
	assert_int_equal(bad, 0);
	{
		static const char more[] = "x;y 3\nno-count\nx;y 2\nz notanumber\n;a 1\n\r\n";

		assert_int_equal(fold_parse(g, more, strlen(more), &bad), 0);
	}
	assert_int_equal(bad, 3);
	fold_sort(g);
	assert_int_equal(fold_count(g), 3);
	assert_string_equal(fold_stack(g, 2), "x;y");
	assert_int_equal(fold_value(g, 2), 5);
	/* A wait's frames: actor, process, state, then the stack or the call. */
	fold_frames("engine", "dockerd", "iowait", "fsync", "a;b", frames, sizeof(frames));
	assert_string_equal(frames, "engine;dockerd;[iowait];a;b");
	fold_frames("engine", "runc:[2:INIT] x", "call", "fsync", "", frames, sizeof(frames));
	assert_string_equal(frames, "engine;runc:[2:INIT]_x;[call];fsync");
	fold_frames("engine", "a;b", "runq", "", NULL, frames, sizeof(frames));
	assert_string_equal(frames, "engine;a_b;[runq]");
	fold_free(f);
	fold_free(g);
	free(text);
}

/* ---- waits of a trial ---- */

#define US 1000LL /* times below are in microseconds of a synthetic trial */

/* Window [1000, 2000] us; create is [1400, 1500), attach [1500, 1550). */
static void make_trial(struct trial *t)
{
	static const int64_t at[PH_COUNT] = {
		[PH_KILL] = 1100 * US,	 [PH_DIE] = 1200 * US,	   [PH_DISCONNECT] = 1300 * US,
		[PH_STOP] = 1350 * US,	 [PH_DESTROY] = 1400 * US, [PH_CREATE] = 1500 * US,
		[PH_ATTACH] = 1550 * US, [PH_CONNECT] = 1700 * US, [PH_START] = 1900 * US,
	};

	memset(t, 0, sizeof(*t));
	t->index = 1;
	t->status = TRIAL_OK;
	t->method = RM_STDOUT;
	t->window[RM_STDOUT] = (struct trial_window){1000 * US, 2000 * US};
	t->have_window[RM_STDOUT] = 1;
	memcpy(t->event_ns, at, sizeof(at));
	assert_int_equal(trial_tile_phases(t), 0);
}

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

static void add_stack(struct trial_kernel *tk, int32_t id, const char *folded)
{
	struct kstack s = {.id = id, .depth = 1};

	s.folded = strdup(folded);
	assert_int_equal(trial_kernel_add_stack(tk, &s), 0);
}

static const struct kwait *find_wait(const struct trial_kernel *tk, int phase, const char *comm,
				     int state)
{
	for (size_t i = 0; i < tk->n_waits; i++)
		if (tk->waits[i].phase == phase && strcmp(tk->waits[i].comm, comm) == 0 &&
		    tk->waits[i].state == state)
			return &tk->waits[i];
	return NULL;
}

static int64_t phase_wall(const struct trial_kernel *tk, int phase)
{
	int64_t sum = 0;

	for (size_t i = 0; i < tk->n_waits; i++)
		if (tk->waits[i].phase == phase)
			sum += tk->waits[i].wall_ns;
	return sum;
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
	make_trial(&t);
	add_off(tk, task(20, 12, 1, KT_TRACKED, "containerd"), KOFF_SLEEP, 1560, 1600, 1610, -1,
		"swapper/0");
	add_off(tk, task(10, 11, 1, KT_TRACKED, "dockerd"), KOFF_IOWAIT, 1610, 1650, 1650, -1, "");
	add_off(tk, task(30, 13, 1, KT_TRACKED, "runc"), KOFF_SLEEP, 1500, 1640, 1640, -1, "runc");
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	w = find_wait(tk, PH_CONNECT, "containerd", KW_SLEEP);
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 40 * US);
	assert_string_equal(w->waker, "swapper/0");
	assert_int_equal(find_wait(tk, PH_CONNECT, "containerd", KW_RUNQ)->wall_ns, 10 * US);
	assert_int_equal(find_wait(tk, PH_CONNECT, "runc", KW_SLEEP)->wall_ns, 0);
	assert_int_equal(phase_wall(tk, PH_CONNECT), 90 * US);
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
	make_trial(&t);
	add_stack(tk, 1, "entry;do_fsync;ext4_sync_file;folio_wait_writeback;io_schedule");
	add_stack(tk, 2, "entry;bolt;mutex_lock;schedule");
	add_stack(tk, 3, "entry;filemap_fault;io_schedule");
	add_call(tk, dockerd, KSYS_FSYNC, 1410, 1470, "/var/lib/docker/containers/c/.tmp-config");
	add_off(tk, dockerd, KOFF_IOWAIT, 1420, 1460, 1465, 1, "kworker/u8:1");
	add_off(tk, containerd, KOFF_BLOCKED, 1440, 1480, 1480, 2, "dockerd");
	add_off(tk, runc, KOFF_IOWAIT, 1480, 1520, 1520, 3, "swapper/0");
	add_off(tk, idle, KOFF_SLEEP, 1305, 1595, 1595, -1, "dockerd");
	add_off(tk, stress, KOFF_IOWAIT, 1400, 1500, 1500, 3, "");
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);

	/* The time of a phase is shared out, never more than it lasted. */
	assert_int_equal(phase_wall(tk, PH_CREATE), 90 * US);
	assert_int_equal(phase_wall(tk, PH_ATTACH), 20 * US);
	w = find_wait(tk, PH_CREATE, "dockerd", KW_IOWAIT);
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 30 * US);
	assert_int_equal(w->offcpu_ns, 40 * US);
	assert_int_equal(w->call, KSYS_FSYNC); /* carries the call around it, and its file */
	assert_string_equal(w->file, "/var/lib/docker/containers/c/.tmp-config");
	assert_string_equal(w->waker, "kworker/u8:1");
	assert_int_equal(w->stack, stack_hash(tk->stacks[0].folded));
	w = find_wait(tk, PH_CREATE, "dockerd", KW_RUNQ);
	assert_int_equal(w->wall_ns, 2500);
	assert_int_equal(w->call, KSYS_FSYNC);
	w = find_wait(tk, PH_CREATE, "dockerd", KW_CALL);
	assert_int_equal(w->wall_ns, 12500);
	assert_int_equal(w->offcpu_ns, 0);
	assert_int_equal(w->count, 1);
	w = find_wait(tk, PH_CREATE, "containerd", KW_BLOCKED);
	assert_int_equal(w->wall_ns, 25 * US);
	assert_int_equal(w->call, 0);
	/* Cut at the phase boundary: counted once, time on both sides. */
	w = find_wait(tk, PH_CREATE, "runc", KW_IOWAIT);
	assert_int_equal(w->wall_ns, 20 * US);
	assert_int_equal(w->count, 1);
	w = find_wait(tk, PH_ATTACH, "runc", KW_IOWAIT);
	assert_int_equal(w->offcpu_ns, 20 * US);
	assert_int_equal(w->count, 0);
	/* Idle sleeps and the load's waits: listed, no share. */
	w = find_wait(tk, PH_CREATE, "dockerd", KW_SLEEP);
	assert_int_equal(w->wall_ns, 0);
	assert_int_equal(w->offcpu_ns, 100 * US);
	w = find_wait(tk, PH_CREATE, "stress-ng-hdd", KW_IOWAIT);
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
	make_trial(&t);
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
	w = find_wait(tk, PH_CONNECT, "dockerd", KW_RUNQ);
	assert_non_null(w);
	assert_int_equal(w->wall_ns, 10 * US);
	assert_int_equal(w->offcpu_ns, 30 * US);
	assert_int_equal(w->count, 4);
	w = find_wait(tk, PH_CREATE, "dockerd", KW_IOWAIT);
	assert_int_equal(w->wall_ns, 0);
	assert_int_equal(w->offcpu_ns, 5 * US);
	w = find_wait(tk, PH_CREATE, "dockerd", KW_CALL);
	assert_int_equal(w->wall_ns, 30 * US);
	assert_int_equal(phase_wall(tk, PH_DIE) + phase_wall(tk, PH_KILL), 0);
	trial_kernel_free(tk);
}

static void waits_need_a_tiled_trial(void **state)
{
	struct trial t;
	struct trial_kernel *tk = calloc(1, sizeof(*tk));

	(void)state;
	make_trial(&t);
	t.status = TRIAL_FAILED;
	add_off(tk, task(10, 11, 1, KT_TRACKED, "dockerd"), KOFF_IOWAIT, 1420, 1460, 1465, -1, "");
	assert_int_equal(kernel_attribute(tk, &t), 0);
	assert_int_equal(kernel_waits(tk, &t), 0);
	assert_int_equal(tk->n_waits, 0);
	trial_kernel_free(tk);
}

/* ---- diagnosis ---- */

static struct diagnosis_wait dw(int phase, const char *actor, const char *comm, const char *state,
				const char *call, const char *file, const char *folded,
				int64_t wall_ms, int64_t off_ms)
{
	struct diagnosis_wait w = {phase,
				   actor,
				   comm,
				   state,
				   call,
				   file,
				   "",
				   folded,
				   0,
				   1,
				   off_ms * 1000000,
				   wall_ms * 1000000};

	return w;
}

static struct diagnosis_builder *cell(const struct rules *r, int scale)
{
	struct diagnosis_builder *b = diagnosis_builder_new(r);
	struct diagnosis_wait w;

	assert_non_null(b);
	for (int trial = 0; trial < 2; trial++) {
		diagnosis_add_trial(b);
		diagnosis_add_phase_time(b, PH_CREATE, 100 * scale * 1000000LL);
		diagnosis_add_phase_time(b, PH_CONNECT, 20 * 1000000LL);
		w = dw(PH_CREATE, "engine", "dockerd", "blocked", "umount", "/d/overlay2/x/merged",
		       "e;ovl_sync_fs;sync_inodes_sb;wb_wait_for_completion;schedule", 30 * scale,
		       30 * scale);
		assert_int_equal(diagnosis_add_wait(b, &w), 0);
		w = dw(PH_CREATE, "engine", "containerd", "iowait", "fdatasync", "/d/meta.db",
		       "e;do_fsync;blkdev_issue_flush;io_schedule", 10, 12);
		assert_int_equal(diagnosis_add_wait(b, &w), 0);
		w = dw(PH_CREATE, "engine", "dockerd", "runq", "", "", "", 5, 5);
		assert_int_equal(diagnosis_add_wait(b, &w), 0);
		w = dw(PH_CREATE, "engine", "dockerd", "blocked", "", "", "e;mystery;schedule", 4,
		       4);
		assert_int_equal(diagnosis_add_wait(b, &w), 0);
		/* Not the engine's: the work behind, with no share. */
		w = dw(PH_CREATE, "kernel", "kworker/u8:1", "iowait", "", "",
		       "ret_from_fork;wb_workfn;io_schedule", 0, 50);
		assert_int_equal(diagnosis_add_wait(b, &w), 0);
		w = dw(PH_CREATE, "engine", "dockerd", "sleep", "", "", "e;futex_wait", 0, 90);
		assert_int_equal(diagnosis_add_wait(b, &w), 0);
		w = dw(PH_CONNECT, "engine", "dockerd", "runq", "", "", "", 2, 2);
		assert_int_equal(diagnosis_add_wait(b, &w), 0);
	}
	return b;
}

static void diagnosis_splits_the_phase(void **state)
{
	struct rules r;
	char err[256];
	struct diagnosis_builder *b;
	struct diagnosis_cell c;
	const struct diagnosis_phase *p;

	(void)state;
	assert_int_equal(rules_parse(rules_text, strlen(rules_text), &r, err, sizeof(err)), 0);
	b = cell(&r, 1);
	assert_int_equal(diagnosis_finish_cell(b, &c), 0);
	p = &c.phase[PH_CREATE];
	assert_int_equal(c.trials, 2);
	assert_true(fabs(p->measured_ms - 100) < 1e-9);
	/* Ranked: overlay-sync 30, bolt 10, cpu 5; the mystery wait is unexplained. */
	assert_int_equal(p->n_causes, 3);
	assert_string_equal(r.rule[p->causes[0].rule].name, "overlay-sync");
	assert_true(fabs(p->causes[0].ms - 30) < 1e-9);
	assert_string_equal(r.rule[p->causes[1].rule].name, "bolt");
	assert_true(fabs(p->causes[1].offcpu_ms - 12) < 1e-9);
	assert_int_equal(p->causes[1].waits, 2);
	assert_string_equal(r.rule[p->causes[2].rule].name, "cpu");
	assert_true(fabs(p->uncategorized_ms - 4) < 1e-9);
	assert_true(fabs(p->nowait_ms - 51) < 1e-9);
	/* Explained + unexplained = measured. */
	assert_true(fabs(p->explained_ms + p->uncategorized_ms + p->nowait_ms - p->measured_ms) <
		    1e-9);
	/* Evidence: the stack from its first non-scheduler frame, the call and its file. */
	assert_string_equal(p->causes[0].stacks[0].text,
			    "wb_wait_for_completion < sync_inodes_sb < ovl_sync_fs < e");
	assert_string_equal(p->causes[0].files[0].text, "umount /d/overlay2/x/merged");
	assert_int_equal(p->causes[0].files[0].count, 2);
	assert_string_equal(p->causes[0].tasks[0].text, "dockerd blocked");
	/* A wait without a stack is evidence of its own kind, never a cause left bare. */
	assert_int_equal(p->causes[2].n_stacks, 1);
	assert_string_equal(p->causes[2].stacks[0].text, "(no stack recorded)");
	assert_string_equal(p->unexplained.stacks[0].text, "mystery < e");
	assert_int_equal(p->n_behind, 1);
	assert_string_equal(p->behind[0].text,
			    "kernel kworker/u8:1 iowait: wb_workfn < ret_from_fork");
	assert_true(fabs(p->behind[0].ms - 50) < 1e-9);
	diagnosis_cell_free(&c);
	diagnosis_builder_free(b);
	rules_free(&r);
}

static void against_a_baseline(void **state)
{
	struct rules r;
	char err[256];
	struct diagnosis_builder *bb, *bl;
	struct diagnosis_cell base, load;
	struct diagnosis_diff d;
	double sum = 0;

	(void)state;
	assert_int_equal(rules_parse(rules_text, strlen(rules_text), &r, err, sizeof(err)), 0);
	bb = cell(&r, 1);
	bl = cell(&r, 3); /* create 300 ms, 90 of them in overlay-sync */
	assert_int_equal(diagnosis_finish_cell(bb, &base), 0);
	assert_int_equal(diagnosis_finish_cell(bl, &load), 0);
	diagnosis_compare(&load.phase[PH_CREATE], &base.phase[PH_CREATE], &d);
	assert_true(fabs(d.measured_ms - 200) < 1e-9);
	/* Largest increase first: no wait +140, overlay-sync +60. */
	assert_int_equal(d.d[0].rule, DIAGNOSIS_NO_WAIT);
	assert_true(fabs(d.d[0].ms - 140) < 1e-9);
	assert_string_equal(diagnosis_category_name(&r, d.d[1].rule), "overlay-sync");
	assert_true(fabs(d.d[1].ms - 60) < 1e-9);
	/* The changes add up to the phase's change. */
	for (int i = 0; i < d.n; i++)
		sum += d.d[i].ms;
	assert_true(fabs(sum - d.measured_ms) < 1e-9);
	diagnosis_compare(&load.phase[PH_CONNECT], &base.phase[PH_CONNECT], &d);
	assert_true(fabs(d.measured_ms) < 1e-9);
	diagnosis_cell_free(&base);
	diagnosis_cell_free(&load);
	diagnosis_builder_free(bb);
	diagnosis_builder_free(bl);
	rules_free(&r);
}

/* The rules the binary ships parse, and name the stacks seen on real machines. */
extern const char rp_rules_blob[], rp_rules_blob_end[];

static void builtin_rules(void **state)
{
	static const struct {
		const char *folded, *call, *file, *state, *comm, *rule;
	} seen[] = {
		{"entry_SYSCALL_64_after_hwframe;do_syscall_64;syscall_exit_to_user_mode;"
		 "task_work_run;cleanup_mnt;deactivate_locked_super;kill_anon_super;"
		 "generic_shutdown_super;sync_filesystem;ovl_sync_fs;sync_filesystem;sync_inodes_"
		 "sb;"
		 "wb_wait_for_completion;schedule;__schedule",
		 "umount", "/var/lib/docker/overlay2/x-init/merged", "blocked", "dockerd",
		 "overlay-umount-sync"},
		{"do_syscall_64;__x64_sys_fdatasync;do_fsync;ext4_sync_file;blkdev_issue_flush;"
		 "submit_bio_wait;wait_for_completion_io_timeout;io_schedule_timeout;schedule",
		 "fdatasync", "/var/lib/docker/network/files/local-kv.db", "iowait", "dockerd",
		 "bolt-commit"},
		{"do_syscall_64;__x64_sys_fsync;do_fsync;ext4_sync_file;blkdev_issue_flush;"
		 "submit_bio_wait;wait_for_completion_io_timeout;io_schedule_timeout;schedule",
		 "fsync", "/var/lib/docker/containers/c/.tmp-config.v2.json123", "iowait",
		 "dockerd", "fsync-flush"},
		{"do_unlinkat;evict;ext4_evict_inode;ext4_truncate;ext4_ext_truncate;"
		 "ext4_ext_remove_space;ext4_free_blocks;blkdev_issue_discard;submit_bio_wait;"
		 "wait_for_completion_io_timeout;io_schedule_timeout;schedule",
		 "unlinkat", "/var/lib/docker/containers/c", "iowait", "dockerd",
		 "discard-on-free"},
		{"do_syscall_64;__sys_sendto;netlink_sendmsg;netlink_unicast;netlink_rcv_skb;"
		 "rtnl_setlink;do_setlink.isra.0;__dev_change_net_namespace;rcu_barrier;"
		 "wait_for_completion;schedule_timeout;schedule",
		 "", "", "blocked", "dockerd", "rcu-netns"},
		{"__x64_sys_close;__fput;sock_close;netlink_release;blocking_notifier_call_chain;"
		 "notifier_call_chain;nft_rcv_nl_event;__flush_work;wait_for_completion;schedule",
		 "", "", "blocked", "iptables", "nft-netlink-flush"},
		{"ksys_write;vfs_write;kernfs_fop_write_iter;__cgroup1_procs_write.isra.0;"
		 "cgroup_procs_write_start;percpu_down_write;rcu_sync_enter;synchronize_rcu_normal;"
		 "wait_for_completion;schedule",
		 "", "", "blocked", "runc", "rcu-cgroup"},
		{"ext4_sync_file;jbd2_complete_transaction;jbd2_log_wait_commit;schedule", "fsync",
		 "/var/lib/docker/containers/c/.tmp-hostconfig.json1", "blocked", "dockerd",
		 "journal-commit"},
		{"", "", "", "runq", "runc", "cpu-wait"},
		{"entry_SYSCALL_64_after_hwframe;do_syscall_64;__do_sys_clone;kernel_clone;"
		 "wait_for_completion_state;__wait_for_common;schedule_timeout;schedule",
		 "", "", "blocked", "dockerd", "spawn-vfork"},
		{"x;balance_dirty_pages_ratelimited_flags;balance_dirty_pages;io_schedule_timeout",
		 "", "", "iowait", "dockerd", "dirty-throttle"},
	};
	struct rules r;
	char err[256];

	(void)state;
	assert_int_equal(rules_parse(rp_rules_blob, (size_t)(rp_rules_blob_end - rp_rules_blob), &r,
				     err, sizeof(err)),
			 0);
	assert_true(r.n >= 20);
	assert_true(r.version[0]);
	for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
		struct wait_view v = {seen[i].folded,
				      seen[i].call,
				      seen[i].file,
				      seen[i].state,
				      seen[i].comm,
				      "engine",
				      ""};
		int k = rules_match(&r, &v);

		if (k < 0 || strcmp(r.rule[k].name, seen[i].rule) != 0)
			fprintf(stderr, "case %zu: %s, want %s\n", i,
				k < 0 ? "none" : r.rule[k].name, seen[i].rule);
		assert_true(k >= 0);
		assert_string_equal(r.rule[k].name, seen[i].rule);
		assert_true(r.rule[k].explain[0] && r.rule[k].n_remedies > 0);
	}
	rules_free(&r);
}

/* ---- the raw records and /proc/meminfo ---- */

static void records_and_meminfo(void **state)
{
	struct rp_syscall_rec r = {0};
	struct rp_agg_key k = {0};
	struct rp_agg_val v = {.count = 2, .bytes = 300};
	struct kevent e;
	struct kagg a;
	long long dirty, wb;
	static const char mi[] = "MemTotal: 1 kB\nDirty:            1234 kB\nWritebackTmp: "
				 "9 kB\nWriteback:    56 kB\n";

	(void)state;
	r.h.type = RP_REC_SYSCALL;
	r.h.sub = RP_SYS_FDATASYNC;
	r.h.ts = 100;
	r.end = 300;
	r.flags = RP_SYSF_DELETED;
	snprintf(r.path, sizeof(r.path), "/var/lib/docker/network/files/local-kv.db");
	snprintf(r.fstype, sizeof(r.fstype), "ext4");
	assert_int_equal(convert_record(&r, sizeof(r), 1000, &e), 0);
	assert_int_equal(e.sys.kind, KSYS_FDATASYNC);
	assert_int_equal(e.sys.flags, KSYSF_DELETED);
	assert_int_equal(e.end - e.ts, 200);
	assert_string_equal(e.sys.path, "/var/lib/docker/network/files/local-kv.db");
	assert_string_equal(kev_sys_kind_name(e.sys.kind), "fdatasync");
	assert_true(kev_sys_is_sync(e.sys.kind) && kev_sys_has_path(e.sys.kind));
	assert_false(kev_sys_has_path(KSYS_SETNS));
	/* Writeback aggregates: the dirtier's comm, the reason, pages. */
	k.kind = RP_AGG_WB;
	k.stackid = RP_WB_BACKGROUND;
	k.tgid = 42;
	snprintf(k.comm, sizeof(k.comm), "stress-ng-hdd");
	assert_int_equal(convert_agg(&k, &v, 1000000, 0, &a), 0);
	assert_int_equal(a.kind, KAGG_WB);
	assert_int_equal(a.sub, KWB_BACKGROUND);
	assert_string_equal(a.who.comm, "stress-ng-hdd");
	assert_int_equal(a.bytes, 300);
	assert_string_equal(kwb_reason_name(a.sub), "background");
	assert_int_equal(meminfo_parse(mi, strlen(mi), &dirty, &wb), 0);
	assert_int_equal(dirty, 1234);
	assert_int_equal(wb, 56);
	assert_int_equal(meminfo_parse("Dirty: 1 kB\n", 12, &dirty, &wb), -1);
}

/* ---- explain on a synthetic run directory ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
	assert_int_equal(harness_put_file(dir, name, text), 0);
}

static void synth_run(const char *dir, const char *cell, const char *load, int create_ms,
		      int sync_ms)
{
	char buf[4096];
	size_t n = 0;

	n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			      "run_id,cell,load,stressors,trial,status\n");
	for (int t = 1; t <= 2; t++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "r,%s,%s,2,%d,ok\n", cell, load, t);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "r,%s,%s,2,3,failed\n", cell, load);
	write_file(dir, "trials.csv", buf);
	n = (size_t)snprintf(buf, sizeof(buf),
			     "run_id,cell,trial,phase,duration_ns,dirty_kib_begin\n");
	for (int t = 1; t <= 3; t++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
				      "r,%s,%d,create,%d000000,2048\nr,%s,%d,start,50000000,1024\n",
				      cell, t, create_ms, cell, t);
	write_file(dir, "phases.csv", buf);
	write_file(dir, "stacks.csv",
		   "stack,frames,folded\n"
		   "00000000000000a1,5,e;cleanup_mnt;ovl_sync_fs;sync_inodes_sb;wb_wait_for_"
		   "completion\n");
	n = (size_t)snprintf(buf, sizeof(buf),
			     "run_id,cell,trial,phase,actor,comm,state,stack,call,file,deleted,"
			     "waker,count,offcpu_ns,wall_ns\n");
	for (int t = 1; t <= 3; t++)
		n += (size_t)snprintf(
			buf + n, sizeof(buf) - n,
			"r,%s,%d,create,engine,dockerd,blocked,00000000000000a1,umount,"
			"/d/overlay2/x-init/merged,0,kworker/u8:1,1,%d000000,%d000000\n"
			"r,%s,%d,start,engine,runc,runq,,,,0,,3,4000000,4000000\n",
			cell, t, sync_ms, sync_ms, cell, t);
	write_file(dir, "waits.csv", buf);
}

static void explain_text_against_a_baseline(void **state)
{
	char base[] = "/tmp/rp-test-cause-base.XXXXXX", hdd[] = "/tmp/rp-test-cause-hdd.XXXXXX";
	struct explain_run rb, rh;
	struct rules r;
	char err[512], *text = NULL;
	size_t len = 0;
	FILE *out;

	(void)state;
	assert_non_null(mkdtemp(base));
	assert_non_null(mkdtemp(hdd));
	synth_run(base, "none", "none", 100, 10);
	synth_run(hdd, "hdd-2", "hdd", 400, 250);
	assert_int_equal(explain_rules_load(NULL, &r, err, sizeof(err)), 0);
	assert_int_equal(explain_load(base, &r, &rb, err, sizeof(err)), 0);
	assert_int_equal(explain_load(hdd, &r, &rh, err, sizeof(err)), 0);
	assert_true(rh.traced);
	assert_int_equal(rh.cells[0].dx.trials, 2); /* the failed trial is left out */
	assert_true(fabs(rh.cells[0].ctx[PH_CREATE][CTX_DIRTY_BEGIN] - 2048) < 1e-9);
	out = open_memstream(&text, &len);
	explain_print(out, &rh, &rb,
		      &(struct explain_text_opts){.rules_origin = "built-in", .width = 100});
	fclose(out);
	assert_non_null(strstr(text, "== cell hdd-2: 2 ok trials, 450.0 ms restart"));
	assert_non_null(strstr(text, "create        400.0 ms per trial"));
	assert_non_null(strstr(text, "250.0 ms  62.5%  overlay-umount-sync"));
	assert_non_null(strstr(text, "umount /d/overlay2/x-init/merged"));
	assert_non_null(strstr(text, "150.0 ms  37.5%  no wait recorded 150.0 ms"));
	assert_non_null(strstr(text, "against the baseline of"));
	assert_non_null(strstr(text, "create +300.0 ms: +240.0 ms in overlay-umount-sync, +60.0 ms "
				     "in time with no wait recorded"));
	free(text);
	explain_run_free(&rb);
	explain_run_free(&rh);
	rules_free(&r);
	/* Not a run directory. */
	assert_int_equal(explain_load("/nonexistent", &r, &rb, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "trials.csv"));
	for (int i = 0; i < 2; i++) {
		char cmd[128];
		const char *d = i ? hdd : base;
		static const char *const files[] = {"trials.csv", "phases.csv", "stacks.csv",
						    "waits.csv"};

		for (size_t k = 0; k < 4; k++) {
			snprintf(cmd, sizeof(cmd), "%s/%s", d, files[k]);
			unlink(cmd);
		}
		rmdir(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(symbols_from_synthetic_kallsyms),
		cmocka_unit_test(symbols_from_a_file_are_the_parsed_text),
		cmocka_unit_test(zeroed_kallsyms_is_told),
		cmocka_unit_test(stacks_fold_root_first_without_the_tracer),
		cmocka_unit_test(rules_parse_and_match),
		cmocka_unit_test(rules_errors_name_their_line),
		cmocka_unit_test(globs),
		cmocka_unit_test(leaf_skips_scheduler_plumbing),
		cmocka_unit_test(fold_merge_write_read),
		cmocka_unit_test(waits_share_each_instant),
		cmocka_unit_test(gap_goes_to_the_sleep_that_ended_it),
		cmocka_unit_test(waits_from_aggregates),
		cmocka_unit_test(waits_need_a_tiled_trial),
		cmocka_unit_test(diagnosis_splits_the_phase),
		cmocka_unit_test(against_a_baseline),
		cmocka_unit_test(builtin_rules),
		cmocka_unit_test(records_and_meminfo),
		cmocka_unit_test(explain_text_against_a_baseline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
