// SPDX-License-Identifier: GPL-2.0-only
/* The probe table's descriptions reach check and probes.csv whole; path lists parse. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "model/probe.h"
#include "trace/probe_table.h"

static void descriptions_are_never_cut(void **state)
{
	struct probe_status st;

	(void)state;
	assert_true(n_probe_defs > 0);
	for (int i = 0; i < n_probe_defs; i++) {
		size_t len = strlen(probe_defs[i].what);

		if (len >= sizeof(st.what))
			fprintf(stderr, "probe %s: %zu characters of description\n",
				probe_defs[i].name, len);
		assert_true(len < sizeof(st.what));
		/* What the loader does with it. */
		snprintf(st.what, sizeof(st.what), "%s", probe_defs[i].what);
		assert_string_equal(st.what, probe_defs[i].what);
	}
}

static void path_lists(void **state)
{
	unsigned mask;
	char err[200];

	(void)state;
	assert_int_equal(probe_paths_parse("all", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, PROBE_PATHS_ALL);
	assert_int_equal(probe_paths_parse("kprobe,tracepoint", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, (1u << PROBE_KPROBE) | (1u << PROBE_TRACEPOINT));
	assert_int_equal(probe_paths_parse("kprobe,,raw_tp", &mask, err, sizeof(err)), -1);
	assert_int_equal(probe_paths_parse("uprobe", &mask, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "uprobe"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(descriptions_are_never_cut),
		cmocka_unit_test(path_lists),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
