// SPDX-License-Identifier: GPL-2.0-only
/* Images built from host files through POST /images/create?fromSrc=-, no registry needed. */
#ifndef RP_ENGINE_IMAGE_H
#define RP_ENGINE_IMAGE_H

#include <stddef.h>
#include <sys/types.h>

#include "engine/docker.h"

#define IMAGE_LABEL_CONTENT "io.restartprof.content"
#define IMAGE_REF_LEN	    256

struct rootfs_file {
	char path[256];	       /* absolute, inside the image */
	const char *host_path; /* copied from the host (symlinks followed), or */
	const void *blob;      /* taken from memory */
	size_t blob_len;
	mode_t mode;
};

struct image_spec {
	const char *repo;	    /* repository name; the tag is the content hash */
	const char *const *changes; /* Dockerfile instructions: ENTRYPOINT, WORKDIR, ... */
	size_t n_changes;
	const struct rootfs_file *files;
	size_t n_files;
	const char *const *dirs; /* empty directories to create, with mode 01777 for /tmp */
	size_t n_dirs;
};

/*
 * The SHA-256 (hex) of the spec's deterministic tar followed by its changes: what the image's
 * tag and content label name. The tar is streamed through the hash, never held. 0, or -1 with
 * err (a host file unreadable, or changed while it was read).
 */
int image_digest(const struct image_spec *spec, char out[65], char *err, size_t errlen);
/* The first error in an import's stream of JSON progress objects; 1 if any (msg filled). */
int image_import_error(const char *body, size_t len, char *msg, size_t msglen);
/* The image id ("sha256:...") an import's stream names (Docker and Podman); 1 if any. */
int image_import_id(const char *body, size_t len, char id[80]);

/*
 * Makes sure repo:<first 12 digits of the digest> exists with the content label; imports it
 * if not, and removes older tags of the same repo. *built says whether it had to import.
 */
int image_ensure(struct docker *d, const struct image_spec *spec, char ref[IMAGE_REF_LEN],
		 int *built, int (*abort_check)(void));

/* The stress image: the host's stress-ng and every library it needs. */
int image_ensure_stress(struct docker *d, const char *stress_ng_path, char ref[IMAGE_REF_LEN],
			int *built, int (*abort_check)(void));
/* The default target: the service shipped inside restartprof. */
int image_ensure_service(struct docker *d, char ref[IMAGE_REF_LEN], int *built,
			 int (*abort_check)(void));

/* Port the shipped service listens on. */
#define SERVICE_PORT 8080

#endif
