// SPDX-License-Identifier: GPL-2.0-only
/* restartprof clean: removes the containers of earlier runs whose process is gone, and with
 * --images the images restartprof built. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/docker.h"
#include "engine/http.h"
#include "trial/leftovers.h"

enum {
	OPT_DOCKER_HOST = 1000,
	OPT_IMAGES,
};

struct clean_args {
	const char *host;
	bool images;
};

static const struct argp_option clean_options[] = {
	{"docker-host", OPT_DOCKER_HOST, "unix://PATH", 0, CLI_DOCKER_HOST_HELP, 0},
	{"images", OPT_IMAGES, NULL, 0,
	 "Also remove the images restartprof built (restartprof-svc:*, restartprof-stress:*); "
	 "the next run builds them again",
	 0},
	{0},
};

static const char clean_doc[] =
	"Remove what earlier runs left behind."
	"\n\n"
	"restartprof clean removes the containers of runs whose process died (killed, crashed): "
	"those labelled io.restartprof.run whose run holds no lock in /run/restartprof any more "
	"(a live run holds one, whatever PID namespace it is in). It first restores the settings "
	"a restartprof that died left changed (the journals in /run/restartprof: sysctls, "
	"block-queue settings, a remount; docs/remedies.md), saying each. It keeps the images "
	"restartprof built (restartprof-svc:*, restartprof-stress:*, labelled "
	"io.restartprof.content): they are a cache that saves the next run from building them."
	"\n\n"
	"restartprof clean --images removes those containers and then those images too, unless a "
	"run is still going. Containers of runs still going, and containers and images "
	"restartprof did not make, are never touched."
	"\v"
	"EXAMPLES:\n"
	"  restartprof clean\n"
	"  restartprof clean --images\n"
	"  restartprof clean --docker-host unix:///var/lib/rp/docker.sock\n"
	"\n"
	"EXIT CODES:\n"
	"  0  done (also when nothing was left)\n"
	"  1  the engine could not be reached or asked\n"
	"  2  bad command line or engine address\n";

static error_t parse_clean_option(int key, char *arg, struct argp_state *state)
{
	struct clean_args *a = state->input;

	switch (key) {
	case OPT_DOCKER_HOST:
		a->host = arg;
		break;
	case OPT_IMAGES:
		a->images = true;
		break;
	case ARGP_KEY_ARG:
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void print_removed(void *ctx, const char *line)
{
	(void)ctx;
	printf("restartprof: %s\n", line);
}

int cmd_clean(int argc, char **argv)
{
	struct argp argp = {clean_options, parse_clean_option, NULL, clean_doc, NULL, NULL, NULL};
	struct docker d;
	char socket[108], err[256];
	struct clean_args a = {0};
	int n;

	if (cli_help_asked(argc, argv)) {
		argp_help(&argp, stdout, ARGP_HELP_STD_HELP, "restartprof clean");
		return EXIT_OK;
	}
	if (argp_parse(&argp, argc, argv, ARGP_NO_ERRS, NULL, &a)) {
		fprintf(stderr,
			"restartprof: clean takes only --images and --docker-host unix://PATH\n");
		return EXIT_USAGE;
	}
	n = cli_recover_changes();
	printf("restartprof: %d changed setting%s restored\n", n, n == 1 ? "" : "s");
	if (docker_resolve_socket(a.host, socket, sizeof(socket), err, sizeof(err))) {
		fprintf(stderr, "restartprof: %s\n", err);
		return EXIT_USAGE;
	}
	http_global_init();
	if (docker_open(&d, socket)) {
		fprintf(stderr, "restartprof: %s\n", d.err);
		return EXIT_FAILED;
	}
	n = leftovers_remove(&d, print_removed, NULL);
	if (n < 0)
		fprintf(stderr, "restartprof: %s\n", d.err);
	else
		printf("restartprof: %d leftover container%s removed\n", n, n == 1 ? "" : "s");
	if (n >= 0 && a.images) {
		n = leftover_images_remove(&d, print_removed, NULL);
		if (n < 0)
			fprintf(stderr, "restartprof: %s\n", d.err);
		else
			printf("restartprof: %d image%s removed\n", n, n == 1 ? "" : "s");
	}
	docker_close(&d);
	return n < 0 ? EXIT_FAILED : EXIT_OK;
}
