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

#include "trace/usyms.h"
#include "unit/pclntab_blob.h"

#define TEXT_OFF  0x1000u
#define TEXT_ADDR 0x401000u
#define TEXT_SIZE 0x1000u

/* The file offset of an address in .text, as the kernel reports a frame. */
#define OFF(addr) ((uint64_t)(addr)-TEXT_ADDR + TEXT_OFF)

struct fsym {
	const char *name;
	uint64_t addr, size;
	unsigned char bind, type;
};

/* What a synthetic file holds. */
struct spec {
	size_t id_len; /* 0: no build-ID note */
	uint8_t id_fill;
	const struct fsym *symtab, *dynsym; /* NULL-name terminated, or NULL for none */
	const uint8_t *pcln;		    /* a pclntab, or NULL */
	size_t pcln_len;
	bool pcln_in_data; /* in .data.rel.ro (with .go.buildinfo), not .gopclntab */
	bool arm32;	   /* ELFCLASS32 for EM_ARM, not ELFCLASS64 for EM_X86_64 */
};

static char dir[] = "/tmp/rp-usyms-XXXXXX";

/* A section to write (its bytes are the caller's). */
struct sec {
	const char *name;
	uint32_t type, link;
	uint64_t flags, addr, entsize;
	const void *data;
	size_t size;
	uint64_t off; /* where in the file; 0: after the previous one */
};

static size_t add_str(char *tab, size_t *len, const char *s)
{
	size_t at = *len;

	strcpy(tab + at, s);
	*len += strlen(s) + 1;
	return at;
}

/* One symbol in the file's format: Elf32_Sym or Elf64_Sym (little endian, as this host). */
static size_t put_sym(uint8_t *p, bool is32, uint32_t name, unsigned char info, uint16_t shndx,
		      uint64_t value, uint64_t size)
{
	if (is32) {
		Elf32_Sym s = {name, (Elf32_Addr)value, (Elf32_Word)size, info, 0, shndx};

		memcpy(p, &s, sizeof(s));
		return sizeof(s);
	}
	Elf64_Sym s = {name, info, 0, shndx, value, size};

	memcpy(p, &s, sizeof(s));
	return sizeof(s);
}

/* A symbol table and its string table for syms; text is .text's index. Its bytes. */
static size_t build_syms(const struct fsym *syms, bool is32, size_t text, uint8_t *rows, char *str,
			 size_t *str_len)
{
	size_t len = put_sym(rows, is32, 0, 0, SHN_UNDEF, 0, 0);

	str[0] = '\0';
	*str_len = 1;
	for (const struct fsym *s = syms; s->name; s++)
		len += put_sym(rows + len, is32, (uint32_t)add_str(str, str_len, s->name),
			       (unsigned char)((s->bind << 4) | s->type),
			       s->addr ? (uint16_t)text : SHN_UNDEF, s->addr, s->size);
	return len;
}

static void add_section(Elf *e, const struct sec *s, size_t name, uint64_t *off)
{
	Elf_Scn *scn = elf_newscn(e);
	Elf_Data *d = elf_newdata(scn);
	GElf_Shdr sh;

	assert_non_null(d);
	assert_non_null(gelf_getshdr(scn, &sh));
	if (!s->off)
		*off = (*off + 7) & ~7ull;
	sh.sh_name = (uint32_t)name;
	sh.sh_type = s->type;
	sh.sh_flags = s->flags;
	sh.sh_addr = s->addr;
	sh.sh_offset = s->off ? s->off : *off;
	sh.sh_size = s->size;
	sh.sh_link = s->link;
	sh.sh_entsize = s->entsize;
	sh.sh_addralign = 1;
	assert_true(gelf_update_shdr(scn, &sh));
	d->d_buf = (void *)s->data;
	d->d_size = s->size;
	d->d_type = ELF_T_BYTE;
	d->d_align = 1;
	d->d_version = EV_CURRENT;
	if (!s->off)
		*off += s->size;
}

static void write_headers(Elf *e, const struct spec *sp, uint64_t shoff, size_t shstrndx)
{
	uint64_t note_len = 12 + 4 + sp->id_len;
	const GElf_Phdr ph[] = {
		{.p_type = PT_LOAD,
		 .p_flags = PF_R,
		 .p_offset = 0,
		 .p_vaddr = 0x400000,
		 .p_paddr = 0x400000,
		 .p_filesz = TEXT_OFF,
		 .p_memsz = TEXT_OFF,
		 .p_align = 0x1000},
		{.p_type = PT_LOAD,
		 .p_flags = PF_R | PF_X,
		 .p_offset = TEXT_OFF,
		 .p_vaddr = TEXT_ADDR,
		 .p_paddr = TEXT_ADDR,
		 .p_filesz = TEXT_SIZE,
		 .p_memsz = TEXT_SIZE,
		 .p_align = 0x1000},
		{.p_type = PT_NOTE,
		 .p_flags = PF_R,
		 .p_offset = 0x200,
		 .p_vaddr = 0x400200,
		 .p_paddr = 0x400200,
		 .p_filesz = note_len,
		 .p_memsz = note_len,
		 .p_align = 4},
	};
	size_t nph = sp->id_len ? 3 : 2;
	GElf_Ehdr eh;

	assert_non_null(gelf_getehdr(e, &eh));
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_DYN;
	eh.e_machine = sp->arm32 ? EM_ARM : EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = TEXT_ADDR;
	eh.e_phoff = gelf_fsize(e, ELF_T_EHDR, 1, EV_CURRENT);
	eh.e_shoff = shoff;
	eh.e_shstrndx = (uint16_t)shstrndx;
	assert_true(gelf_update_ehdr(e, &eh));
	assert_non_null(gelf_newphdr(e, nph));
	for (size_t i = 0; i < nph; i++)
		assert_true(gelf_update_phdr(e, (int)i, (GElf_Phdr *)&ph[i]));
}

/* The build-ID note and .text; n sections so far, returns .text's index. */
static size_t add_note_and_text(const struct spec *sp, struct sec *secs, size_t *n)
{
	static uint8_t text[TEXT_SIZE], note[64];

	memset(text, 0xcc, sizeof(text));
	if (sp->id_len) {
		blob_put(note, 4, 4);
		blob_put(note + 4, sp->id_len, 4);
		blob_put(note + 8, NT_GNU_BUILD_ID, 4);
		memcpy(note + 12, "GNU", 4);
		memset(note + 16, sp->id_fill, sp->id_len);
		secs[(*n)++] = (struct sec){.name = ".note.gnu.build-id",
					    .type = SHT_NOTE,
					    .flags = SHF_ALLOC,
					    .addr = 0x400200,
					    .data = note,
					    .size = 16 + sp->id_len,
					    .off = 0x200};
	}
	secs[(*n)++] = (struct sec){.name = ".text",
				    .type = SHT_PROGBITS,
				    .flags = SHF_ALLOC | SHF_EXECINSTR,
				    .addr = TEXT_ADDR,
				    .data = text,
				    .size = sizeof(text),
				    .off = TEXT_OFF};
	return *n;
}

/* .symtab and .dynsym with their string tables, as sp has them. */
static void add_symbols(const struct spec *sp, size_t text_idx, struct sec *secs, size_t *n)
{
	static uint8_t rows[2][32 * sizeof(Elf64_Sym)];
	static char str[2][1024];

	for (int k = 0; k < 2; k++) {
		const struct fsym *syms = k ? sp->dynsym : sp->symtab;
		size_t str_len, len;

		if (!syms)
			continue;
		len = build_syms(syms, sp->arm32, text_idx, rows[k], str[k], &str_len);
		secs[*n] =
			(struct sec){.name = k ? ".dynsym" : ".symtab",
				     .type = k ? SHT_DYNSYM : SHT_SYMTAB,
				     .link = (uint32_t)(*n + 2),
				     .entsize = sp->arm32 ? sizeof(Elf32_Sym) : sizeof(Elf64_Sym),
				     .data = rows[k],
				     .size = len};
		(*n)++;
		secs[(*n)++] = (struct sec){.name = k ? ".dynstr" : ".strtab",
					    .type = SHT_STRTAB,
					    .data = str[k],
					    .size = str_len};
	}
}

/* Go's table: its own section, or inside .data.rel.ro after other data. */
static void add_pclntab(const struct spec *sp, struct sec *secs, size_t *n)
{
	static uint8_t data[8192];

	if (!sp->pcln)
		return;
	if (!sp->pcln_in_data) {
		secs[(*n)++] = (struct sec){.name = ".gopclntab",
					    .type = SHT_PROGBITS,
					    .flags = SHF_ALLOC,
					    .data = sp->pcln,
					    .size = sp->pcln_len};
		return;
	}
	memset(data, 0x5a, 0x48);
	memcpy(data + 0x48, sp->pcln, sp->pcln_len);
	secs[(*n)++] = (struct sec){.name = ".data.rel.ro",
				    .type = SHT_PROGBITS,
				    .flags = SHF_ALLOC | SHF_WRITE,
				    .data = data,
				    .size = 0x48 + sp->pcln_len};
	secs[(*n)++] = (struct sec){.name = ".go.buildinfo",
				    .type = SHT_PROGBITS,
				    .flags = SHF_ALLOC,
				    .data = "\xff Go buildinf:",
				    .size = 14};
}

/* Writes dir/name as sp says; returns its path (the caller frees it). */
static char *write_elf(const char *name, const struct spec *sp)
{
	static char shstr[512];
	struct sec secs[12];
	size_t n = 0, text_idx, shstr_len = 1;
	uint64_t off = 0x2000;
	char *path;
	Elf *e;
	int fd;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	text_idx = add_note_and_text(sp, secs, &n);
	add_symbols(sp, text_idx, secs, &n);
	add_pclntab(sp, secs, &n);
	secs[n++] = (struct sec){.name = ".shstrtab", .type = SHT_STRTAB, .data = shstr};

	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	e = elf_begin(fd, ELF_C_WRITE, NULL);
	assert_non_null(e);
	assert_non_null(gelf_newehdr(e, sp->arm32 ? ELFCLASS32 : ELFCLASS64));
	shstr[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t at = add_str(shstr, &shstr_len, secs[i].name);

		if (i == n - 1)
			secs[i].size = shstr_len;
		add_section(e, &secs[i], at, &off);
	}
	write_headers(e, sp, (off + 7) & ~7ull, n);
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	assert_true(elf_update(e, ELF_C_WRITE) > 0);
	elf_end(e);
	close(fd);
	return path;
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
