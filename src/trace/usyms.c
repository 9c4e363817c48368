// SPDX-License-Identifier: GPL-2.0-only
/* User-space frames named by (build ID, file offset): registered files, lazy tables, names. */
#include "trace/usyms.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/elf_syms.h"
#include "util/array.h"
#include "util/text_index.h"

/* Names are kept in chunks of this size (a longer name gets its own). */
#define NAME_CHUNK (64u * 1024)
/* Longest name read from a file; a longer one is cut. */
#define NAME_MAX_READ 4096
/*
 * Files kept open from their registration on, so that their tables can still be read once
 * the path is gone (a container removed, /proc/PID/... of a process that exited). Past
 * this many, a file is opened again by path on its first lookup.
 */
#define KEPT_OPEN_MAX 256

enum table_state {
	TABLES_UNREAD, /* never looked up, or trimmed */
	TABLES_READ,
	TABLES_FAILED, /* unreadable, or another file now: not tried again */
};

/* A function a lookup named: kept across usyms_trim. */
struct hit {
	uint64_t lo, hi;
	const char *name;
	enum usym_method method;
};

struct ufile {
	char *path;
	struct elf_id id;
	enum table_state state;
	int fd;	      /* names are read from it; -1 when not open */
	int debug_fd; /* its debug file, when that gave the tables: names are read from it */
	bool kept;    /* fd open from registration to usyms_free */
	struct elf_tables tab;
	enum usym_method method;
	const char *go_version;
	uint64_t named, unnamed;
	struct hit *hit; /* sorted by lo */
	size_t n_hit, hit_cap;
	size_t table_peak; /* the most its tables held before a trim */
	bool needed;	   /* a lookup read its tables since the last usyms_trim_idle */
};

struct name_chunk {
	struct name_chunk *next;
	size_t used, cap;
	char text[];
};

struct usyms {
	struct ufile **file;
	size_t n_file, file_cap;
	size_t last;	   /* the file the previous lookup found */
	size_t kept;	   /* files kept open */
	const char **name; /* interned names, indexed by ix */
	size_t n_name, name_cap;
	struct text_index ix;
	struct name_chunk *chunks;
	char *debug_dir; /* NULL: DEBUG_DIR */
};

#define DEBUG_DIR "/usr/lib/debug"

int usyms_new(struct usyms **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

int usyms_set_debug_dir(struct usyms *u, const char *dir)
{
	char *copy = strdup(dir);

	if (!copy)
		return -ENOMEM;
	free(u->debug_dir);
	u->debug_dir = copy;
	return 0;
}

/* What a file holds between trims: its entry, its path, the functions named. */
static size_t file_kept_bytes(const struct ufile *f)
{
	return sizeof(*f) + strlen(f->path) + 1 + f->hit_cap * sizeof(*f->hit);
}

static void file_tables_drop(struct ufile *f)
{
	size_t bytes = elf_tables_bytes(&f->tab);

	if (bytes > f->table_peak)
		f->table_peak = bytes;
	elf_tables_free(&f->tab);
	if (f->debug_fd >= 0) {
		close(f->debug_fd);
		f->debug_fd = -1;
	}
	if (f->fd >= 0 && !f->kept) {
		close(f->fd);
		f->fd = -1;
	}
	if (f->state == TABLES_READ)
		f->state = TABLES_UNREAD;
}

void usyms_free(struct usyms *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->n_file; i++) {
		file_tables_drop(u->file[i]);
		if (u->file[i]->fd >= 0)
			close(u->file[i]->fd);
		free(u->file[i]->hit);
		free(u->file[i]->path);
		free(u->file[i]);
	}
	free(u->file);
	while (u->chunks) {
		struct name_chunk *next = u->chunks->next;

		free(u->chunks);
		u->chunks = next;
	}
	free(u->name);
	free(u->debug_dir);
	text_index_clear(&u->ix);
	free(u);
}

/* The index of the registered file with this build ID (zero-padded to USYM_BUILD_ID_MAX),
 * trying position hint first; n_file when none. */
static size_t file_index(const struct usyms *u, const uint8_t *id, size_t len, size_t hint)
{
	uint8_t key[USYM_BUILD_ID_MAX] = {0};

	if (!id || !len || len > USYM_BUILD_ID_MAX)
		return u->n_file;
	memcpy(key, id, len);
	if (hint < u->n_file && !memcmp(u->file[hint]->id.build_id, key, sizeof(key)))
		return hint;
	for (size_t i = 0; i < u->n_file; i++)
		if (!memcmp(u->file[i]->id.build_id, key, sizeof(key)))
			return i;
	return u->n_file;
}

/* A new file, fd kept open when there is room; NULL when out of memory. */
static struct ufile *file_add(struct usyms *u, const char *path, const struct elf_id *id, int fd)
{
	struct ufile *f;

	if (array_reserve((void **)&u->file, &u->file_cap, u->n_file + 1, sizeof(*u->file)))
		return NULL;
	f = calloc(1, sizeof(*f));
	if (!f || !(f->path = strdup(path))) {
		free(f);
		return NULL;
	}
	f->id = *id;
	f->fd = f->debug_fd = -1;
	if (u->kept < KEPT_OPEN_MAX) {
		f->fd = fd;
		f->kept = true;
		u->kept++;
	}
	u->file[u->n_file++] = f;
	return f;
}

int usyms_add_file(struct usyms *u, const char *path)
{
	struct ufile *f = NULL;
	struct elf_id id;
	int fd, rc;

	for (size_t i = 0; i < u->n_file; i++)
		if (!strcmp(u->file[i]->path, path))
			return 0;
	fd = elf_file_open(path);
	if (fd < 0)
		return fd;
	rc = elf_id_read(fd, &id);
	if (!rc && file_index(u, id.build_id, id.build_id_len, u->last) == u->n_file) {
		f = file_add(u, path, &id, fd);
		rc = f ? 0 : -ENOMEM;
	}
	if (!f || !f->kept)
		close(fd);
	return rc;
}

const char *usyms_path(const struct usyms *u, const uint8_t *build_id, size_t build_id_len)
{
	size_t i = file_index(u, build_id, build_id_len, u->last);

	return i < u->n_file ? u->file[i]->path : NULL;
}

static const char *name_key(const void *array, size_t i)
{
	return ((const char *const *)array)[i];
}

/* A copy of s (len bytes) that lives until usyms_free, or NULL. */
static char *chunk_copy(struct usyms *u, const char *s, size_t len)
{
	struct name_chunk *c = u->chunks;
	char *at;

	if (!c || c->cap - c->used < len + 1) {
		size_t cap = len + 1 > NAME_CHUNK ? len + 1 : NAME_CHUNK;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		/* A name bigger than a chunk goes behind the current one, which stays open. */
		if (u->chunks && cap > NAME_CHUNK) {
			c->next = u->chunks->next;
			u->chunks->next = c;
		} else {
			c->next = u->chunks;
			u->chunks = c;
		}
	}
	at = c->text + c->used;
	memcpy(at, s, len);
	at[len] = '\0';
	c->used += len + 1;
	return at;
}

/* The one copy of name s (len bytes) this usyms keeps, or NULL when out of memory. */
static const char *intern(struct usyms *u, const char *s, size_t len)
{
	size_t *slot;
	char *copy;

	if (text_index_reserve(&u->ix, u->n_name, name_key, u->name) ||
	    array_reserve((void **)&u->name, &u->name_cap, u->n_name + 1, sizeof(*u->name)))
		return NULL;
	slot = text_index_slot(&u->ix, s, len, name_key, u->name);
	if (*slot)
		return u->name[*slot - 1];
	copy = chunk_copy(u, s, len);
	if (!copy)
		return NULL;
	u->name[u->n_name++] = copy;
	*slot = u->n_name;
	return copy;
}

/* Index of the first hit whose lo is above addr. */
static size_t hit_upper(const struct ufile *f, uint64_t addr)
{
	size_t lo = 0, hi = f->n_hit;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->hit[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct hit *hit_find(const struct ufile *f, uint64_t addr)
{
	size_t i = hit_upper(f, addr);

	return i && addr < f->hit[i - 1].hi ? &f->hit[i - 1] : NULL;
}

/* Remembers a named function (a failure only costs a table read later). */
static void hit_add(struct ufile *f, const struct hit *h)
{
	size_t i = hit_upper(f, h->lo);

	if (array_reserve((void **)&f->hit, &f->hit_cap, f->n_hit + 1, sizeof(*f->hit)))
		return;
	memmove(f->hit + i + 1, f->hit + i, (f->n_hit - i) * sizeof(*f->hit));
	f->hit[i] = *h;
	f->n_hit++;
}

/* The debug file of a file by its build ID: fd, or -errno. */
static int debug_file_open(const struct usyms *u, const struct elf_id *id)
{
	char path[PATH_MAX];
	int n;

	if (id->build_id_len < 2)
		return -ENOENT;
	n = snprintf(path, sizeof(path), "%s/.build-id/%02x/",
		     u->debug_dir ? u->debug_dir : DEBUG_DIR, id->build_id[0]);
	for (size_t i = 1; i < id->build_id_len && n > 0 && (size_t)n < sizeof(path) - 8; i++)
		n += snprintf(path + n, sizeof(path) - (size_t)n, "%02x", id->build_id[i]);
	if (n <= 0 || (size_t)n >= sizeof(path) - 8)
		return -ENAMETOOLONG;
	strcpy(path + n, ".debug");
	return elf_file_open(path);
}

/*
 * The .symtab of f's separate debug file, found by its build ID, as f's tables; false when
 * there is none that holds one (f's tables stay as they were).
 */
static bool tables_from_debug_file(const struct usyms *u, struct ufile *f)
{
	struct elf_tables dbg;
	int fd = debug_file_open(u, &f->id);

	if (fd < 0)
		return false;
	if (elf_tables_read(fd, &f->id, &dbg) || dbg.elf.method != USYM_SYMTAB || dbg.go.n) {
		elf_tables_free(&dbg); /* empty already when the read failed */
		close(fd);
		return false;
	}
	elf_tables_free(&f->tab);
	f->tab = dbg;
	f->tab.elf.method = USYM_DEBUG;
	f->method = USYM_DEBUG;
	f->debug_fd = fd;
	return true;
}

/* Reads f's tables if they are not; false when it has none to read. */
static bool tables_ready(struct usyms *u, struct ufile *f)
{
	if (f->state == TABLES_READ)
		return true;
	if (f->state == TABLES_FAILED)
		return false;
	/* Named from its debug file before a trim: that file alone is read again. */
	if (f->method == USYM_DEBUG && tables_from_debug_file(u, f)) {
		f->state = TABLES_READ;
		return true;
	}
	if (f->fd < 0)
		f->fd = elf_file_open(f->path);
	if (f->fd < 0 || elf_tables_read(f->fd, &f->id, &f->tab)) {
		file_tables_drop(f);
		f->state = TABLES_FAILED;
		return false;
	}
	f->state = TABLES_READ;
	f->method = f->tab.go.n ? USYM_PCLNTAB : f->tab.elf.n ? f->tab.elf.method : USYM_NONE;
	f->go_version = f->tab.go_version;
	/* A stripped file (no .symtab, no pclntab): its debug file's .symtab when installed. */
	if (f->method != USYM_SYMTAB && f->method != USYM_PCLNTAB)
		tables_from_debug_file(u, f);
	return true;
}

/* An ELF symbol's name without its version ("svcraw_create@GLIBC_2.2.5" in a .symtab). */
static int unversioned_len(const struct elf_fn_table *t, const char *name, int len)
{
	const char *at = t->method == USYM_PCLNTAB ? NULL : memchr(name, '@', (size_t)len);

	return at && at > name ? (int)(at - name) : len;
}

/* Names addr from f's tables into *h, remembering the function; false when none holds it. */
static bool name_from_tables(struct usyms *u, struct ufile *f, uint64_t addr, struct hit *h)
{
	const struct elf_fn_table *tabs[] = {&f->tab.go, &f->tab.elf};
	char buf[NAME_MAX_READ];

	f->needed = true;
	if (!tables_ready(u, f))
		return false;
	for (size_t i = 0; i < sizeof(tabs) / sizeof(tabs[0]); i++) {
		const struct elf_fn *fn = elf_fn_find(tabs[i], addr);
		int len;

		if (!fn)
			continue;
		len = elf_fn_name(f->debug_fd >= 0 ? f->debug_fd : f->fd, tabs[i], fn, buf,
				  sizeof(buf));
		if (len <= 0)
			return false;
		len = unversioned_len(tabs[i], buf, len);
		*h = (struct hit){fn->addr, fn->addr + fn->size, intern(u, buf, (size_t)len),
				  tabs[i]->method};
		if (!h->name)
			return false;
		hit_add(f, h);
		return true;
	}
	return false;
}

const char *usyms_name(struct usyms *u, const uint8_t *build_id, size_t build_id_len, uint64_t off,
		       enum usym_method *method)
{
	size_t i = file_index(u, build_id, build_id_len, u->last);
	const struct hit *known;
	struct ufile *f;
	struct hit h;
	uint64_t addr;
	bool found = false;

	if (method)
		*method = USYM_NONE;
	if (i == u->n_file)
		return NULL;
	u->last = i;
	f = u->file[i];
	if (!elf_id_vaddr(&f->id, off, &addr)) {
		known = hit_find(f, addr);
		if (known)
			h = *known;
		found = known || name_from_tables(u, f, addr, &h);
	}
	if (!found) {
		f->unnamed++;
		return NULL;
	}
	f->named++;
	if (method)
		*method = h.method;
	return h.name;
}

void usyms_trim(struct usyms *u)
{
	for (size_t i = 0; i < u->n_file; i++)
		file_tables_drop(u->file[i]);
}

void usyms_trim_idle(struct usyms *u)
{
	for (size_t i = 0; i < u->n_file; i++) {
		if (!u->file[i]->needed)
			file_tables_drop(u->file[i]);
		u->file[i]->needed = false;
	}
}

int usyms_file_stats(const struct usyms *u, size_t i, struct usym_file_stats *out)
{
	const struct ufile *f;

	if (i >= u->n_file)
		return -1;
	f = u->file[i];
	*out = (struct usym_file_stats){f->path,  f->method,  f->go_version,
					f->named, f->unnamed, elf_tables_bytes(&f->tab)};
	out->table_peak = out->table_bytes > f->table_peak ? out->table_bytes : f->table_peak;
	out->kept_bytes = file_kept_bytes(f);
	return 0;
}

size_t usyms_memory(const struct usyms *u)
{
	size_t bytes = sizeof(*u) + u->file_cap * sizeof(*u->file) +
		       u->name_cap * sizeof(*u->name) + u->ix.n_slots * sizeof(*u->ix.slot);

	for (size_t i = 0; i < u->n_file; i++) {
		const struct ufile *f = u->file[i];

		bytes += file_kept_bytes(f) + elf_tables_bytes(&f->tab);
	}
	for (const struct name_chunk *c = u->chunks; c; c = c->next)
		bytes += sizeof(*c) + c->cap;
	return bytes;
}

const char *usym_method_name(enum usym_method m)
{
	static const char *const names[USYM_METHOD_COUNT] = {"none", "symtab", "dynsym", "pclntab",
							     "debug"};

	return (unsigned)m < USYM_METHOD_COUNT ? names[m] : "none";
}
