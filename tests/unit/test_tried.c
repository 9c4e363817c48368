// SPDX-License-Identifier: GPL-2.0-only
/*
 * A synthetic try run directory (A and B trials of one cell, waits of two causes): the per-trial
 * values per phase and cause, the comparison beside each cause in explain's text and headline,
 * the rules' try lines as commands, and --proven from another run.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "explain/explain.h"
#include "explain/text.h"
#include "explain/tried.h"
#include "report/report.h"
#include "support/harness.h"
#include "util/files.h"

#define OVL_STACK  "entry_SYSCALL_64;__x64_sys_umount;ovl_sync_fs;sync_filesystem;schedule"
#define RUNQ_STACK "entry_SYSCALL_64;do_syscall_64;schedule"

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

static void put(const char *dir, const char *name, const char *text)
{
	assert_int_equal(harness_put_file(dir, name, text), 0);
}

/*
 * n trials of cell hdd-2, ABBA ABBA ...; then a failed one. create: A about 650 ms of which 600 ms
 * an overlay unmount's sync, B about 70 ms of which 20 ms; stop: 300 ms of which about 100 ms on
 * the run queue either way. variants "" makes an ordinary run of the same trials.
 */
static char *make_trials(int n, bool variants, const char *run_json)
{
	char *dir = harness_tmpdir("tried"), *t = NULL, *p = NULL, *w = NULL;
	size_t tl, pl, wl;
	FILE *ft = open_memstream(&t, &tl), *fp = open_memstream(&p, &pl),
	     *fw = open_memstream(&w, &wl);

	assert_non_null(dir);
	fputs("cell,load,stressors,trial,status,restart_ns,variant\n", ft);
	fputs("cell,trial,phase,duration_ns\n", fp);
	fputs("cell,trial,phase,actor,comm,state,stack,call,file,deleted,waker,count,offcpu_ns,"
	      "wall_ns\n",
	      fw);
	for (int i = 1; i <= n; i++) {
		bool b = "ABBA"[(i - 1) % 4] == 'B';
		long create = (b ? 70 : 650) + i, sync = (b ? 20 : 600) + i, runq = 100 + i % 3;

		fprintf(ft, "hdd-2,hdd,2,%d,ok,%ld000000,%s\n", i, create + 300,
			variants ? (b ? "B" : "A") : "");
		fprintf(fp, "hdd-2,%d,create,%ld000000\nhdd-2,%d,stop,300000000\n", i, create, i);
		fprintf(fw,
			"hdd-2,%d,create,engine,dockerd,blocked,s1,umount,,0,,1,%ld000000,"
			"%ld000000\n",
			i, sync, sync);
		fprintf(fw, "hdd-2,%d,stop,engine,containerd,runq,s2,,,0,,2,%ld000000,%ld000000\n",
			i, runq, runq);
	}
	/* A failed trial counts nowhere. */
	fprintf(ft, "hdd-2,hdd,2,%d,failed,,%s\n", n + 1, variants ? "A" : "");
	fclose(ft);
	fclose(fp);
	fclose(fw);
	put(dir, "trials.csv", t);
	put(dir, "phases.csv", p);
	put(dir, "waits.csv", w);
	put(dir, "stacks.csv", "stack,frames,folded\ns1,5," OVL_STACK "\ns2,3," RUNQ_STACK "\n");
	if (run_json)
		put(dir, "run.json", run_json);
	free(t);
	free(p);
	free(w);
	return dir;
}

/* Twelve trials: three groups ABBA, six of each. */
static char *make_run(bool variants, const char *run_json)
{
	return make_trials(12, variants, run_json);
}

static void remove_file(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(unlink(path), 0);
}

static void read_run(const char *dir, struct explain_run *r)
{
	char err[512];

	assert_int_equal(explain_read(dir, &rules, 0, r, err, sizeof(err)), 0);
}

static void per_trial_values(void **state)
{
	char *dir = make_run(true, "{\"try\": {\"remedies\": \"dirty=64M:16M\"}}");
	int ovl = rules_find(&rules, "overlay-umount-sync"), cpu = rules_find(&rules, "cpu-wait");
	const struct explain_cell *c;
	struct comparison k;
	struct explain_run r;

	(void)state;
	read_run(dir, &r);
	assert_string_equal(r.tried, "dirty=64M:16M");
	c = explain_find(&r, "hdd-2");
	assert_non_null(c);
	assert_true(tried_cell_paired(c));
	assert_int_equal(c->ab->n, 12); /* the failed trial left out */
	assert_int_equal(c->ab->n_variant[AB_A], 6);
	assert_int_equal(c->ab->n_variant[AB_B], 6);
	/* Trial 1 (A): create 651 ms, 601 of them the sync, 50 with no wait; stop 300 ms. */
	assert_int_equal(c->ab->t[0].trial, 1);
	assert_true(ab_values_get(c->ab, 0, PH_CREATE, AB_PHASE_TOTAL) == 651);
	assert_true(ab_values_get(c->ab, 0, PH_CREATE, ovl) == 601);
	assert_true(ab_values_get(c->ab, 0, PH_CREATE, DIAGNOSIS_NO_WAIT) == 50);
	assert_true(ab_values_get(c->ab, 0, PH_CREATE, cpu) == 0);
	assert_true(ab_values_get(c->ab, 0, PH_STOP, cpu) == 101);
	assert_true(ab_values_get(c->ab, 0, AB_ALL_PHASES, AB_PHASE_TOTAL) == 951);
	/* The per-trial values agree with the diagnosis: their mean is each cause's time. */
	for (int p = 0; p < PH_COUNT; p++) {
		const struct diagnosis_phase *ph = &c->dx.phase[p];
		double total = 0, nowait = 0;

		for (size_t i = 0; i < c->ab->n; i++) {
			total += ab_values_get(c->ab, i, p, AB_PHASE_TOTAL) / (double)c->ab->n;
			nowait += ab_values_get(c->ab, i, p, DIAGNOSIS_NO_WAIT) / (double)c->ab->n;
		}
		assert_true(fabs(total - ph->measured_ms) < 1e-6);
		assert_true(fabs(nowait - ph->nowait_ms) < 1e-6);
		for (int j = 0; j < ph->n_causes; j++) {
			double sum = 0;

			for (size_t i = 0; i < c->ab->n; i++)
				sum += ab_values_get(c->ab, i, p, ph->causes[j].rule);
			assert_true(fabs(sum / (double)c->ab->n - ph->causes[j].ms) < 1e-6);
		}
	}
	/* Trial 2 (B). */
	assert_true(ab_values_get(c->ab, 1, PH_CREATE, ovl) == 22);
	assert_int_equal(tried_compare(c, PH_CREATE, ovl, &k), 0);
	assert_int_equal(k.verdict, VERDICT_HELPS);
	assert_true(k.median_a > 600 && k.median_b < 30 && k.hi < 0);
	assert_int_equal(tried_compare(c, PH_CREATE, AB_PHASE_TOTAL, &k), 0);
	assert_int_equal(k.verdict, VERDICT_HELPS);
	assert_int_equal(tried_compare(c, PH_STOP, AB_PHASE_TOTAL, &k), 0);
	assert_int_equal(k.verdict, VERDICT_NO_EFFECT);
	assert_true(k.diff == 0 && k.lo == 0 && k.hi == 0);
	assert_int_equal(tried_compare(c, PH_STOP, cpu, &k), 0);
	assert_int_equal(k.verdict, VERDICT_NO_EFFECT);
	explain_run_free(&r);
	harness_rmtree(dir);
	free(dir);
}

static char *print(const struct explain_run *r, const struct explain_text_opts *o)
{
	char *text = NULL;
	size_t len;
	FILE *f = open_memstream(&text, &len);

	explain_print(f, r, NULL, o);
	fclose(f);
	return text;
}

/* Whether the line of text that holds what (the first) also holds also. */
__attribute__((noinline)) static bool line_has(const char *text, const char *what, const char *also)
{
	const char *at = strstr(text, what), *start, *end;
	char line[1024];

	if (!at)
		return false;
	start = at;
	while (start > text && start[-1] != '\n')
		start--;
	end = strchr(at, '\n');
	snprintf(line, sizeof(line), "%.*s", (int)(end ? end - start : (long)strlen(start)), start);
	return strstr(line, also) != NULL;
}

/* How many times what occurs in text. */
__attribute__((noinline)) static int count(const char *text, const char *what)
{
	int n = 0;

	for (const char *at = strstr(text, what); at; at = strstr(at + 1, what))
		n++;
	return n;
}

static void explain_text(void **state)
{
	char *dir = make_run(true, "{\"try\": {\"remedies\": \"dirty=64M:16M\"}}"), *text;
	struct explain_text_opts o = {.rules_origin = "built-in", .width = 200};
	struct explain_run r;

	(void)state;
	read_run(dir, &r);
	text = print(&r, &o);
	/* The cell: its A and B trials and the restart. */
	assert_non_null(
		strstr(text, "tried dirty=64M:16M: 6 trials with it off (A), 6 with it on"));
	assert_true(line_has(text, "restart (the phases summed): dirty=64M:16M: -", "helps"));
	/* Beside the phase, and under the cause. */
	assert_true(line_has(text, "  create        3", "ms per trial; tried dirty=64M:16M: -"));
	assert_true(line_has(text, "tried   dirty=64M:16M: -5", "] helps"));
	assert_true(line_has(text, "  stop          3",
			     "tried dirty=64M:16M: +0.0 ms [+0.0, +0.0] no measurable effect"));
	/* The command that tests each cause, with the cell's load; not the remedy measured. */
	assert_non_null(
		strstr(text, "test it restartprof try load-cpus=1 --load hdd --stressors 2"));
	assert_null(strstr(text, "test it restartprof try dirty=64M:16M"));
	free(text);
	/* The headline: the restart and each phase shown. */
	o.brief = true;
	text = print(&r, &o);
	assert_null(strstr(text, "== cell"));
	assert_non_null(strstr(text, "  restart with dirty=64M:16M: -"));
	assert_non_null(strstr(text, "    with dirty=64M:16M: -"));
	assert_null(strstr(text, "test it: restartprof try dirty=64M:16M"));
	free(text);
	explain_run_free(&r);
	harness_rmtree(dir);
	free(dir);
}

/* Two trials of each: a verdict, said to be too few to trust. */
static void few_trials(void **state)
{
	char *dir = make_trials(4, true, "{\"try\": {\"remedies\": \"dirty=64M:16M\"}}"), *text;
	struct explain_text_opts o = {.rules_origin = "built-in", .width = 200};
	struct explain_run r;

	(void)state;
	read_run(dir, &r);
	text = print(&r, &o);
	assert_true(line_has(text, "tried   dirty=64M:16M: -5",
			     "] helps (few trials: too narrow to trust)"));
	free(text);
	explain_run_free(&r);
	/* Without waits.csv: no causes, the phases compared all the same. */
	remove_file(dir, "waits.csv");
	read_run(dir, &r);
	text = print(&r, &o);
	assert_non_null(strstr(text, "no causes to show"));
	assert_true(line_has(text, "  create        3", "ms per trial; tried dirty=64M:16M: -5"));
	assert_true(line_has(text, "restart (the phases summed): dirty=64M:16M: -", "helps"));
	free(text);
	explain_run_free(&r);
	harness_rmtree(dir);
	free(dir);
}

static void no_run_json(void **state)
{
	char *dir = make_run(true, NULL), *text;
	struct explain_text_opts o = {.rules_origin = "built-in", .width = 200};
	struct explain_run r;

	(void)state;
	read_run(dir, &r);
	assert_string_equal(r.tried, "");
	text = print(&r, &o);
	assert_non_null(strstr(text, "tried   the remedy: -"));
	free(text);
	explain_run_free(&r);
	harness_rmtree(dir);
	free(dir);
}

static void proven(void **state)
{
	char *tdir = make_run(true, "{\"try\": {\"remedies\": \"dirty=64M:16M\"}}"),
	     *dir = make_run(false, "{}"), *text;
	struct explain_run t, r;
	struct explain_text_opts o = {.rules_origin = "built-in", .width = 200};

	(void)state;
	read_run(tdir, &t);
	read_run(dir, &r);
	assert_false(tried_cell_paired(explain_find(&r, "hdd-2")));
	o.proven = &t;
	o.n_proven = 1;
	text = print(&r, &o);
	assert_null(strstr(text, "tried   "));
	/* Under overlay-umount-sync (its try line names dirty), not under cpu-wait. */
	assert_true(line_has(text, "proven  dirty=64M:16M: -5", tdir));
	assert_true(line_has(text, "proven  dirty=64M:16M: -5", "helps"));
	assert_int_equal(count(text, "proven  "), 1);
	assert_non_null(
		strstr(text, "test it restartprof try dirty=64M:16M --load hdd --stressors 2"));
	free(text);
	/* The headline: the command once per cause without --proven, what it measured with. */
	o.brief = true;
	o.n_proven = 0;
	text = print(&r, &o);
	assert_int_equal(
		count(text, "test it: restartprof try dirty=64M:16M --load hdd --stressors 2"), 1);
	free(text);
	o.n_proven = 1;
	text = print(&r, &o);
	assert_int_equal(count(text, "    proven: dirty=64M:16M: -5"), 1);
	assert_null(strstr(text, "test it: restartprof try dirty=64M:16M"));
	free(text);
	explain_run_free(&t);
	explain_run_free(&r);
	harness_rmtree(tdir);
	harness_rmtree(dir);
	free(tdir);
	free(dir);
}

static void try_lines(void **state)
{
	const char *text = "format 1\nrule a\nmatch state=runq\ntry [load] load-cpus=1\n"
			   "try dirty=64M:16M\n";
	struct explain_cell hdd = {.load = "hdd", .stressors = 2}, none = {.load = "none"},
			    dev = {.load = "device"};
	char err[256], cmd[256];
	struct rules r;

	(void)state;
	assert_int_equal(rules_parse(text, strlen(text), &r, err, sizeof(err)), 0);
	assert_int_equal(r.rule[0].n_tries, 2);
	assert_true(tried_command(&r.rule[0], 0, &hdd, cmd, sizeof(cmd)));
	assert_string_equal(cmd, "restartprof try load-cpus=1 --load hdd --stressors 2");
	assert_false(tried_command(&r.rule[0], 0, &none, cmd, sizeof(cmd)));
	assert_true(tried_command(&r.rule[0], 1, &none, cmd, sizeof(cmd)));
	assert_string_equal(cmd, "restartprof try dirty=64M:16M --load none");
	assert_false(tried_command(&r.rule[0], 1, &dev, cmd, sizeof(cmd)));
	assert_true(tried_addresses(&r.rule[0], "dirty=32M:8M"));
	assert_true(tried_addresses(&r.rule[0], "wbt=0,load-cpus=2"));
	assert_false(tried_addresses(&r.rule[0], "nodiscard"));
	assert_false(tried_addresses(&r.rule[0], ""));
	rules_free(&r);
	/* Refused: no spec, a spec a shell would split, one too long, too many. */
	const char *bad[] = {
		"format 1\nrule a\nmatch state=runq\ntry\n",
		"format 1\nrule a\nmatch state=runq\ntry [load]\n",
		"format 1\nrule a\nmatch state=runq\ntry dirty=1M; rm\n",
		"format 1\nrule a\nmatch state=runq\ntry $(x)\n",
		"format 1\nrule a\nmatch state=runq\ntry a\ntry b\ntry c\ntry d\ntry e\n",
		"format 1\ntry a\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(rules_parse(bad[i], strlen(bad[i]), &r, err, sizeof(err)), -1);
	/* Every built-in rule's try line is a command in a loaded cell. */
	for (int i = 0; i < rules.n; i++)
		for (int k = 0; k < rules.rule[i].n_tries; k++)
			assert_true(tried_command(&rules.rule[i], k, &hdd, cmd, sizeof(cmd)));
}

static char *report_html(const char *dir)
{
	const char *dirs[] = {dir};
	struct report_opts o = {.gnuplot = "/nonexistent/gnuplot"};
	char err[512], path[600], *html = NULL;

	assert_int_equal(report_dirs(dirs, 1, &o, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/report.html", dir);
	assert_int_equal(file_read_all(AT_FDCWD, path, 1 << 24, 0, &html, NULL), 0);
	return html;
}

/* report.html: the Remedy section, per phase from the trials and per cause from the waits. */
static void report_section(void **state)
{
	char *tdir = make_run(true, "{\"try\": {\"remedies\": \"dirty=64M:16M\"}}"),
	     *dir = make_run(false, "{}"), *html;
	const char *sec, *end;

	(void)state;
	html = report_html(tdir);
	sec = strstr(html, "<section id=\"remedy\"><h2>Remedy: <code>dirty=64M:16M</code></h2>");
	assert_non_null(sec);
	assert_true(sec < strstr(html, "<section id=\"run\">"));
	assert_non_null(strstr(html, "<a href=\"#remedy\">Remedy</a>"));
	end = strstr(sec, "</section>");
	assert_non_null(end);
	assert_true(line_has(sec, "<b>restart</b>",
			     "<td>6 / 6</td><td>956.5</td><td>376.5</td>"
			     "<td class=\"vh\">-580.0</td>"));
	assert_true(line_has(sec, "<b>restart</b>", "<td class=\"l vh\">helps</td>"));
	assert_true(line_has(sec, "<td class=\"l\">stop</td><td>6 / 6</td>",
			     "<td class=\"vn\">[+0.0, +0.0]</td><td class=\"l vn\">no measurable "
			     "effect</td>"));
	assert_true(line_has(sec, ">overlay-umount-sync</td>", "<td>606.5</td><td>26.5</td>"));
	assert_true(line_has(sec, ">overlay-umount-sync</td>", "helps"));
	assert_true(strstr(sec, ">overlay-umount-sync</td>") < end);
	free(html);
	html = report_html(dir);
	assert_null(strstr(html, "id=\"remedy\""));
	assert_null(strstr(html, "href=\"#remedy\""));
	free(html);
	harness_rmtree(tdir);
	harness_rmtree(dir);
	free(tdir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(per_trial_values), cmocka_unit_test(explain_text),
		cmocka_unit_test(no_run_json),	    cmocka_unit_test(few_trials),
		cmocka_unit_test(proven),	    cmocka_unit_test(try_lines),
		cmocka_unit_test(report_section),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
