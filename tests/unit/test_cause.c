// SPDX-License-Identifier: GPL-2.0-only
/*
 * Naming the cause, on synthetic inputs: the rules file and its matcher; folded stacks
 * written and read back; the diagnosis (ranking, evidence, explained + unexplained =
 * measured) and its comparison with a baseline; the raw records; explain's text. The waits
 * of a trial: test_waits.c; kernel symbols: test_ksyms.c.
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
#include "model/rules.h"
#include "model/waits.h"
#include "restartprof/kevents.h"
#include "trace/convert.h"
#include "util/proc.h"
#include "support/harness.h"

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
		cmocka_unit_test(rules_parse_and_match),
		cmocka_unit_test(rules_errors_name_their_line),
		cmocka_unit_test(globs),
		cmocka_unit_test(leaf_skips_scheduler_plumbing),
		cmocka_unit_test(fold_merge_write_read),
		cmocka_unit_test(diagnosis_splits_the_phase),
		cmocka_unit_test(against_a_baseline),
		cmocka_unit_test(builtin_rules),
		cmocka_unit_test(records_and_meminfo),
		cmocka_unit_test(explain_text_against_a_baseline),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
