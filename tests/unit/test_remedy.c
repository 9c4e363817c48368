// SPDX-License-Identifier: GPL-2.0-only
/* Remedy definitions and specs: built-ins, sizes, defaults, refusals, user files, paths. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "remedy/defs.h"
#include "remedy/mount.h"
#include "remedy/remedy.h"

static struct remedy_defs *builtin(void)
{
	char err[256] = "";
	struct remedy_defs *d = remedy_defs_load(NULL, err, sizeof(err));

	if (!d)
		fail_msg("built-in remedies: %s", err);
	return d;
}

/* Parses spec; 0 or the error, err filled. */
static int parse(const struct remedy_defs *d, const char *spec, struct remedy_set *set, char *err)
{
	err[0] = '\0';
	return remedy_parse(d, spec, set, err, 256);
}

static void builtins_parse_and_describe(void **state)
{
	struct remedy_defs *d = builtin();
	char text[4096];

	(void)state;
	assert_non_null(remedy_def_find(d, "dirty"));
	assert_non_null(remedy_def_find(d, "wbt"));
	assert_non_null(remedy_def_find(d, "load-cpus"));
	assert_non_null(remedy_def_find(d, "load-wbps"));
	assert_non_null(remedy_def_find(d, "load-fs"));
	assert_non_null(remedy_def_find(d, "nodiscard"));
	assert_int_equal(remedy_defs_describe(d, text, sizeof(text)), 0);
	assert_non_null(strstr(text, "dirty=BYTES[:BACKGROUND]"));
	assert_non_null(strstr(text, "nodiscard "));
	assert_int_equal(remedy_defs_describe(d, text, 10), -ENOSPC);
	remedy_defs_free(d);
}

static void dirty_sizes_and_default(void **state)
{
	struct remedy_defs *d = builtin();
	struct remedy_set s;
	char err[256];

	(void)state;
	assert_int_equal(parse(d, "dirty=64M:16M", &s, err), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.r[0].name, "dirty");
	assert_string_equal(s.r[0].spec, "dirty=64M:16M");
	assert_int_equal(s.r[0].kind, REMEDY_SETTINGS);
	assert_int_equal(s.r[0].n_set, 2);
	assert_string_equal(s.r[0].set[0].path, "/proc/sys/vm/dirty_bytes");
	assert_string_equal(s.r[0].set[0].value, "67108864");
	assert_string_equal(s.r[0].set[1].path, "/proc/sys/vm/dirty_background_bytes");
	assert_string_equal(s.r[0].set[1].value, "16777216");
	assert_int_equal(s.r[0].n_also_saved, 2);
	assert_string_equal(s.r[0].also_saved[0], "/proc/sys/vm/dirty_ratio");
	assert_string_equal(s.r[0].also_saved[1], "/proc/sys/vm/dirty_background_ratio");
	assert_false(s.changes_load);

	/* The background defaults to a quarter. */
	assert_int_equal(parse(d, "dirty=64M", &s, err), 0);
	assert_string_equal(s.r[0].set[1].value, "16777216");
	assert_int_equal(parse(d, "dirty=1G", &s, err), 0);
	assert_string_equal(s.r[0].set[0].value, "1073741824");
	assert_string_equal(s.r[0].set[1].value, "268435456");
	/* Units: K, M, G, T, lower case, B and iB, plain bytes. */
	assert_int_equal(parse(d, "dirty=512k:64KiB", &s, err), 0);
	assert_string_equal(s.r[0].set[0].value, "524288");
	assert_string_equal(s.r[0].set[1].value, "65536");
	assert_int_equal(parse(d, "dirty=100000:50000B", &s, err), 0);
	assert_string_equal(s.r[0].set[0].value, "100000");
	assert_string_equal(s.r[0].set[1].value, "50000");
	remedy_defs_free(d);
}

static void the_other_builtins(void **state)
{
	struct remedy_defs *d = builtin();
	struct remedy_set s;
	struct load_change l;
	char err[256];

	(void)state;
	assert_int_equal(parse(d, "wbt=2000", &s, err), 0);
	assert_string_equal(s.r[0].set[0].path, "/sys/block/$DEV/queue/wbt_lat_usec");
	assert_string_equal(s.r[0].set[0].value, "2000");
	assert_int_equal(parse(d, "wbt=0", &s, err), 0);

	assert_int_equal(parse(d, "load-cpus=1,load-wbps=20M/s,load-fs=/mnt/b:c", &s, err), 0);
	assert_int_equal(s.n, 3);
	assert_true(s.changes_load);
	assert_int_equal(s.r[0].kind, REMEDY_LOAD_CPUS);
	assert_int_equal(s.r[1].kind, REMEDY_LOAD_WBPS);
	assert_true(s.r[1].needs & REMEDY_NEEDS_CGROUP2);
	assert_int_equal(s.r[2].kind, REMEDY_LOAD_FS);
	remedy_set_load(&s, &l);
	assert_int_equal(l.fewer_cpus, 1);
	assert_int_equal(l.write_bps, 20 << 20);
	assert_string_equal(l.fs_dir, "/mnt/b:c");

	assert_int_equal(parse(d, "nodiscard,dirty=64M", &s, err), 0);
	assert_int_equal(s.r[0].kind, REMEDY_NODISCARD);
	assert_true(s.r[0].needs & REMEDY_NEEDS_DISCARD);
	assert_string_equal(s.r[0].remount_nodiscard, "");
	remedy_defs_free(d);
}

static void refusals_say_why(void **state)
{
	static const struct {
		const char *spec, *why;
	} cases[] = {
		{"", "no remedy"},
		{"swappiness=10", "unknown remedy 'swappiness'"},
		{"dirty", "wants a value"},
		{"dirty=", "wants a value"},
		{"dirty=lots", "not a size"},
		{"dirty=64Q", "not a size"},
		{"dirty=64M:16M:1M", "not a size"},
		{"dirty=99999999999999999999", "not a size"},
		{"dirty=20000000T", "not a size"},
		{"dirty=1K", "out of range"},
		{"dirty=12K", "out of range"}, /* its default background, 3K */
		{"dirty=64M:", "empty"},
		{"wbt=-1", "not a whole number"},
		{"wbt=2K", "not a whole number"},
		{"load-cpus=0", "out of range"},
		{"load-fs=relative/dir", "absolute path"},
		{"nodiscard=1", "takes no value"},
		{"dirty=64M,dirty=32M", "given twice"},
		{"load-cpus=1,load-cpus=2", "given twice"},
		{"dirty=64M,", "empty remedy"},
		{",dirty=64M", "empty remedy"},
	};
	struct remedy_defs *d = builtin();
	struct remedy_set s;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(d, cases[i].spec, &s, err), -EINVAL);
		if (!strstr(err, cases[i].why))
			fail_msg("'%s': '%s' does not say '%s'", cases[i].spec, err, cases[i].why);
		assert_null(strchr(err, '\n'));
	}
	remedy_defs_free(d);
}

static const char user_file[] = "# more settings\n"
				"remedy swappiness\n"
				"about less swapping\n"
				"args N\n"
				"arg 1 size max 200K default 10K\n"
				"set /proc/sys/vm/swappiness $1\n"
				"\n"
				"remedy rq\n"
				"about fewer requests on the disk\n"
				"arg 1 number\n"
				"set /sys/block/$DEV/queue/nr_requests $1\n"
				"set /sys/block/sda/queue/iosched/fifo_batch 4\n";

static void user_file_adds_settings(void **state)
{
	char err[256] = "";
	struct remedy_defs *d = remedy_defs_parse(user_file, "user", err, sizeof(err));
	struct remedy_set s;

	(void)state;
	if (!d)
		fail_msg("%s", err);
	assert_int_equal(parse(d, "swappiness", &s, err), 0);
	assert_string_equal(s.r[0].set[0].value, "10240");
	assert_int_equal(parse(d, "swappiness=60,rq=32,dirty=64M", &s, err), 0);
	assert_string_equal(s.r[0].set[0].value, "60");
	assert_string_equal(s.r[1].set[1].path, "/sys/block/sda/queue/iosched/fifo_batch");
	assert_string_equal(s.r[1].set[1].value, "4");
	assert_int_equal(parse(d, "swappiness=201K", &s, err), -EINVAL);
	remedy_defs_free(d);
	/* Two remedies that set the same file cannot go together. */
	d = remedy_defs_parse("remedy mine\nabout a\nset /proc/sys/vm/dirty_bytes 1000000\n",
			      "user", err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(parse(d, "mine", &s, err), 0);
	assert_int_equal(parse(d, "dirty=64M,mine", &s, err), -EINVAL);
	assert_non_null(strstr(err, "both set /proc/sys/vm/dirty_bytes"));
	remedy_defs_free(d);
}

static void user_file_refusals(void **state)
{
	static const struct {
		const char *text, *why;
	} cases[] = {
		{"remedy x\nabout a\nset /proc/sys/kernel/panic 1\n", "not a setting"},
		{"remedy x\nabout a\nset /etc/passwd 1\n", "not a setting"},
		{"remedy x\nabout a\nset /proc/sys/vm/../kernel/panic 1\n", "not a setting"},
		{"remedy x\nabout a\nset /proc/sys/vm/a/b 1\n", "not a setting"},
		{"remedy x\nabout a\nset /sys/block/sda/device/delete 1\n", "not a setting"},
		{"remedy x\nabout a\nset /sys/block/../../etc/queue/a 1\n", "not a setting"},
		{"remedy x\nabout a\nset /sys/block/sda/queue/../device/x 1\n", "not a setting"},
		{"remedy x\nabout a\nset /sys/block/sda/queue//x 1\n", "not a setting"},
		{"remedy x\nabout a\nset /sys/block/sda/queue/ 1\n", "not a setting"},
		{"remedy x\nabout a\nsave /proc/sys/kernel/panic\nset /proc/sys/vm/a 1\n",
		 "not a setting"},
		{"remedy x\nabout a\nkind load-cpus\narg 1 number\n", "settings only"},
		{"remedy dirty\nabout a\nset /proc/sys/vm/a 1\n", "defined twice"},
		{"remedy x\nabout a\n", "sets nothing"},
		{"remedy x\nset /proc/sys/vm/a 1\n", "no about line"},
		{"remedy x\nabout a\nset /proc/sys/vm/a $1\n", "no arg line"},
		{"remedy x\nabout a\nset /proc/sys/vm/a $3\n", "$1, $2"},
		{"remedy x\nabout a\narg 2 size\n", "in order"},
		{"remedy x\nabout a\narg 1 colour\n", "unknown argument type"},
		{"remedy x\nabout a\narg 1 size default $1/4\n", "earlier number"},
		{"remedy x\nabout a\narg 1 size default 1\narg 2 size\n", "optional"},
		{"remedy x\nabout a\nneeds luck\n", "unknown need"},
		{"remedy x\nabout a\narg 1 number default 1K\n", "the default 1K"},
		{"remedy x\nabout a\narg 1 size max 1M default 2M\n", "the default 2M"},
		{"set /proc/sys/vm/a 1\n", "before the first remedy"},
		{"remedy X\n", "a name of"},
		{"remedy x\nabout a\nfrobnicate\n", "wants a value"},
		{"remedy x\nabout a\nfrob nicate\n", "unknown keyword"},
		{"remedy x\nabout \x01\n", "control character"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char err[256] = "";
		struct remedy_defs *d = remedy_defs_parse(cases[i].text, "user", err, sizeof(err));

		assert_null(d);
		if (!strstr(err, cases[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].why);
		assert_non_null(strstr(err, "user:"));
	}
}

static void paths_outside_the_trees(void **state)
{
	(void)state;
	assert_true(remedy_path_allowed("/proc/sys/vm/dirty_bytes"));
	assert_true(remedy_path_allowed("/sys/block/$DEV/queue/wbt_lat_usec"));
	assert_true(remedy_path_allowed("/sys/block/nvme0n1/queue/iosched/quantum"));
	assert_false(remedy_path_allowed("/proc/sys/vm/"));
	assert_false(remedy_path_allowed("/proc/sys/vm/.."));
	assert_false(remedy_path_allowed("/proc/sys/vmx"));
	assert_false(remedy_path_allowed("/sys/block/sda/queue"));
	assert_false(remedy_path_allowed("/sys/block/$DEVX/queue/a"));
	assert_false(remedy_path_allowed("/sys/block/sda/queue/a/../../b"));
	assert_false(remedy_path_allowed("/sys/class/block/sda/queue/a"));
	/* On the realpath: /proc/sys/vm is no link; a made-up disk does not exist. */
	assert_int_equal(remedy_path_allowed_real("/proc/sys/vm/dirty_ratio"), 0);
	assert_int_equal(remedy_path_allowed_real("/proc/sys/kernel/panic"), -EACCES);
	assert_int_equal(remedy_path_allowed_real("/sys/block/$DEV/queue/x"), -EACCES);
	assert_int_equal(remedy_path_allowed_real("/sys/block/no-such-disk/queue/x"), -ENOENT);
}

static void mount_options_for_a_remount(void **state)
{
	static const char mi[] =
		"21 26 0:20 / /proc rw,relatime - proc proc rw\n"
		"30 26 7:0 / /mnt/t\\040x rw,nosuid,relatime shared:1 - ext4 /dev/loop0 "
		"rw,discard,errors=remount-ro\n"
		"31 26 7:0 / /mnt/t\\040x ro,noatime - ext4 /dev/loop0 rw,errors=remount-ro\n";
	struct mount_opts m;
	char out[256];

	(void)state;
	assert_int_equal(mountinfo_options(mi, "/mnt/t x", &m), 0);
	assert_string_equal(m.per_mount, "ro,noatime"); /* the last mount there */
	assert_int_equal(mountinfo_options(mi, "/mnt", &m), -1);
	assert_int_equal(mountinfo_options(mi + 46, "/mnt/t x", &m), 0);
	assert_int_equal(
		mountinfo_options("30 26 7:0 / /m rw,nosuid,relatime shared:1 - ext4 /dev/loop0 "
				  "rw,discard,errors=remount-ro\n",
				  "/m", &m),
		0);
	assert_string_equal(m.super, "rw,discard,errors=remount-ro");
	assert_true(opts_has(m.super, "discard"));
	assert_false(opts_has(m.super, "disc"));
	assert_int_equal(opts_for_remount(&m, false, out, sizeof(out)), 0);
	assert_string_equal(out, "rw,nosuid,relatime,discard,errors=remount-ro");
	assert_int_equal(opts_for_remount(&m, true, out, sizeof(out)), 0);
	assert_string_equal(out, "rw,nosuid,relatime,errors=remount-ro,nodiscard");
	assert_int_equal(opts_for_remount(&m, true, out, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtins_parse_and_describe),
		cmocka_unit_test(dirty_sizes_and_default),
		cmocka_unit_test(the_other_builtins),
		cmocka_unit_test(refusals_say_why),
		cmocka_unit_test(user_file_adds_settings),
		cmocka_unit_test(user_file_refusals),
		cmocka_unit_test(paths_outside_the_trees),
		cmocka_unit_test(mount_options_for_a_remount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
