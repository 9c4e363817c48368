// SPDX-License-Identifier: GPL-2.0-only
/* The journal on temporary files: saved before a change, restored newest first, recovered. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "remedy/journal.h"
#include "remedy/journal_file.h"
#include "support/harness.h"

static char dir[64];

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/rp-journal.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char path[128];

	(void)state;
	/* Only what the tests made. */
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), "%s/f%d", dir, i);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/j", dir);
	rmdir(path);
	return rmdir(dir);
}

static void put(const char *name, const char *text)
{
	assert_int_equal(harness_put_file(dir, name, text), 0);
}

static const char *get(const char *name)
{
	static char buf[256];
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(journal_read_value(path, buf, sizeof(buf)), 0);
	return buf;
}

static const char *at(const char *name)
{
	static char path[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
	return path[k];
}

static void save_change_restore(void **state)
{
	struct journal j;
	char err[256] = "";

	(void)state;
	put("f0", "20\n");
	put("f1", "none [mq-deadline] kyber\n");
	assert_int_equal(journal_open(&j, at("j"), err, sizeof(err)), 0);
	assert_int_equal(journal_save_file(&j, at("f0"), err, sizeof(err)), 0);
	assert_int_equal(journal_save_file(&j, at("f1"), err, sizeof(err)), 0);
	assert_int_equal(j.n, 2);
	assert_string_equal(j.e[0].old, "20");
	assert_string_equal(j.e[1].old, "mq-deadline"); /* the chosen one of a list */
	assert_true(j.e[0].when_ns > 0);
	put("f0", "0\n");
	/* Saved again: the first old value stays. */
	assert_int_equal(journal_save_file(&j, at("f0"), err, sizeof(err)), 0);
	assert_int_equal(j.n, 2);
	assert_string_equal(j.e[0].old, "20");
	put("f1", "kyber\n");
	assert_int_equal(journal_restore(&j, err, sizeof(err)), 0);
	assert_int_equal(j.n, 0);
	assert_string_equal(get("f0"), "20");
	assert_string_equal(get("f1"), "mq-deadline");
	/* The journal on disk holds only its owner line now. */
	assert_int_equal(journal_close(&j, err, sizeof(err)), 0);
	assert_int_equal(access(j.path, F_OK), -1);
	rmdir(at("j"));
}

static void unreadable_is_not_saved(void **state)
{
	struct journal j;
	char err[256] = "";

	(void)state;
	assert_int_equal(journal_open(&j, at("j"), err, sizeof(err)), 0);
	assert_int_equal(journal_save_file(&j, at("f7"), err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot read the old value"));
	assert_int_equal(j.n, 0);
	assert_int_equal(journal_close(&j, err, sizeof(err)), 0);
	rmdir(at("j"));
}

static void newest_first(void **state)
{
	struct journal j;
	char err[256] = "";

	(void)state;
	put("f2", "a\n");
	assert_int_equal(journal_open(&j, at("j"), err, sizeof(err)), 0);
	/* The same file through two names: restored newest first, the oldest value wins. */
	assert_int_equal(journal_save_file(&j, at("f2"), err, sizeof(err)), 0);
	put("f2", "b\n");
	assert_int_equal(journal_save_file(&j, at("./f2"), err, sizeof(err)), 0);
	put("f2", "c\n");
	assert_int_equal(journal_close(&j, err, sizeof(err)), 0);
	assert_string_equal(get("f2"), "a");
	rmdir(at("j"));
}

static void entries_round_trip(void **state)
{
	struct journal_entry e = {JOURNAL_MOUNT, 1234567890123, "/mnt/a b%c", "rw,x=\n"}, back;
	char line[512];
	size_t n;

	(void)state;
	n = journal_format_entry(&e, line, sizeof(line));
	assert_string_equal(line, "mount 1234567890123 /mnt/a%20b%25c rw,x=%0A\n");
	assert_int_equal(journal_parse_entry(line, n - 1, &back), 0);
	assert_int_equal(back.kind, JOURNAL_MOUNT);
	assert_int_equal(back.when_ns, e.when_ns);
	assert_string_equal(back.path, e.path);
	assert_string_equal(back.old, e.old);
	assert_int_equal(journal_parse_entry("file 1 /a ", 10, &back), 0);
	assert_string_equal(back.old, "");
	assert_int_equal(journal_parse_entry("file 1 /a", 9, &back), -EINVAL);
	assert_int_equal(journal_parse_entry("file x /a 1", 11, &back), -EINVAL);
	assert_int_equal(journal_parse_entry("file 1 a 1", 10, &back), -EINVAL);
	assert_int_equal(journal_parse_entry("file 1 /a %0", 12, &back), -EINVAL);
	assert_int_equal(journal_parse_entry("file 1 /a %00", 13, &back), -EINVAL);
	assert_int_equal(journal_parse_entry("disk 1 /a 1", 11, &back), -EINVAL);
	assert_int_equal(journal_parse_entry("file 1 /a 1 2", 13, &back), -EINVAL);
}

struct said {
	int n;
	char last[256];
};

static void note(void *ctx, const struct journal_entry *e)
{
	struct said *s = ctx;

	s->n++;
	snprintf(s->last, sizeof(s->last), "%s=%s", e->path, e->old);
}

/* A pid that runs nothing: past the last one in use, below pid_max. */
static int dead_pid(void)
{
	for (int pid = 4000000; pid > 300; pid -= 7919)
		if (kill(pid, 0) && errno == ESRCH)
			return pid;
	return -1;
}

static void fake_journal(const char *name, int pid, long long start, const char *entries)
{
	char text[1024];

	snprintf(text, sizeof(text), "owner %d %lld\n%s", pid, start, entries);
	put(name, text);
}

static void recover_dead_owner_only(void **state)
{
	struct said s = {0};
	char err[256] = "", entries[512], jdir[80];
	int pid = dead_pid();

	(void)state;
	assert_true(pid > 0);
	snprintf(jdir, sizeof(jdir), "%s/j", dir);
	assert_int_equal(mkdir(jdir, 0700), 0);
	put("f3", "changed\n");
	put("f4", "changed too\n");
	put("f5", "mine\n");
	/* A dead owner: restored, newest first, and removed; a torn last line ignored. */
	snprintf(entries, sizeof(entries), "file 100 %s old%%203\nfile 200 %s 4\nfile 300 %s",
		 at("f3"), at("f4"), at("f5"));
	fake_journal("j/journal.1", pid, 5, entries);
	/* A live owner (this process, its own start time): left alone. */
	snprintf(entries, sizeof(entries), "file 100 %s original\n", at("f5"));
	fake_journal("j/journal.2", getpid(), journal_proc_start(getpid()), entries);
	/* This process's pid with another start time: a reused pid, so its owner is gone. */
	snprintf(entries, sizeof(entries), "file 100 %s old6\n", at("f6"));
	put("f6", "new6\n");
	fake_journal("j/journal.3", getpid(), journal_proc_start(getpid()) + 1, entries);
	/* Not a journal: never touched. */
	put("j/journal.x", "owner 1 1\nfile 1 /etc/hostname x\n");

	assert_int_equal(journal_recover(jdir, note, &s, err, sizeof(err)), 3);
	assert_int_equal(s.n, 3);
	assert_string_equal(get("f3"), "old 3");
	assert_string_equal(get("f4"), "4");
	assert_string_equal(get("f5"), "mine");
	assert_string_equal(get("f6"), "old6");
	assert_int_equal(access(at("j/journal.1"), F_OK), -1);
	assert_int_equal(access(at("j/journal.2"), F_OK), 0);
	assert_int_equal(access(at("j/journal.3"), F_OK), -1);
	assert_int_equal(access(at("j/journal.x"), F_OK), 0);
	/* Nothing more the second time. */
	assert_int_equal(journal_recover(jdir, note, &s, err, sizeof(err)), 0);
	/* No directory: nothing to do. */
	assert_int_equal(journal_recover("/nonexistent/rp", note, &s, err, sizeof(err)), 0);
	unlink(at("j/journal.2"));
	unlink(at("j/journal.x"));
	rmdir(jdir);
}

static void open_journal_is_locked(void **state)
{
	struct journal j;
	struct said s = {0};
	char err[256] = "";

	(void)state;
	put("f0", "1\n");
	assert_int_equal(journal_open(&j, at("j"), err, sizeof(err)), 0);
	assert_int_equal(journal_save_file(&j, at("f0"), err, sizeof(err)), 0);
	put("f0", "2\n");
	/* Its owner is alive (and holds the lock): recovery leaves it. */
	assert_int_equal(journal_recover(at("j"), note, &s, err, sizeof(err)), 0);
	assert_string_equal(get("f0"), "2");
	assert_int_equal(journal_close(&j, err, sizeof(err)), 0);
	assert_string_equal(get("f0"), "1");
	rmdir(at("j"));
}

/* A journal left under this pid by a dead process: restored, then replaced. */
static void open_over_a_stale_journal(void **state)
{
	struct journal j;
	char err[256] = "", entries[256], name[64];

	(void)state;
	assert_int_equal(mkdir(at("j"), 0700), 0);
	put("f1", "changed\n");
	snprintf(entries, sizeof(entries), "file 100 %s stale\n", at("f1"));
	snprintf(name, sizeof(name), "j/journal.%d", (int)getpid());
	fake_journal(name, getpid(), journal_proc_start(getpid()) + 7, entries);
	assert_int_equal(journal_open(&j, at("j"), err, sizeof(err)), 0);
	assert_string_equal(get("f1"), "stale");
	assert_int_equal(j.n, 0);
	assert_int_equal(journal_close(&j, err, sizeof(err)), 0);
	rmdir(at("j"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(save_change_restore),
		cmocka_unit_test(unreadable_is_not_saved),
		cmocka_unit_test(newest_first),
		cmocka_unit_test(entries_round_trip),
		cmocka_unit_test(recover_dead_owner_only),
		cmocka_unit_test(open_journal_is_locked),
		cmocka_unit_test(open_over_a_stale_journal),
	};

	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
