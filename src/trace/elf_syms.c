// SPDX-License-Identifier: GPL-2.0-only
/* An ELF file's build ID, segments and function tables (.symtab/.dynsym, Go's pclntab). */
#include "trace/elf_syms.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/gopclntab.h"

/* A function symbol of size 0 covers up to the next one, at most this far. */
#define SIZELESS_SPAN 4096u
/* A name is read this much at first, and up to the caller's buffer if that was short. */
#define NAME_FIRST_READ 128u

/* Where Go's linker puts the pclntab when it writes no .gopclntab section (PIE builds). */
static const char *const go_data_sections[] = {".data.rel.ro", ".rodata", ".noptrdata"};

static int elf_open(int fd, Elf **out)
{
	GElf_Ehdr eh;
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -ENOEXEC;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e)
		return -ENOEXEC;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		elf_end(e);
		return -ENOEXEC;
	}
	*out = e;
	return 0;
}

/* The GNU build ID among the notes of d; 0 when found. */
static int note_build_id(Elf_Data *d, struct elf_id *id)
{
	size_t off = 0, next, name_off, desc_off;
	GElf_Nhdr nh;

	while (off < d->d_size && (next = gelf_getnote(d, off, &nh, &name_off, &desc_off)) > 0) {
		const char *name = (const char *)d->d_buf + name_off;

		if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && !memcmp(name, "GNU", 4)) {
			if (!nh.n_descsz || nh.n_descsz > USYM_BUILD_ID_MAX)
				return -ENODATA;
			memcpy(id->build_id, (const char *)d->d_buf + desc_off, nh.n_descsz);
			id->build_id_len = nh.n_descsz;
			return 0;
		}
		off = next;
	}
	return -ENODATA;
}

static int read_phdrs(Elf *e, struct elf_id *id)
{
	int rc = -ENODATA;
	size_t n;

	if (elf_getphdrnum(e, &n))
		return -ENOEXEC;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		Elf_Data *d;

		if (!gelf_getphdr(e, (int)i, &ph))
			continue;
		if (ph.p_type == PT_LOAD && id->nseg < ELF_SEGS_MAX && ph.p_filesz) {
			id->seg[id->nseg++] =
				(struct elf_seg){ph.p_offset, ph.p_filesz, ph.p_vaddr, ph.p_memsz,
						 (ph.p_flags & PF_X) != 0};
		} else if (ph.p_type == PT_NOTE && rc && ph.p_filesz) {
			d = elf_getdata_rawchunk(e, (int64_t)ph.p_offset, ph.p_filesz,
						 ph.p_align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
			if (d)
				rc = note_build_id(d, id);
		}
	}
	return rc;
}

static int id_of_elf(Elf *e, struct elf_id *out)
{
	memset(out, 0, sizeof(*out));
	return read_phdrs(e, out);
}

int elf_file_open(const char *path)
{
	/* A FIFO or a terminal met where a program was must not block or become ours. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -ENOEXEC;
	}
	return fd;
}

int elf_id_read(int fd, struct elf_id *out)
{
	Elf *e;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = elf_open(fd, &e);
	if (!rc) {
		rc = id_of_elf(e, out);
		elf_end(e);
	}
	return rc;
}

int elf_id_vaddr(const struct elf_id *id, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < id->nseg; i++) {
		const struct elf_seg *s = &id->seg[i];

		if (off >= s->off && off - s->off < s->filesz) {
			*vaddr = s->vaddr + (off - s->off);
			return 0;
		}
	}
	return -1;
}

/* The section called name, its header in *sh; NULL when none. */
static Elf_Scn *section_named(Elf *e, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(e, &shstrndx))
		return NULL;
	while ((scn = elf_nextscn(e, scn))) {
		const char *s;

		if (!gelf_getshdr(scn, sh))
			continue;
		s = elf_strptr(e, shstrndx, sh->sh_name);
		if (s && !strcmp(s, name))
			return scn;
	}
	return NULL;
}

/* The bytes of a section with contents in the file, or NULL. */
static Elf_Data *section_bytes(Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *d;

	if (sh->sh_type == SHT_NOBITS)
		return NULL;
	d = elf_rawdata(scn, NULL);
	return d && d->d_buf && d->d_size ? d : NULL;
}

/* The address range of the executable segments: where every function must lie. */
static void text_range(const struct elf_id *id, uint64_t *lo, uint64_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (size_t i = 0; i < id->nseg; i++) {
		const struct elf_seg *s = &id->seg[i];

		if (!s->exec)
			continue;
		if (s->vaddr < *lo)
			*lo = s->vaddr;
		if (s->vaddr + s->memsz > *hi)
			*hi = s->vaddr + s->memsz;
	}
	if (*hi <= *lo)
		*lo = *hi = 0;
}

/* The table as ranges, names left in the file (at file_off, where the table starts). */
static int go_table(const struct gopcln *g, uint64_t file_off, struct elf_fn_table *t)
{
	t->fn = g->nfunc <= SIZE_MAX / sizeof(*t->fn) ? malloc(g->nfunc * sizeof(*t->fn)) : NULL;
	if (!t->fn)
		return -ENOMEM;
	for (size_t i = 0; i < g->nfunc; i++) {
		uint64_t lo, hi;
		size_t rec = gopcln_record(g, i);

		gopcln_range(g, i, &lo, &hi);
		if (hi == lo || rec > UINT32_MAX)
			continue;
		t->fn[t->n++] = (struct elf_fn){lo, hi - lo > UINT32_MAX ? UINT32_MAX : hi - lo,
						(uint32_t)rec};
	}
	t->method = USYM_PCLNTAB;
	t->names_off = file_off;
	t->names_len = g->len;
	t->go_funcnames = g->funcnames;
	t->go_name_field = (uint32_t)gopcln_name_field(g);
	return 0;
}

/*
 * gopcln_locate over a section, its headers sought in pieces read from the file: read through
 * the mapped file, a table deep in a Go binary's 20 MiB of data would leave every page before
 * it resident until the file is closed. Only a candidate's own table is read in the mapping.
 */
#define GO_SEARCH_PIECE (256u << 10)

static int go_search(int fd, const GElf_Shdr *sh, const Elf_Data *d, uint64_t text_start,
		     uint64_t lo, uint64_t hi, struct gopcln *g, size_t *at)
{
	uint8_t *piece = malloc(GO_SEARCH_PIECE + 8);
	int tries = 0, rc = -ENOENT;

	for (size_t from = 0; piece && rc && from + 8 <= d->d_size && tries < GOPCLN_LOCATE_TRIES;
	     from += GO_SEARCH_PIECE) {
		size_t want = d->d_size - from < GO_SEARCH_PIECE + 8 ? d->d_size - from
								     : GO_SEARCH_PIECE + 8;
		ssize_t got = pread(fd, piece, want, (off_t)(sh->sh_offset + from));

		if (got < 8)
			break;
		for (size_t off = 0; rc && off + 8 <= (size_t)got && off < GO_SEARCH_PIECE &&
				     tries < GOPCLN_LOCATE_TRIES;
		     off += 4) {
			if (!gopcln_header_at(piece + off))
				continue;
			tries++;
			if (gopcln_candidate((const uint8_t *)d->d_buf + from + off,
					     d->d_size - from - off, text_start, lo, hi, g) == 0) {
				*at = from + off;
				rc = 0;
			}
		}
	}
	free(piece);
	return rc;
}

/* A pclntab in section name, checked against the executable range. */
static int go_in_section(Elf *e, int fd, const char *name, uint64_t text_start, uint64_t lo,
			 uint64_t hi, struct elf_tables *out)
{
	struct gopcln g;
	GElf_Shdr sh;
	Elf_Scn *scn = section_named(e, name, &sh);
	Elf_Data *d = scn ? section_bytes(scn, &sh) : NULL;
	size_t at;
	int rc;

	if (!d || go_search(fd, &sh, d, text_start, lo, hi, &g, &at))
		return -ENOENT;
	rc = go_table(&g, sh.sh_offset + at, &out->go);
	if (!rc)
		out->go_version = gopcln_layout_name(g.layout);
	return rc;
}

/* Go's table: its own section, or found in a data section of a binary Go built. */
static int read_go(Elf *e, int fd, const struct elf_id *id, struct elf_tables *out)
{
	uint64_t text_start = 0, lo, hi;
	GElf_Shdr sh;
	int rc;

	if (section_named(e, ".text", &sh))
		text_start = sh.sh_addr;
	text_range(id, &lo, &hi);
	rc = go_in_section(e, fd, ".gopclntab", text_start, lo, hi, out);
	if (rc != -ENOENT)
		return rc;
	if (!section_named(e, ".go.buildinfo", &sh) && !section_named(e, ".note.go.buildid", &sh))
		return 0;
	for (size_t i = 0; i < sizeof(go_data_sections) / sizeof(go_data_sections[0]); i++) {
		rc = go_in_section(e, fd, go_data_sections[i], text_start, lo, hi, out);
		if (rc != -ENOENT)
			return rc;
	}
	return 0;
}

/* A symbol before sorting: the binding ranks aliases at one address. */
struct sym_in {
	struct elf_fn fn;
	int rank;
};

static int cmp_sym_in(const void *a, const void *b)
{
	const struct sym_in *x = a, *y = b;

	if (x->fn.addr != y->fn.addr)
		return x->fn.addr < y->fn.addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	if (x->fn.size != y->fn.size)
		return x->fn.size > y->fn.size ? -1 : 1;
	return x->fn.name < y->fn.name ? -1 : x->fn.name > y->fn.name;
}

static int bind_rank(unsigned char bind)
{
	return bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
}

/*
 * One per address, sizes bounded by the next function (size 0: up to it, SIZELESS_SPAN) and
 * by Go's code from limit on (0: none).
 */
static size_t settle(struct sym_in *in, size_t n, uint64_t limit, struct elf_fn *fn)
{
	size_t o = 0;

	if (n)
		qsort(in, n, sizeof(*in), cmp_sym_in);
	for (size_t i = 0; i < n; i++)
		if (!o || fn[o - 1].addr != in[i].fn.addr)
			fn[o++] = in[i].fn;
	for (size_t i = 0; i < o; i++) {
		uint64_t room = i + 1 < o ? fn[i + 1].addr - fn[i].addr : UINT32_MAX;

		if (fn[i].addr < limit && limit - fn[i].addr < room)
			room = limit - fn[i].addr;
		if (!fn[i].size)
			fn[i].size = room < SIZELESS_SPAN ? (uint32_t)room : SIZELESS_SPAN;
		else if (fn[i].size > room)
			fn[i].size = (uint32_t)room;
	}
	return o;
}

/* Symbol i as a function of the table, or false when it is none or lies in [skip_lo, skip_hi). */
static bool function_sym(Elf_Data *d, size_t i, const GElf_Shdr *strsh, uint64_t thumb,
			 uint64_t skip_lo, uint64_t skip_hi, struct sym_in *out)
{
	GElf_Sym s;
	uint64_t addr;

	if (!gelf_getsym(d, (int)i, &s) || GELF_ST_TYPE(s.st_info) != STT_FUNC ||
	    s.st_shndx == SHN_UNDEF || !s.st_value || !s.st_name || s.st_name >= strsh->sh_size)
		return false;
	addr = s.st_value & ~thumb;
	if (addr >= skip_lo && addr < skip_hi)
		return false;
	*out = (struct sym_in){
		{addr, s.st_size > UINT32_MAX ? UINT32_MAX : (uint32_t)s.st_size, s.st_name},
		bind_rank(GELF_ST_BIND(s.st_info))};
	return true;
}

/* Function symbols of a symbol table, leaving out [skip_lo, skip_hi) (Go's own code). The
 * arrays are sized to the functions (a pass to count them), not to every symbol. */
static int read_syms(Elf *e, Elf_Scn *scn, const GElf_Shdr *sh, uint64_t skip_lo, uint64_t skip_hi,
		     struct elf_fn_table *t)
{
	GElf_Shdr strsh;
	GElf_Ehdr eh;
	Elf_Scn *strscn = elf_getscn(e, sh->sh_link);
	Elf_Data *d = elf_getdata(scn, NULL);
	size_t fsize = gelf_fsize(e, ELF_T_SYM, 1, EV_CURRENT), count = 0, n = 0, funcs = 0;
	uint64_t thumb;
	struct sym_in *in, one;
	struct elf_fn *fit;

	if (d && fsize)
		count = d->d_size / fsize;
	if (!count || !strscn || !gelf_getshdr(strscn, &strsh) || strsh.sh_type != SHT_STRTAB ||
	    !gelf_getehdr(e, &eh))
		return 0;
	thumb = eh.e_machine == EM_ARM ? 1 : 0; /* bit 0 marks Thumb code, not an address */
	for (size_t i = 0; i < count; i++)
		funcs += function_sym(d, i, &strsh, thumb, skip_lo, skip_hi, &one);
	if (!funcs)
		return 0;
	in = malloc(funcs * sizeof(*in));
	t->fn = malloc(funcs * sizeof(*t->fn));
	if (!in || !t->fn) {
		free(in);
		return -ENOMEM;
	}
	for (size_t i = 0; i < count && n < funcs; i++)
		n += function_sym(d, i, &strsh, thumb, skip_lo, skip_hi, &in[n]);
	t->n = settle(in, n, skip_lo, t->fn);
	free(in);
	if (t->n < funcs && (fit = realloc(t->fn, (t->n ? t->n : 1) * sizeof(*t->fn))))
		t->fn = fit;
	t->method = sh->sh_type == SHT_SYMTAB ? USYM_SYMTAB : USYM_DYNSYM;
	t->names_off = strsh.sh_offset;
	t->names_len = strsh.sh_size;
	return 0;
}

/* The first symbol table of this type (SHT_SYMTAB or SHT_DYNSYM), or NULL. */
static Elf_Scn *section_of_type(Elf *e, uint32_t type, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, sh) && sh->sh_type == type)
			return scn;
	return NULL;
}

/* .symtab when it names a function, else .dynsym. */
static int read_elf(Elf *e, struct elf_tables *out)
{
	const struct elf_fn_table *go = &out->go;
	uint64_t skip_lo = 0, skip_hi = 0;
	GElf_Shdr sh;
	Elf_Scn *scn;
	int rc;

	if (go->n) {
		skip_lo = go->fn[0].addr;
		skip_hi = go->fn[go->n - 1].addr + go->fn[go->n - 1].size;
	}
	scn = section_of_type(e, SHT_SYMTAB, &sh);
	if (scn) {
		rc = read_syms(e, scn, &sh, skip_lo, skip_hi, &out->elf);
		if (rc || out->elf.n)
			return rc;
		free(out->elf.fn);
		memset(&out->elf, 0, sizeof(out->elf));
	}
	scn = section_of_type(e, SHT_DYNSYM, &sh);
	return scn ? read_syms(e, scn, &sh, skip_lo, skip_hi, &out->elf) : 0;
}

int elf_tables_read(int fd, const struct elf_id *id, struct elf_tables *out)
{
	struct elf_id now;
	Elf *e;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = elf_open(fd, &e);
	if (rc)
		return rc;
	if (id_of_elf(e, &now) || now.build_id_len != id->build_id_len ||
	    memcmp(now.build_id, id->build_id, sizeof(now.build_id))) {
		elf_end(e);
		return -ESTALE;
	}
	rc = read_go(e, fd, id, out);
	if (!rc)
		rc = read_elf(e, out);
	elf_end(e);
	if (rc)
		elf_tables_free(out);
	return rc;
}

void elf_tables_free(struct elf_tables *t)
{
	free(t->go.fn);
	free(t->elf.fn);
	memset(t, 0, sizeof(*t));
}

size_t elf_tables_bytes(const struct elf_tables *t)
{
	return (t->go.n + t->elf.n) * sizeof(struct elf_fn);
}

const struct elf_fn *elf_fn_find(const struct elf_fn_table *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;

	if (!t->n || addr < t->fn[0].addr)
		return NULL;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->fn[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return addr - t->fn[lo].addr < t->fn[lo].size ? &t->fn[lo] : NULL;
}

/* Up to len bytes at off, interrupted reads retried; bytes read or -errno. */
static ssize_t read_at(int fd, char *buf, size_t len, uint64_t off)
{
	ssize_t got;

	do
		got = pread(fd, buf, len, (off_t)off);
	while (got < 0 && errno == EINTR);
	return got < 0 ? -errno : got;
}

/* Where a function's name starts, from the table's names_off; -EINVAL when out of range. */
static int name_at(int fd, const struct elf_fn_table *t, const struct elf_fn *f, uint64_t *at)
{
	uint8_t raw[4];
	uint32_t v;

	if (t->method != USYM_PCLNTAB) {
		*at = f->name;
		return f->name < t->names_len ? 0 : -EINVAL;
	}
	if ((uint64_t)f->name + t->go_name_field + 4 > t->names_len ||
	    read_at(fd, (char *)raw, 4, t->names_off + f->name + t->go_name_field) != 4)
		return -EINVAL;
	v = (uint32_t)raw[0] | (uint32_t)raw[1] << 8 | (uint32_t)raw[2] << 16 |
	    (uint32_t)raw[3] << 24;
	/* A negative int32 is corrupt. */
	if (v > INT32_MAX || t->go_funcnames + v >= t->names_len)
		return -EINVAL;
	*at = t->go_funcnames + v;
	return 0;
}

int elf_fn_name(int fd, const struct elf_fn_table *t, const struct elf_fn *f, char *buf, size_t cap)
{
	uint64_t avail, at;
	size_t want, first;
	ssize_t got;
	char *nul;

	if (cap < 2 || name_at(fd, t, f, &at))
		return -EINVAL;
	avail = t->names_len - at;
	want = avail < cap - 1 ? (size_t)avail : cap - 1;
	first = want < NAME_FIRST_READ ? want : NAME_FIRST_READ;
	got = read_at(fd, buf, first, t->names_off + at);
	if (got >= 0 && !memchr(buf, '\0', (size_t)got) && (size_t)got == first && want > first) {
		ssize_t more = read_at(fd, buf + got, want - first, t->names_off + at + first);

		got = more < 0 ? more : got + more;
	}
	if (got < 0)
		return (int)got;
	buf[got] = '\0';
	nul = memchr(buf, '\0', (size_t)got + 1);
	return nul == buf ? -EINVAL : (int)(nul - buf);
}
