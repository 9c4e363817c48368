// SPDX-License-Identifier: GPL-2.0-only
#include <bpf/libbpf.h>
#include <stdio.h>

#include "cli/cli.h"

#ifndef RP_GIT
#define RP_GIT "unknown"
#endif
#ifndef RP_VERSION
#define RP_VERSION "0.0.0"
#endif
#ifdef RP_STATIC
#define RP_LINK "static"
#else
#define RP_LINK "dynamic"
#endif

/* Debian's name of the architecture the binary was built for. */
#if defined(__x86_64__)
#define RP_ARCH "amd64"
#elif defined(__aarch64__)
#define RP_ARCH "arm64"
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
#define RP_ARCH "armhf"
#elif defined(__arm__)
#define RP_ARCH "armel"
#elif defined(__i386__)
#define RP_ARCH "i386"
#else
#define RP_ARCH "unknown"
#endif

const char *const restartprof_version = RP_VERSION " (" RP_GIT ")";

void print_version(FILE *f)
{
	const char *libbpf = libbpf_version_string();

	fprintf(f, "restartprof %s\n", RP_VERSION);
	fprintf(f, "git     %s\n", RP_GIT);
	fprintf(f, "arch    %s\n", RP_ARCH);
	fprintf(f, "build   %s\n", RP_LINK);
	/* The library the binary runs with (a dynamic build: the one installed now). */
	fprintf(f, "libbpf  %s (built against %d.%d)\n", libbpf[0] == 'v' ? libbpf + 1 : libbpf,
		LIBBPF_MAJOR_VERSION, LIBBPF_MINOR_VERSION);
}
