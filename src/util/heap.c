// SPDX-License-Identifier: GPL-2.0-only
#include "util/heap.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

void heap_give_back(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}
