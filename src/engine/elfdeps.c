// SPDX-License-Identifier: GPL-2.0-only
#include "engine/elfdeps.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/array.h"

#define MAX_LIBS 256

/* A copy of s at the end of the list v (n strings, room for *cap). */
static int append_copy(char ***v, size_t *n, size_t *cap, const char *s)
{
	char *copy;

	if (array_reserve((void **)v, cap, *n + 1, sizeof(**v)))
		return -1;
	copy = strdup(s);
	if (!copy)
		return -1;
	(*v)[(*n)++] = copy;
	return 0;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void read_interp(Elf *e, const char *image, size_t len, struct elf_dyninfo *out)
{
	size_t n;

	if (elf_getphdrnum(e, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		if (ph.p_offset >= len || ph.p_filesz > len - ph.p_offset || ph.p_filesz == 0 ||
		    ph.p_filesz >= sizeof(out->interp))
			return;
		memcpy(out->interp, image + ph.p_offset, ph.p_filesz);
		out->interp[ph.p_filesz] = '\0';
		out->interp[strnlen(out->interp, sizeof(out->interp) - 1)] = '\0';
		return;
	}
}

static void read_dynamic(Elf *e, struct elf_dyninfo *out)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC || !sh.sh_entsize)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		size_t count = data->d_size / sh.sh_entsize;

		for (size_t i = 0; i < count; i++) {
			GElf_Dyn dyn;
			const char *s;

			if (!gelf_getdyn(data, (int)i, &dyn) || dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RUNPATH &&
			    dyn.d_tag != DT_RPATH)
				continue;
			s = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
			if (!s)
				continue;
			if (dyn.d_tag == DT_NEEDED) {
				if (out->n_needed < ELFDEPS_MAX_NEEDED && !strchr(s, '/') && *s)
					out->needed[out->n_needed++] = strdup(s);
			} else if (dyn.d_tag == DT_RUNPATH || !out->runpath[0]) {
				snprintf(out->runpath, sizeof(out->runpath), "%s", s);
			}
		}
	}
}

int elf_dyninfo_read(const void *image, size_t len, struct elf_dyninfo *out)
{
	GElf_Ehdr eh;
	Elf *e;

	memset(out, 0, sizeof(*out));
	if (elf_version(EV_CURRENT) == EV_NONE || len < EI_NIDENT)
		return -1;
	e = elf_memory((char *)image, len);
	if (!e)
		return -1;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		elf_end(e);
		return -1;
	}
	out->elf_class = gelf_getclass(e);
	out->machine = eh.e_machine;
	read_interp(e, image, len, out);
	read_dynamic(e, out);
	elf_end(e);
	return 0;
}

void elf_dyninfo_free(struct elf_dyninfo *di)
{
	for (int i = 0; i < di->n_needed; i++)
		free(di->needed[i]);
	di->n_needed = 0;
}

static int dyninfo_of_file(const char *path, struct elf_dyninfo *out)
{
	struct stat st;
	void *map;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size < EI_NIDENT) {
		close(fd);
		return -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	rc = elf_dyninfo_read(map, (size_t)st.st_size, out);
	munmap(map, (size_t)st.st_size);
	return rc;
}

int ldconf_read(const char *path, char ***dirs, size_t *n, size_t *cap, int depth)
{
	char line[PATH_MAX];
	FILE *f;

	if (depth > 4)
		return 0;
	struct stat st;
	int lines = 0;

	f = fopen(path, "re");
	if (!f)
		return 0;
	/* Only regular files, and only so much of them: /dev/zero is no configuration. */
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return 0;
	}
	while (lines++ < 10000 && fgets(line, sizeof(line), f)) {
		char *p = line + strspn(line, " \t");

		p[strcspn(p, "#\r\n")] = '\0';
		for (char *end = p + strlen(p); end > p && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		if (!*p)
			continue;
		if (strncmp(p, "include", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
			char *pat = p + 8 + strspn(p + 8, " \t");
			char full[PATH_MAX];
			glob_t g;

			if (pat[0] != '/') {
				char dir[PATH_MAX];

				snprintf(dir, sizeof(dir), "%s", path);
				snprintf(full, sizeof(full), "%s/%s", dirname(dir), pat);
				pat = full;
			}
			if (glob(pat, 0, NULL, &g) == 0) {
				/* Bounded, as real configurations include a few dozen. */
				for (size_t i = 0; i < g.gl_pathc && i < 256; i++)
					ldconf_read(g.gl_pathv[i], dirs, n, cap, depth + 1);
				globfree(&g);
			}
		} else if (p[0] == '/') {
			append_copy(dirs, n, cap, p);
		}
	}
	fclose(f);
	return 0;
}

static const char *multiarch_triplet(int machine, int elf_class)
{
	switch (machine) {
	case EM_X86_64:
		return "x86_64-linux-gnu";
	case EM_AARCH64:
		return "aarch64-linux-gnu";
	case EM_ARM:
		return "arm-linux-gnueabihf";
	case EM_386:
		return "i386-linux-gnu";
	default:
		return elf_class == ELFCLASS64 ? "unknown64" : "unknown32";
	}
}

struct search {
	char **dirs;
	size_t n, cap;
	int elf_class;
	int machine;
};

static void search_init(struct search *s, const struct elf_dyninfo *prog, const char *origin)
{
	static const char *const generic[] = {"/lib64", "/usr/lib64", "/lib", "/usr/lib"};
	char buf[PATH_MAX];

	memset(s, 0, sizeof(*s));
	s->elf_class = prog->elf_class;
	s->machine = prog->machine;
	/* RUNPATH entries, with $ORIGIN, come first. */
	char *rp = strdup(prog->runpath), *save = NULL;

	for (char *tok = rp ? strtok_r(rp, ":", &save) : NULL; tok;
	     tok = strtok_r(NULL, ":", &save)) {
		if (strncmp(tok, "$ORIGIN", 7) == 0) {
			snprintf(buf, sizeof(buf), "%s%s", origin, tok + 7);
			append_copy(&s->dirs, &s->n, &s->cap, buf);
		} else if (tok[0] == '/') {
			append_copy(&s->dirs, &s->n, &s->cap, tok);
		}
	}
	free(rp);
	ldconf_read("/etc/ld.so.conf", &s->dirs, &s->n, &s->cap, 0);
	const char *triplet = multiarch_triplet(prog->machine, prog->elf_class);

	snprintf(buf, sizeof(buf), "/lib/%s", triplet);
	append_copy(&s->dirs, &s->n, &s->cap, buf);
	snprintf(buf, sizeof(buf), "/usr/lib/%s", triplet);
	append_copy(&s->dirs, &s->n, &s->cap, buf);
	for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		append_copy(&s->dirs, &s->n, &s->cap, generic[i]);
}

/* A library file of the program's own class and machine, or -1. */
static int find_lib(const struct search *s, const char *name, char *out, size_t outlen,
		    struct elf_dyninfo *di)
{
	for (size_t i = 0; i < s->n; i++) {
		snprintf(out, outlen, "%s/%s", s->dirs[i], name);
		if (access(out, R_OK) != 0 || dyninfo_of_file(out, di) != 0)
			continue;
		if (di->elf_class == s->elf_class && di->machine == s->machine)
			return 0;
		elf_dyninfo_free(di);
	}
	return -1;
}

static int has_str(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

static void append_copy_unique(char ***v, size_t *n, size_t *cap, const char *s)
{
	if (!has_str(*v, *n, s))
		append_copy(v, n, cap, s);
}

int elf_deps_resolve(const char *program, struct elf_deps *out, char *err, size_t errlen)
{
	struct elf_dyninfo prog;
	struct search s;
	char origin[PATH_MAX], path[PATH_MAX];
	char **queue = NULL;
	size_t nq = 0, cap_q = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (dyninfo_of_file(program, &prog) != 0) {
		snprintf(err, errlen, "%s is not an ELF program that can be read", program);
		return -ENOEXEC;
	}
	snprintf(origin, sizeof(origin), "%s", program);
	search_init(&s, &prog, dirname(origin));
	if (prog.interp[0])
		append_copy(&out->paths, &out->n, &out->cap, prog.interp);
	for (int i = 0; i < prog.n_needed; i++)
		append_copy_unique(&queue, &nq, &cap_q, prog.needed[i]);
	/* Breadth first over DT_NEEDED; names already placed are not looked up again. */
	for (size_t qi = 0; qi < nq; qi++) {
		struct elf_dyninfo lib;

		if (out->n >= MAX_LIBS) {
			snprintf(err, errlen, "%s needs more than %d libraries", program, MAX_LIBS);
			goto done;
		}
		if (find_lib(&s, queue[qi], path, sizeof(path), &lib) != 0) {
			snprintf(err, errlen, "%s needs %s, which is not found", program,
				 queue[qi]);
			rc = -ENOENT;
			goto done;
		}
		if (!has_str(out->paths, out->n, path)) {
			append_copy(&out->paths, &out->n, &out->cap, path);
			for (int i = 0; i < lib.n_needed; i++)
				append_copy_unique(&queue, &nq, &cap_q, lib.needed[i]);
		}
		elf_dyninfo_free(&lib);
	}
	rc = 0;
done:
	free_strs(queue, nq);
	free_strs(s.dirs, s.n);
	elf_dyninfo_free(&prog);
	if (rc)
		elf_deps_free(out);
	return rc;
}

void elf_deps_free(struct elf_deps *d)
{
	free_strs(d->paths, d->n);
	d->paths = NULL;
	d->n = 0;
	d->cap = 0;
}
