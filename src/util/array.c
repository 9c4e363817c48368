// SPDX-License-Identifier: GPL-2.0-only
#include "util/array.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int array_reserve(void **p, size_t *cap, size_t need, size_t elem)
{
	return array_reserve_from(p, cap, need, elem, 64);
}

int array_reserve_from(void **p, size_t *cap, size_t need, size_t elem, size_t first)
{
	size_t ncap = *cap ? *cap : first ? first : 1;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return -ENOMEM;
		ncap *= 2;
	}
	if (elem && ncap > SIZE_MAX / elem)
		return -ENOMEM;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

int array_cmp_i32(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;

	return a < b ? -1 : a > b;
}

int array_cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

size_t array_sort_unique(void *v, size_t n, size_t elem, int (*cmp)(const void *, const void *))
{
	char *c = v;
	size_t k = 0;

	if (n)
		qsort(v, n, elem, cmp);
	for (size_t i = 0; i < n; i++)
		if (!k || cmp(c + i * elem, c + (k - 1) * elem))
			memmove(c + k++ * elem, c + i * elem, elem);
	return k;
}

size_t array_lower_bound(const void *v, size_t n, size_t elem, const void *key,
			 int (*cmp)(const void *key, const void *element))
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp(key, (const char *)v + mid * elem) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
