// SPDX-License-Identifier: GPL-2.0-only
/* What a dynamically linked program needs to run in an empty root filesystem, read with libelf. */
#ifndef RP_ENGINE_ELFDEPS_H
#define RP_ENGINE_ELFDEPS_H

#include <stddef.h>

#define ELFDEPS_MAX_NEEDED 128

struct elf_dyninfo {
	int elf_class; /* ELFCLASS32 / ELFCLASS64 */
	int machine;   /* EM_* */
	char interp[256];
	char runpath[1024]; /* DT_RUNPATH, else DT_RPATH */
	char *needed[ELFDEPS_MAX_NEEDED];
	int n_needed;
};

/* Reads the dynamic section of an ELF image in memory. 0, or -1 if it is no ELF we can read. */
int elf_dyninfo_read(const void *image, size_t len, struct elf_dyninfo *out);
void elf_dyninfo_free(struct elf_dyninfo *di);

struct elf_deps {
	char **paths; /* the program's interpreter and every library, transitively, as found */
	size_t n, cap;
};

/* Every file `program` needs at run time. Libraries not found make it fail, naming them. */
int elf_deps_resolve(const char *program, struct elf_deps *out, char *err, size_t errlen);
void elf_deps_free(struct elf_deps *d);

/* Lines of an ld.so.conf: directories, and `include` globs expanded. Appends to dirs (n of
 * them, room for *cap: 0 with dirs NULL to start). */
int ldconf_read(const char *path, char ***dirs, size_t *n, size_t *cap, int depth);

#endif
