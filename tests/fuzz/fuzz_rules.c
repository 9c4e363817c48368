// SPDX-License-Identifier: GPL-2.0-only
/* Cause rules files (--rules FILE): the parser, and matching waits with what it made. */
#include <stddef.h>
#include <stdint.h>

#include "model/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct wait_view waits[] = {
		{"entry;do_fsync;ext4_sync_file;blkdev_issue_flush;io_schedule;schedule",
		 "fdatasync", "/var/lib/docker/network/files/local-kv.db", "iowait", "dockerd",
		 "engine", "kworker/u8:1"},
		{"", "", "", "runq", "runc", "engine", ""},
		{"a;;b;", "umount", "", "call", "", "target", "x"},
	};
	struct rules r;
	char err[256];

	if (rules_parse((const char *)data, size, &r, err, sizeof(err)))
		return 0;
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		rules_match(&r, &waits[i]);
	rules_free(&r);
	return 0;
}
