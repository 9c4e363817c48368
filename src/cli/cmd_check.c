#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/docker.h"
#include "engine/http.h"

int cmd_check(int argc, char **argv)
{
	struct utsname u;
	struct docker d;
	char socket[108], err[256];
	const char *host = NULL;
	int ok = 1;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--docker-host") == 0 && i + 1 < argc) {
			host = argv[++i];
		} else {
			fprintf(stderr, "restartprof: check takes only --docker-host unix://PATH\n");
			return EXIT_USAGE;
		}
	}
	uname(&u);
	printf("kernel      %s %s\n", u.release, u.machine);
	printf("btf         %s\n", access("/sys/kernel/btf/vmlinux", R_OK) == 0 ? "yes" : "no");
	if (docker_resolve_socket(host, socket, sizeof(socket), err, sizeof(err))) {
		printf("engine      %s\n", err);
		return EXIT_USAGE;
	}
	http_global_init();
	if (docker_open(&d, socket)) {
		printf("engine      %s\n", d.err);
		ok = 0;
	} else {
		printf("engine      Docker %s, API %s (using %s) at %s\n", d.engine_version,
		       d.engine_api, d.api_version, socket);
		docker_close(&d);
	}
	printf("run         %s\n", ok ? "can start" : "cannot start");
	return ok ? EXIT_OK : EXIT_FAILED;
}
