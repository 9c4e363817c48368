// SPDX-License-Identifier: GPL-2.0-only
/* --filter: parsing, errors, and matching by name, label and image, OR within a key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "watch/filter.h"

static const char labels[] = "com.docker.compose.project=shop\0com.docker.compose.service=web\0"
			     "tier=front\0empty=\0";

static struct filters *make(const char *const *values, size_t n)
{
	struct filters *f = filters_new();
	char err[256];

	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(filters_add(f, values[i], err, sizeof(err)), 0);
	assert_int_equal(filters_count(f), n);
	return f;
}

#define MAKE(...)                                                                                  \
	make((const char *const[]){__VA_ARGS__},                                                   \
	     sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static void bad_values_say_why(void **state)
{
	static const struct {
		const char *value, *says;
	} bad[] = {
		{"name=(", "--filter name=(: bad regex: "},
		{"name", "expected name=REGEX"},
		{"name=", "nothing after '='"},
		{"label==x", "no label key"},
		{"colour=red", "unknown key 'colour'"},
		{"averyveryverylongkey=1", "expected"},
		{"", "expected"},
	};
	struct filters *f = filters_new();
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(filters_add(f, bad[i].value, err, sizeof(err)), -1);
		assert_non_null(strstr(err, bad[i].says));
		assert_null(strchr(err, '\n'));
	}
	assert_int_equal(filters_count(f), 0);
	filters_free(f);
}

static void nothing_matches_all(void **state)
{
	struct filters *f = filters_new();

	(void)state;
	assert_true(filter_match(NULL, "web", "nginx", labels));
	assert_true(filter_match(f, "web", "nginx", labels));
	assert_true(filter_match(f, NULL, NULL, NULL));
	filters_free(f);
}

static void name_is_an_extended_regex(void **state)
{
	struct filters *f = MAKE("name=^(web|api)-[0-9]+$");

	(void)state;
	assert_true(filter_match(f, "web-1", NULL, NULL));
	assert_true(filter_match(f, "/api-12", NULL, NULL)); /* a leading '/' is no part of it */
	assert_false(filter_match(f, "web-x", NULL, NULL));
	assert_false(filter_match(f, "myweb-1", NULL, NULL));
	assert_false(filter_match(f, NULL, NULL, NULL));
	filters_free(f);
	f = MAKE("name=web"); /* unanchored: anywhere in the name */
	assert_true(filter_match(f, "shop-web-1", NULL, NULL));
	filters_free(f);
}

static void labels_by_key_or_value(void **state)
{
	struct filters *f = MAKE("label=tier");

	(void)state;
	assert_true(filter_match(f, "x", "y", labels));
	assert_false(filter_match(f, "x", "y", NULL));
	assert_false(filter_match(f, "x", "y", "tiers=front\0\0"));
	filters_free(f);
	f = MAKE("label=com.docker.compose.service=web");
	assert_true(filter_match(f, "x", "y", labels));
	filters_free(f);
	f = MAKE("label=tier=back");
	assert_false(filter_match(f, "x", "y", labels));
	filters_free(f);
	f = MAKE("label=empty=");
	assert_true(filter_match(f, "x", "y", labels));
	filters_free(f);
	f = MAKE("label=k=a=b"); /* the value is all after the second '=' */
	assert_true(filter_match(f, "x", "y", "k=a=b\0\0"));
	assert_false(filter_match(f, "x", "y", "k=a\0\0"));
	filters_free(f);
}

static void image_by_reference_or_repository(void **state)
{
	struct filters *f = MAKE("image=nginx");

	(void)state;
	assert_true(filter_match(f, NULL, "nginx", NULL));
	assert_true(filter_match(f, NULL, "nginx:1.25", NULL));
	assert_true(filter_match(f, NULL, "nginx@sha256:0123abcd", NULL));
	assert_true(filter_match(f, NULL, "docker.io/library/nginx:latest", NULL));
	assert_false(filter_match(f, NULL, "nginx-extra:1", NULL));
	assert_false(filter_match(f, NULL, "other/nginx", NULL));
	assert_false(filter_match(f, NULL, NULL, NULL));
	filters_free(f);
	f = MAKE("image=nginx:1.25");
	assert_true(filter_match(f, NULL, "nginx:1.25", NULL));
	assert_false(filter_match(f, NULL, "nginx:1.26", NULL));
	assert_false(filter_match(f, NULL, "nginx", NULL));
	filters_free(f);
	/* A registry with a port is no tag. */
	f = MAKE("image=localhost:5000/app");
	assert_true(filter_match(f, NULL, "localhost:5000/app:2", NULL));
	assert_false(filter_match(f, NULL, "localhost:5000/apps", NULL));
	filters_free(f);
}

static void same_key_or_different_keys_and(void **state)
{
	struct filters *f = MAKE("name=^web$", "name=^api$", "label=tier=front", "image=nginx");

	(void)state;
	assert_true(filter_match(f, "web", "nginx:1", labels));
	assert_true(filter_match(f, "api", "nginx", labels));
	assert_false(filter_match(f, "db", "nginx", labels));	  /* no name matches */
	assert_false(filter_match(f, "web", "postgres", labels)); /* the image does not */
	assert_false(filter_match(f, "web", "nginx", "tier=back\0\0"));
	filters_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_values_say_why),
		cmocka_unit_test(nothing_matches_all),
		cmocka_unit_test(name_is_an_extended_regex),
		cmocka_unit_test(labels_by_key_or_value),
		cmocka_unit_test(image_by_reference_or_repository),
		cmocka_unit_test(same_key_or_different_keys_and),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
