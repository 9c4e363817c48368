// SPDX-License-Identifier: GPL-2.0-only
/* Mount options read from mountinfo and given back to mount(2) on a remount. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "remedy/mount.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256
#endif

static const struct {
	const char *word;
	unsigned long flag;
} flag_words[] = {
	{"ro", MS_RDONLY},
	{"rw", 0},
	{"nosuid", MS_NOSUID},
	{"nodev", MS_NODEV},
	{"noexec", MS_NOEXEC},
	{"noatime", MS_NOATIME},
	{"nodiratime", MS_NODIRATIME},
	{"relatime", MS_RELATIME},
	{"strictatime", MS_STRICTATIME},
	{"sync", MS_SYNCHRONOUS},
	{"dirsync", MS_DIRSYNC},
	{"lazytime", MS_LAZYTIME},
	{"mand", MS_MANDLOCK},
	{"nosymfollow", MS_NOSYMFOLLOW},
};

#define N_FLAG_WORDS (sizeof(flag_words) / sizeof(flag_words[0]))

static int flag_word(const char *w, size_t n)
{
	for (size_t i = 0; i < N_FLAG_WORDS; i++)
		if (strlen(flag_words[i].word) == n && memcmp(flag_words[i].word, w, n) == 0)
			return (int)i;
	return -1;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape_octal(const char *s, size_t n, char *out, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 |
					  (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

/* Field f (0-based, space-separated) of line[0..len): start and length, or -1. */
static int nth_field(const char *line, size_t len, int f, size_t *start, size_t *n)
{
	size_t i = 0;

	for (int k = 0;; k++) {
		size_t b = i;

		while (i < len && line[i] != ' ')
			i++;
		if (k == f) {
			*start = b;
			*n = i - b;
			return 0;
		}
		if (i >= len)
			return -1;
		i++;
	}
}

static int parse_opts_line(const char *line, size_t len, struct mount_opts *m)
{
	size_t s, n, sep = 0;
	int f;

	if (nth_field(line, len, 4, &s, &n))
		return -1;
	unescape_octal(line + s, n, m->mount_point, sizeof(m->mount_point));
	if (nth_field(line, len, 5, &s, &n) || n >= sizeof(m->per_mount))
		return -1;
	memcpy(m->per_mount, line + s, n);
	m->per_mount[n] = '\0';
	/* Optional fields, then "-", fstype, source, super options. */
	for (f = 6; nth_field(line, len, f, &s, &n) == 0; f++)
		if (n == 1 && line[s] == '-') {
			sep = (size_t)f;
			break;
		}
	if (!sep || nth_field(line, len, (int)sep + 3, &s, &n) || n >= sizeof(m->super))
		return -1;
	memcpy(m->super, line + s, n);
	m->super[n] = '\0';
	return 0;
}

int mountinfo_options(const char *text, const char *mount_point, struct mount_opts *out)
{
	struct mount_opts m;
	int found = -1;

	for (const char *line = text; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (parse_opts_line(line, len, &m) == 0 &&
		    strcmp(m.mount_point, mount_point) == 0) {
			*out = m;
			found = 0;
		}
		line += len + (nl ? 1 : 0);
	}
	return found;
}

bool opts_has(const char *list, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = list; *p;) {
		size_t k = strcspn(p, ",");

		if (k == n && memcmp(p, opt, n) == 0)
			return true;
		p += k + (p[k] ? 1 : 0);
	}
	return false;
}

/* Appends word[0..n) to out as a list item. -1 when it does not fit. */
static int add_word(char *out, size_t len, const char *w, size_t n)
{
	size_t at = strlen(out);

	if (at + n + 2 > len)
		return -1;
	if (at)
		out[at++] = ',';
	memcpy(out + at, w, n);
	out[at + n] = '\0';
	return 0;
}

int opts_for_remount(const struct mount_opts *m, bool nodiscard, char *out, size_t len)
{
	if (!len)
		return -1;
	out[0] = '\0';
	for (const char *p = m->per_mount; *p;) {
		size_t k = strcspn(p, ",");

		if (k && flag_word(p, k) >= 0 && add_word(out, len, p, k))
			return -1;
		p += k + (p[k] ? 1 : 0);
	}
	for (const char *p = m->super; *p;) {
		size_t k = strcspn(p, ",");
		bool skip = (k == 2 && (!memcmp(p, "rw", 2) || !memcmp(p, "ro", 2))) ||
			    (nodiscard && ((k == 7 && !memcmp(p, "discard", 7)) ||
					   (k > 8 && !memcmp(p, "discard=", 8)) ||
					   (k == 9 && !memcmp(p, "nodiscard", 9))));

		if (k && !skip && add_word(out, len, p, k))
			return -1;
		p += k + (p[k] ? 1 : 0);
	}
	if (nodiscard && add_word(out, len, "nodiscard", 9))
		return -1;
	return 0;
}

int remount_options(const char *mount_point, const char *options)
{
	unsigned long flags = MS_REMOUNT;
	char data[MOUNT_OPTS_LEN * 2] = "";

	for (const char *p = options; *p;) {
		size_t k = strcspn(p, ",");
		int w = k ? flag_word(p, k) : -1;

		if (w >= 0)
			flags |= flag_words[w].flag;
		else if (k && add_word(data, sizeof(data), p, k))
			return -E2BIG;
		p += k + (p[k] ? 1 : 0);
	}
	if (mount(NULL, mount_point, NULL, flags, data[0] ? data : NULL))
		return -errno;
	return 0;
}
