// SPDX-License-Identifier: GPL-2.0-only
/* The journal's line format, the values it saves and writes back, and who owns a journal. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "remedy/journal_file.h"
#include "util/files.h"

static size_t escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *s && o + 4 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c <= ' ' || c >= 0x7f || c == '%') {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = '\0';
	return o;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* s[0..n) unescaped into out (cap bytes); -EINVAL on a bad escape, a NUL or no room. */
static int unescape(const char *s, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
			int lo = hi >= 0 ? hexval(s[i + 2]) : -1;

			if (hi < 0 || lo < 0 || (hi | lo) == 0)
				return -EINVAL;
			c = hi << 4 | lo;
			i += 2;
		} else if (c <= ' ' || c >= 0x7f) {
			return -EINVAL;
		}
		if (o + 1 >= cap)
			return -EINVAL;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

size_t journal_format_entry(const struct journal_entry *e, char *out, size_t len)
{
	char path[PATH_MAX * 3], old[JOURNAL_VALUE_LEN * 3];
	int n;

	escape(e->path, path, sizeof(path));
	escape(e->old, old, sizeof(old));
	n = snprintf(out, len, "%s %" PRId64 " %s %s\n",
		     e->kind == JOURNAL_MOUNT ? "mount" : "file", e->when_ns, path, old);
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/* The next space-separated field of line[*at..len): start and length; -1 when none. */
static int field(const char *line, size_t len, size_t *at, size_t *start, size_t *flen)
{
	size_t i = *at;

	if (i > len)
		return -1;
	*start = i;
	while (i < len && line[i] != ' ')
		i++;
	*flen = i - *start;
	*at = i + 1;
	return 0;
}

static int parse_i64(const char *s, size_t n, int64_t *out)
{
	char buf[24], *end;
	long long v;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '-' && n == 1)
		return -EINVAL;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || *end || (buf[0] != '-' && (buf[0] < '0' || buf[0] > '9')))
		return -EINVAL;
	*out = v;
	return 0;
}

int journal_parse_entry(const char *line, size_t len, struct journal_entry *e)
{
	size_t at = 0, s[4], n[4];

	for (int f = 0; f < 4; f++)
		if (field(line, len, &at, &s[f], &n[f]))
			return -EINVAL;
	if (at <= len) /* a fifth field */
		return -EINVAL;
	memset(e, 0, sizeof(*e));
	if (n[0] == 4 && memcmp(line, "file", 4) == 0)
		e->kind = JOURNAL_FILE;
	else if (n[0] == 5 && memcmp(line, "mount", 5) == 0)
		e->kind = JOURNAL_MOUNT;
	else
		return -EINVAL;
	if (parse_i64(line + s[1], n[1], &e->when_ns) ||
	    unescape(line + s[2], n[2], e->path, sizeof(e->path)) || e->path[0] != '/' ||
	    unescape(line + s[3], n[3], e->old, sizeof(e->old)))
		return -EINVAL;
	return 0;
}

int journal_parse_owner(const char *line, size_t len, int *pid, int64_t *start)
{
	size_t at = 0, s[3], n[3];
	int64_t p;

	for (int f = 0; f < 3; f++)
		if (field(line, len, &at, &s[f], &n[f]))
			return -EINVAL;
	if (at <= len || n[0] != 5 || memcmp(line, "owner", 5) ||
	    parse_i64(line + s[1], n[1], &p) || p <= 0 || p > INT32_MAX ||
	    parse_i64(line + s[2], n[2], start) || *start < 0)
		return -EINVAL;
	*pid = (int)p;
	return 0;
}

int64_t journal_proc_start(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long start;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = file_read_small(path, buf, sizeof(buf));
	if (n < 0)
		return n;
	/* The command name may hold spaces and parentheses: fields count from the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EINVAL;
	/* After ")": state is field 3, starttime field 22. */
	for (int f = 3; f < 22; f++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EINVAL;
	}
	if (sscanf(p + 1, "%llu", &start) != 1)
		return -EINVAL;
	return (int64_t)start;
}

/* "a [b] c" -> "b"; s unchanged when it is no such list. */
static void chosen(char *s)
{
	char *open = strchr(s, '['), *close = open ? strchr(open, ']') : NULL;

	if (!open || !close || strchr(close + 1, '[') || close == open + 1)
		return;
	memmove(s, open + 1, (size_t)(close - open - 1));
	s[close - open - 1] = '\0';
}

int journal_read_value(const char *path, char *out, size_t len)
{
	ssize_t n = file_read_small(path, out, len);

	if (n < 0)
		return (int)n;
	if ((size_t)n + 1 >= len)
		return -EFBIG;
	if (memchr(out, '\0', (size_t)n))
		return -EINVAL;
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		out[--n] = '\0';
	chosen(out);
	return 0;
}

int journal_write_value(const char *path, const char *value)
{
	char now[JOURNAL_VALUE_LEN];
	size_t len = strlen(value);
	ssize_t w;
	int fd;

	if (journal_read_value(path, now, sizeof(now)) == 0 && strcmp(now, value) == 0)
		return 0;
	fd = open(path, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	do
		w = write(fd, value, len);
	while (w < 0 && errno == EINTR);
	if (w < 0 || (size_t)w != len) {
		int rc = w < 0 ? -errno : -EIO;

		close(fd);
		return rc;
	}
	return close(fd) ? -errno : 0;
}
