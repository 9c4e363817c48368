// SPDX-License-Identifier: GPL-2.0-only
#ifndef RP_UTIL_MARKUP_H
#define RP_UTIL_MARKUP_H

#include <stddef.h>
#include <stdio.h>

/*
 * Writes at most max bytes of s as the text of an HTML or SVG document: & < > " ' escaped,
 * control characters that XML 1.0 forbids (all below 0x20 but tab, newline, return) dropped.
 * A NULL s writes nothing.
 */
void markup_text(FILE *f, const char *s, size_t max);

#endif
