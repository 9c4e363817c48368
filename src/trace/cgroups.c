// SPDX-License-Identifier: GPL-2.0-only
#include "trace/cgroups.h"

#include <bpf/btf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "util/files.h"
#include "util/proc.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Controllers docker gives every container a cgroup in, in order of preference. */
static const char *const preferred[] = {"pids",	   "memory", "cpu",	"cpuacct",
					"devices", "blkio",  "freezer", "cpuset"};

int cgroup_pick_v1(const char *text, struct cgroup_mode *m)
{
	int best = -1;

	for (size_t want = 0; want < sizeof(preferred) / sizeof(preferred[0]) && best < 0; want++) {
		const char *line = text;
		int row = 0;

		while (line && *line) {
			char name[32];
			int hier, num, enabled;

			if (line[0] != '#' &&
			    sscanf(line, "%31s %d %d %d", name, &hier, &num, &enabled) == 4) {
				if (strcmp(name, preferred[want]) == 0 && hier > 0 && enabled) {
					snprintf(m->controller, sizeof(m->controller), "%s", name);
					m->ssid = row;
					m->root = hier;
					best = row;
					break;
				}
				row++;
			}
			line = strchr(line, '\n');
			if (line)
				line++;
		}
	}
	return best >= 0 ? 0 : -1;
}

/* Does the comma-separated option list hold word? */
static bool has_option(const char *opts, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = opts; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

int cgroup_find_mount(const char *mountinfo, const struct cgroup_mode *m, char *out, size_t len)
{
	const char *line = mountinfo;

	while (line && *line) {
		const char *nl = strchr(line, '\n'), *sep;
		size_t llen = nl ? (size_t)(nl - line) : strlen(line);
		char buf[1024], root[256], point[256], fstype[32], source[128], super[512];

		if (llen < sizeof(buf)) {
			memcpy(buf, line, llen);
			buf[llen] = '\0';
			sep = strstr(buf, " - ");
			/* id parent major:minor root mount-point options [optional...] - type src
			 * super */
			if (sep && sscanf(buf, "%*s %*s %*s %255s %255s", root, point) == 2 &&
			    sscanf(sep + 3, "%31s %127s %511s", fstype, source, super) == 3 &&
			    strcmp(root, "/") == 0) {
				bool hit = m->v2 ? strcmp(fstype, "cgroup2") == 0
						 : strcmp(fstype, "cgroup") == 0 &&
							   has_option(super, m->controller);

				if (hit) {
					snprintf(out, len, "%s", point);
					return 0;
				}
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return -1;
}

int cgroup_task_path(const char *text, const struct cgroup_mode *m, char *out, size_t len)
{
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n'), *c1 = strchr(line, ':'), *c2;
		size_t llen = nl ? (size_t)(nl - line) : strlen(line);

		if (c1 && c1 < line + llen && (c2 = strchr(c1 + 1, ':')) && c2 < line + llen) {
			int hier = atoi(line);
			bool hit = m->v2 ? hier == 0 && c2 == c1 + 1 : hier == m->root;

			if (hit) {
				size_t plen = (size_t)(line + llen - (c2 + 1));

				if (plen + 1 > len)
					return -1;
				memcpy(out, c2 + 1, plen);
				out[plen] = '\0';
				return 0;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return -1;
}

/* The subsystem index from BTF's enum cgroup_subsys_id, -1 when not there. */
static int ssid_from_btf(const struct btf *btf, const char *controller)
{
	char want[64];
	int id;
	const struct btf_type *t;
	const struct btf_enum *e;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, "cgroup_subsys_id", BTF_KIND_ENUM);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	e = btf_enum(t);
	snprintf(want, sizeof(want), "%s_cgrp_id", controller);
	for (int i = 0; i < btf_vlen(t); i++, e++)
		if (strcmp(btf__name_by_offset(btf, e->name_off), want) == 0)
			return e->val;
	return -1;
}

int cgroup_mode_detect(struct cgroup_mode *m, const struct btf *vmlinux, char *err, size_t len)
{
	size_t cap = 1 << 20;
	char *text = malloc(cap);
	struct statfs sf;
	int ssid, rc = -1;

	memset(m, 0, sizeof(*m));
	if (!text) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	if (statfs("/sys/fs/cgroup", &sf) == 0 && (unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC) {
		m->v2 = true;
		m->ssid = -1;
		m->root = 0;
		snprintf(m->controller, sizeof(m->controller), "unified");
	} else {
		if (file_read_small("/proc/cgroups", text, cap) <= 0 || cgroup_pick_v1(text, m)) {
			snprintf(err, len, "no usable cgroup v1 controller in /proc/cgroups");
			goto out;
		}
		ssid = ssid_from_btf(vmlinux, m->controller);
		if (ssid >= 0)
			m->ssid = ssid;
	}
	if (file_read_small("/proc/self/mountinfo", text, cap) <= 0 ||
	    cgroup_find_mount(text, m, m->mount, sizeof(m->mount))) {
		snprintf(err, len, "the %s cgroup hierarchy is not mounted", m->controller);
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

int cgroup_id_of_dir(const char *dir, uint64_t *id)
{
	struct {
		struct file_handle fh;
		unsigned char bytes[64];
	} h;
	int mount_id;

	h.fh.handle_bytes = sizeof(h.bytes);
	if (name_to_handle_at(AT_FDCWD, dir, &h.fh, &mount_id, 0) < 0)
		return -errno;
	if (h.fh.handle_bytes < sizeof(*id))
		return -EPROTO;
	memcpy(id, h.fh.f_handle, sizeof(*id));
	return 0;
}

int cgroup_of_pid(const struct cgroup_mode *m, pid_t pid, uint64_t *id, char *path, size_t len)
{
	char file[64], text[4096], dir[600];

	snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
	if (file_read_small(file, text, sizeof(text)) <= 0)
		return -ESRCH;
	if (cgroup_task_path(text, m, path, len))
		return -ENOENT;
	snprintf(dir, sizeof(dir), "%s%s", m->mount, strcmp(path, "/") == 0 ? "" : path);
	return cgroup_id_of_dir(dir, id);
}
