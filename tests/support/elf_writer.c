// SPDX-License-Identifier: GPL-2.0-only
#include "support/elf_writer.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "unit/pclntab_blob.h"

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

char *elf_writer_write(const char *dir, const char *name, const struct spec *sp)
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
