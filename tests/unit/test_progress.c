// SPDX-License-Identifier: GPL-2.0-only
/* Progress: the ETA from the pace so far, the bar on a terminal, plain lines elsewhere. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/progress.h"

#define S 1000000000LL

static void eta_from_pace(void **state)
{
	struct progress p;
	char buf[32];

	(void)state;
	progress_init(&p, stderr, 0, 4, 10, 100 * S);
	assert_true(progress_eta_ns(&p, 100 * S) < 0);
	p.done = 10; /* 10 of 40 trials in 20 s: 30 left take 60 s */
	assert_true(progress_eta_ns(&p, 120 * S) == 60 * S);
	p.done = 40;
	assert_true(progress_eta_ns(&p, 200 * S) == 0);
	progress_format_duration(-1, buf, sizeof(buf));
	assert_string_equal(buf, "?");
	progress_format_duration(9 * S + S / 3, buf, sizeof(buf));
	assert_string_equal(buf, "9s");
	progress_format_duration(724 * S, buf, sizeof(buf));
	assert_string_equal(buf, "12m04s");
	progress_format_duration(3720 * S, buf, sizeof(buf));
	assert_string_equal(buf, "1h02m");
}

static char *capture(int width, int *lines)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct progress p;

	progress_init(&p, f, width, 2, 2, 0);
	progress_update(&p, 0, "none", 0, "no load", 1 * S);
	progress_update(&p, 0, "none", 1, NULL, 2 * S);
	progress_trial(&p, 0, "none", 1, S / 4, "ok", "", 3 * S);
	progress_update(&p, 0, "none", 2, NULL, 4 * S);
	progress_trial(&p, 0, "none", 2, -1, "failed", "target never ready", 5 * S);
	progress_update(&p, 1, "hdd-2", 0, "starting the load", 6 * S);
	progress_end(&p);
	fclose(f);
	*lines = 0;
	for (char *c = text; *c; c++)
		*lines += *c == '\n';
	return text;
}

static void plain_lines_when_not_a_terminal(void **state)
{
	int lines;
	char *text = capture(0, &lines);

	(void)state;
	assert_null(strchr(text, '\r'));
	assert_null(strchr(text, '\033'));
	assert_int_equal(lines, 4); /* two notes, two trials */
	assert_non_null(strstr(text, "restartprof: none trial 1/2: 0.250 s (cell 1/2, ETA 9s)"));
	assert_non_null(strstr(text, "none trial 2/2: failed: target never ready"));
	assert_non_null(strstr(text, "restartprof: hdd-2: starting the load"));
	free(text);
}

static void bar_on_a_terminal(void **state)
{
	int lines;
	char *text = capture(80, &lines);
	struct progress p;
	char bar[320];
	FILE *null = fopen("/dev/null", "w");

	(void)state;
	/* Only the failure leaves a line; the rest is redrawn in place and cleared at the end. */
	assert_int_equal(lines, 1);
	assert_non_null(strstr(text, "\r\033[Krestartprof: none trial 2/2: failed"));
	assert_non_null(strstr(text, "cell 2/2 hdd-2: starting the load"));
	assert_true(strlen(text) > 3 && strcmp(text + strlen(text) - 4, "\r\033[K") == 0);
	free(text);
	progress_init(&p, null, 60, 10, 10, 0);
	p.done = 50;
	p.failed = 2;
	progress_update(&p, 6, "cpu-4#2", 3, NULL, 0);
	progress_format_bar(&p, 100 * S, bar, sizeof(bar));
	assert_true(strlen(bar) <= 59);
	assert_int_equal(
		strncmp(bar, "[##########..........]  50% cell 7/10 cpu-4#2 trial 3/10", 56), 0);
	progress_init(&p, null, 30, 10, 10, 0); /* narrow: no bar, text cut */
	progress_update(&p, 0, "none", 1, NULL, 0);
	progress_format_bar(&p, 0, bar, sizeof(bar));
	assert_true(strlen(bar) <= 29 && bar[0] != '[');
	fclose(null);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(eta_from_pace),
		cmocka_unit_test(plain_lines_when_not_a_terminal),
		cmocka_unit_test(bar_on_a_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
