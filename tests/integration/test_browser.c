// SPDX-License-Identifier: GPL-2.0-only
/*
 * report.html as a user sees it: a short real run, then the page loaded in headless Chromium
 * (Debian's chromium): no console error, the headline within the first 900 pixels at 1400x900,
 * and a screenshot that is a real PNG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "support/harness.h"

#define WIDTH  1400
#define HEIGHT 900

/*
 * Put first in <head>: records every error the page meets (script errors, resources that fail
 * to load, console.error calls), and after load writes them and the headline's place into a
 * <pre id="rp-probe"> that --dump-dom shows. The headline is #headline, else the first h1/h2.
 */
static const char probe_script[] =
	"<script>\n"
	"window.rpErrors = [];\n"
	"window.addEventListener('error', function (e) {\n"
	"  var t = e.target;\n"
	"  window.rpErrors.push(e.message || ('cannot load ' + (t && (t.src || t.href))));\n"
	"}, true);\n"
	"(function () {\n"
	"  var original = console.error;\n"
	"  console.error = function () {\n"
	"    window.rpErrors.push(Array.prototype.join.call(arguments, ' '));\n"
	"    original.apply(console, arguments);\n"
	"  };\n"
	"})();\n"
	"window.addEventListener('load', function () {\n"
	"  var h = document.getElementById('headline') || document.querySelector('h1, h2');\n"
	"  var box = h ? h.getBoundingClientRect() : null;\n"
	"  var p = document.createElement('pre');\n"
	"  p.id = 'rp-probe';\n"
	"  p.textContent = 'errors=' + window.rpErrors.length + '\\n' +\n"
	"    'headline=' + (h ? (h.id ? '#' + h.id : h.tagName) : 'none') + '\\n' +\n"
	"    'top=' + (box ? Math.round(box.top + window.scrollY) : -1) + '\\n' +\n"
	"    'bottom=' + (box ? Math.round(box.bottom + window.scrollY) : -1) + '\\n' +\n"
	"    'messages=' + window.rpErrors.join(' | ') + '\\n';\n"
	"  document.body.appendChild(p);\n"
	"});\n"
	"</script>\n";

struct page_probe {
	int errors, top, bottom;
	char headline[32];
	char messages[512];
};

static const char *chromium(void)
{
	static const char *const names[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser"};
	const char *env = getenv("RP_CHROMIUM");

	if (env && *env)
		return env;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (access(names[i], X_OK) == 0)
			return names[i];
	return NULL;
}

/* Runs chromium headless on file://page with the given action (--dump-dom, --screenshot=F). */
static char *run_chromium(const char *profile, const char *action, const char *page)
{
	char cmd[2048], *out = NULL;
	size_t len = 0, cap = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "timeout 120 '%s' --headless --no-sandbox --disable-gpu --hide-scrollbars "
		 "--no-first-run --user-data-dir='%s' --window-size=%d,%d "
		 "--virtual-time-budget=5000 %s 'file://%s' 2>/dev/null",
		 chromium(), profile, WIDTH, HEIGHT, action, page);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (;;) {
		if (len + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		size_t n = fread(out + len, 1, 4096, p);

		if (!n)
			break;
		len += n;
	}
	out[len] = '\0';
	assert_int_equal(pclose(p), 0);
	return out;
}

static int field(const char *text, const char *key, int def)
{
	const char *p = strstr(text, key);

	return p ? atoi(p + strlen(key)) : def;
}

/* Loads page (a copy of report.html, or any page) with the probe and reads what it found. */
static void probe_page(const char *dir, const char *html, struct page_probe *out)
{
	char page[512], profile[512], *dom;
	const char *head = strstr(html, "<head>"), *pre, *p;
	FILE *f;

	assert_non_null(head);
	snprintf(page, sizeof(page), "%s/browser-probe.html", dir);
	snprintf(profile, sizeof(profile), "%s/chromium-profile", dir);
	f = fopen(page, "w");
	assert_non_null(f);
	fwrite(html, 1, (size_t)(head - html) + 6, f);
	fputs(probe_script, f);
	fputs(head + 6, f);
	assert_int_equal(fclose(f), 0);
	dom = run_chromium(profile, "--dump-dom", page);
	pre = strstr(dom, "<pre id=\"rp-probe\">");
	if (!pre)
		fprintf(stderr, "no probe output in the DOM (%zu bytes)\n", strlen(dom));
	assert_non_null(pre);
	memset(out, 0, sizeof(*out));
	out->errors = field(pre, "errors=", -1);
	out->top = field(pre, "top=", -1);
	out->bottom = field(pre, "bottom=", -1);
	p = strstr(pre, "headline=");
	if (p)
		snprintf(out->headline, sizeof(out->headline), "%.*s", (int)strcspn(p + 9, "\n"),
			 p + 9);
	p = strstr(pre, "messages=");
	if (p)
		snprintf(out->messages, sizeof(out->messages), "%.*s", (int)strcspn(p + 9, "\n<"),
			 p + 9);
	free(dom);
}

/* The probe itself must see errors when a page has them, or "no error" would prove nothing. */
static void probe_sees_errors(const char *dir)
{
	static const char broken[] =
		"<!DOCTYPE html><html><head><title>broken</title></head><body>"
		"<h1>broken</h1><img src=\"no-such-figure.png\">"
		"<script>no_such_function();</script><script>console.error('said');</script>"
		"</body></html>";
	struct page_probe pr;

	probe_page(dir, broken, &pr);
	fprintf(stderr, "control page: %d errors (%s)\n", pr.errors, pr.messages);
	assert_int_equal(pr.errors, 3);
}

static void report_page_in_a_browser(void **state)
{
	char *dir = harness_tmpdir("browser"), path[512], page[512], shot[512], action[600];
	char *html, *out;
	const char *args[] = {"run", "--trials", "3", "--interval", "0.2", "-o", dir, NULL};
	struct proc_result r;
	struct page_probe pr;
	unsigned char sig[8];
	FILE *f;

	(void)state;
	if (!chromium()) {
		fprintf(stderr, "no chromium: install it (scripts/install-deps.sh test)\n");
		fail();
	}
	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code)
		fprintf(stderr, "%s", r.err);
	assert_int_equal(r.exit_code, 0);
	proc_result_free(&r);
	probe_sees_errors(dir);

	snprintf(path, sizeof(path), "%s/report.html", dir);
	html = harness_slurp(path);
	assert_non_null(html);
	probe_page(dir, html, &pr);
	free(html);
	fprintf(stderr, "report.html: %d errors (%s); headline %s at %d..%d px\n", pr.errors,
		pr.messages, pr.headline, pr.top, pr.bottom);
	assert_int_equal(pr.errors, 0);
	assert_true(pr.top >= 0);
	assert_true(pr.bottom > pr.top && pr.bottom <= HEIGHT);

	/* What a user sees first: a real PNG of the first screen. */
	snprintf(shot, sizeof(shot), "%s/screen.png", dir);
	snprintf(action, sizeof(action), "--screenshot='%s'", shot);
	snprintf(path, sizeof(path), "%s/chromium-profile", dir);
	snprintf(page, sizeof(page), "%s/report.html", dir);
	out = run_chromium(path, action, page);
	free(out);
	f = fopen(shot, "rb");
	assert_non_null(f);
	assert_int_equal(fread(sig, 1, sizeof(sig), f), sizeof(sig));
	assert_memory_equal(sig, "\x89PNG\r\n\x1a\n", sizeof(sig));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true(ftell(f) > 10000); /* not a blank page */
	fclose(f);
	harness_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(report_page_in_a_browser),
	};

	if (!harness_docker_host()) {
		fprintf(stderr, "integration tests need DOCKER_HOST (run them with make test)\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
