// SPDX-License-Identifier: GPL-2.0-only
#include "util/host.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/files.h"
#include "util/proc.h"

#define MOUNTINFO_LIMIT (8u << 20)

static int octal(char c)
{
	return c >= '0' && c <= '7';
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (s[i] == '\\' && i + 3 < n && octal(s[i + 1]) && octal(s[i + 2]) &&
		    octal(s[i + 3])) {
			out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
					  (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/* Splits one line into at most max fields on spaces; returns how many. */
static int split_fields(const char *line, size_t len, const char **f, size_t *flen, int max)
{
	int n = 0;
	size_t i = 0;

	while (i < len && n < max) {
		while (i < len && line[i] == ' ')
			i++;
		if (i >= len)
			break;
		f[n] = line + i;
		while (i < len && line[i] != ' ')
			i++;
		flen[n] = (size_t)(line + i - f[n]);
		n++;
	}
	return n;
}

/* Length of the mount point as a prefix of path on a component boundary, or -1. */
static int prefix_len(const char *mp, const char *path)
{
	size_t n = strlen(mp);

	if (strcmp(mp, "/") == 0)
		return path[0] == '/' ? 1 : -1;
	if (strncmp(mp, path, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return -1;
	return (int)n;
}

static int parse_line(const char *line, size_t len, struct mount_entry *e)
{
	const char *f[32];
	size_t fl[32];
	int n = split_fields(line, len, f, fl, 32), sep = -1;
	char devno[32];

	for (int i = 6; i < n; i++)
		if (fl[i] == 1 && f[i][0] == '-') {
			sep = i;
			break;
		}
	if (n < 7 || sep < 0 || sep + 2 >= n || fl[2] >= sizeof(devno))
		return -1;
	memcpy(devno, f[2], fl[2]);
	devno[fl[2]] = '\0';
	if (sscanf(devno, "%u:%u", &e->major, &e->minor) != 2)
		return -1;
	unescape(f[4], fl[4], e->mount_point, sizeof(e->mount_point));
	unescape(f[sep + 1], fl[sep + 1], e->fstype, sizeof(e->fstype));
	unescape(f[sep + 2], fl[sep + 2], e->source, sizeof(e->source));
	return 0;
}

int mountinfo_find(const char *text, const char *path, struct mount_entry *out)
{
	int best = -1;

	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		struct mount_entry e;

		if (parse_line(line, len, &e) == 0) {
			int k = prefix_len(e.mount_point, path);

			if (k >= 0 && k >= best) {
				best = k;
				*out = e;
			}
		}
		line += len + (nl ? 1 : 0);
	}
	return best >= 0 ? 0 : -1;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\0'))
		s[--n] = '\0';
	size_t k = strspn(s, " \t");

	memmove(s, s + k, strlen(s + k) + 1);
}

int cpuinfo_model(const char *text, char *out, size_t len)
{
	static const char *const keys[] = {"model name", "Model", "Hardware", "Processor",
					   "cpu model"};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		size_t kl = strlen(keys[k]);

		for (const char *line = text; line && *line;) {
			const char *nl = strchr(line, '\n');
			size_t ll = nl ? (size_t)(nl - line) : strlen(line);
			const char *colon = memchr(line, ':', ll);

			if (colon && strncmp(line, keys[k], kl) == 0 &&
			    strspn(line + kl, " \t") == (size_t)(colon - line) - kl) {
				snprintf(out, len, "%.*s", (int)(line + ll - colon - 1), colon + 1);
				trim(out);
				if (*out)
					return 0;
			}
			line = nl ? nl + 1 : NULL;
		}
	}
	out[0] = '\0';
	return -1;
}

const char *storage_type(const char *disk, int rotational, const char *mmc_type,
			 const char *sys_path)
{
	if (strstr(sys_path, "/virtual/"))
		return "virtual";
	if (strncmp(disk, "mmcblk", 6) == 0)
		return strcmp(mmc_type, "MMC") == 0 ? "emmc" : "sd-card";
	if (strncmp(disk, "nvme", 4) == 0)
		return "nvme";
	if (strncmp(disk, "vd", 2) == 0 || strstr(sys_path, "/virtio"))
		return "virtio";
	if (rotational == 1)
		return "hdd";
	if (rotational == 0)
		return "ssd";
	return "unknown";
}

const char *storage_in_memory(const char *fstype, const char *device)
{
	if (strcmp(fstype, "tmpfs") == 0)
		return "tmpfs";
	if (strcmp(fstype, "ramfs") == 0)
		return "ramfs";
	if (strncmp(device, "zram", 4) == 0)
		return "zram";
	if (strncmp(device, "ram", 3) == 0 && device[3] >= '0' && device[3] <= '9')
		return "ramdisk";
	return NULL;
}

static void sys_read(const char *dir, const char *file, char *out, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (file_read_small(path, out, len) <= 0)
		out[0] = '\0';
	trim(out);
}

static void describe_disk(struct storage_info *si)
{
	char link[PATH_MAX], real[PATH_MAX], disk_dir[PATH_MAX], buf[256], mmc[16];
	const char *base;

	snprintf(link, sizeof(link), "/sys/dev/block/%u:%u", si->mount.major, si->mount.minor);
	if (!realpath(link, real))
		return;
	base = strrchr(real, '/');
	snprintf(si->device, sizeof(si->device), "%s", base ? base + 1 : real);
	snprintf(disk_dir, sizeof(disk_dir), "%s", real);
	snprintf(buf, sizeof(buf), "%s/partition", real);
	if (access(buf, F_OK) == 0) {
		char *slash = strrchr(disk_dir, '/');

		if (slash)
			*slash = '\0';
	}
	base = strrchr(disk_dir, '/');
	snprintf(si->disk, sizeof(si->disk), "%s", base ? base + 1 : disk_dir);
	sys_read(disk_dir, "queue/rotational", buf, sizeof(buf));
	si->rotational = buf[0] == '1' ? 1 : buf[0] == '0' ? 0 : -1;
	sys_read(disk_dir, "device/model", si->model, sizeof(si->model));
	if (!si->model[0])
		sys_read(disk_dir, "device/name", si->model, sizeof(si->model));
	sys_read(disk_dir, "device/type", mmc, sizeof(mmc));
	snprintf(si->type, sizeof(si->type), "%s",
		 storage_type(si->disk, si->rotational, mmc, disk_dir));
}

int storage_describe(const char *dir, struct storage_info *si)
{
	char resolved[PATH_MAX];
	char *text;
	int rc;

	memset(si, 0, sizeof(*si));
	si->rotational = -1;
	snprintf(si->path, sizeof(si->path), "%s", dir);
	if (file_read_all(AT_FDCWD, "/proc/self/mountinfo", MOUNTINFO_LIMIT, FILE_READ_FOLLOW,
			  &text, NULL))
		return -1;
	rc = mountinfo_find(text, realpath(dir, resolved) ? resolved : dir, &si->mount);
	free(text);
	if (rc)
		return -1;
	if (si->mount.major != 0)
		describe_disk(si);
	if (!si->type[0])
		snprintf(si->type, sizeof(si->type), "%s", si->mount.fstype);
	return 0;
}

void host_cpu_model(char *out, size_t len)
{
	char *text = NULL;

	if (file_read_all(AT_FDCWD, "/proc/cpuinfo", 1u << 20, FILE_READ_FOLLOW, &text, NULL) ||
	    cpuinfo_model(text, out, len))
		snprintf(out, len, "unknown");
	free(text);
}

void host_governor(char *out, size_t len)
{
	if (file_read_small("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", out, len) <= 0)
		snprintf(out, len, "none");
	trim(out);
}

void host_machine(char *out, size_t len)
{
	if (file_read_small("/proc/device-tree/model", out, len) <= 0 &&
	    file_read_small("/sys/class/dmi/id/product_name", out, len) <= 0)
		out[0] = '\0';
	trim(out);
}

long long host_mem_kib(void)
{
	char buf[4096];
	long long kib = 0;
	const char *p;

	if (file_read_small("/proc/meminfo", buf, sizeof(buf)) > 0 &&
	    (p = strstr(buf, "MemTotal:")) != NULL)
		sscanf(p + 9, "%lld", &kib);
	return kib;
}
