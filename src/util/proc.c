// SPDX-License-Identifier: GPL-2.0-only
#include "util/proc.h"
#include "util/files.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int proc_stat_parse(const char *text, size_t len, pid_t *ppid, unsigned long long *start_time,
		    char comm[16])
{
	const char *open = memchr(text, '(', len), *close = NULL;
	char buf[1024];

	/* comm may hold anything, ')' included: the last ')' ends it. */
	for (size_t i = len; i > 0; i--)
		if (text[i - 1] == ')') {
			close = text + i - 1;
			break;
		}
	if (!open || !close || close < open)
		return -1;
	if (comm)
		snprintf(comm, 16, "%.*s", (int)(close - open - 1 < 15 ? close - open - 1 : 15),
			 open + 1);
	size_t rest = len - (size_t)(close + 1 - text);

	if (rest >= sizeof(buf))
		rest = sizeof(buf) - 1;
	memcpy(buf, close + 1, rest);
	buf[rest] = '\0';
	/* Fields from 3 (state) on, separated by single spaces. */
	char *save = NULL, *tok = strtok_r(buf, " ", &save);

	for (int field = 3; tok; field++, tok = strtok_r(NULL, " ", &save)) {
		if (field == 4 && ppid)
			*ppid = (pid_t)strtol(tok, NULL, 10);
		if (field == 22) {
			char *end;

			errno = 0;
			*start_time = strtoull(tok, &end, 10);
			return errno || end == tok ? -1 : 0;
		}
	}
	return -1;
}

int proc_stat_read(pid_t pid, pid_t *ppid, unsigned long long *start_time, char comm[16])
{
	char path[64], text[1024];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	n = file_read_small(path, text, sizeof(text));
	if (n <= 0)
		return -1;
	return proc_stat_parse(text, (size_t)n, ppid, start_time, comm);
}

int proc_boot_id(char *out, size_t len)
{
	ssize_t n = file_read_small("/proc/sys/kernel/random/boot_id", out, len);

	if (n <= 0)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

unsigned long proc_net_unix_listener(const char *text, size_t len, const char *path)
{
	const char *line = text, *end = text + len;
	size_t plen = strlen(path);

	/* "Num: RefCount Protocol Flags Type St Inode Path", one socket a line, a header first. */
	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t llen = nl ? (size_t)(nl - line) : (size_t)(end - line);
		char buf[512], *f[8], *save = NULL;
		int n = 0;

		if (llen < sizeof(buf)) {
			memcpy(buf, line, llen);
			buf[llen] = '\0';
			for (char *t = strtok_r(buf, " ", &save); t && n < 8;
			     t = strtok_r(NULL, " ", &save))
				f[n++] = t;
			/* Flags 00010000 is __SO_ACCEPTCON (listening); St 01 is SS_UNCONNECTED. */
			if (n == 8 && strcmp(f[3], "00010000") == 0 && strcmp(f[5], "01") == 0 &&
			    strlen(f[7]) == plen && strcmp(f[7], path) == 0 &&
			    isdigit((unsigned char)f[6][0])) {
				char *e;
				unsigned long ino = strtoul(f[6], &e, 10);

				if (*e == '\0' && ino)
					return ino;
			}
		}
		line = nl ? nl + 1 : end;
	}
	return 0;
}

static bool holds_socket(pid_t pid, const char *want)
{
	char dir[64], link[64], target[64];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
	d = opendir(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		ssize_t n;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(link, sizeof(link), "%s/%.16s", dir, de->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			found = strcmp(target, want) == 0;
		}
	}
	closedir(d);
	return found;
}

pid_t proc_socket_holder(unsigned long ino, const char *comm, pid_t skip)
{
	char want[48];
	pid_t first = 0;
	struct dirent *de;
	DIR *d = opendir("/proc");

	if (!d || !ino) {
		if (d)
			closedir(d);
		return 0;
	}
	snprintf(want, sizeof(want), "socket:[%lu]", ino);
	while ((de = readdir(d))) {
		unsigned long long start;
		char c[16];
		pid_t pid, ppid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (pid <= 1 || pid == skip || !holds_socket(pid, want))
			continue;
		if (proc_stat_read(pid, &ppid, &start, c) == 0 && comm && strcmp(c, comm) == 0) {
			first = pid;
			break;
		}
		if (!first)
			first = pid;
	}
	closedir(d);
	return first;
}

/* The kB value of "Key:   N kB" at the start of a line of text, -1 if absent. */
static long long meminfo_field(const char *text, size_t len, const char *key)
{
	size_t klen = strlen(key);

	for (size_t i = 0; i + klen < len; i++) {
		long long v = 0;
		size_t j;
		int digits = 0;

		if ((i && text[i - 1] != '\n') || memcmp(text + i, key, klen) != 0 ||
		    text[i + klen] != ':')
			continue;
		for (j = i + klen + 1; j < len && text[j] == ' '; j++)
			;
		for (; j < len && text[j] >= '0' && text[j] <= '9' && digits < 18; j++, digits++)
			v = v * 10 + (text[j] - '0');
		return digits ? v : -1;
	}
	return -1;
}

int meminfo_parse(const char *text, size_t len, long long *dirty_kib, long long *writeback_kib)
{
	*dirty_kib = meminfo_field(text, len, "Dirty");
	*writeback_kib = meminfo_field(text, len, "Writeback");
	return *dirty_kib >= 0 && *writeback_kib >= 0 ? 0 : -1;
}
