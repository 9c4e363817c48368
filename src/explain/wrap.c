// SPDX-License-Identifier: GPL-2.0-only
#include "explain/wrap.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define ID_MIN_DIGITS  32
#define ID_KEPT_DIGITS 12

static const char ellipsis[] = "\xe2\x80\xa6"; /* … */

int wrap_width(int fd)
{
	struct winsize ws;

	if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) || !ws.ws_col)
		return WRAP_PIPE_WIDTH;
	return ws.ws_col < WRAP_MIN_WIDTH ? WRAP_MIN_WIDTH : ws.ws_col;
}

static bool continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

size_t wrap_columns(const char *text)
{
	size_t n = 0;

	for (; *text; text++)
		n += !continuation(*text);
	return n;
}

/* Bytes of the first cols columns of s (at most n bytes), never inside a UTF-8 sequence. */
static size_t bytes_of_columns(const char *s, size_t n, size_t cols)
{
	size_t i = 0;

	while (i < n && cols) {
		i++;
		while (i < n && continuation(s[i]))
			i++;
		cols--;
	}
	return i;
}

static size_t columns_of(const char *s, size_t n)
{
	size_t cols = 0;

	for (size_t i = 0; i < n; i++)
		cols += !continuation(s[i]);
	return cols;
}

static bool is_unit(const char *s)
{
	static const char *const units[] = {"ms", "MiB"};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t n = strlen(units[i]);

		if (strncmp(s, units[i], n) == 0 && !isalnum((unsigned char)s[n]))
			return true;
	}
	return false;
}

/* Where to cut a word too long for room columns: after its last '/' that fits, else at room. */
static size_t cut_word(const char *w, size_t n, size_t room)
{
	size_t at = bytes_of_columns(w, n, room);

	for (size_t i = at; i > 1; i--)
		if (w[i - 1] == '/')
			return i;
	return at ? at : 1;
}

void wrap_print(FILE *f, int width, int indent, const char *text)
{
	size_t line = 0, max = width > indent + 20 ? (size_t)width : (size_t)indent + 20;
	bool empty = true; /* no word on this line yet */

	while (*text) {
		size_t spaces = strspn(text, " ");
		const char *word = text + spaces;
		size_t n = strcspn(word, " "), cols;

		/* A number and its unit stay together. */
		while (word[n] == ' ' && is_unit(word + n + 1))
			n += 1 + strcspn(word + n + 1, " ");
		cols = columns_of(word, n);

		if (!n)
			break;
		/* A word no line can hold is cut where it stands, unless little room is left. */
		bool never_fits = cols > max - (size_t)indent && line + spaces + 10 < max;

		if (!empty && line + spaces + cols > max && !never_fits) {
			fprintf(f, "\n%*s", indent, "");
			line = (size_t)indent;
			spaces = 0;
		}
		fprintf(f, "%*s", (int)spaces, "");
		line += spaces;
		text = word;
		if (line + cols > max && max > line) {
			/* Longer than the room left: the part that fits, the rest on the next line.
			 */
			size_t cut = cut_word(word, n, max - line);

			fwrite(word, 1, cut, f);
			text += cut;
			line = max;
			empty = false;
			continue;
		}
		fwrite(word, 1, n, f);
		line += cols;
		empty = false;
		text += n;
	}
	fputc('\n', f);
}

static size_t hex_run(const char *s)
{
	size_t n = 0;

	while (isxdigit((unsigned char)s[n]) && !isupper((unsigned char)s[n]))
		n++;
	return n;
}

void wrap_shorten_paths(const char *text, const char *data_root, char *out, size_t len)
{
	size_t root = data_root ? strlen(data_root) : 0, o = 0;

	while (root > 1 && data_root[root - 1] == '/')
		root--;
	if (!len)
		return;
	for (const char *s = text; *s && o + 1 < len;) {
		bool word_start = s == text || !isalnum((unsigned char)s[-1]);
		size_t hex = word_start ? hex_run(s) : 0;
		const char *put = NULL;
		size_t put_n = 0, skip = 0;

		if (root > 1 && strncmp(s, data_root, root) == 0 && s[root] == '/') {
			put = ellipsis;
			put_n = sizeof(ellipsis) - 1;
			skip = root;
		} else if (hex >= ID_MIN_DIGITS && !isalnum((unsigned char)s[hex])) {
			if (o + ID_KEPT_DIGITS + sizeof(ellipsis) > len)
				break;
			memcpy(out + o, s, ID_KEPT_DIGITS);
			o += ID_KEPT_DIGITS;
			put = ellipsis;
			put_n = sizeof(ellipsis) - 1;
			skip = hex;
		}
		if (put) {
			if (o + put_n >= len)
				break;
			memcpy(out + o, put, put_n);
			o += put_n;
			s += skip;
		} else {
			out[o++] = *s++;
		}
	}
	out[o] = '\0';
}
