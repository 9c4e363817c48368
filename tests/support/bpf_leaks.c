// SPDX-License-Identifier: GPL-2.0-only
/* BPF maps restartprof made that outlived their run: nothing of ours may stay in the kernel. */
#include <bpf/bpf.h>
#include <ctype.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "support/harness.h"
#include "util/files.h"
#include "util/proc.h"

static bool held_by_a_process(const char *key, unsigned id)
{
	DIR *proc = opendir("/proc");
	struct dirent *p;
	bool held = false;
	char want[64];

	snprintf(want, sizeof(want), "%s:\t%u\n", key, id);
	while (proc && !held && (p = readdir(proc))) {
		char dir[300];
		DIR *fds;
		struct dirent *f;

		if (!isdigit((unsigned char)p->d_name[0]))
			continue;
		snprintf(dir, sizeof(dir), "/proc/%s/fdinfo", p->d_name);
		fds = opendir(dir);
		while (fds && !held && (f = readdir(fds))) {
			char path[600], text[1024];

			snprintf(path, sizeof(path), "%s/%s", dir, f->d_name);
			if (file_read_small(path, text, sizeof(text)) > 0 && strstr(text, want))
				held = true;
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
	return held;
}

/* Maps named rp_* (every restartprof object has them) that no live process holds. */
static int orphan_maps(bool report)
{
	unsigned id = 0;
	int orphans = 0;

	while (bpf_map_get_next_id(id, &id) == 0) {
		struct bpf_map_info info = {0};
		unsigned len = sizeof(info);
		int fd = bpf_map_get_fd_by_id(id);
		bool ours;

		if (fd < 0)
			continue;
		ours = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 &&
		       strncmp(info.name, "rp_", 3) == 0;
		close(fd); /* our own look must not count as a holder */
		if (ours && !held_by_a_process("map_id", id)) {
			if (report)
				fprintf(stderr, "BPF map %u (%s) outlived its run\n", id,
					info.name);
			orphans++;
		}
	}
	return orphans;
}

/* The kernel frees a closed program's maps a moment later (deferred work): allow 20 s (a loaded
 * machine defers longer). */
int harness_leaked_bpf_maps(void)
{
	for (int i = 0; i < 400; i++) {
		if (orphan_maps(false) == 0)
			return 0;
		usleep(50000);
	}
	return orphan_maps(true);
}
