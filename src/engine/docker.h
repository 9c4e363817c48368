// SPDX-License-Identifier: GPL-2.0-only
/* The Docker Engine API calls restartprof makes, typed, over one connection. */
#ifndef RP_ENGINE_DOCKER_H
#define RP_ENGINE_DOCKER_H

#include <json-c/json.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/http.h"

#define DOCKER_DEFAULT_SOCKET "/var/run/docker.sock"
#define DOCKER_API_MIN	      "1.41"
#define DOCKER_API_MAX	      "1.47"

typedef void (*docker_call_hook)(void *ctx, const char *what, int64_t start_ns, int64_t dur_ns,
				 int http_status);

struct docker {
	struct http_client *http;
	char socket_path[108];
	char api_version[16];	 /* negotiated */
	char engine_version[64]; /* as the engine names itself */
	char engine_api[16];	 /* the engine's own newest API version */
	docker_call_hook hook;
	void *hook_ctx;
	char err[512];	  /* why the last call failed */
	long last_status; /* HTTP status of the last call, 0 if none came */
};

/* errno-style results: 0, or -ENOENT (404), -EEXIST (409), -EIO (other status), -ECOMM (no
 * answer), -EPROTO (an answer we cannot read). d->err says more. */

/* Socket path from --docker-host or DOCKER_HOST (unix:// only), or the default. */
int docker_resolve_socket(const char *option, char *out, size_t outlen, char *err, size_t errlen);
int docker_open(struct docker *d, const char *socket_path);
void docker_close(struct docker *d);
void docker_set_hook(struct docker *d, docker_call_hook hook, void *ctx);

/* Performs one call; *out gets the parsed JSON answer when there is one and out is non-NULL. */
int docker_call(struct docker *d, const char *what, const char *method, const char *path,
		json_object *body, long timeout_ms, json_object **out);

/* GET /_ping with a short timeout: 0 when the engine answers. */
int docker_ping(struct docker *d);

int docker_container_create(struct docker *d, const char *name, json_object *config, char id[65]);
int docker_container_start(struct docker *d, const char *id);
/* -EALREADY when the container was not running any more. */
int docker_container_stop(struct docker *d, const char *id, int grace_s);
/* State.ExitCode of a container that has exited, -1 if unknown. */
int docker_container_exit_code(struct docker *d, const char *id);
int docker_container_kill(struct docker *d, const char *id, const char *signal);
int docker_container_remove(struct docker *d, const char *id, int force);
int docker_container_inspect(struct docker *d, const char *id, json_object **out);
/* Main process of a running container; -ESRCH if it does not run. */
int docker_container_pid(struct docker *d, const char *id, pid_t *pid);
/* Containers (also stopped ones) carrying the label "key" or "key=value". */
int docker_containers_by_label(struct docker *d, const char *label, json_object **out);
int docker_image_inspect(struct docker *d, const char *ref, json_object **out);
int docker_image_remove(struct docker *d, const char *ref);

/* Name or label value acceptable to the engine and to us: [a-zA-Z0-9][a-zA-Z0-9_.-]*, < 128. */
int docker_name_valid(const char *name);
/* Dotted "major.minor" comparison. */
int docker_version_cmp(const char *a, const char *b);

/* Typed reads from json-c objects; defaults when absent. */
const char *json_str(json_object *o, const char *key, const char *def);
int64_t json_int(json_object *o, const char *key, int64_t def);
json_object *json_path(json_object *o, const char *dotted);
json_object *json_parse_buf(const char *data, size_t len);

#endif

#ifndef RP_ENGINE_DOCKER_PEER
#define RP_ENGINE_DOCKER_PEER
/*
 * The pid of the process serving the socket (dockerd): SO_PEERCRED's, or, when that is
 * systemd (socket activation), the process holding the listening socket. 0 if unknown.
 */
pid_t docker_peer_pid(const char *socket_path);
#endif
