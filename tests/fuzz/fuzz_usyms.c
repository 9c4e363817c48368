// SPDX-License-Identifier: GPL-2.0-only
/*
 * ELF files registered for user-space symbols (a container's programs are anyone's): the
 * build ID, the segments, .symtab/.dynsym and a pclntab read from a file in memory, then
 * offsets named. A name found is a non-empty string.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "trace/usyms.h"

static const uint64_t offs[] = {0,	0x10,	0x1000, 0x1010, 0x10ff,
				0x1100, 0x1250, 0x1920, 0x2000, UINT64_MAX};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct usym_file_stats st;
	struct usyms *u;
	char path[64];
	int fd = memfd_create("fuzz-usyms", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size || usyms_new(&u)) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (usyms_add_file(u, path) == 0 && usyms_file_stats(u, 0, &st) == 0) {
		/* The build ID as the kernel would give it: whatever was registered. */
		for (unsigned fill = 0; fill < 256; fill++) {
			uint8_t id[USYM_BUILD_ID_MAX];

			memset(id, (int)fill, sizeof(id));
			if (!usyms_path(u, id, sizeof(id)))
				continue;
			for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
				const char *name = usyms_name(u, id, sizeof(id), offs[i], NULL);

				if (name && !*name)
					abort();
			}
			usyms_trim(u);
			usyms_name(u, id, sizeof(id), offs[2], NULL);
		}
	}
	usyms_free(u);
	close(fd);
	return 0;
}
