// SPDX-License-Identifier: GPL-2.0-only
#include "util/heap.h"

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/files.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif

void heap_give_back(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* Resident bytes of this process, or 0 if /proc does not tell. */
static size_t resident_bytes(void)
{
	char text[128];
	unsigned long long size, resident;
	ssize_t n = file_read_small("/proc/self/statm", text, sizeof(text));

	if (n <= 0 || sscanf(text, "%llu %llu", &size, &resident) != 2)
		return 0;
	return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

void heap_give_back_beyond(size_t keep)
{
	static size_t after_last; /* resident right after the last give-back */
	size_t now = resident_bytes();

	if (now && after_last && now <= after_last + keep)
		return;
	heap_give_back();
	after_last = resident_bytes();
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
