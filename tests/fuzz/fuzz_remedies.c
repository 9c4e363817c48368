// SPDX-License-Identifier: GPL-2.0-only
/* Remedy files (--remedies FILE) and specs (the first line a spec, the rest a file); journal
 * lines and mountinfo text. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remedy/journal_file.h"
#include "remedy/mount.h"
#include "remedy/remedy.h"

static void spec_against(const struct remedy_defs *d, const char *spec)
{
	struct remedy_set set;
	struct load_change l;
	char err[256];

	if (remedy_parse(d, spec, &set, err, sizeof(err)) == 0)
		remedy_set_load(&set, &l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct journal_entry e;
	struct mount_opts m;
	char *text = malloc(size + 1), err[256], *nl;
	struct remedy_defs *d;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* The journal's line parser and the mountinfo reader see the same bytes. */
	journal_parse_entry(text, strlen(text), &e);
	if (mountinfo_options(text, "/m", &m) == 0) {
		char opts[2 * MOUNT_OPTS_LEN];

		opts_for_remount(&m, true, opts, sizeof(opts));
	}
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	d = remedy_defs_parse(nl ? nl + 1 : "", "fuzz", err, sizeof(err));
	if (d) {
		char desc[8192];

		spec_against(d, text);
		remedy_defs_describe(d, desc, sizeof(desc));
		remedy_defs_free(d);
	}
	free(text);
	return 0;
}
