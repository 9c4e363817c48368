// SPDX-License-Identifier: GPL-2.0-only
#include "engine/docker.h"

#include <curl/curl.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/files.h"
#include "util/proc.h"

#define CALL_TIMEOUT_MS	   120000L
#define CLEANUP_TIMEOUT_MS 5000L /* a call after the abort: cleanup, kept short */
#define PING_TIMEOUT_MS	   2000L
#define VERSION_TIMEOUT_MS 10000L
#define PING_RETRY_NS	   (5 * NSEC_PER_SEC) /* an unanswering engine is pinged this seldom */

const char *json_str(json_object *o, const char *key, const char *def)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return def;
	return json_object_get_string(v);
}

int64_t json_int(json_object *o, const char *key, int64_t def)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, key, &v))
		return def;
	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return def;
	return json_object_get_int64(v);
}

json_object *json_path(json_object *o, const char *dotted)
{
	char key[128];
	const char *p = dotted;

	while (o && *p) {
		size_t n = strcspn(p, ".");

		if (n >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		p += n + (p[n] == '.');
	}
	return o;
}

json_object *json_parse_buf(const char *data, size_t len)
{
	json_tokener *tok;
	json_object *o;

	if (!data || len == 0 || len > INT32_MAX)
		return NULL;
	tok = json_tokener_new();
	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, data, (int)len);
	if (o && tok->char_offset < (int)len) {
		/* Trailing white space is fine, anything else is not one JSON value. */
		for (int i = tok->char_offset; i < (int)len; i++)
			if (!isspace((unsigned char)data[i])) {
				json_object_put(o);
				o = NULL;
				break;
			}
	}
	json_tokener_free(tok);
	return o;
}

int docker_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= 128 || !isalnum((unsigned char)name[0]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return 0;
	return 1;
}

int docker_version_cmp(const char *a, const char *b)
{
	unsigned long amaj = strtoul(a, (char **)&a, 10), bmaj = strtoul(b, (char **)&b, 10);
	unsigned long amin = *a == '.' ? strtoul(a + 1, NULL, 10) : 0;
	unsigned long bmin = *b == '.' ? strtoul(b + 1, NULL, 10) : 0;

	if (amaj != bmaj)
		return amaj < bmaj ? -1 : 1;
	return amin < bmin ? -1 : amin > bmin;
}

int docker_resolve_socket(const char *option, char *out, size_t outlen, char *err, size_t errlen)
{
	const char *host = option && *option ? option : getenv("DOCKER_HOST");
	const char *path = DOCKER_DEFAULT_SOCKET;

	if (host && *host) {
		if (strncmp(host, "unix://", 7) != 0) {
			snprintf(err, errlen,
				 "docker host '%s' is not a unix:// socket (only unix sockets are "
				 "supported)",
				 host);
			return -EINVAL;
		}
		path = host + 7;
	}
	if (path[0] != '/' || strlen(path) >= outlen || strlen(path) >= 108) {
		snprintf(err, errlen, "docker socket path '%s' must be absolute and short", path);
		return -EINVAL;
	}
	snprintf(out, outlen, "%s", path);
	return 0;
}

static void set_err(struct docker *d, const char *fmt, const char *a, const char *b)
{
	snprintf(d->err, sizeof(d->err), fmt, a, b);
}

/* The transport failure of a call, as a result and one line in d->err. */
static int transport_failed(struct docker *d, const char *what, const struct http_result *res,
			    long timeout_ms)
{
	switch (res->failure) {
	case HTTP_TIMED_OUT:
		d->unanswered = true;
		snprintf(d->err, sizeof(d->err), "%s: no answer from the engine within %g s", what,
			 timeout_ms / 1000.0);
		return -ETIMEDOUT;
	case HTTP_ABORTED:
		snprintf(d->err, sizeof(d->err), "%s: interrupted", what);
		return -EINTR;
	default:
		set_err(d, "%s: %s", what, res->error);
		return -ECOMM;
	}
}

/* One exchange with the engine, whatever came before; timeout_ms > 0. */
static int exchange(struct docker *d, const char *what, const char *method, const char *path,
		    json_object *body, long timeout_ms, bool abortable, json_object **out,
		    struct http_buf *raw)
{
	struct http_result res;
	const char *text =
		body ? json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN) : NULL;
	json_object *answer = NULL;
	int rc;

	if (out)
		*out = NULL;
	http_client_set_abort(d->http, abortable ? d->abort_check : NULL);
	rc = http_call(d->http, method, path, text ? "application/json" : NULL, text,
		       text ? strlen(text) : 0, timeout_ms, &res);
	http_client_set_abort(d->http, NULL);
	if (d->hook)
		d->hook(d->hook_ctx, what, res.start_ns, res.duration_ns, (int)res.status);
	d->last_status = res.status;
	if (rc < 0) {
		rc = transport_failed(d, what, &res, timeout_ms);
		http_result_free(&res);
		return rc;
	}
	d->unanswered = false;
	if (raw && res.status < 300) {
		*raw = res.body; /* the caller's now */
		res.body = (struct http_buf){0};
	}
	if (res.body.len)
		answer = json_parse_buf(res.body.data, res.body.len);
	if (res.status >= 300) {
		const char *msg = json_str(answer, "message", res.body.data ? res.body.data : "");

		snprintf(d->err, sizeof(d->err), "%s: engine answered %ld: %.400s", what,
			 res.status, msg);
		rc = res.status == 404 ? -ENOENT : res.status == 409 ? -EEXIST : -EIO;
		if (res.status == 304)
			rc = 0; /* already started or stopped: the state we asked for */
	} else if (out && res.body.len && !answer) {
		set_err(d, "%s: unreadable answer from the engine%s", what, "");
		rc = -EPROTO;
	}
	if (rc == 0 && out)
		*out = answer;
	else
		json_object_put(answer);
	http_result_free(&res);
	return rc;
}

/* The bound of one call: its own or the default, cut for cleanup and by the deadline. */
static long call_timeout(const struct docker *d, long timeout_ms, bool cleanup)
{
	long t = timeout_ms ? timeout_ms : d->timeout_ms ? d->timeout_ms : CALL_TIMEOUT_MS;

	if (cleanup && t > CLEANUP_TIMEOUT_MS)
		t = CLEANUP_TIMEOUT_MS;
	if (d->deadline_mono_ns) {
		int64_t left_ms = (d->deadline_mono_ns - mono_ns()) / NSEC_PER_MSEC;

		if (left_ms < t)
			t = left_ms > 0 ? (long)left_ms : 0;
	}
	return t;
}

/* 0 when a call may go to the engine; -ETIMEDOUT with d->err when it is not worth sending. */
static int worth_sending(struct docker *d, const char *what, long timeout_ms, bool cleanup)
{
	if (timeout_ms <= 0) {
		snprintf(d->err, sizeof(d->err), "%s: not sent: the trial's time bound ran out",
			 what);
		return -ETIMEDOUT;
	}
	if (!d->unanswered)
		return 0;
	if (!cleanup && (!d->ping_failed_ns || mono_ns() - d->ping_failed_ns >= PING_RETRY_NS) &&
	    docker_ping(d) == 0)
		return 0;
	snprintf(d->err, sizeof(d->err), "%s: not sent: the engine stopped answering", what);
	return -ETIMEDOUT;
}

int docker_call(struct docker *d, const char *what, const char *method, const char *path,
		json_object *body, long timeout_ms, json_object **out)
{
	bool cleanup = d->abort_check && d->abort_check();
	long timeout = call_timeout(d, timeout_ms, cleanup);
	int rc = worth_sending(d, what, timeout, cleanup);

	if (out)
		*out = NULL;
	return rc ? rc : exchange(d, what, method, path, body, timeout, !cleanup, out, NULL);
}

/* docker_call for an answer that is no JSON: its body goes to raw. */
static int docker_call_raw(struct docker *d, const char *what, const char *path,
			   struct http_buf *raw)
{
	bool cleanup = d->abort_check && d->abort_check();
	long timeout = call_timeout(d, 0, cleanup);
	int rc = worth_sending(d, what, timeout, cleanup);

	return rc ? rc : exchange(d, what, "GET", path, NULL, timeout, !cleanup, NULL, raw);
}

void docker_set_hook(struct docker *d, docker_call_hook hook, void *ctx)
{
	d->hook = hook;
	d->hook_ctx = ctx;
}

static int check_socket(struct docker *d, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		snprintf(d->err, sizeof(d->err), "no Docker engine socket at %s: %s", path,
			 strerror(errno));
		return -ENOENT;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(d->err, sizeof(d->err), "%s is not a socket", path);
		return -ENOTSOCK;
	}
	return 0;
}

int docker_open(struct docker *d, const char *socket_path)
{
	return docker_open_bounded(d, socket_path, CALL_TIMEOUT_MS, NULL);
}

int docker_open_bounded(struct docker *d, const char *socket_path, long timeout_ms,
			int (*abort_check)(void))
{
	json_object *v = NULL;
	int rc;

	memset(d, 0, sizeof(*d));
	d->timeout_ms = timeout_ms;
	d->abort_check = abort_check;
	snprintf(d->socket_path, sizeof(d->socket_path), "%s", socket_path);
	rc = check_socket(d, socket_path);
	if (rc)
		return rc;
	d->http = http_client_new(socket_path);
	if (!d->http) {
		snprintf(d->err, sizeof(d->err), "cannot set up HTTP for %s", socket_path);
		return -ENOMEM;
	}
	rc = docker_call(d, "version", "GET", "/version", NULL,
			 timeout_ms < VERSION_TIMEOUT_MS ? timeout_ms : VERSION_TIMEOUT_MS, &v);
	if (rc) {
		if (rc == -ECOMM || rc == -ETIMEDOUT)
			snprintf(d->err, sizeof(d->err), "no Docker engine answers at %s",
				 socket_path);
		goto fail;
	}
	snprintf(d->engine_version, sizeof(d->engine_version), "%s", json_str(v, "Version", "?"));
	snprintf(d->engine_api, sizeof(d->engine_api), "%s", json_str(v, "ApiVersion", "0"));
	d->kind = engine_kind_detect(v);
	if (docker_version_cmp(d->engine_api, DOCKER_API_MIN) < 0) {
		snprintf(d->err, sizeof(d->err),
			 "Docker engine %s speaks API %s; restartprof needs %s or newer",
			 d->engine_version, d->engine_api, DOCKER_API_MIN);
		rc = -EPROTONOSUPPORT;
		goto fail;
	}
	snprintf(d->api_version, sizeof(d->api_version), "%s",
		 docker_version_cmp(d->engine_api, DOCKER_API_MAX) > 0 ? DOCKER_API_MAX
								       : d->engine_api);
	http_client_set_version(d->http, d->api_version);
	json_object_put(v);
	return 0;
fail:
	json_object_put(v);
	http_client_free(d->http);
	d->http = NULL;
	return rc;
}

void docker_close(struct docker *d)
{
	http_client_free(d->http);
	d->http = NULL;
}

void docker_set_deadline(struct docker *d, int64_t deadline_mono_ns)
{
	d->deadline_mono_ns = deadline_mono_ns;
}

int docker_ping(struct docker *d)
{
	bool cleanup = d->abort_check && d->abort_check();
	int rc = exchange(d, "ping", "GET", "/_ping", NULL, PING_TIMEOUT_MS, !cleanup, NULL, NULL);

	d->ping_failed_ns = rc ? mono_ns() : 0;
	return rc;
}

static int id_path(struct docker *d, char *buf, size_t len, const char *fmt, const char *id,
		   const char *tail)
{
	if (!docker_name_valid(id)) {
		snprintf(d->err, sizeof(d->err), "invalid container or image name '%.100s'", id);
		return -EINVAL;
	}
	int n = snprintf(buf, len, fmt, id, tail ? tail : "");

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int docker_container_create(struct docker *d, const char *name, json_object *config, char id[65])
{
	char path[256];
	json_object *ans;
	int rc = id_path(d, path, sizeof(path), "/containers/create?name=%s%s", name, NULL);

	if (rc)
		return rc;
	rc = docker_call(d, "create", "POST", path, config, 0, &ans);
	if (rc)
		return rc;
	snprintf(id, 65, "%s", json_str(ans, "Id", ""));
	json_object_put(ans);
	if (!docker_name_valid(id)) {
		snprintf(d->err, sizeof(d->err), "create: the engine returned no container id");
		return -EPROTO;
	}
	return 0;
}

int docker_container_start(struct docker *d, const char *id)
{
	char path[256];
	int rc = id_path(d, path, sizeof(path), "/containers/%s/start%s", id, NULL);

	return rc ? rc : docker_call(d, "start", "POST", path, NULL, 0, NULL);
}

int docker_container_stop(struct docker *d, const char *id, int grace_s)
{
	char path[256], tail[32];
	int rc;

	snprintf(tail, sizeof(tail), "?t=%d", grace_s);
	rc = id_path(d, path, sizeof(path), "/containers/%s/stop%s", id, tail);
	if (rc == 0)
		rc = docker_call(
			d, "stop", "POST", path, NULL,
			grace_s * 1000L + (d->timeout_ms ? d->timeout_ms : CALL_TIMEOUT_MS), NULL);
	return rc == 0 && d->last_status == 304 ? -EALREADY : rc;
}

int docker_container_exit_code(struct docker *d, const char *id)
{
	json_object *o;
	int code;

	if (docker_container_inspect(d, id, &o))
		return -1;
	code = (int)json_int(json_path(o, "State"), "ExitCode", -1);
	json_object_put(o);
	return code;
}

int docker_container_kill(struct docker *d, const char *id, const char *signal)
{
	char path[256], tail[32];
	int rc;

	snprintf(tail, sizeof(tail), "?signal=%s", signal);
	rc = id_path(d, path, sizeof(path), "/containers/%s/kill%s", id, tail);
	return rc ? rc : docker_call(d, "kill", "POST", path, NULL, 0, NULL);
}

int docker_container_remove(struct docker *d, const char *id, int force)
{
	char path[256];
	int rc = id_path(d, path, sizeof(path), "/containers/%s%s", id,
			 force ? "?force=1&v=1" : "?v=1");

	return rc ? rc : docker_call(d, "remove", "DELETE", path, NULL, 0, NULL);
}

int docker_container_logs(struct docker *d, const char *id, int tail, struct http_buf *out)
{
	char path[256], rest[64];
	int rc;

	*out = (struct http_buf){0};
	snprintf(rest, sizeof(rest), "?stdout=1&stderr=1&tail=%d", tail);
	rc = id_path(d, path, sizeof(path), "/containers/%s/logs%s", id, rest);
	return rc ? rc : docker_call_raw(d, "logs", path, out);
}

int docker_container_inspect(struct docker *d, const char *id, json_object **out)
{
	char path[256];
	int rc = id_path(d, path, sizeof(path), "/containers/%s/json%s", id, NULL);

	return rc ? rc : docker_call(d, "inspect", "GET", path, NULL, 0, out);
}

int docker_container_pid(struct docker *d, const char *id, pid_t *pid)
{
	json_object *o;
	int rc = docker_container_inspect(d, id, &o);

	if (rc)
		return rc;
	*pid = (pid_t)json_int(json_path(o, "State"), "Pid", 0);
	json_object_put(o);
	return *pid > 0 ? 0 : -ESRCH;
}

int docker_containers_by_label(struct docker *d, const char *label, json_object **out)
{
	char filters[512], path[1024];
	char *esc;
	int rc;

	snprintf(filters, sizeof(filters), "{\"label\":[\"%s\"]}", label);
	if (strpbrk(label, "\"\\")) {
		snprintf(d->err, sizeof(d->err), "invalid label filter");
		return -EINVAL;
	}
	esc = curl_easy_escape(NULL, filters, 0);
	if (!esc)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/containers/json?all=1&filters=%s", esc);
	curl_free(esc);
	rc = docker_call(d, "list", "GET", path, NULL, 0, out);
	if (rc == 0 && !json_object_is_type(*out, json_type_array)) {
		json_object_put(*out);
		*out = NULL;
		snprintf(d->err, sizeof(d->err), "list: the engine's answer is not a list");
		return -EPROTO;
	}
	return rc;
}

static int image_path(struct docker *d, char *buf, size_t len, const char *fmt, const char *ref)
{
	/* Image references may carry a repository path and a tag: a/b:c. */
	for (const char *p = ref; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-/:@", *p)) {
			snprintf(d->err, sizeof(d->err), "invalid image name '%.100s'", ref);
			return -EINVAL;
		}
	if (!*ref || strlen(ref) > 200) {
		snprintf(d->err, sizeof(d->err), "invalid image name");
		return -EINVAL;
	}
	snprintf(buf, len, fmt, ref);
	return 0;
}

int docker_image_inspect(struct docker *d, const char *ref, json_object **out)
{
	char path[512];
	int rc = image_path(d, path, sizeof(path), "/images/%s/json", ref);

	return rc ? rc : docker_call(d, "image-inspect", "GET", path, NULL, 0, out);
}

int docker_image_remove(struct docker *d, const char *ref)
{
	char path[512];
	int rc = image_path(d, path, sizeof(path), "/images/%s?noprune=0", ref);

	return rc ? rc : docker_call(d, "image-remove", "DELETE", path, NULL, 0, NULL);
}

/*
 * SO_PEERCRED names the process that called listen(). Under systemd's socket activation
 * (docker.socket, as Debian and Raspberry Pi OS set it up) that is systemd itself, pid 1, and
 * dockerd only inherited the listening socket: then the engine is the process, other than
 * pid 1, that holds that socket open (found through /proc/net/unix and /proc/PID/fd).
 */
pid_t docker_peer_pid(const char *socket_path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	struct ucred cred;
	socklen_t len = sizeof(cred);
	pid_t pid = 0, holder = 0;
	unsigned long long start;
	char comm[16] = "", real[PATH_MAX], *text;
	ssize_t n;
	int fd;

	if (strlen(socket_path) >= sizeof(a.sun_path))
		return 0;
	strcpy(a.sun_path, socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		pid = cred.pid;
	close(fd);
	if (pid <= 0)
		return 0;
	if (pid != 1 && (proc_stat_read(pid, NULL, &start, comm) || strcmp(comm, "systemd") != 0))
		return pid;
	/* The socket's bound path, as /proc/net/unix shows it (/var/run is often a link). */
	if (!realpath(socket_path, real))
		snprintf(real, sizeof(real), "%s", socket_path);
	text = malloc(1 << 20);
	if (!text)
		return pid;
	n = file_read_small("/proc/net/unix", text, 1 << 20);
	if (n > 0)
		holder = proc_socket_holder(proc_net_unix_listener(text, (size_t)n, real),
					    "dockerd", pid);
	free(text);
	return holder > 0 ? holder : pid;
}
