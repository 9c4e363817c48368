// SPDX-License-Identifier: GPL-2.0-only
/* libbpf's messages while the objects load: which program failed, and the verifier's reason. */
#include "trace/load_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libbpf's messages: kept to tell which program failed and why, shown with RESTARTPROF_DEBUG. */
static char logbuf[32768];
static size_t loglen;

int load_log_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int debug = -1;
	va_list aq;
	int n;

	if (debug < 0)
		debug = getenv("RESTARTPROF_DEBUG") != NULL;
	if (level == LIBBPF_DEBUG && debug < 1)
		return 0;
	va_copy(aq, ap);
	if (loglen < sizeof(logbuf) - 1) {
		n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
		if (n > 0)
			loglen += (size_t)n < sizeof(logbuf) - loglen ? (size_t)n
								      : sizeof(logbuf) - loglen - 1;
	}
	if (debug > 0)
		vfprintf(stderr, fmt, aq);
	va_end(aq);
	return 0;
}

/* The verifier's complaint: the last line of its log that is not its statistics. */
static void verifier_word(char *why, size_t wlen)
{
	char *begin = strstr(logbuf, "-- BEGIN PROG LOAD LOG --");
	char *end = begin ? strstr(begin, "-- END PROG LOAD LOG --") : NULL;
	char *e = end, *best = NULL, *best_end = NULL;
	size_t n = strlen(why);

	while (e && e > begin) {
		char *s = e;

		while (s > begin && s[-1] != '\n')
			s--;
		if (e - s > 1 && strncmp(s, "processed ", 10) != 0 &&
		    strncmp(s, "verification time", 17) != 0 &&
		    strncmp(s, "stack depth", 11) != 0 && strncmp(s, "-- ", 3) != 0) {
			best = s;
			best_end = e;
			break;
		}
		e = s > begin ? s - 1 : NULL;
	}
	if (best) {
		while (best_end > best && (best_end[-1] == '\n' || best_end[-1] == ' '))
			best_end--;
		snprintf(why + n, wlen - n, ": %.*s", (int)(best_end - best), best);
	}
}

/* From libbpf's messages: the program whose load failed, and a one-line reason. */
int load_log_failed_prog(char *name, size_t nlen, char *why, size_t wlen)
{
	static const char *const phrases[] = {
		"BPF program load failed: ", "failed to load: ", NULL};
	char *hit = NULL, *q;

	for (int k = 0; phrases[k] && !hit; k++)
		for (char *p = logbuf; (p = strstr(p, "prog '")); p += 6) {
			char *eol = strchr(p, '\n');

			if (eol && memmem(p, (size_t)(eol - p), phrases[k], strlen(phrases[k]))) {
				hit = p;
				break;
			}
		}
	if (!hit)
		return -1;
	hit += 6;
	q = strchr(hit, '\'');
	if (!q)
		return -1;
	snprintf(name, nlen, "%.*s", (int)(q - hit), hit);
	q = strstr(q, "failed") + 6;
	q += strspn(q, ": ");
	snprintf(why, wlen, "%.*s", (int)strcspn(q, "\n"), q);
	verifier_word(why, wlen);
	return 0;
}

void load_log_clear(void)
{
	loglen = 0;
	logbuf[0] = '\0';
}
