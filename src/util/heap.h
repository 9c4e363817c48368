/* Giving freed heap memory back to the system, where the C library can. */
#ifndef RP_UTIL_HEAP_H
#define RP_UTIL_HEAP_H

/*
 * Returns the free pages at the top and in the middle of the heap to the system (glibc's
 * malloc_trim); a no-op with other C libraries, which have no such call.
 */
void heap_give_back(void);

#endif
