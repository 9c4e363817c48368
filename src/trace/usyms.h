// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names for user-space frames, resolved after the process has gone: the kernel gives each
 * frame as (build ID, file offset) (BPF_F_USER_BUILD_ID), and the executables and libraries
 * the tracked processes ran are registered here by path (exec filenames, /proc/PID/maps of the
 * long-lived engine processes). A file's symbol tables are read on its first lookup: the ELF
 * .symtab, else .dynsym, and for Go binaries the pclntab (its .gopclntab section, or found
 * inside a data section when the binary has none, as PIE builds do). The functions that frames
 * hit are kept named; a file's tables stay read while every trial's stacks need them (the
 * engine's binaries: read once per run) and are dropped after a trial that needed none.
 */
#ifndef RP_TRACE_USYMS_H
#define RP_TRACE_USYMS_H

#include <stddef.h>
#include <stdint.h>

#define USYM_BUILD_ID_MAX 20

/* How a file's frames were named. */
enum usym_method {
	USYM_NONE = 0, /* not named: no table, or the offset is in none of its functions */
	USYM_SYMTAB,   /* ELF .symtab */
	USYM_DYNSYM,   /* ELF .dynsym only */
	USYM_PCLNTAB,  /* Go's pclntab */
	USYM_DEBUG,    /* .symtab of the file's separate debug file, found by build ID */
	USYM_METHOD_COUNT
};

struct usyms;

/* Per registered file: what named its frames and how many lookups it answered. */
struct usym_file_stats {
	const char *path;
	enum usym_method method; /* the best table the file has, USYM_NONE when none (known
				    once a lookup has read its tables) */
	const char *go_version;	 /* pclntab layout, "1.16", "1.18", "1.20", or NULL */
	uint64_t named, unnamed; /* lookups (frames) answered with and without a name */
	size_t table_bytes;	 /* memory its tables hold now (0 until a lookup, after a trim
				    that dropped them) */
	size_t table_peak;	 /* the most its tables held at once */
	size_t kept_bytes;	 /* what stays between trims: the functions named, its entry */
};

int usyms_new(struct usyms **out);
void usyms_free(struct usyms *u);

/*
 * Where separate debug files are looked up by build ID (DIR/.build-id/xx/rest.debug, as
 * Debian's -dbg and -dbgsym packages install them) for a file with no .symtab; default
 * /usr/lib/debug. dir is copied: 0 or -ENOMEM.
 */
int usyms_set_debug_dir(struct usyms *u, const char *dir);

/*
 * Registers an executable or shared library by path: reads its build ID (the
 * NT_GNU_BUILD_ID note; Go binaries also carry one) and remembers the path; the symbols are
 * read later, on the first lookup. The file is kept open (the first 256 files registered),
 * so that it can be read even once its path is gone. A path seen before, or a file with the build
 * ID of one registered already, is a no-op. 0, or -errno (no such file, not ELF, no build ID:
 * -ENODATA).
 */
int usyms_add_file(struct usyms *u, const char *path);

/*
 * The function holding file offset `off` of the registered file with this build ID, or NULL
 * (unknown build ID, no table, or outside every function). The name stays valid until
 * usyms_free. *method (may be NULL) says which table named it, USYM_NONE for NULL.
 * Frames past the leaf are return addresses: give their offset minus 1, or a call that
 * ends a function is named after the function that follows it.
 */
const char *usyms_name(struct usyms *u, const uint8_t *build_id, size_t build_id_len, uint64_t off,
		       enum usym_method *method);

/* The path registered under this build ID, or NULL. */
const char *usyms_path(const struct usyms *u, const uint8_t *build_id, size_t build_id_len);

/* Drops the symbol tables read so far (names handed out stay valid). */
void usyms_trim(struct usyms *u);

/*
 * Drops the tables of the files no lookup needed since the previous call: those of the files
 * every trial's stacks name (the engine's) stay read from trial to trial.
 */
void usyms_trim_idle(struct usyms *u);

/* The i-th registered file's stats; 0, or -1 past the end. */
int usyms_file_stats(const struct usyms *u, size_t i, struct usym_file_stats *out);

const char *usym_method_name(enum usym_method m);

/* Memory held: the tables read so far, the functions named and their names. */
size_t usyms_memory(const struct usyms *u);

#endif
