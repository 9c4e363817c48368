// SPDX-License-Identifier: GPL-2.0-only
/* Folded stacks read back (folded/CELL.folded): the parser, and flame graphs drawn from them. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/fold.h"
#include "explain/flame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fold *f = fold_new();
	struct flame_tree *t;
	char *buf = NULL;
	size_t len = 0, bad;
	FILE *out;

	if (!f)
		return 0;
	if (fold_parse(f, (const char *)data, size, &bad) == 0 &&
	    (t = flame_build(f, NULL, NULL))) {
		out = open_memstream(&buf, &len);
		if (out) {
			flame_svg(out, t, 800, "fuzz", 2);
			fold_write(f, out);
			fclose(out);
		}
		free(buf);
		flame_free(t);
	}
	fold_free(f);
	return 0;
}
