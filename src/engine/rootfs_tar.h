// SPDX-License-Identifier: GPL-2.0-only
/* A deterministic tar of an image's root filesystem, from host files and blobs, a step at a time.
 */
#ifndef RP_ENGINE_ROOTFS_TAR_H
#define RP_ENGINE_ROOTFS_TAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/image.h"

struct archive;

/* Where a tar's bytes go: 0, or non-zero to stop it. */
typedef int (*tar_sink)(void *ctx, const void *buf, size_t n);

#define TAR_CHUNK (64u << 10)

/*
 * A deterministic tar of an image spec, written a step at a time (a header, at most
 * TAR_CHUNK bytes of a file, or the archive's end), each step's bytes handed to a sink as
 * they come: the stress image is tens of MB, none of it is ever held whole.
 */
struct tar_pump {
	struct archive *a;
	struct rootfs_file *files; /* the spec's, sorted by path */
	char **dirs;
	size_t n_files, n_dirs, next; /* next entry: the directories, then the files */
	int fd;			      /* the host file being copied, or -1 */
	const unsigned char *blob;    /* or the blob being copied */
	const char *what;	      /* its name, for errors */
	int64_t left;		      /* its bytes still to copy */
	unsigned char buf[TAR_CHUNK];
	bool done;
	tar_sink sink;
	void *sink_ctx;
	char *err;
	size_t errlen;
};

/* Starts the tar of spec, its bytes to go to sink. 0, or -1 with err. */
int tar_pump_open(struct tar_pump *p, const struct image_spec *spec, tar_sink sink, void *ctx,
		  char *err, size_t errlen);
/* 1 after a step, 0 once the archive is complete, -1 on an error (said in p->err). */
int tar_pump_step(struct tar_pump *p);
void tar_pump_free(struct tar_pump *p);

#endif
