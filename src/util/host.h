// SPDX-License-Identifier: GPL-2.0-only
/* What a run records about the machine it ran on: CPU, governor, the disk under a directory. */
#ifndef RP_UTIL_HOST_H
#define RP_UTIL_HOST_H

#include <stddef.h>

struct mount_entry {
	unsigned major, minor; /* st_dev of the filesystem (0:N for ones on no block device) */
	char mount_point[512];
	char fstype[32];
	char source[256];
};

/* The disk a directory lives on, as /proc/self/mountinfo and /sys/block describe it. */
struct storage_info {
	char path[512]; /* the directory asked about */
	struct mount_entry mount;
	char device[64]; /* block device of the filesystem ("sda1", "mmcblk0p2"); "" if none */
	char disk[64];	 /* the whole disk it is part of ("sda", "mmcblk0") */
	char model[128]; /* the disk's model or name, as the kernel knows it */
	int rotational;	 /* 1, 0, or -1 unknown */
	char type[32];	 /* hdd, ssd, nvme, sd-card, emmc, virtio, virtual, or the fstype */
};

/* The mount that holds path (longest mount point on a component boundary; later mounts shadow
 * earlier ones), from mountinfo text. 0, or -1 when none does. */
int mountinfo_find(const char *text, const char *path, struct mount_entry *out);
/* The CPU's name from /proc/cpuinfo text: "model name", else "Model", "Hardware", "Processor". */
int cpuinfo_model(const char *text, char *out, size_t len);
/* Classifies a disk from what sysfs says of it (name, rotational, mmc type, path under /sys). */
const char *storage_type(const char *disk, int rotational, const char *mmc_type,
			 const char *sys_path);

/*
 * Whether a filesystem keeps its data in memory, from its type and block device: "tmpfs",
 * "ramfs", "zram" (a compressed RAM disk, whatever filesystem is on it), "ramdisk" (brd's
 * /dev/ramN), or NULL when it is on a real (or virtual) disk. An engine whose data-root is in
 * memory does no disk I/O: disk effects cannot show.
 */
const char *storage_in_memory(const char *fstype, const char *device);

/* Fills si for dir; fields it cannot learn stay empty (rotational -1). 0, or -1 if no mount. */
int storage_describe(const char *dir, struct storage_info *si);
void host_cpu_model(char *out, size_t len);
/* scaling_governor of cpu0, or "none" when the kernel has no cpufreq for it. */
void host_governor(char *out, size_t len);
/* Board or product name (device tree model, DMI product), "" if unknown. */
void host_machine(char *out, size_t len);
/* MemTotal in KiB, 0 if unknown. */
long long host_mem_kib(void);

#endif
