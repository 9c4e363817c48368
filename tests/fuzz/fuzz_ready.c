// SPDX-License-Identifier: GPL-2.0-only
/* --ready specs from the command line and the lines services print. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trial/ready.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ready_spec spec;
	char err[256];
	int64_t ns;
	char *s = malloc(size + 1);

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	line_timestamp(s, size, &ns);
	if (ready_spec_parse(s, &spec, err, sizeof(err)) == 0)
		ready_spec_free(&spec);
	free(s);
	return 0;
}
