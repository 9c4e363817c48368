// SPDX-License-Identifier: GPL-2.0-only
/* Giving freed heap memory back to the system, where the C library can (glibc). */
#ifndef RP_UTIL_HEAP_H
#define RP_UTIL_HEAP_H

#include <stddef.h>

/*
 * glibc keeps large freed blocks in its heap unless asked (malloc_trim); other C libraries
 * (musl) give them back by themselves or have no such call: there this does nothing.
 */
void heap_give_back(void);
/* The same, only once the process holds more than keep bytes beyond what it held after the
 * last give-back: memory that work done again and again would fault back in page by page
 * stays, up to keep. */
void heap_give_back_beyond(size_t keep);
/* For a process that runs for days: large blocks mapped apart and unmapped when freed, so
 * that resident memory follows what is in use rather than what once was. */
void heap_steady(void);
/* Read-only data of the program itself that is no longer needed (the BPF objects and the
 * service binary it carries, once loaded or sent): its whole pages leave the resident set.
 * Should it be read again, it comes back from the file. */
void mapped_give_back(const void *p, size_t len);

#endif
