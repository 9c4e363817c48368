#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/docker.h"
#include "engine/http.h"
#include "trial/leftovers.h"

static void print_removed(void *ctx, const char *line)
{
	(void)ctx;
	printf("restartprof: %s\n", line);
}

int cmd_clean(int argc, char **argv)
{
	struct docker d;
	char socket[108], err[256];
	const char *host = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--docker-host") == 0 && i + 1 < argc) {
			host = argv[++i];
		} else {
			fprintf(stderr,
				"restartprof: clean takes only --docker-host unix://PATH\n");
			return EXIT_USAGE;
		}
	}
	if (docker_resolve_socket(host, socket, sizeof(socket), err, sizeof(err))) {
		fprintf(stderr, "restartprof: %s\n", err);
		return EXIT_USAGE;
	}
	http_global_init();
	if (docker_open(&d, socket)) {
		fprintf(stderr, "restartprof: %s\n", d.err);
		return EXIT_FAILED;
	}
	int n = leftovers_remove(&d, print_removed, NULL);

	if (n < 0)
		fprintf(stderr, "restartprof: %s\n", d.err);
	else
		printf("restartprof: %d leftover container%s removed\n", n, n == 1 ? "" : "s");
	docker_close(&d);
	return n < 0 ? EXIT_FAILED : EXIT_OK;
}
