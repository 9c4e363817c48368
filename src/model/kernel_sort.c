// SPDX-License-Identifier: GPL-2.0-only
/* A trial's kernel events put in time order (the ring gives them nearly so, per CPU). */
#include "model/kernel.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct ts_place {
	int64_t ts;
	size_t i;
};

/* Merge sort by ts: stable, so records of one CPU keep their order on ties. */
static void merge_sort(struct ts_place *a, struct ts_place *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(a, tmp, mid);
	merge_sort(a + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[k++] = a[j].ts < a[i].ts ? a[j++] : a[i++];
	while (i < mid)
		tmp[k++] = a[i++];
	while (j < n)
		tmp[k++] = a[j++];
	memcpy(a, tmp, n * sizeof(*a));
}

/* Moves each event once, to where order says, following the permutation's cycles. */
static void permute_events(struct kevent *ev, struct ts_place *order, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct kevent held;
		size_t j = k;

		if (order[k].i == k || order[k].i == SIZE_MAX)
			continue;
		held = ev[k];
		for (;;) {
			size_t from = order[j].i;

			order[j].i = SIZE_MAX;
			if (from == k) {
				ev[j] = held;
				break;
			}
			ev[j] = ev[from];
			j = from;
		}
	}
}

/*
 * The events sorted by time. The ring gives them nearly in order; when not, the sort moves
 * (time, place) pairs, and then each event once, in place.
 */
void trial_kernel_sort(struct trial_kernel *tk)
{
	struct ts_place *order = NULL, *tmp = NULL;
	bool sorted = true;
	size_t n = tk->n_ev;

	for (size_t i = 1; i < n && sorted; i++)
		sorted = tk->ev[i - 1].ts <= tk->ev[i].ts;
	if (sorted)
		return;
	order = malloc(n * sizeof(*order));
	tmp = malloc(n * sizeof(*tmp));
	if (order && tmp) {
		for (size_t i = 0; i < n; i++)
			order[i] = (struct ts_place){tk->ev[i].ts, i};
		merge_sort(order, tmp, n);
		permute_events(tk->ev, order, n);
	}
	free(order);
	free(tmp);
}
