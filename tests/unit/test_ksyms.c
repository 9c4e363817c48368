// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel symbols on synthetic inputs: a kallsyms text parsed, read from a file, and zeroed (as
 * an unprivileged reader sees it); kernel stacks folded root first without the tracer.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/kernel.h"
#include "model/ksyms.h"
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

/* Folding with the names looked up once gives what folding frame by frame gives, for the
 * addresses the memo holds (repeated, unknown) and for those it does not. */
static void a_memo_folds_as_the_table(void **state)
{
	struct ksyms *ks;
	struct ksym_memo memo = {0};
	uint64_t ip[] = {0xffffffffc0002010, 0xffffffff81000710, 0xffffffff81000610,
			 0xffffffff81000210, 0xffffffffc0001020, 0xffffffff81000310,
			 0xffffffff81000510, 0xffffffff70000000};
	uint64_t held[] = {ip[7], ip[1], ip[3], ip[1], ip[0], ip[7]};
	char want[256], got[256];

	(void)state;
	assert_int_equal(ksyms_parse(kallsyms, strlen(kallsyms), &ks), 0);
	assert_int_equal(ksym_memo_fill(&memo, ks, held, 6), 0);
	assert_int_equal(memo.n, 4);
	for (int depth = 1; depth <= 8; depth++) {
		assert_int_equal(ksyms_fold_memo(ks, &memo, ip, depth, got, sizeof(got)),
				 ksyms_fold(ks, ip, depth, want, sizeof(want)));
		assert_string_equal(got, want);
	}
	assert_int_equal(ksyms_fold_memo(ks, &memo, ip, 8, got, 30), 2);
	assert_string_equal(got, "0xffffffff70000000;do_fsync");
	ksym_memo_free(&memo);
	assert_null(memo.addr);
	ksyms_free(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(symbols_from_synthetic_kallsyms),
		cmocka_unit_test(symbols_from_a_file_are_the_parsed_text),
		cmocka_unit_test(zeroed_kallsyms_is_told),
		cmocka_unit_test(stacks_fold_root_first_without_the_tracer),
		cmocka_unit_test(a_memo_folds_as_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
