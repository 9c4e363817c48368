// SPDX-License-Identifier: GPL-2.0-only
#include "util/heap.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef __GLIBC__
#include <malloc.h>
#endif

void heap_give_back(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

void heap_steady(void)
{
#ifdef __GLIBC__
	/* A fixed threshold: glibc otherwise raises it after each free of a large block, and the
	 * blocks of one restart's records then come from the heap and fragment it. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
#endif
}

void mapped_give_back(const void *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t lo = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t hi = ((uintptr_t)p + len) & ~(page - 1);

	/* Pages shared with other data at either end stay. */
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
}
