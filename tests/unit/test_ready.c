// SPDX-License-Identifier: GPL-2.0-only
/* Readiness specs and the timestamps services print. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "trial/ready.h"

static int64_t stamp(const char *line)
{
	int64_t ns = -1;

	if (line_timestamp(line, strlen(line), &ns))
		return -1;
	return ns;
}

static void timestamps_in_lines(void **state)
{
	(void)state;
	assert_int_equal(stamp("restartprof-svc start 1795547903.349731290"),
			 1795547903349731290LL);
	assert_int_equal(stamp("up at 1795547903.5"), 1795547903500000000LL);
	assert_int_equal(stamp("1795547903"), 1795547903000000000LL);
	assert_int_equal(stamp("ms1795547903349 ok"), -1); /* glued to letters */
	assert_int_equal(stamp("ms=1795547903349 ok"), 1795547903349000000LL);
	assert_int_equal(stamp("ms 1795547903349 ok"), 1795547903349000000LL);
	assert_int_equal(stamp("us 1795547903349731"), 1795547903349731000LL);
	assert_int_equal(stamp("ns 1795547903349731290,"), 1795547903349731290LL);
	assert_int_equal(stamp("listening on 8080"), -1);
	assert_int_equal(stamp("v1795547903.1"), -1);
	assert_int_equal(stamp("1795547903abc"), -1);
	assert_int_equal(stamp(""), -1);
	assert_int_equal(stamp("port 8080 then 1795547903.25"), 1795547903250000000LL);
}

static void specs(void **state)
{
	struct ready_spec s;
	char err[256];

	(void)state;
	assert_int_equal(ready_spec_parse("stdout", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, READY_STDOUT);
	assert_int_equal(ready_spec_parse("tcp:8080", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, READY_TCP);
	assert_int_equal(s.port, 8080);
	assert_int_equal(ready_spec_parse("tcp:0", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "tcp:0"));
	assert_int_equal(ready_spec_parse("tcp:", &s, err, sizeof(err)), -1);
	assert_int_equal(ready_spec_parse("tcp:80x", &s, err, sizeof(err)), -1);
	assert_int_equal(ready_spec_parse("log:ready", &s, err, sizeof(err)), 0);
	assert_int_equal(s.kind, READY_LOG);
	ready_spec_free(&s);
	assert_int_equal(ready_spec_parse("log:[", &s, err, sizeof(err)), -1);
	assert_int_equal(ready_spec_parse("log:", &s, err, sizeof(err)), -1);
	assert_int_equal(ready_spec_parse("http:80", &s, err, sizeof(err)), -1);
	assert_int_equal(ready_spec_parse("log:a++", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "stacked repetition"));
	assert_int_equal(ready_spec_parse("log:a\\++", &s, err, sizeof(err)), 0);
	ready_spec_free(&s);
	assert_null(strchr(err, '\n'));
}

static void watch_records_stamps_and_matches(void **state)
{
	struct ready_spec s;
	struct output_watch w;
	char err[128];
	const char *l1 = "restartprof-svc start 1795547903.100000000";
	const char *l2 = "server ready";
	const char *l3 = "restartprof-svc term 1795547904.000000000";

	(void)state;
	assert_int_equal(ready_spec_parse("log:^server ready$", &s, err, sizeof(err)), 0);
	output_watch_init(&w, &s);
	output_watch_line(1, l1, strlen(l1), 11, &w);
	assert_int_equal(output_watch_wait(&w, READY_LOG, 0), 0);
	output_watch_line(2, l2, strlen(l2), 22, &w);
	output_watch_line(1, l3, strlen(l3), 33, &w);
	assert_int_equal(output_watch_wait(&w, READY_LOG, 0), 22);
	assert_int_equal(output_watch_wait(&w, READY_STDOUT, 0), 1795547903100000000LL);
	assert_int_equal(output_watch_last_stamp(&w, 1795547903500000000LL, 0),
			 1795547904000000000LL);
	assert_int_equal(output_watch_last_stamp(&w, 1795547905000000000LL, 0), 0);
	output_watch_destroy(&w);
	ready_spec_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(timestamps_in_lines),
		cmocka_unit_test(specs),
		cmocka_unit_test(watch_records_stamps_and_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
