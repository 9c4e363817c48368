// SPDX-License-Identifier: GPL-2.0-only
/*
 * One ELF file's identity and function tables, read with libelf for trace/usyms.c: its GNU
 * build ID and load segments, then its functions as sorted address ranges whose names stay
 * in the file (read one at a time by offset, so a 75 MB Go binary costs its table only).
 */
#ifndef RP_TRACE_ELF_SYMS_H
#define RP_TRACE_ELF_SYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trace/usyms.h"

#define ELF_SEGS_MAX 16

/* A PT_LOAD segment: file bytes [off, off + filesz) are mapped at vaddr. */
struct elf_seg {
	uint64_t off, filesz, vaddr, memsz;
	bool exec;
};

struct elf_id {
	uint8_t build_id[USYM_BUILD_ID_MAX]; /* zero-padded, as the kernel reports it */
	size_t build_id_len;
	struct elf_seg seg[ELF_SEGS_MAX];
	size_t nseg;
};

/* Opens path for reading, never blocking on a FIFO: fd, or -errno (-ENOEXEC when it is no
 * regular file). */
int elf_file_open(const char *path);

/*
 * Reads the build ID of the open file fd (an NT_GNU_BUILD_ID note in a PT_NOTE segment, the
 * one the kernel reads) and its PT_LOAD segments. 0, or -errno: -ENOEXEC when it is no ELF
 * executable or library, -ENODATA when it has no build ID of at most USYM_BUILD_ID_MAX
 * bytes.
 */
int elf_id_read(int fd, struct elf_id *out);

/* The virtual address of file offset off, through the segment holding it; -1 when none. */
int elf_id_vaddr(const struct elf_id *id, uint64_t off, uint64_t *vaddr);

/*
 * A function: [addr, addr + size); its name at file offset names_off + name, or for the
 * pclntab, its record there (which gives the name's offset, so that building the table reads
 * only the function table of a large binary).
 */
struct elf_fn {
	uint64_t addr;
	uint32_t size;
	uint32_t name;
};

struct elf_fn_table {
	enum usym_method method;
	struct elf_fn *fn; /* sorted by addr, not overlapping */
	size_t n;
	uint64_t names_off, names_len; /* the string table in the file, or the pclntab */
	uint64_t go_funcnames;	       /* pclntab: where its names start, from names_off */
	uint32_t go_name_field;	       /* pclntab: where a record holds its name's offset */
};

struct elf_tables {
	struct elf_fn_table go;	 /* from the pclntab (USYM_PCLNTAB), or empty */
	struct elf_fn_table elf; /* .symtab, else .dynsym; in a Go binary only functions outside
				    the pclntab's range (its C code) */
	const char *go_version;	 /* pclntab layout name, or NULL */
};

/*
 * Reads the function tables of the open file fd, which must carry id's build ID (-ESTALE
 * otherwise). No table at all is no error (both empty). 0, or -errno.
 */
int elf_tables_read(int fd, const struct elf_id *id, struct elf_tables *out);
void elf_tables_free(struct elf_tables *t);
/* Memory the tables hold. */
size_t elf_tables_bytes(const struct elf_tables *t);

/* The function of table t holding addr, or NULL. */
const struct elf_fn *elf_fn_find(const struct elf_fn_table *t, uint64_t addr);

/*
 * Reads a function's name from fd into buf (cap bytes, NUL-terminated; a longer name is cut).
 * Its length, or -errno (-EINVAL when the file holds no name there).
 */
int elf_fn_name(int fd, const struct elf_fn_table *t, const struct elf_fn *f, char *buf,
		size_t cap);

#endif
