// SPDX-License-Identifier: GPL-2.0-only
/* A trial's user stacks (of on-CPU samples) and the strings its on-CPU waits name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/kernel.h"
#include "util/array.h"

int trial_kernel_add_ustack(struct trial_kernel *tk, const struct kustack *s)
{
	if (array_reserve((void **)&tk->ustacks, &tk->cap_ustacks, tk->n_ustacks + 1,
			  sizeof(*tk->ustacks)))
		return -ENOMEM;
	tk->ustacks[tk->n_ustacks++] = *s;
	return 0;
}

const char *trial_kernel_oncpu_folded(struct trial_kernel *tk, const struct kagg *g, int *err)
{
	const struct kustack *u = trial_kernel_ustack(tk, g->ustackid);
	const struct kstack *k = trial_kernel_stack(tk, g->sub);
	const char *uf = u && u->folded ? u->folded : "", *kf = k && k->folded ? k->folded : "";
	size_t n = strlen(uf) + strlen(kf) + 2;
	char *s;

	*err = 0;
	for (size_t i = 0; i < tk->n_joined; i++)
		if (tk->joined[i].ustackid == g->ustackid && tk->joined[i].stackid == g->sub)
			return tk->joined[i].folded;
	if (!uf[0] && !kf[0])
		return NULL;
	if (array_reserve((void **)&tk->joined, &tk->cap_joined, tk->n_joined + 1,
			  sizeof(*tk->joined)) ||
	    !(s = malloc(n))) {
		*err = -ENOMEM;
		return NULL;
	}
	snprintf(s, n, "%s%s%s", uf, uf[0] && kf[0] ? ";" : "", kf);
	tk->joined[tk->n_joined++] = (struct kjoined){g->ustackid, g->sub, s};
	return s;
}

void trial_kernel_drop_joined(struct trial_kernel *tk)
{
	for (size_t i = 0; i < tk->n_joined; i++)
		free(tk->joined[i].folded);
	tk->n_joined = 0;
}
