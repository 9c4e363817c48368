// SPDX-License-Identifier: GPL-2.0-only
/* dirty on the real vm.dirty_* sysctls: on sets them, off gives all four back exactly. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "remedy/journal_file.h"
#include "remedy/remedy.h"

static const char *const files[] = {
	"/proc/sys/vm/dirty_bytes",
	"/proc/sys/vm/dirty_background_bytes",
	"/proc/sys/vm/dirty_ratio",
	"/proc/sys/vm/dirty_background_ratio",
};

#define N_FILES 4

static char before[N_FILES][64];
static char jdir[64];

static void read_all(char now[N_FILES][64])
{
	for (int i = 0; i < N_FILES; i++)
		assert_int_equal(journal_read_value(files[i], now[i], 64), 0);
}

/* Whatever happened, the values as they were (ratios first: writing one zeroes its bytes). */
static void put_back(void)
{
	if (!before[0][0])
		return;
	for (int pass = 0; pass < 2; pass++)
		for (int i = N_FILES - 1; i >= 0; i--)
			if (strcmp(before[i], "0") != 0)
				journal_write_value(files[i], before[i]);
}

static int setup(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		fprintf(stderr, "test_dirty_restore: needs root (it changes vm.dirty_*)\n");
		return -1;
	}
	for (int i = 0; i < N_FILES; i++)
		if (journal_read_value(files[i], before[i], 64))
			return -1;
	atexit(put_back);
	snprintf(jdir, sizeof(jdir), "/tmp/rp-remedy.XXXXXX");
	return mkdtemp(jdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	put_back();
	return rmdir(jdir);
}

static void dirty_on_then_off(void **state)
{
	struct remedy_defs *d;
	struct remedy_set s;
	struct remedy_host host = {"/var/lib", 2, false};
	struct journal j;
	char err[256] = "", now[N_FILES][64];

	(void)state;
	d = remedy_defs_load(NULL, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(remedy_parse(d, "dirty=64M:16M", &s, err, sizeof(err)), 0);
	if (remedy_check(&s, &host, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(journal_open(&j, jdir, err, sizeof(err)), 0);
	for (int round = 0; round < 2; round++) {
		if (remedy_set_on(&s, &j, err, sizeof(err)))
			fail_msg("%s", err);
		read_all(now);
		assert_string_equal(now[0], "67108864");
		assert_string_equal(now[1], "16777216");
		assert_string_equal(now[2], "0");
		assert_string_equal(now[3], "0");
		assert_int_equal(j.n, 4);
		if (remedy_set_off(&s, &j, err, sizeof(err)))
			fail_msg("%s", err);
		read_all(now);
		for (int i = 0; i < N_FILES; i++)
			assert_string_equal(now[i], before[i]);
		assert_int_equal(j.n, 0);
	}
	assert_int_equal(journal_close(&j, err, sizeof(err)), 0);
	remedy_defs_free(d);
}

/* Starting from *_bytes (ratios 0): the same, and the bytes come back. */
static void dirty_from_bytes(void **state)
{
	struct remedy_defs *d;
	struct remedy_set s;
	struct journal j;
	char err[256] = "", start[N_FILES][64], now[N_FILES][64];

	(void)state;
	assert_int_equal(journal_write_value(files[0], "104857600"), 0);
	assert_int_equal(journal_write_value(files[1], "20971520"), 0);
	read_all(start);
	assert_string_equal(start[2], "0");
	d = remedy_defs_load(NULL, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(remedy_parse(d, "dirty=64M", &s, err, sizeof(err)), 0);
	assert_int_equal(journal_open(&j, jdir, err, sizeof(err)), 0);
	if (remedy_set_on(&s, &j, err, sizeof(err)))
		fail_msg("%s", err);
	read_all(now);
	assert_string_equal(now[0], "67108864");
	assert_string_equal(now[1], "16777216");
	assert_int_equal(journal_close(&j, err, sizeof(err)), 0);
	read_all(now);
	for (int i = 0; i < N_FILES; i++)
		assert_string_equal(now[i], start[i]);
	put_back();
	read_all(now);
	for (int i = 0; i < N_FILES; i++)
		assert_string_equal(now[i], before[i]);
	remedy_defs_free(d);
}

/* The data-root's whole disk, for wbt (checked, not changed: it is the machine's disk). */
static void wbt_finds_the_disk(void **state)
{
	struct remedy_host host = {"/var/tmp", 2, false};
	struct remedy_defs *d;
	struct remedy_set s;
	char err[256] = "";

	(void)state;
	d = remedy_defs_load(NULL, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(remedy_parse(d, "wbt=2000", &s, err, sizeof(err)), 0);
	if (remedy_check(&s, &host, err, sizeof(err)) == 0) {
		assert_int_equal(strncmp(s.r[0].set[0].path, "/sys/block/", 11), 0);
		assert_null(strstr(s.r[0].set[0].path, "$DEV"));
		printf("wbt: the disk of /var/tmp: %s\n", s.r[0].set[0].path);
	} else {
		printf("wbt refused here: %s\n", err);
		assert_null(strchr(err, '\n'));
	}
	remedy_defs_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dirty_on_then_off),
		cmocka_unit_test(dirty_from_bytes),
		cmocka_unit_test(wbt_finds_the_disk),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
