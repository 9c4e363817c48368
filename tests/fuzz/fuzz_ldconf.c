// SPDX-License-Identifier: GPL-2.0-only
/* ld.so.conf files, read to find where the stress image's libraries live. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "engine/elfdeps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], **dirs = NULL;
	size_t n = 0, cap = 0;
	int fd = memfd_create("ldconf", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		ldconf_read(path, &dirs, &n, &cap, 4); /* depth 4: included files are not opened */
	}
	for (size_t i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	close(fd);
	return 0;
}
