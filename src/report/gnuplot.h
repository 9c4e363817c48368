// SPDX-License-Identifier: GPL-2.0-only
/* gnuplot: running it on a script we wrote (fork and execvp with an argv, never a shell), and
 * text that is safe inside its strings. */
#ifndef RP_REPORT_GNUPLOT_H
#define RP_REPORT_GNUPLOT_H

#include <stdbool.h>
#include <stddef.h>

/* Whether prog (a name looked up in PATH, or a path) is an executable file. */
bool gnuplot_available(const char *prog);

/*
 * Runs `prog -e "fmt='FMT'" script` with dirfd as working directory and its standard output
 * into dirfd/out, replaced atomically (the script writes the figure to standard output when
 * fmt is set). Gives up after timeout_s, or early when cancelled() turns true. 0, or -errno
 * with a line in err (gnuplot's first complaint, if it made one).
 */
int gnuplot_render(const char *prog, int dirfd, const char *script, const char *fmt,
		   const char *out, int timeout_s, bool (*cancelled)(void), char *err,
		   size_t errlen);

/* Text for a double-quoted gnuplot string: printable ASCII without quotes, backslashes or
 * backquotes (gnuplot substitutes commands in backquotes). */
void gnuplot_text(const char *in, char *out, size_t len);

#endif
