// SPDX-License-Identifier: GPL-2.0-only
#include "util/markup.h"

static const char *entity_of(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	default:
		return NULL;
	}
}

void markup_text(FILE *f, const char *s, size_t max)
{
	for (size_t i = 0; s && s[i] && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *e = entity_of(s[i]);

		if (e)
			fputs(e, f);
		else if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
			fputc(s[i], f);
	}
}
