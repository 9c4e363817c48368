// SPDX-License-Identifier: GPL-2.0-only
/* User stacks of on-CPU samples: files registered, stacks copied out of the map and named. */
#include "trace/ustacks.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/kernel.h"
#include "trace/seed.h"
#include "trace/usyms.h"
#include "util/array.h"

#define FOLDED_MAX (KSTACK_DEPTH * 96)

_Static_assert(sizeof(struct bpf_stack_build_id) == 32, "build ID frame");

static int add_path(struct usyms *u, const char *path)
{
	if (path[0] != '/' || strncmp(path, "/proc/", 6) == 0 || strncmp(path, "/dev/", 5) == 0 ||
	    strncmp(path, "/memfd:", 7) == 0)
		return -EINVAL;
	return usyms_add_file(u, path);
}

/* Lines of /proc/PID/maps: "start-end perms offset dev inode   path". */
static void register_maps(struct usyms *u, pid_t pid)
{
	char path[64], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char perms[8], *file;
		size_t len;

		if (sscanf(line, "%*s %7s", perms) != 1 || !strchr(perms, 'x'))
			continue;
		file = strchr(line, '/');
		if (!file)
			continue;
		len = strcspn(file, "\n");
		file[len] = '\0';
		if (len > 10 && strcmp(file + len - 10, " (deleted)") == 0)
			continue;
		add_path(u, file);
	}
	fclose(f);
}

static void register_exe(struct usyms *u, pid_t pid)
{
	char link[64], target[4096];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	/* A file that has no name any more (replaced by an upgrade) is read through the link. */
	if (add_path(u, target) != 0)
		usyms_add_file(u, link);
}

static bool seen_before(struct ustack_files *f, pid_t pid)
{
	for (size_t i = 0; i < f->n_seen; i++)
		if (f->seen[i] == pid)
			return true;
	if (!array_reserve((void **)&f->seen, &f->cap_seen, f->n_seen + 1, sizeof(*f->seen)))
		f->seen[f->n_seen++] = pid;
	return false;
}

void ustacks_register_engine(struct usyms *u, struct ustack_files *f, pid_t dockerd)
{
	pid_t *pids = NULL;
	size_t n = 0;

	if (!u || dockerd <= 0 || seed_engine_pids(dockerd, &pids, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		if (seen_before(f, pids[i]))
			continue;
		register_exe(u, pids[i]);
		register_maps(u, pids[i]);
	}
	free(pids);
}

static bool was_unfound(const struct ustack_files *f, const uint8_t *build_id)
{
	for (size_t i = 0; i < f->n_unfound; i++)
		if (memcmp(f->unfound[i], build_id, KBUILD_ID_LEN) == 0)
			return true;
	return false;
}

/* Build IDs of tk's valid frames for which u has no file and f did not look: the first one
 * (NULL: none), or with note (f itself), each noted there as looked for (then NULL). */
static const uint8_t *scan_unknown(const struct usyms *u, const struct ustack_files *f,
				   const struct trial_kernel *tk, struct ustack_files *note)
{
	const uint8_t *last = NULL; /* a stack's frames mostly share their file */

	for (size_t i = 0; u && i < tk->n_ustacks; i++)
		for (int j = 0; j < tk->ustacks[i].depth; j++) {
			const struct kuframe *fr = &tk->ustacks[i].f[j];

			if (fr->status != KUFRAME_VALID ||
			    (last && memcmp(last, fr->build_id, KBUILD_ID_LEN) == 0))
				continue;
			last = fr->build_id;
			if (usyms_path(u, fr->build_id, KBUILD_ID_LEN) ||
			    was_unfound(f, fr->build_id))
				continue;
			if (!note)
				return fr->build_id;
			if (array_reserve((void **)&note->unfound, &note->cap_unfound,
					  note->n_unfound + 1, sizeof(*note->unfound)))
				return NULL;
			memcpy(note->unfound[note->n_unfound++], fr->build_id, KBUILD_ID_LEN);
		}
	return NULL;
}

bool ustacks_files_known(const struct usyms *u, const struct ustack_files *f,
			 const struct trial_kernel *tk)
{
	return scan_unknown(u, f, tk, NULL) == NULL;
}

void ustacks_note_unfound(const struct usyms *u, struct ustack_files *f,
			  const struct trial_kernel *tk)
{
	scan_unknown(u, f, tk, f);
}

void ustacks_register_execs(struct usyms *u, const struct trial_kernel *tk)
{
	for (size_t i = 0; u && i < tk->n_ev; i++)
		if (tk->ev[i].type == KEV_EXEC)
			add_path(u, tk->ev[i].exec.filename);
}

static int copy_one(struct trial_kernel *tk, int fd, int32_t id)
{
	struct bpf_stack_build_id raw[KSTACK_DEPTH];
	struct kustack s;

	memset(raw, 0, sizeof(raw));
	if (bpf_map_lookup_elem(fd, &id, raw))
		return 0;
	memset(&s, 0, sizeof(s));
	s.id = id;
	for (int i = 0; i < KSTACK_DEPTH && raw[i].status != BPF_STACK_BUILD_ID_EMPTY; i++) {
		struct kuframe *fr = &s.f[s.depth++];

		fr->status = raw[i].status == BPF_STACK_BUILD_ID_VALID ? KUFRAME_VALID : KUFRAME_IP;
		memcpy(fr->build_id, raw[i].build_id, sizeof(fr->build_id));
		fr->off = fr->status == KUFRAME_VALID ? raw[i].offset : raw[i].ip;
	}
	return trial_kernel_add_ustack(tk, &s);
}

int ustacks_copy(struct trial_kernel *tk, int fd)
{
	int32_t *ids = malloc((tk->n_agg + 1) * sizeof(*ids));
	size_t n = 0;
	int rc = 0;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < tk->n_agg; i++)
		if (tk->agg[i].kind == KAGG_ONCPU && tk->agg[i].ustackid >= 0)
			ids[n++] = tk->agg[i].ustackid;
	n = array_sort_unique(ids, n, sizeof(*ids), array_cmp_i32);
	for (size_t i = 0; i < n && !rc; i++)
		rc = copy_one(tk, fd, ids[i]);
	free(ids);
	return rc;
}

void ustacks_delete(const struct trial_kernel *tk, int fd)
{
	for (size_t i = 0; fd >= 0 && i < tk->n_ustacks; i++)
		bpf_map_delete_elem(fd, &tk->ustacks[i].id);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* One frame's name into out: the function, "[unknown FILE]", or "[unknown]". */
static void name_frame(struct usyms *u, const struct kuframe *fr, bool leaf, char *out, size_t len)
{
	const char *name = NULL, *path = NULL;
	/* A return address points past its call, which may be a function's last instruction. */
	uint64_t off = fr->off && !leaf ? fr->off - 1 : fr->off;

	if (fr->status == KUFRAME_VALID && u) {
		name = usyms_name(u, fr->build_id, KBUILD_ID_LEN, off, NULL);
		if (!name)
			path = usyms_path(u, fr->build_id, KBUILD_ID_LEN);
	}
	if (name)
		snprintf(out, len, "%s", name);
	else if (path)
		snprintf(out, len, "[unknown %s]", base_name(path));
	else
		snprintf(out, len, "[unknown]");
	/* ';' separates frames in folded text. */
	for (char *c = out; *c; c++)
		if (*c == ';')
			*c = ':';
}

unsigned long ustacks_name(struct usyms *u, struct trial_kernel *tk)
{
	char *buf = malloc(FOLDED_MAX), frame[256];
	unsigned long ip = 0;

	if (!buf)
		return 0;
	for (size_t i = 0; i < tk->n_ustacks; i++) {
		struct kustack *s = &tk->ustacks[i];
		size_t o = 0;

		buf[0] = '\0';
		for (int k = s->depth - 1; k >= 0; k--) {
			name_frame(u, &s->f[k], k == 0, frame, sizeof(frame));
			ip += s->f[k].status == KUFRAME_IP;
			if (o + strlen(frame) + 2 >= FOLDED_MAX)
				break;
			o += (size_t)snprintf(buf + o, FOLDED_MAX - o, "%s%s", o ? ";" : "", frame);
		}
		free(s->folded);
		s->folded = strdup(buf);
	}
	free(buf);
	return ip;
}

void ustack_files_free(struct ustack_files *f)
{
	free(f->seen);
	free(f->unfound);
	memset(f, 0, sizeof(*f));
}
