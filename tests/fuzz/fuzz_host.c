// SPDX-License-Identifier: GPL-2.0-only
/* /proc/self/mountinfo and /proc/cpuinfo texts, read for run.json. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mount_entry m;
	char model[128];
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	mountinfo_find(s, "/var/lib/docker", &m);
	mountinfo_find(s, "/", &m);
	cpuinfo_model(s, model, sizeof(model));
	free(s);
	return 0;
}
