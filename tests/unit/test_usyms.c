// SPDX-License-Identifier: GPL-2.0-only
/*
 * User-space symbols from synthetic ELF files written here with libelf: a build-ID note,
 * .symtab, a .dynsym-only file, Go's pclntab in a .gopclntab section and hidden in a data
 * section; named by build ID and file offset, with the method and layout that named them.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "support/elf_writer.h"
#include "trace/usyms.h"
#include "unit/pclntab_blob.h"

static char dir[] = "/tmp/rp-usyms-XXXXXX";

static char *write_elf(const char *name, const struct spec *sp)
{
	return elf_writer_write(dir, name, sp);
}

static const struct fsym c_symtab[] = {
	{"alpha", 0x401000, 0x100, STB_GLOBAL, STT_FUNC},
	{"alpha_alias", 0x401000, 0x100, STB_WEAK, STT_FUNC},
	{"beta", 0x401100, 0x80, STB_LOCAL, STT_FUNC},
	{"gamma", 0x401200, 0, STB_GLOBAL, STT_FUNC}, /* no size: up to delta */
	{"delta", 0x401300, 0x10, STB_GLOBAL, STT_FUNC},
	{"an_object", 0x401400, 0x100, STB_GLOBAL, STT_OBJECT},
	{"puts", 0, 0, STB_GLOBAL, STT_FUNC}, /* undefined */
	{NULL, 0, 0, 0, 0},
};
static const struct fsym c_dynsym[] = {
	{"alpha_exported", 0x401000, 0x100, STB_GLOBAL, STT_FUNC},
	{"beta_exported", 0x401100, 0x80, STB_GLOBAL, STT_FUNC},
	{NULL, 0, 0, 0, 0},
};
/* A Go binary's C code (cgo), and a symbol inside Go's range that the pclntab overrides. */
static const struct fsym go_symtab[] = {
	{"crosscall2", 0x401900, 0x40, STB_GLOBAL, STT_FUNC},
	{"shadow", 0x401250, 0x10, STB_GLOBAL, STT_FUNC},
	{"c_before", 0x400f00, 0, STB_GLOBAL, STT_FUNC}, /* no size: up to Go's code, no further */
	{NULL, 0, 0, 0, 0},
};
/* 32-bit ARM: bit 0 of a Thumb function's address is no address. */
static const struct fsym arm_symtab[] = {
	{"thumb_fn", 0x401901, 0x40, STB_GLOBAL, STT_FUNC},
	{NULL, 0, 0, 0, 0},
};
static const struct pcln_fn go_fns[] = {{0x000, "runtime.main"}, {0x200, "main.main"}};
#define GO_END 0x800u

static uint8_t go116[2048], go120[2048], go118_arm[2048];
static size_t go116_len, go120_len, go118_arm_len;
static char *p_symtab, *p_dynsym, *p_go, *p_godata, *p_arm, *p_noid, *p_short, *p_long, *p_text;
/* A stripped file (.dynsym only) and its debug file under dir/debug/.build-id/77/. */
static char *p_stripped, *p_debug, *p_debug_dir;
/* The build ID (20 bytes of 0x77): its first byte names the directory, the rest the file. */
#define DEBUG_NAME "debug/.build-id/77/77777777777777777777777777777777777777.debug"

static const uint8_t *id_of(uint8_t fill, size_t len)
{
	static uint8_t id[USYM_BUILD_ID_MAX];

	memset(id, 0, sizeof(id));
	memset(id, fill, len);
	return id;
}

/* dir/debug/.build-id/77, for the debug file. */
static void make_debug_dirs(const char *debug_dir)
{
	char *p;

	assert_true(asprintf(&p, "%s/.build-id", debug_dir) > 0);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	assert_true(asprintf(&p, "%s/.build-id/77", debug_dir) > 0);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
}

static void remove_debug_dirs(const char *debug_dir)
{
	char *p;

	if (asprintf(&p, "%s/.build-id/77", debug_dir) > 0) {
		rmdir(p);
		free(p);
	}
	if (asprintf(&p, "%s/.build-id", debug_dir) > 0) {
		rmdir(p);
		free(p);
	}
	rmdir(debug_dir);
}

static int setup(void **state)
{
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	go116_len =
		pcln_blob(go116, sizeof(go116), GOPCLN_116, 8, TEXT_ADDR, go_fns, 2, GO_END, true);
	go120_len =
		pcln_blob(go120, sizeof(go120), GOPCLN_120, 8, TEXT_ADDR, go_fns, 2, GO_END, true);
	go118_arm_len = pcln_blob(go118_arm, sizeof(go118_arm), GOPCLN_118, 4, TEXT_ADDR, go_fns, 2,
				  GO_END, true);
	p_arm = write_elf("arm", &(struct spec){.id_len = 20,
						.id_fill = 0xa1,
						.symtab = arm_symtab,
						.pcln = go118_arm,
						.pcln_len = go118_arm_len,
						.arm32 = true});
	p_symtab = write_elf("symtab", &(struct spec){20, 0x11, c_symtab, c_dynsym});
	p_dynsym = write_elf("dynsym", &(struct spec){20, 0x22, NULL, c_dynsym});
	p_go = write_elf("go", &(struct spec){20, 0x33, go_symtab, NULL, go116, go116_len});
	p_godata = write_elf("godata",
			     &(struct spec){20, 0x44, NULL, go_symtab, go120, go120_len, true});
	p_noid = write_elf("noid", &(struct spec){0, 0, c_symtab});
	p_short = write_elf("short", &(struct spec){8, 0x55, c_symtab});
	p_long = write_elf("long", &(struct spec){20, 0x66, c_symtab});
	p_stripped = write_elf("stripped", &(struct spec){20, 0x77, NULL, c_dynsym});
	assert_true(asprintf(&p_debug_dir, "%s/debug", dir) > 0);
	assert_int_equal(mkdir(p_debug_dir, 0755), 0);
	make_debug_dirs(p_debug_dir);
	p_debug = write_elf(DEBUG_NAME, &(struct spec){20, 0x77, c_symtab});
	assert_true(asprintf(&p_text, "%s/text", dir) > 0);
	f = fopen(p_text, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\necho not an ELF file, long enough to be read as one\n", f);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	char *paths[] = {p_symtab, p_dynsym, p_go,   p_godata, p_arm,	  p_noid,
			 p_short,  p_long,   p_text, p_debug,  p_stripped};

	(void)state;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
	remove_debug_dirs(p_debug_dir);
	free(p_debug_dir);
	rmdir(dir);
	return 0;
}

static void expect(struct usyms *u, uint8_t fill, uint64_t addr, const char *want,
		   enum usym_method want_m)
{
	enum usym_method m = USYM_METHOD_COUNT;
	const char *got = usyms_name(u, id_of(fill, 20), 20, OFF(addr), &m);

	if (!want) {
		if (got)
			fail_msg("0x%llx: %s, expected none", (unsigned long long)addr, got);
		assert_int_equal(m, USYM_NONE);
		return;
	}
	if (!got || strcmp(got, want))
		fail_msg("0x%llx: %s, expected %s", (unsigned long long)addr, got ? got : "(none)",
			 want);
	assert_int_equal(m, want_m);
}

static struct usym_file_stats stats_of(struct usyms *u, const char *path)
{
	struct usym_file_stats st;

	for (size_t i = 0; usyms_file_stats(u, i, &st) == 0; i++)
		if (!strcmp(st.path, path))
			return st;
	fail_msg("%s not registered", path);
	return st;
}

static void symtab_names_functions(void **state)
{
	struct usym_file_stats st;
	struct usyms *u;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_add_file(u, p_symtab), 0);
	st = stats_of(u, p_symtab);
	assert_int_equal(st.method, USYM_NONE); /* nothing read before a lookup */
	assert_int_equal(st.table_bytes, 0);
	expect(u, 0x11, 0x401000, "alpha", USYM_SYMTAB); /* the global one of two aliases */
	expect(u, 0x11, 0x401080, "alpha", USYM_SYMTAB);
	expect(u, 0x11, 0x4010ff, "alpha", USYM_SYMTAB);
	expect(u, 0x11, 0x401100, "beta", USYM_SYMTAB);
	expect(u, 0x11, 0x40117f, "beta", USYM_SYMTAB);
	expect(u, 0x11, 0x401180, NULL, USYM_NONE); /* between functions */
	expect(u, 0x11, 0x4012ff, "gamma", USYM_SYMTAB);
	expect(u, 0x11, 0x40130f, "delta", USYM_SYMTAB);
	expect(u, 0x11, 0x401310, NULL, USYM_NONE);
	expect(u, 0x11, 0x401400, NULL, USYM_NONE); /* an object, not a function */
	/* Outside every segment, and in the headers' segment. */
	assert_null(usyms_name(u, id_of(0x11, 20), 20, 0x9000, NULL));
	assert_null(usyms_name(u, id_of(0x11, 20), 20, 0x10, NULL));
	st = stats_of(u, p_symtab);
	assert_int_equal(st.method, USYM_SYMTAB);
	assert_null(st.go_version);
	assert_int_equal(st.named, 7);
	assert_int_equal(st.unnamed, 5);
	assert_true(st.table_bytes > 0);
	assert_string_equal(usyms_path(u, id_of(0x11, 20), 20), p_symtab);
	usyms_free(u);
}

static void dynsym_when_no_symtab(void **state)
{
	struct usyms *u;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_add_file(u, p_dynsym), 0);
	expect(u, 0x22, 0x401010, "alpha_exported", USYM_DYNSYM);
	expect(u, 0x22, 0x401100, "beta_exported", USYM_DYNSYM);
	expect(u, 0x22, 0x401200, NULL, USYM_NONE);
	assert_int_equal(stats_of(u, p_dynsym).method, USYM_DYNSYM);
	usyms_free(u);
}

/* A stripped file is named from its debug file's .symtab, when one is installed. */
static void debug_file_by_build_id(void **state)
{
	struct usyms *u;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_add_file(u, p_stripped), 0);
	expect(u, 0x77, 0x401100, "beta_exported", USYM_DYNSYM); /* none in /usr/lib/debug */
	usyms_free(u);
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_set_debug_dir(u, p_debug_dir), 0);
	assert_int_equal(usyms_add_file(u, p_stripped), 0);
	expect(u, 0x77, 0x401100, "beta", USYM_DEBUG); /* a local symbol: in .symtab only */
	expect(u, 0x77, 0x4012ff, "gamma", USYM_DEBUG);
	assert_int_equal(stats_of(u, p_stripped).method, USYM_DEBUG);
	assert_string_equal(usym_method_name(USYM_DEBUG), "debug");
	usyms_trim(u); /* the tables, and the debug file, are read again */
	expect(u, 0x77, 0x40130f, "delta", USYM_DEBUG);
	usyms_free(u);
	/* Another build ID's debug file is no debug file of this one. */
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_set_debug_dir(u, p_debug_dir), 0);
	assert_int_equal(usyms_add_file(u, p_dynsym), 0);
	expect(u, 0x22, 0x401100, "beta_exported", USYM_DYNSYM);
	usyms_free(u);
}

static void go_pclntab_section_and_its_c_code(void **state)
{
	struct usym_file_stats st;
	struct usyms *u;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_add_file(u, p_go), 0);
	expect(u, 0x33, 0x400f80, "c_before", USYM_SYMTAB);
	expect(u, 0x33, 0x401000, "runtime.main", USYM_PCLNTAB);
	expect(u, 0x33, 0x4011ff, "runtime.main", USYM_PCLNTAB);
	expect(u, 0x33, 0x401250, "main.main", USYM_PCLNTAB); /* not the ELF's "shadow" */
	expect(u, 0x33, 0x4017ff, "main.main", USYM_PCLNTAB);
	expect(u, 0x33, 0x401800, NULL, USYM_NONE);
	expect(u, 0x33, 0x401920, "crosscall2", USYM_SYMTAB);
	st = stats_of(u, p_go);
	assert_int_equal(st.method, USYM_PCLNTAB);
	assert_string_equal(st.go_version, "1.16");
	usyms_free(u);
}

static void go_pclntab_found_in_a_data_section(void **state)
{
	struct usym_file_stats st;
	struct usyms *u;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_add_file(u, p_godata), 0);
	expect(u, 0x44, 0x401100, "runtime.main", USYM_PCLNTAB);
	expect(u, 0x44, 0x401200, "main.main", USYM_PCLNTAB);
	expect(u, 0x44, 0x40193f, "crosscall2", USYM_DYNSYM);
	st = stats_of(u, p_godata);
	assert_int_equal(st.method, USYM_PCLNTAB);
	assert_string_equal(st.go_version, "1.20");
	usyms_free(u);
}

static void arm32_go_binary(void **state)
{
	struct usym_file_stats st;
	struct usyms *u;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_add_file(u, p_arm), 0);
	expect(u, 0xa1, 0x401004, "runtime.main", USYM_PCLNTAB);
	expect(u, 0xa1, 0x4017fc, "main.main", USYM_PCLNTAB);
	expect(u, 0xa1, 0x401900, "thumb_fn", USYM_SYMTAB);
	expect(u, 0xa1, 0x40193f, "thumb_fn", USYM_SYMTAB);
	expect(u, 0xa1, 0x401940, NULL, USYM_NONE);
	st = stats_of(u, p_arm);
	assert_int_equal(st.method, USYM_PCLNTAB);
	assert_string_equal(st.go_version, "1.18");
	usyms_free(u);
}

static void registration(void **state)
{
	struct usym_file_stats st;
	struct usyms *u;
	char *copy;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_add_file(u, p_noid), -ENODATA);
	assert_int_equal(usyms_add_file(u, p_text), -ENOEXEC);
	assert_int_equal(usyms_add_file(u, dir), -ENOEXEC);
	assert_int_equal(usyms_add_file(u, "/nonexistent/rp-usyms"), -ENOENT);
	assert_int_equal(usyms_file_stats(u, 0, &st), -1);
	/* Twice by path, then the same build ID under another path: one file. */
	assert_int_equal(usyms_add_file(u, p_symtab), 0);
	assert_int_equal(usyms_add_file(u, p_symtab), 0);
	assert_true(asprintf(&copy, "%s/symtab-copy", dir) > 0);
	assert_int_equal(link(p_symtab, copy), 0);
	assert_int_equal(usyms_add_file(u, copy), 0);
	assert_int_equal(usyms_file_stats(u, 0, &st), 0);
	assert_string_equal(st.path, p_symtab);
	assert_int_equal(usyms_file_stats(u, 1, &st), -1);
	/* A short build ID is found as given and as the kernel pads it. */
	assert_int_equal(usyms_add_file(u, p_short), 0);
	assert_string_equal(usyms_name(u, id_of(0x55, 8), 8, OFF(0x401000), NULL), "alpha");
	assert_string_equal(usyms_name(u, id_of(0x55, 8), 20, OFF(0x401000), NULL), "alpha");
	assert_null(usyms_name(u, id_of(0x55, 8), 7, OFF(0x401000), NULL));
	/* Unknown build IDs: no name, no file's count moves. */
	assert_null(usyms_name(u, id_of(0x77, 20), 20, OFF(0x401000), NULL));
	assert_null(usyms_name(u, id_of(0x11, 20), 21, OFF(0x401000), NULL));
	assert_null(usyms_name(u, NULL, 0, OFF(0x401000), NULL));
	assert_null(usyms_path(u, id_of(0x77, 20), 20));
	st = stats_of(u, p_symtab);
	assert_int_equal(st.named + st.unnamed, 0);
	assert_string_equal(usym_method_name(USYM_PCLNTAB), "pclntab");
	assert_string_equal(usym_method_name(USYM_METHOD_COUNT), "none");
	unlink(copy);
	free(copy);
	usyms_free(u);
}

/*
 * Names handed out survive a trim, and the tables' peak stays known; the tables come back for
 * a function not named yet.
 */
static void trim_keeps_names(void **state)
{
	const char *alpha, *again;
	struct usyms *u;
	size_t read;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_add_file(u, p_long), 0);
	alpha = usyms_name(u, id_of(0x66, 20), 20, OFF(0x401010), NULL);
	assert_string_equal(alpha, "alpha");
	read = stats_of(u, p_long).table_bytes;
	assert_true(read > 0);
	usyms_trim(u);
	assert_int_equal(stats_of(u, p_long).table_bytes, 0);
	assert_int_equal(stats_of(u, p_long).table_peak, read); /* the peak stays known */
	assert_true(stats_of(u, p_long).kept_bytes > 0);
	again = usyms_name(u, id_of(0x66, 20), 20, OFF(0x4010f0), NULL);
	assert_ptr_equal(again, alpha);
	assert_int_equal(stats_of(u, p_long).table_bytes, 0); /* from what was kept */
	expect(u, 0x66, 0x401100, "beta", USYM_SYMTAB);
	assert_true(stats_of(u, p_long).table_bytes > 0);
	assert_string_equal(alpha, "alpha");
	assert_true(usyms_memory(u) > 0);
	usyms_free(u);
}

/* The tables a lookup needed stay read through the next trim; one with no lookup drops them. */
static void trim_idle_keeps_needed_tables(void **state)
{
	struct usyms *u;
	size_t read;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_add_file(u, p_long), 0);
	expect(u, 0x66, 0x401010, "alpha", USYM_SYMTAB);
	read = stats_of(u, p_long).table_bytes;
	assert_true(read > 0);
	usyms_trim_idle(u);
	assert_int_equal(stats_of(u, p_long).table_bytes, read);
	expect(u, 0x66, 0x401100, "beta", USYM_SYMTAB);
	usyms_trim_idle(u);
	assert_int_equal(stats_of(u, p_long).table_bytes, read);
	expect(u, 0x66, 0x401010, "alpha", USYM_SYMTAB); /* named before: no table needed */
	usyms_trim_idle(u);
	assert_int_equal(stats_of(u, p_long).table_bytes, 0);
	assert_int_equal(stats_of(u, p_long).table_peak, read);
	expect(u, 0x66, 0x401100, "beta", USYM_SYMTAB);
	usyms_free(u);
}

/* A file replaced by another build between registration and lookup names nothing. */
static void replaced_file_names_nothing(void **state)
{
	struct usyms *u;
	char *path;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	path = write_elf("replaced", &(struct spec){20, 0x88, c_symtab});
	assert_int_equal(usyms_add_file(u, path), 0);
	free(write_elf("replaced", &(struct spec){20, 0x99, c_symtab}));
	expect(u, 0x88, 0x401000, NULL, USYM_NONE);
	expect(u, 0x88, 0x401100, NULL, USYM_NONE);
	assert_int_equal(stats_of(u, path).method, USYM_NONE);
	assert_int_equal(stats_of(u, path).unnamed, 2);
	unlink(path);
	free(path);
	usyms_free(u);
}

/* The tables of a file whose path is gone (a container removed) are still read. */
static void removed_file_still_named(void **state)
{
	struct usyms *u;
	char *path;

	(void)state;
	assert_int_equal(usyms_new(&u), 0);
	path = write_elf("removed", &(struct spec){20, 0xab, c_symtab});
	assert_int_equal(usyms_add_file(u, path), 0);
	assert_int_equal(unlink(path), 0);
	expect(u, 0xab, 0x401100, "beta", USYM_SYMTAB);
	usyms_trim(u);
	expect(u, 0xab, 0x401000, "alpha", USYM_SYMTAB);
	free(path);
	usyms_free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(symtab_names_functions),
		cmocka_unit_test(dynsym_when_no_symtab),
		cmocka_unit_test(debug_file_by_build_id),
		cmocka_unit_test(go_pclntab_section_and_its_c_code),
		cmocka_unit_test(go_pclntab_found_in_a_data_section),
		cmocka_unit_test(arm32_go_binary),
		cmocka_unit_test(registration),
		cmocka_unit_test(trim_keeps_names),
		cmocka_unit_test(trim_idle_keeps_needed_tables),
		cmocka_unit_test(replaced_file_names_nothing),
		cmocka_unit_test(removed_file_still_named),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
