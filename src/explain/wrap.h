// SPDX-License-Identifier: GPL-2.0-only
/* Lines of explain's text that stay readable: wrapped to a width, paths shortened. */
#ifndef RP_EXPLAIN_WRAP_H
#define RP_EXPLAIN_WRAP_H

#include <stddef.h>
#include <stdio.h>

#define WRAP_PIPE_WIDTH 100 /* when the output is not a terminal */
#define WRAP_MIN_WIDTH	60

/* The width to wrap for fd: its terminal's columns (at least WRAP_MIN_WIDTH), else 100. */
int wrap_width(int fd);
/* Columns text takes: its characters, a UTF-8 sequence counting as one. */
size_t wrap_columns(const char *text);
/*
 * Writes text (one line, its spaces kept) as lines of at most width columns, broken at
 * spaces; the lines after the first begin with indent spaces. A word longer than a line is
 * cut, after a '/' when it has one. Ends with a newline.
 */
void wrap_print(FILE *f, int width, int indent, const char *text);
/*
 * Copies text into out (len bytes) with the paths under data_root (may be "" or NULL) written
 * "…/rest", and hexadecimal ids of 32 digits or more (containers, layers) cut to their first 12
 * digits and "…".
 */
void wrap_shorten_paths(const char *text, const char *data_root, char *out, size_t len);

#endif
