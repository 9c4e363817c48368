// SPDX-License-Identifier: GPL-2.0-only
/* What run.json says about the host: mountinfo, cpuinfo and disk types, from text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/host.h"

static const char mountinfo[] =
	"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
	"27 1 179:2 / / rw,noatime - ext4 /dev/mmcblk0p2 rw\n"
	"30 27 8:1 / /var/lib rw - ext4 /dev/sda1 rw\n"
	"31 30 0:45 / /var/lib/docker/overlay2/x/merged rw - overlay overlay rw,lowerdir=a\n"
	"32 27 8:17 / /mnt/with\\040space rw - xfs /dev/sdb1 rw\n"
	"33 27 0:50 / /var/lib2 rw - tmpfs tmpfs rw\n"
	"34 30 8:33 / /var/lib rw shared:1 master:2 - btrfs /dev/sdc1 rw\n";

static void longest_mount_wins(void **state)
{
	struct mount_entry e;

	(void)state;
	assert_int_equal(mountinfo_find(mountinfo, "/home/pi", &e), 0);
	assert_string_equal(e.mount_point, "/");
	assert_true(e.major == 179 && e.minor == 2);
	assert_string_equal(e.source, "/dev/mmcblk0p2");
	/* /var/lib was mounted twice: the later mount shadows the earlier one. Optional fields
	 * before the separator are skipped. */
	assert_int_equal(mountinfo_find(mountinfo, "/var/lib/docker", &e), 0);
	assert_string_equal(e.mount_point, "/var/lib");
	assert_string_equal(e.fstype, "btrfs");
	assert_true(e.major == 8 && e.minor == 33);
	/* On a component boundary only: /var/lib2 is not under /var/lib. */
	assert_int_equal(mountinfo_find(mountinfo, "/var/lib2/x", &e), 0);
	assert_string_equal(e.fstype, "tmpfs");
	assert_int_equal(mountinfo_find(mountinfo, "/mnt/with space/docker", &e), 0);
	assert_string_equal(e.mount_point, "/mnt/with space");
	assert_int_equal(mountinfo_find("garbage\n\n1 2 3\n", "/", &e), -1);
}

static void cpu_names(void **state)
{
	char out[128];

	(void)state;
	assert_int_equal(
		cpuinfo_model("processor\t: 0\nmodel name\t: Intel(R) Xeon(R)\n", out, sizeof(out)),
		0);
	assert_string_equal(out, "Intel(R) Xeon(R)");
	/* Raspberry Pi OS on arm64: no "model name", a "Model" line at the end. */
	assert_int_equal(cpuinfo_model("processor\t: 0\nBogoMIPS\t: 108.00\nCPU part\t: 0xd08\n\n"
				       "Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B\n",
				       out, sizeof(out)),
			 0);
	assert_string_equal(out, "Raspberry Pi 4 Model B");
	assert_int_equal(cpuinfo_model("model name:\n", out, sizeof(out)), -1);
}

static void disk_types(void **state)
{
	(void)state;
	assert_string_equal(storage_type("mmcblk0", 0, "SD", "/sys/devices/platform/mmc0/mmcblk0"),
			    "sd-card");
	assert_string_equal(storage_type("mmcblk1", 0, "MMC", "/sys/x/mmcblk1"), "emmc");
	assert_string_equal(storage_type("nvme0n1", 0, "", "/sys/x/nvme0n1"), "nvme");
	assert_string_equal(storage_type("vda", 1, "", "/sys/devices/pci/virtio1/block/vda"),
			    "virtio");
	assert_string_equal(storage_type("sda", 1, "", "/sys/devices/pci/ata1/sda"), "hdd");
	assert_string_equal(storage_type("sda", 0, "", "/sys/devices/pci/usb1/sda"), "ssd");
	assert_string_equal(storage_type("loop0", 0, "", "/sys/devices/virtual/block/loop0"),
			    "virtual");
}

/* A data-root in RAM: by filesystem type, or by the RAM-backed block device under it. */
static void memory_filesystems(void **state)
{
	static const char mounts[] = "22 1 254:1 / / rw - ext4 /dev/vda1 rw\n"
				     "30 22 0:27 / /tmp rw - tmpfs tmpfs rw\n"
				     "31 22 0:28 / /var/lib/rp rw - ramfs ramfs rw\n"
				     "32 22 252:0 / /var/lib/docker rw - ext4 /dev/zram0 rw\n";
	struct mount_entry e;

	(void)state;
	assert_string_equal(storage_in_memory("tmpfs", ""), "tmpfs");
	assert_string_equal(storage_in_memory("ramfs", ""), "ramfs");
	assert_string_equal(storage_in_memory("ext4", "zram0"), "zram");
	assert_string_equal(storage_in_memory("btrfs", "zram12"), "zram");
	assert_string_equal(storage_in_memory("ext4", "ram0"), "ramdisk");
	assert_null(storage_in_memory("ext4", "vda1"));
	assert_null(storage_in_memory("xfs", "nvme0n1p2"));
	assert_null(storage_in_memory("ext4", "ramblk")); /* not brd's ramN */
	assert_null(storage_in_memory("overlay", ""));
	/* A private engine's data-root under a tmpfs /tmp is caught by its mount. */
	assert_int_equal(mountinfo_find(mounts, "/tmp/rp-engine.1/root", &e), 0);
	assert_string_equal(storage_in_memory(e.fstype, ""), "tmpfs");
	assert_int_equal(mountinfo_find(mounts, "/var/tmp/rp-engine.1/root", &e), 0);
	assert_null(storage_in_memory(e.fstype, "vda1"));
	assert_int_equal(mountinfo_find(mounts, "/var/lib/rp/root", &e), 0);
	assert_string_equal(storage_in_memory(e.fstype, ""), "ramfs");
}

static void this_machine(void **state)
{
	struct storage_info si;

	(void)state;
	/* / is on some mount here; the rest depends on the machine and is only checked to be
	 * filled consistently. */
	assert_int_equal(storage_describe("/", &si), 0);
	assert_string_equal(si.mount.mount_point, "/");
	assert_true(si.type[0] != '\0');
	assert_true(si.rotational >= -1 && si.rotational <= 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(longest_mount_wins), cmocka_unit_test(cpu_names),
		cmocka_unit_test(disk_types),	      cmocka_unit_test(memory_filesystems),
		cmocka_unit_test(this_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
