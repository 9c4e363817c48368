// SPDX-License-Identifier: GPL-2.0-only
/* ELF images, read for the dynamic section when the stress image is built. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/elfdeps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_dyninfo di;
	/* libelf may read the image in place: give it an aligned private copy. */
	void *copy = malloc(size ? size : 1);

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (elf_dyninfo_read(copy, size, &di) == 0)
		elf_dyninfo_free(&di);
	free(copy);
	return 0;
}
