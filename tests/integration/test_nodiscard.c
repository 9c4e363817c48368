// SPDX-License-Identifier: GPL-2.0-only
/* nodiscard and the disk checks on an ext4 image the test makes, loop-mounted with discard. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "remedy/journal_file.h"
#include "remedy/mount.h"
#include "remedy/remedy.h"
#include "util/files.h"

static char dir[64], img[96], mnt[96], root[128];
static bool mounted;

static int run(char *const argv[])
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void cleanup(void)
{
	if (mounted && umount2(mnt, 0) == 0) /* the loop device goes with it (autoclear) */
		mounted = false;
	rmdir(mnt);
	unlink(img);
	rmdir(dir);
}

static int setup(void **state)
{
	char *mkfs[] = {"mkfs.ext4", "-q", "-F", img, "64M", NULL};
	char *mount_loop[] = {"mount", "-o", "loop,discard", img, mnt, NULL};

	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "test_nodiscard: needs root (it mounts an image)\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "/var/tmp/rp-nodiscard.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(img, sizeof(img), "%s/fs.img", dir);
	snprintf(mnt, sizeof(mnt), "%s/mnt", dir);
	snprintf(root, sizeof(root), "%s/data-root", mnt);
	atexit(cleanup);
	if (mkdir(mnt, 0700) || run(mkfs) || run(mount_loop))
		return -1;
	mounted = true;
	return mkdir(root, 0700);
}

static int teardown(void **state)
{
	(void)state;
	rmdir(root);
	cleanup();
	return mounted ? -1 : 0;
}

static void options_now(struct mount_opts *m)
{
	char *text = NULL;

	assert_int_equal(file_read_all(AT_FDCWD, "/proc/self/mountinfo", 4u << 20, FILE_READ_FOLLOW,
				       &text, NULL),
			 0);
	assert_int_equal(mountinfo_options(text, mnt, m), 0);
	free(text);
}

static void nodiscard_on_off(void **state)
{
	struct remedy_host host = {"", 2, false};
	struct remedy_defs *d;
	struct remedy_set s;
	struct mount_opts before, m;
	struct journal j;
	char err[256] = "", jdir[128];

	(void)state;
	snprintf(host.data_root, sizeof(host.data_root), "%s", root);
	snprintf(jdir, sizeof(jdir), "%s/journal", dir);
	d = remedy_defs_load(NULL, err, sizeof(err));
	assert_non_null(d);
	options_now(&before);
	assert_true(opts_has(before.super, "discard"));
	assert_int_equal(remedy_parse(d, "nodiscard", &s, err, sizeof(err)), 0);
	if (remedy_check(&s, &host, err, sizeof(err)))
		fail_msg("%s", err);
	assert_string_equal(s.r[0].remount_nodiscard, mnt);
	assert_int_equal(journal_open(&j, jdir, err, sizeof(err)), 0);
	for (int round = 0; round < 2; round++) {
		if (remedy_set_on(&s, &j, err, sizeof(err)))
			fail_msg("%s", err);
		options_now(&m);
		assert_false(opts_has(m.super, "discard"));
		assert_string_equal(m.per_mount, before.per_mount);
		assert_int_equal(j.n, 1);
		if (remedy_set_off(&s, &j, err, sizeof(err)))
			fail_msg("%s", err);
		options_now(&m);
		assert_string_equal(m.super, before.super);
		assert_string_equal(m.per_mount, before.per_mount);
	}
	/* Without discard there is nothing to take away: refused, saying why. */
	assert_int_equal(remedy_set_on(&s, &j, err, sizeof(err)), 0);
	assert_int_equal(remedy_parse(d, "nodiscard", &s, err, sizeof(err)), 0);
	assert_int_equal(remedy_check(&s, &host, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "without discard"));
	assert_int_equal(journal_close(&j, err, sizeof(err)), 0);
	options_now(&m);
	assert_true(opts_has(m.super, "discard"));
	rmdir(jdir);
	remedy_defs_free(d);
}

static void disk_checks(void **state)
{
	struct remedy_host host = {"", 1, false};
	struct remedy_defs *d;
	struct remedy_set s;
	struct load_change l;
	char err[256] = "";

	(void)state;
	snprintf(host.data_root, sizeof(host.data_root), "%s", root);
	d = remedy_defs_load(NULL, err, sizeof(err));
	assert_non_null(d);
	/* The data-root's whole disk is the loop device. */
	assert_int_equal(remedy_parse(d, "load-wbps=10M", &s, err, sizeof(err)), 0);
	assert_int_equal(remedy_check(&s, &host, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "cgroup v1"));
	host.insist = true;
	assert_int_equal(remedy_check(&s, &host, err, sizeof(err)), 0);
	remedy_set_load(&s, &l);
	assert_int_equal(strncmp(l.write_dev, "/dev/loop", 9), 0);
	host.cgroup_version = 2;
	host.insist = false;
	/* load-fs on the data-root's filesystem is refused; elsewhere accepted. */
	snprintf(err, sizeof(err), "load-fs=%s", mnt);
	assert_int_equal(remedy_parse(d, err, &s, err, sizeof(err)), 0);
	assert_int_equal(remedy_check(&s, &host, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "data-root's filesystem"));
	assert_int_equal(remedy_parse(d, "load-fs=/proc", &s, err, sizeof(err)), 0);
	assert_int_equal(remedy_check(&s, &host, err, sizeof(err)), 0);
	assert_int_equal(remedy_parse(d, "load-fs=/no/such/dir", &s, err, sizeof(err)), 0);
	assert_int_equal(remedy_check(&s, &host, err, sizeof(err)), -EINVAL);
	/* CPUs: as many as are online leaves the load none. */
	snprintf(err, sizeof(err), "load-cpus=%ld", sysconf(_SC_NPROCESSORS_ONLN));
	assert_int_equal(remedy_parse(d, err, &s, err, sizeof(err)), 0);
	assert_int_equal(remedy_check(&s, &host, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "online"));
	/* wbt resolves $DEV to the loop device (or says its file does not exist). */
	assert_int_equal(remedy_parse(d, "wbt=2345", &s, err, sizeof(err)), 0);
	if (remedy_check(&s, &host, err, sizeof(err)) == 0) {
		char jdir[128], old[64], now[64];
		struct journal j;

		assert_int_equal(strncmp(s.r[0].set[0].path, "/sys/block/loop", 15), 0);
		/* On and off on this test's own loop device. */
		snprintf(jdir, sizeof(jdir), "%s/journal", dir);
		assert_int_equal(journal_read_value(s.r[0].set[0].path, old, sizeof(old)), 0);
		assert_int_equal(journal_open(&j, jdir, err, sizeof(err)), 0);
		if (remedy_set_on(&s, &j, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(journal_read_value(s.r[0].set[0].path, now, sizeof(now)), 0);
		assert_string_equal(now, "2345");
		assert_int_equal(journal_close(&j, err, sizeof(err)), 0);
		assert_int_equal(journal_read_value(s.r[0].set[0].path, now, sizeof(now)), 0);
		assert_string_equal(now, old);
		rmdir(jdir);
	} else {
		assert_non_null(strstr(err, "does not exist"));
	}
	remedy_defs_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nodiscard_on_off),
		cmocka_unit_test(disk_checks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
