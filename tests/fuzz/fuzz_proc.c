// SPDX-License-Identifier: GPL-2.0-only
/* /proc/PID/stat, /proc/net/unix and /proc/meminfo texts, and the owner labels that name a
 * run's process. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trial/session.h"
#include "util/proc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long start;
	char comm[16], boot[64];
	pid_t ppid;
	int pid;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	proc_stat_parse(s, size, &ppid, &start, comm);
	owner_parse(s, boot, sizeof(boot), &pid, &start);
	proc_net_unix_listener(s, size, "/run/docker.sock");
	{
		long long dirty, wb;

		meminfo_parse(s, size, &dirty, &wb);
	}
	free(s);
	return 0;
}
