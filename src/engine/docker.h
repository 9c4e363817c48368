// SPDX-License-Identifier: GPL-2.0-only
/* The Docker Engine API calls restartprof makes, typed, over one connection. */
#ifndef RP_ENGINE_DOCKER_H
#define RP_ENGINE_DOCKER_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "engine/http.h"
#include "engine/kind.h"

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
	enum engine_kind kind;	 /* Docker or Podman, from /version */
	docker_call_hook hook;
	void *hook_ctx;
	char err[512];		  /* why the last call failed */
	long last_status;	  /* HTTP status of the last call, 0 if none came */
	long timeout_ms;	  /* bound of a call that names none (stop: the grace plus this) */
	int (*abort_check)(void); /* non-zero: abort the call in flight; NULL: never */
	int64_t deadline_mono_ns; /* no call runs past it; 0: none (docker_set_deadline) */
	bool unanswered;	  /* the last call or ping timed out: the engine may hang */
	int64_t ping_failed_ns;	  /* when a ping last went unanswered (monotonic) */
};

/*
 * errno-style results: 0, or -ENOENT (404), -EEXIST (409), -EIO (other status), -ECOMM (no
 * connection), -ETIMEDOUT (no answer in time, or not tried because the engine stopped
 * answering), -EINTR (aborted by abort_check), -EPROTO (an answer we cannot read). d->err
 * says more, beginning with what the call was for.
 *
 * Once abort_check is true, calls are cleanup: they run to their end, for at most 5 s each,
 * and not at all when the engine has stopped answering. After a call timed out, the next one
 * first pings the engine (2 s, at most every 5 s) and is not sent when that goes unanswered.
 */

/* Socket path from --docker-host or DOCKER_HOST (unix:// only), or the default. */
int docker_resolve_socket(const char *option, char *out, size_t outlen, char *err, size_t errlen);
/* Connects with the default bound of a call (120 s), abortable by nothing. */
int docker_open(struct docker *d, const char *socket_path);
/* The same, with every call bounded by timeout_ms and abortable by abort_check (may be NULL). */
int docker_open_bounded(struct docker *d, const char *socket_path, long timeout_ms,
			int (*abort_check)(void));
/* No call runs past deadline_mono_ns (0: no deadline): a trial's overall bound. */
void docker_set_deadline(struct docker *d, int64_t deadline_mono_ns);
void docker_close(struct docker *d);
void docker_set_hook(struct docker *d, docker_call_hook hook, void *ctx);

/* Performs one call; *out gets the parsed JSON answer when there is one and out is non-NULL. */
int docker_call(struct docker *d, const char *what, const char *method, const char *path,
		json_object *body, long timeout_ms, json_object **out);

/* GET /_ping with a short timeout, whatever the engine did before: 0 when it answers. */
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
/* The last tail lines of its output, as the engine sends them (multiplexed without a TTY:
 * attach_log_tail reads them); out freed with http_buf_free. */
int docker_container_logs(struct docker *d, const char *id, int tail, struct http_buf *out);
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
