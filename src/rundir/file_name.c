// SPDX-License-Identifier: GPL-2.0-only
#include "rundir/file_name.h"

#include <string.h>

void rundir_safe_name(const char *in, char *out, size_t len)
{
	size_t o = 0;

	if (!len)
		return;
	for (; *in && o + 1 < len; in++)
		out[o++] = (strchr("_.:#+-", *in) && *in) || (*in >= 'a' && *in <= 'z') ||
					   (*in >= 'A' && *in <= 'Z') || (*in >= '0' && *in <= '9')
				   ? *in
				   : '_';
	out[o] = '\0';
}
