// SPDX-License-Identifier: GPL-2.0-only
/*
 * User-space symbols on the engine's real binaries as installed here (containerd, its shim,
 * runc, dockerd, whose pclntab has no section of its own) and on the C library: functions
 * taken from each binary's own tables, and from this process's own mappings, come back
 * named by build ID and file offset. Needs no engine running; an engine binary that is not
 * installed is skipped, and the test fails when none is.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/gopclntab.h"
#include "trace/usyms.h"

/* Functions of a table checked per binary, spread over it. */
#define SPREAD 400

static const char *const go_bins[] = {"/usr/bin/containerd", "/usr/bin/containerd-shim-runc-v2",
				      "/usr/sbin/runc", "/usr/sbin/dockerd"};
static int found_go_bins;

/* A binary opened for the test's own reading: mapped whole, libelf over the map. */
struct bin {
	const char *path;
	int fd;
	void *map;
	size_t len;
	Elf *e;
	uint8_t id[USYM_BUILD_ID_MAX];
	size_t id_len;
};

static bool bin_open(struct bin *b, const char *path)
{
	struct stat st;
	Elf_Scn *scn = NULL;

	memset(b, 0, sizeof(*b));
	b->path = path;
	b->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (b->fd < 0)
		return false;
	assert_int_equal(fstat(b->fd, &st), 0);
	b->len = (size_t)st.st_size;
	b->map = mmap(NULL, b->len, PROT_READ, MAP_PRIVATE, b->fd, 0);
	assert_true(b->map != MAP_FAILED);
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	b->e = elf_memory(b->map, b->len);
	assert_non_null(b->e);
	while ((scn = elf_nextscn(b->e, scn))) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		size_t name, desc;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		if (gelf_getnote(d, 0, &nh, &name, &desc) && nh.n_type == NT_GNU_BUILD_ID &&
		    nh.n_descsz <= USYM_BUILD_ID_MAX) {
			memcpy(b->id, (char *)d->d_buf + desc, nh.n_descsz);
			b->id_len = nh.n_descsz;
		}
	}
	assert_true(b->id_len > 0);
	return true;
}

static void bin_close(struct bin *b)
{
	elf_end(b->e);
	munmap(b->map, b->len);
	close(b->fd);
}

/* The file offset of vaddr, through the PT_LOAD holding it. */
static uint64_t bin_offset(const struct bin *b, uint64_t vaddr)
{
	size_t n;

	assert_int_equal(elf_getphdrnum(b->e, &n), 0);
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (gelf_getphdr(b->e, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz)
			return vaddr - ph.p_vaddr + ph.p_offset;
	}
	fail_msg("%s: 0x%llx is in no segment", b->path, (unsigned long long)vaddr);
	return 0;
}

static Elf_Scn *bin_section(const struct bin *b, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	assert_int_equal(elf_getshdrstrndx(b->e, &shstrndx), 0);
	while ((scn = elf_nextscn(b->e, scn))) {
		const char *s;

		if (gelf_getshdr(scn, sh) && (s = elf_strptr(b->e, shstrndx, sh->sh_name)) &&
		    !strcmp(s, name))
			return scn;
	}
	return NULL;
}

static const char *name_at(struct usyms *u, const struct bin *b, uint64_t vaddr,
			   enum usym_method *m)
{
	return usyms_name(u, b->id, b->id_len, bin_offset(b, vaddr), m);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The Go binary's pclntab read by the parser itself: its own section, else found in a data
 * section (what dockerd needs). */
static bool bin_pclntab(const struct bin *b, struct gopcln *g, const char **where)
{
	static const char *const secs[] = {".gopclntab", ".data.rel.ro", ".rodata", ".noptrdata"};
	GElf_Shdr text, sh;
	uint64_t text_start = bin_section(b, ".text", &text) ? text.sh_addr : 0;

	for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++) {
		size_t at;

		if (!bin_section(b, secs[i], &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		if (!gopcln_locate((const uint8_t *)b->map + sh.sh_offset, sh.sh_size, text_start,
				   text.sh_addr, text.sh_addr + text.sh_size + 4096, g, &at)) {
			*where = secs[i];
			return true;
		}
	}
	return false;
}

/* Functions spread over the pclntab, at their first, middle and last byte: the same name. */
static void check_against_pclntab(struct usyms *u, const struct bin *b, const struct gopcln *g,
				  int *runtime_names)
{
	size_t step = g->nfunc > SPREAD ? g->nfunc / SPREAD : 1;

	for (size_t i = 0; i < g->nfunc; i += step) {
		uint64_t lo, hi, at[3];
		size_t off;

		gopcln_range(g, i, &lo, &hi);
		if (hi == lo || gopcln_name_offset(g, i, &off, NULL))
			continue;
		at[0] = lo, at[1] = lo + (hi - lo) / 2, at[2] = hi - 1;
		for (int k = 0; k < 3; k++) {
			enum usym_method m;
			const char *name = name_at(u, b, at[k], &m);
			const char *want = (const char *)g->data + off;

			if (!name || strcmp(name, want))
				fail_msg("%s: 0x%llx: %s, not %s", b->path,
					 (unsigned long long)at[k], name ? name : "(none)", want);
			assert_int_equal(m, USYM_PCLNTAB);
			*runtime_names +=
				!strncmp(name, "runtime.", 8) || !strncmp(name, "main.", 5);
		}
	}
}

/* True when .dynsym (d, sh) gives the function at addr the name name too (an alias). */
static bool dynsym_alias(const struct bin *b, Elf_Data *d, const GElf_Shdr *sh, uint64_t addr,
			 const char *name)
{
	size_t count = sh->sh_size / sh->sh_entsize;

	for (size_t j = 0; j < count; j++) {
		GElf_Sym t;
		const char *tn;

		if (gelf_getsym(d, (int)j, &t) && t.st_value == addr &&
		    (tn = elf_strptr(b->e, sh->sh_link, t.st_name)) && !strcmp(tn, name))
			return true;
	}
	return false;
}

/* name without its type arguments (Go's pclntab writes "[...]" where ELF names the types),
 * and without the ".abi0" ELF gives assembly functions. */
static void go_plain(const char *name, char *out, size_t cap)
{
	size_t o = 0, n = strlen(name);
	int depth = 0;

	if (n > 5 && !strcmp(name + n - 5, ".abi0"))
		n -= 5;
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		depth += name[i] == '[';
		if (!depth)
			out[o++] = name[i];
		depth -= name[i] == ']' && depth;
	}
	out[o] = '\0';
}

static bool same_go_name(const char *elf_name, const char *name)
{
	char a[4096], b[4096];

	go_plain(elf_name, a, sizeof(a));
	go_plain(name, b, sizeof(b));
	return !strcmp(a, b);
}

static Elf_Scn *bin_dynsym(const struct bin *b, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(b->e, scn)))
		if (gelf_getshdr(scn, sh) && sh->sh_type == SHT_DYNSYM && sh->sh_entsize)
			return scn;
	return NULL;
}

/*
 * The exported functions of .dynsym inside [lo, hi) (Go's code in a Go binary), spread: the
 * name found is one the table gives that address (aliases share one). Returns how many.
 */
static int check_against_dynsym(struct usyms *u, const struct bin *b, uint64_t lo, uint64_t hi,
				enum usym_method want_method)
{
	GElf_Shdr sh;
	Elf_Scn *scn = bin_dynsym(b, &sh);
	Elf_Data *d;
	size_t count, step;
	int checked = 0;

	if (!scn || !(d = elf_getdata(scn, NULL)))
		return 0;
	count = sh.sh_size / sh.sh_entsize;
	step = count > SPREAD ? count / SPREAD : 1;
	for (size_t i = 0; i < count; i += step) {
		GElf_Sym s;
		enum usym_method m;
		const char *name, *want;

		/* The next defined function from i on. */
		for (; i < count; i++)
			if (gelf_getsym(d, (int)i, &s) && GELF_ST_TYPE(s.st_info) == STT_FUNC &&
			    s.st_shndx != SHN_UNDEF && s.st_size && s.st_value >= lo &&
			    s.st_value < hi)
				break;
		if (i == count)
			break;
		want = elf_strptr(b->e, sh.sh_link, s.st_name);
		assert_non_null(want);
		/* Go's linker shortens the ELF names of its generated type functions to hashes. */
		if (!strncmp(want, "type..", 6))
			continue;
		name = name_at(u, b, s.st_value + s.st_size / 2, &m);
		if (!name)
			fail_msg("%s: %s (0x%llx) not named", b->path, want,
				 (unsigned long long)s.st_value);
		assert_int_equal(m, want_method);
		if (strcmp(name, want) && !same_go_name(want, name) &&
		    !dynsym_alias(b, d, &sh, s.st_value, name))
			fail_msg("%s: 0x%llx: %s, not %s", b->path, (unsigned long long)s.st_value,
				 name, want);
		checked++;
	}
	return checked;
}

static void report(struct usyms *u, const char *path, double first_ms, int checked)
{
	struct usym_file_stats st;

	for (size_t i = 0; usyms_file_stats(u, i, &st) == 0; i++) {
		if (strcmp(st.path, path))
			continue;
		fprintf(stderr,
			"usyms: %-40s method %-7s Go %-4s first lookup %6.1f ms, tables %6zu KiB, "
			"%llu named, %llu unnamed, %d checked against .dynsym\n",
			path, usym_method_name(st.method), st.go_version ? st.go_version : "-",
			first_ms, st.table_bytes / 1024, (unsigned long long)st.named,
			(unsigned long long)st.unnamed, checked);
	}
}

static void test_go_binaries(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(go_bins) / sizeof(go_bins[0]); i++) {
		struct usyms *u;
		struct gopcln g;
		struct bin b;
		const char *where = NULL, *name;
		GElf_Ehdr eh;
		double t0, first_ms;
		int runtime_names = 0, checked;
		uint64_t lo, hi;

		if (!bin_open(&b, go_bins[i])) {
			fprintf(stderr, "usyms: %s not installed here: skipped\n", go_bins[i]);
			continue;
		}
		found_go_bins++;
		assert_true(bin_pclntab(&b, &g, &where));
		assert_int_equal(usyms_new(&u), 0);
		assert_int_equal(usyms_add_file(u, b.path), 0);
		assert_non_null(gelf_getehdr(b.e, &eh));
		/* The first lookup reads the tables: the entry point (Go's, or the C start). */
		t0 = now_ms();
		name = name_at(u, &b, eh.e_entry, NULL);
		first_ms = now_ms() - t0;
		fprintf(stderr, "usyms: %s: pclntab in %s, layout %s, %zu functions; entry %s\n",
			b.path, where, gopcln_layout_name(g.layout), g.nfunc,
			name ? name : "(none)");
		check_against_pclntab(u, &b, &g, &runtime_names);
		assert_true(runtime_names > 0);
		gopcln_range(&g, 0, &lo, &hi);
		gopcln_range(&g, g.nfunc - 1, &hi, &hi);
		checked = check_against_dynsym(u, &b, lo, hi, USYM_PCLNTAB);
		report(u, b.path, first_ms, checked);
		fprintf(stderr, "usyms: %s: memory %zu KiB with its tables, ", b.path,
			usyms_memory(u) / 1024);
		usyms_trim(u);
		fprintf(stderr, "%zu KiB after usyms_trim\n", usyms_memory(u) / 1024);
		/* Names found before the trim are still named, from what was kept. */
		check_against_pclntab(u, &b, &g, &runtime_names);
		usyms_free(u);
		bin_close(&b);
	}
}

/* The mapping of this process holding addr: its file and the offset in it, as the kernel
 * computes a build-ID frame's offset. */
static bool own_offset(uintptr_t addr, char *path, size_t cap, uint64_t *off)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[4096];
	bool found = false;

	assert_non_null(f);
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi, pgoff;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %n", &lo, &hi, &pgoff, &pos) < 3 ||
		    !pos || addr < lo || addr >= hi)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, cap, "%s", line + pos);
		*off = addr - lo + pgoff;
		found = true;
	}
	fclose(f);
	return found;
}

/* Functions of the C library this test calls, named from the offsets of this process. */
/* Whether b's separate debug file is installed under /usr/lib/debug/.build-id. */
static bool debug_file_installed(const struct bin *b)
{
	char path[128];
	int n = snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%02x/", b->id[0]);

	for (size_t i = 1; i < b->id_len; i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", b->id[i]);
	snprintf(path + n, sizeof(path) - (size_t)n, ".debug");
	return access(path, R_OK) == 0;
}

static void test_libc(void **state)
{
	static const struct {
		const char *name;
		uintptr_t addr;
	} fns[] = {{"getppid", (uintptr_t)&getppid},
		   {"sched_yield", (uintptr_t)&sched_yield},
		   {"getpid", (uintptr_t)&getpid},
		   {"umask", (uintptr_t)&umask},
		   {"sync", (uintptr_t)&sync}};
	char libc[4096], path[4096];
	struct usym_file_stats st;
	struct usyms *u;
	struct bin b;
	GElf_Shdr sh;
	Elf_Data *d;
	uint64_t off;
	int named = 0, checked;
	double t0, first_ms = -1;

	(void)state;
	assert_true(own_offset((uintptr_t)&getppid, libc, sizeof(libc), &off));
	if (!strstr(libc, "libc.so") || !bin_open(&b, libc)) {
		fprintf(stderr, "usyms: no C library found in this process's mappings: skipped\n");
		return;
	}
	assert_int_equal(usyms_new(&u), 0);
	assert_int_equal(usyms_add_file(u, b.path), 0);
	assert_non_null(bin_dynsym(&b, &sh));
	d = elf_getdata(bin_dynsym(&b, &sh), NULL);
	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		enum usym_method m;
		const char *name;

		/* A sanitizer may stand in for a function: only the C library's own count. */
		if (!own_offset(fns[i].addr, path, sizeof(path), &off) || strcmp(path, libc))
			continue;
		t0 = now_ms();
		name = usyms_name(u, b.id, b.id_len, off, &m);
		if (first_ms < 0)
			first_ms = now_ms() - t0;
		if (!name)
			fail_msg("%s: %s at offset 0x%llx not named", libc, fns[i].name,
				 (unsigned long long)off);
		if (strcmp(name, fns[i].name)) {
			GElf_Sym s;
			bool alias = false;

			/* getpid's other names (__getpid) are the same function. */
			for (size_t j = 0; j < sh.sh_size / sh.sh_entsize && !alias; j++) {
				const char *sn;

				alias = gelf_getsym(d, (int)j, &s) &&
					(sn = elf_strptr(b.e, sh.sh_link, s.st_name)) &&
					!strcmp(sn, fns[i].name) &&
					dynsym_alias(&b, d, &sh, s.st_value, name);
			}
			if (!alias)
				fail_msg("%s: %s named %s", libc, fns[i].name, name);
		}
		assert_true(m == USYM_DYNSYM || m == USYM_SYMTAB || m == USYM_DEBUG);
		named++;
	}
	assert_true(named > 0);
	assert_int_equal(usyms_file_stats(u, 0, &st), 0);
	/* Debian's libc6-dbg (make test installs it) holds the .symtab that libc lacks. */
	if (debug_file_installed(&b))
		assert_int_equal(st.method, USYM_DEBUG);
	checked = check_against_dynsym(u, &b, 0, UINT64_MAX, st.method);
	assert_true(checked > 0);
	report(u, b.path, first_ms, checked);
	usyms_free(u);
	bin_close(&b);
}

static void test_some_binary_found(void **state)
{
	(void)state;
	if (!found_go_bins)
		fail_msg("none of the engine's Go binaries is installed here");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_binaries),
		cmocka_unit_test(test_libc),
		cmocka_unit_test(test_some_binary_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
