#include "util/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t read_small_file(const char *path, char *out, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -errno;
	while (got + 1 < len) {
		ssize_t n = read(fd, out + got, len - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	out[got] = '\0';
	return (ssize_t)got;
}

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
	n = read_small_file(path, text, sizeof(text));
	if (n <= 0)
		return -1;
	return proc_stat_parse(text, (size_t)n, ppid, start_time, comm);
}

int proc_boot_id(char *out, size_t len)
{
	ssize_t n = read_small_file("/proc/sys/kernel/random/boot_id", out, len);

	if (n <= 0)
		return -1;
	out[strcspn(out, "\n")] = '\0';
	return 0;
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
