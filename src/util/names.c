// SPDX-License-Identifier: GPL-2.0-only
#include "util/names.h"

#include <string.h>

int name_lookup(const char *const *names, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return i;
	return -1;
}
