// SPDX-License-Identifier: GPL-2.0-only
/*
 * Synthetic ELF files for the symbol tests, written with libelf: a build-ID note, .text,
 * .symtab and .dynsym, Go's pclntab in .gopclntab or hidden in a data section; 64-bit x86-64
 * or 32-bit ARM. Failures are cmocka assertions.
 */
#ifndef RP_TESTS_SUPPORT_ELF_WRITER_H
#define RP_TESTS_SUPPORT_ELF_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Writes dir/name as sp says; returns its path (the caller frees it). */
char *elf_writer_write(const char *dir, const char *name, const struct spec *sp);

#endif
