// SPDX-License-Identifier: GPL-2.0-only
/* A remedy set held against the machine: its disk and mount resolved, what cannot work refused. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "remedy/defs.h"
#include "remedy/journal_file.h"
#include "remedy/mount.h"
#include "util/files.h"
#include "util/host.h"

#define MOUNTINFO_LIMIT (4u << 20)

/* The realpath of /sys/block/DISK (DISK from path), into out. */
static int disk_dir_real(const char *path, char *out)
{
	char dir[PATH_MAX];
	size_t k = strcspn(path + 11, "/");

	snprintf(dir, sizeof(dir), "%.*s", (int)(11 + k), path);
	return realpath(dir, out) ? 0 : -errno;
}

int remedy_path_allowed_real(const char *path)
{
	char real[PATH_MAX], disk[PATH_MAX];
	size_t n;

	if (!remedy_path_allowed(path) || strstr(path, "$DEV"))
		return -EACCES;
	if (!realpath(path, real))
		return -errno;
	if (strncmp(path, "/proc/", 6) == 0)
		return strcmp(real, path) == 0 ? 0 : -EACCES;
	/* /sys/block/DISK is a link into /sys/devices: the file must stay in DISK/queue. */
	if (disk_dir_real(path, disk))
		return -ENOENT;
	n = strlen(disk);
	return strncmp(real, disk, n) == 0 && strncmp(real + n, "/queue/", 7) == 0 ? 0 : -EACCES;
}

/* The whole disk under dir (st_dev -> /sys/dev/block/MAJ:MIN, its parent for a partition). */
static int whole_disk(const char *dir, char *out, size_t len, char *err, size_t errlen)
{
	char link[64], real[PATH_MAX], part[PATH_MAX + 16], *base;
	struct stat st;

	if (stat(dir, &st)) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	if (major(st.st_dev) == 0) {
		snprintf(err, errlen, "%s is on no block device (device %u:%u)", dir,
			 major(st.st_dev), minor(st.st_dev));
		return -EINVAL;
	}
	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", major(st.st_dev), minor(st.st_dev));
	if (!realpath(link, real)) {
		snprintf(err, errlen, "%s: %s", link, strerror(errno));
		return -EINVAL;
	}
	snprintf(part, sizeof(part), "%s/partition", real);
	if (access(part, F_OK) == 0)
		*strrchr(real, '/') = '\0';
	base = strrchr(real, '/');
	if (!base || !base[1] || strlen(base + 1) >= len) {
		snprintf(err, errlen, "no disk name in %s", real);
		return -EINVAL;
	}
	snprintf(out, len, "%s", base + 1);
	return 0;
}

/* $DEV in path replaced by disk. */
static int put_disk(char *path, size_t len, const char *disk)
{
	char *at = strstr(path, "$DEV"), tail[PATH_MAX];

	if (!at)
		return 0;
	snprintf(tail, sizeof(tail), "%s", at + 4);
	if ((size_t)(at - path) + strlen(disk) + strlen(tail) >= len)
		return -ENAMETOOLONG;
	sprintf(at, "%s%s", disk, tail);
	return 0;
}

/* A setting the remedy reads and writes: it exists, stays in the allowed trees, is read, and
 * opens for writing. */
static int check_file(const struct remedy *r, const char *path, bool written, char *err,
		      size_t errlen)
{
	char value[JOURNAL_VALUE_LEN];
	int rc = remedy_path_allowed_real(path), fd;

	if (rc == -ENOENT) {
		snprintf(err, errlen, "%s: %s does not exist here (kernel or device without it)",
			 r->name, path);
		return -EINVAL;
	}
	if (rc == -EACCES) {
		snprintf(err, errlen, "%s: %s leads out of /proc/sys/vm and /sys/block/*/queue",
			 r->name, path);
		return -EINVAL;
	}
	if (rc == 0)
		rc = journal_read_value(path, value, sizeof(value));
	if (rc) {
		snprintf(err, errlen, "%s: %s cannot be read (%s), so it would not be restored",
			 r->name, path, strerror(-rc));
		return -EINVAL;
	}
	fd = written ? open(path, O_WRONLY | O_CLOEXEC) : -1;
	if (written && fd < 0) {
		snprintf(err, errlen, "%s: %s cannot be written: %s", r->name, path,
			 strerror(errno));
		return -EINVAL;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static int data_root_mount(const char *data_root, struct mount_opts *m, char *err, size_t errlen)
{
	struct storage_info si;
	char *text = NULL;
	int rc;

	if (storage_describe(data_root, &si)) {
		snprintf(err, errlen, "no mount found for the data-root %s", data_root);
		return -EINVAL;
	}
	rc = file_read_all(AT_FDCWD, "/proc/self/mountinfo", MOUNTINFO_LIMIT, FILE_READ_FOLLOW,
			   &text, NULL);
	if (rc == 0 && mountinfo_options(text, si.mount.mount_point, m))
		rc = -ENOENT;
	free(text);
	if (rc)
		snprintf(err, errlen, "no options found for the mount %s", si.mount.mount_point);
	return rc ? -EINVAL : 0;
}

/* The data-root's filesystem must have discard; the remount point noted when remount. */
static int check_discard(struct remedy *r, const struct remedy_host *host, bool remount, char *err,
			 size_t errlen)
{
	struct mount_opts m;

	if (data_root_mount(host->data_root, &m, err, errlen))
		return -EINVAL;
	if (!opts_has(m.super, "discard") && !opts_has(m.per_mount, "discard")) {
		snprintf(err, errlen,
			 "%s: the data-root's filesystem (%s) is mounted without discard", r->name,
			 m.mount_point);
		return -EINVAL;
	}
	if (remount)
		snprintf(r->remount_nodiscard, sizeof(r->remount_nodiscard), "%s", m.mount_point);
	return 0;
}

static int check_load_fs(struct remedy *r, const struct remedy_host *host, char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct stat a, b;

	if (!realpath(r->load.fs_dir, real) || stat(real, &a) || !S_ISDIR(a.st_mode)) {
		snprintf(err, errlen, "load-fs: %s is no directory here", r->load.fs_dir);
		return -EINVAL;
	}
	if (stat(host->data_root, &b)) {
		snprintf(err, errlen, "the data-root %s: %s", host->data_root, strerror(errno));
		return -EINVAL;
	}
	if (a.st_dev == b.st_dev) {
		snprintf(err, errlen,
			 "load-fs: %s is on the data-root's filesystem: the load would not move",
			 r->load.fs_dir);
		return -EINVAL;
	}
	snprintf(r->load.fs_dir, sizeof(r->load.fs_dir), "%s", real);
	return 0;
}

/*
 * The limit goes on the whole disk the load writes to. On the data-root's own filesystem it
 * backfires: every container stop unmounts an overlay, which syncs that filesystem and so
 * waits for all of the load's throttled writeback (minutes at a few MiB/s).
 */
static int check_load_wbps(const struct remedy_set *set, struct remedy *r,
			   const struct remedy_host *host, char *err, size_t errlen)
{
	const char *dir = NULL;
	char disk[64];
	struct stat st;

	for (int i = 0; i < set->n; i++)
		if (set->r[i].kind == REMEDY_LOAD_FS)
			dir = set->r[i].load.fs_dir;
	if (!dir && !host->insist) {
		snprintf(err, errlen,
			 "load-wbps: the load writes on the data-root's filesystem, which every "
			 "container stop syncs, waiting for the throttled writeback: add "
			 "load-fs=PATH on another filesystem (--insist to try anyway)");
		return -EPERM;
	}
	if (whole_disk(dir ? dir : host->data_root, disk, sizeof(disk), err, errlen))
		return -EINVAL;
	snprintf(r->load.write_dev, sizeof(r->load.write_dev), "/dev/%s", disk);
	if (stat(r->load.write_dev, &st) || !S_ISBLK(st.st_mode)) {
		snprintf(err, errlen, "load-wbps: the load's disk %s is no block device here",
			 r->load.write_dev);
		return -EINVAL;
	}
	return 0;
}

static int check_one(const struct remedy_set *set, struct remedy *r, const struct remedy_host *host,
		     char *err, size_t errlen)
{
	char disk[64] = "";
	long cpus;
	int rc;

	if ((r->needs & REMEDY_NEEDS_CGROUP2) && host->cgroup_version == 1 && !host->insist) {
		snprintf(err, errlen,
			 "%s: on cgroup v1 a write limit does not reach buffered writeback, so it "
			 "may show nothing (--insist to try anyway)",
			 r->name);
		return -EPERM;
	}
	for (int i = 0; i < r->n_set; i++)
		if (strstr(r->set[i].path, "$DEV") && !disk[0] &&
		    whole_disk(host->data_root, disk, sizeof(disk), err, errlen))
			return -EINVAL;
	for (int i = 0; i < r->n_set; i++) {
		if (put_disk(r->set[i].path, sizeof(r->set[i].path), disk))
			return -EINVAL;
		if ((rc = check_file(r, r->set[i].path, true, err, errlen)))
			return rc;
	}
	for (int i = 0; i < r->n_also_saved; i++) {
		if (put_disk(r->also_saved[i], sizeof(r->also_saved[i]), disk))
			return -EINVAL;
		if ((rc = check_file(r, r->also_saved[i], true, err, errlen)))
			return rc;
	}
	switch (r->kind) {
	case REMEDY_LOAD_CPUS:
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		if (r->load.fewer_cpus >= cpus) {
			snprintf(err, errlen,
				 "load-cpus=%d: %ld CPU%s online, the load would have none",
				 r->load.fewer_cpus, cpus, cpus == 1 ? "" : "s");
			return -EINVAL;
		}
		return 0;
	case REMEDY_LOAD_WBPS:
		return check_load_wbps(set, r, host, err, errlen);
	case REMEDY_LOAD_FS:
		return check_load_fs(r, host, err, errlen);
	case REMEDY_NODISCARD:
		return check_discard(r, host, true, err, errlen);
	default:
		if (r->needs & REMEDY_NEEDS_DISCARD)
			return check_discard(r, host, false, err, errlen);
		return 0;
	}
}

int remedy_check(struct remedy_set *set, const struct remedy_host *host, char *err, size_t errlen)
{
	for (int i = 0; i < set->n; i++) {
		int rc = check_one(set, &set->r[i], host, err, errlen);

		if (rc)
			return rc;
	}
	return 0;
}
