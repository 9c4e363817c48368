// SPDX-License-Identifier: GPL-2.0-only
/*
 * The answer first, on synthetic diagnoses: which phases, causes and remedies a cell's
 * headline picks (by growth against a baseline, else by cost; remedies for the cell's
 * context); the text wrapped to a width; paths shortened relative to the data-root.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/kind.h"
#include "explain/explain.h"
#include "explain/headline.h"
#include "explain/html.h"
#include "explain/wrap.h"

static struct rules rules;

static int setup(void **state)
{
	char err[256];

	(void)state;
	return explain_rules_load(NULL, &rules, err, sizeof(err));
}

static int teardown(void **state)
{
	(void)state;
	rules_free(&rules);
	return 0;
}

static int rule_named(const char *name)
{
	for (int i = 0; i < rules.n; i++)
		if (strcmp(rules.rule[i].name, name) == 0)
			return i;
	fail_msg("no rule %s", name);
	return -1;
}

/* A phase of measured ms: the rules' causes given as name, ms pairs (largest first), and the
 * rest on CPU. */
static void phase(struct explain_cell *c, int p, double measured, struct diagnosis_cause *causes,
		  int n, ...)
{
	struct diagnosis_phase *ph = &c->dx.phase[p];
	double sum = 0;
	va_list ap;

	va_start(ap, n);
	for (int i = 0; i < n; i++) {
		causes[i] = (struct diagnosis_cause){.rule = rule_named(va_arg(ap, const char *))};
		causes[i].ms = va_arg(ap, double);
		sum += causes[i].ms;
	}
	va_end(ap);
	ph->measured_ms = measured;
	ph->causes = causes;
	ph->n_causes = n;
	ph->explained_ms = sum;
	ph->nowait_ms = measured - sum;
}

static void cell(struct explain_cell *c, const char *name, const char *load, int stressors,
		 double median)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->load, sizeof(c->load), "%s", load);
	c->stressors = stressors;
	c->dx.trials = c->ok_trials = 3;
	c->median_ms = median;
}

static void grown_phases_first_with_their_largest_growth(void **state)
{
	struct diagnosis_cause bc[4][2], hc[4][3];
	struct explain_cell cells[2], *base = &cells[0], *hdd = &cells[1];
	struct explain_run r = {.rules = &rules, .cells = cells, .n_cells = 2, .have_base = true};
	struct headline h;

	(void)state;
	cell(base, "none", "none", 0, 600);
	cell(hdd, "hdd-2", "hdd", 2, 2400);
	phase(base, PH_CREATE, 100, bc[0], 1, "cpu-wait", 10.0);
	phase(base, PH_STOP, 80, bc[1], 0);
	phase(base, PH_START, 300, bc[2], 1, "cpu-wait", 50.0);
	phase(base, PH_READY, 20, bc[3], 0);
	/* create grows most, by the overlay's sync; start grows by waiting for CPUs; stop a
	 * little; ready shrinks. */
	phase(hdd, PH_CREATE, 900, hc[0], 2, "overlay-umount-sync", 600.0, "cpu-wait", 60.0);
	phase(hdd, PH_STOP, 200, hc[1], 1, "overlay-umount-sync", 40.0);
	phase(hdd, PH_START, 700, hc[2], 2, "cpu-wait", 300.0, "bolt-commit", 100.0);
	phase(hdd, PH_READY, 10, hc[3], 0);
	r.base = *base;

	headline_select(&r, hdd, &r.base, HEADLINE_PHASES, &h);
	assert_true(h.grew);
	assert_true(fabs(h.change_ms - 1800) < 1e-9);
	assert_true(fabs(h.change_pct - 300) < 1e-9);
	assert_int_equal(h.n, 3);
	assert_int_equal(h.phase[0].phase, PH_CREATE);
	assert_int_equal(h.phase[0].cause, rule_named("overlay-umount-sync"));
	assert_true(fabs(h.phase[0].cause_ms - 600) < 1e-9);
	assert_string_equal(h.phase[0].remedy,
			    rules.rule[rule_named("overlay-umount-sync")].remedy[0]);
	assert_int_equal(h.phase[1].phase, PH_START);
	assert_int_equal(h.phase[1].cause, rule_named("cpu-wait"));
	/* In a loaded cell, cpu-wait's remedy speaks of the load. */
	assert_non_null(strstr(h.phase[1].remedy, "load containers"));
	assert_int_equal(h.phase[2].phase, PH_STOP);

	/* Two phases asked: the third goes. */
	headline_select(&r, hdd, &r.base, 2, &h);
	assert_int_equal(h.n, 2);
}

static void without_a_baseline_the_costliest_phases(void **state)
{
	struct diagnosis_cause c[3][2];
	struct explain_cell cells[1], *none = &cells[0];
	struct explain_run r = {.rules = &rules, .cells = cells, .n_cells = 1};
	struct headline h;

	(void)state;
	cell(none, "none", "none", 0, 700);
	phase(none, PH_START, 400, c[0], 1, "cpu-wait", 250.0);	       /* on CPU 150 */
	phase(none, PH_DISCONNECT, 100, c[1], 1, "bolt-commit", 20.0); /* on CPU 80 */
	phase(none, PH_KILL, 5, c[2], 0);			       /* below a tenth of start */
	headline_select(&r, none, NULL, HEADLINE_PHASES, &h);
	assert_false(h.grew);
	assert_true(isnan(h.change_ms));
	assert_int_equal(h.n, 2);
	assert_int_equal(h.phase[0].phase, PH_START);
	assert_int_equal(h.phase[0].cause, rule_named("cpu-wait"));
	/* No load: the remedy does not blame one. */
	assert_null(strstr(h.phase[0].remedy, "the load"));
	assert_int_equal(h.phase[1].phase, PH_DISCONNECT);
	assert_int_equal(h.phase[1].cause, DIAGNOSIS_NO_WAIT); /* 80 ms on CPU > 20 ms */
	assert_null(h.phase[1].remedy);
	assert_non_null(
		strstr(headline_cause_title(&rules, DIAGNOSIS_NO_WAIT), "no on-CPU sample"));
	assert_string_equal(headline_cause_name(&rules, DIAGNOSIS_NO_WAIT), "no wait");
}

static void remedies_by_context(void **state)
{
	const struct rule *cpu = &rules.rule[rule_named("cpu-wait")];
	int loaded = 0, idle = 0;

	(void)state;
	for (int i = 0; i < cpu->n_remedies; i++) {
		const char *l = explain_remedy(cpu, i, true, -1),
			   *n = explain_remedy(cpu, i, false, -1);

		loaded += l != NULL;
		idle += n != NULL;
		assert_true(!l || l[0] != '[');
		assert_true(!n || !strstr(n, "load containers"));
	}
	assert_true(loaded >= 1 && idle >= 1);
}

/* A remedy tagged [docker] or [podman] is shown for runs of that engine only; the rules name
 * no Docker unit, flag or daemon to a Podman run, and no Podman unit to a Docker run. */
static void remedies_by_engine(void **state)
{
	static const char *const docker_only[] = {"docker.service", "dockerd --", "containerd"};
	int podman = 0;

	(void)state;
	for (int r = 0; r < rules.n; r++)
		for (int i = 0; i < rules.rule[r].n_remedies; i++)
			for (int load = 0; load < 2; load++) {
				const char *d = explain_remedy(&rules.rule[r], i, load,
							       ENGINE_DOCKER),
					   *p = explain_remedy(&rules.rule[r], i, load,
							       ENGINE_PODMAN);

				assert_true(!d || d[0] != '[');
				assert_true(!p || p[0] != '[');
				assert_true(!d || !strstr(d, "podman.service"));
				for (size_t k = 0; p && k < 3; k++)
					assert_null(strstr(p, docker_only[k]));
				podman += p && strstr(p, "podman.service");
			}
	assert_true(podman > 0);
}

static char *wrapped(int width, int indent, const char *text)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	wrap_print(f, width, indent, text);
	fclose(f);
	return out;
}

static void lines_fit_the_width(void **state)
{
	char *out, *save = NULL;
	int lines = 0;

	(void)state;
	out = wrapped(40, 6,
		      "  start +558.9 ms, top cause cpu-wait +223.2 ms: Waiting for a CPU "
		      "while the load \xe2\x80\xa6 ran");
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		assert_true(wrap_columns(l) <= 40);
		if (lines++)
			assert_int_equal(strspn(l, " "), 6);
		else
			assert_int_equal(strncmp(l, "  start", 7), 0); /* its spaces kept */
	}
	assert_true(lines >= 3);
	free(out);
	/* A word longer than a line is cut after a '/'. */
	out = wrapped(30, 4, "file /var/lib/docker/overlay2/0123456789abcdef/merged/etc/hosts");
	assert_string_equal(out, "file /var/lib/docker/overlay2/\n"
				 "    0123456789abcdef/merged/\n"
				 "    etc/hosts\n");
	free(out);
	/* Short text is left as it is. */
	out = wrapped(100, 4, "    1.    250.0 ms  62.5%  overlay-umount-sync: x");
	assert_string_equal(out, "    1.    250.0 ms  62.5%  overlay-umount-sync: x\n");
	free(out);
	assert_int_equal(wrap_columns("a\xe2\x80\xa6z"), 3);
}

static void paths_shortened_relative_to_the_data_root(void **state)
{
	char out[256];
	const char *id = "e3f26d284849a2d6ce6ba5f4a8622613f107d308737c556b69a1f1bb33f50d1a";
	char in[256];

	(void)state;
	snprintf(in, sizeof(in), "umount /var/lib/docker/overlay2/%s-init/merged", id);
	wrap_shorten_paths(in, "/var/lib/docker", out, sizeof(out));
	assert_string_equal(out,
			    "umount \xe2\x80\xa6/overlay2/e3f26d284849\xe2\x80\xa6-init/merged");
	/* A trailing slash on the data-root, and a path outside it. */
	snprintf(in, sizeof(in), "fsync /var/lib/docker/containers/%s/.tmp-config.v2.json1", id);
	wrap_shorten_paths(in, "/var/lib/docker/", out, sizeof(out));
	assert_string_equal(out,
			    "fsync \xe2\x80\xa6/containers/e3f26d284849\xe2\x80\xa6/.tmp-config."
			    "v2.json1");
	wrap_shorten_paths("rename /etc/hosts.tmp /var/lib/dockerx/a", "/var/lib/docker", out,
			   sizeof(out));
	assert_string_equal(out, "rename /etc/hosts.tmp /var/lib/dockerx/a");
	/* Without a data-root only the ids; short hex words and stack addresses stay. */
	wrap_shorten_paths("ext4_sync_fs 0xffffffff81000000 cafe", NULL, out, sizeof(out));
	assert_string_equal(out, "ext4_sync_fs 0xffffffff81000000 cafe");
	/* Cut to the room given. */
	wrap_shorten_paths(in, "/var/lib/docker", out, 12);
	assert_int_equal(strlen(out), 11);
}

/* report.html's diagnosis shows the causes the text shows: not the 0.0 ms ones. */
static void report_folds_the_causes_the_text_folds(void **state)
{
	struct diagnosis_cause c[2];
	struct explain_cell cells[1], *none = &cells[0];
	struct explain_run r = {.rules = &rules, .cells = cells, .n_cells = 1, .traced = true};
	char *html = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&html, &len);

	(void)state;
	cell(none, "none", "none", 0, 10);
	phase(none, PH_START, 10, c, 2, "cpu-wait", 5.0, "bolt-commit", 0.01);
	explain_html(f, &r);
	explain_headline_html(f, &r);
	fclose(f);
	assert_non_null(strstr(html, "<b>cpu-wait</b>: "));
	assert_null(strstr(html, "<b>bolt-commit</b>: "));
	assert_non_null(strstr(html, "1 smaller cause: 0.0 ms"));
	assert_non_null(strstr(html, "class=\"l causes\""));
	assert_non_null(strstr(html, "no wait recorded 5.0 ms"));
	assert_null(strstr(html, "unexplained"));
	/* Remedies for a cell with no load, their tags not shown. */
	assert_non_null(strstr(html, "helps: Nothing else was loaded"));
	assert_null(strstr(html, "[no load]"));
	assert_null(strstr(html, "load containers"));
	assert_non_null(strstr(html, "median restart <b>10.0 ms</b>"));
	free(html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(grown_phases_first_with_their_largest_growth),
		cmocka_unit_test(without_a_baseline_the_costliest_phases),
		cmocka_unit_test(remedies_by_context),
		cmocka_unit_test(remedies_by_engine),
		cmocka_unit_test(lines_fit_the_width),
		cmocka_unit_test(paths_shortened_relative_to_the_data_root),
		cmocka_unit_test(report_folds_the_causes_the_text_folds),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
