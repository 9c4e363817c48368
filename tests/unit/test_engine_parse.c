// SPDX-License-Identifier: GPL-2.0-only
/* What restartprof reads from the engine: events, the attach stream, versions, names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/attach.h"
#include "engine/docker.h"
#include "engine/events.h"
#include "engine/image.h"
#include "engine/kind.h"
#include "util/files.h"
#include "util/proc.h"

static const char die_event[] =
	"{\"status\":\"die\",\"id\":\"abc123\",\"Type\":\"container\",\"Action\":\"die\","
	"\"Actor\":{\"ID\":\"abc123\",\"Attributes\":{\"exitCode\":\"137\",\"name\":\"x\"}},"
	"\"scope\":\"local\",\"time\":1795547903,\"timeNano\":1795547903409900317}";
static const char connect_event[] =
	"{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"net1\",\"Attributes\":{"
	"\"container\":\"abc123\",\"name\":\"bridge\",\"type\":\"bridge\"}},\"time\":1795547903,"
	"\"timeNano\":1795547903445574132}";

static void parses_container_and_network_events(void **state)
{
	struct engine_event ev;

	(void)state;
	assert_int_equal(engine_event_parse(die_event, strlen(die_event), &ev), 0);
	assert_string_equal(ev.type, "container");
	assert_string_equal(ev.action, "die");
	assert_string_equal(ev.container, "abc123");
	assert_int_equal(ev.exit_code, 137);
	assert_int_equal(ev.time_ns, 1795547903409900317LL);
	assert_int_equal(engine_event_parse(connect_event, strlen(connect_event), &ev), 0);
	assert_string_equal(ev.type, "network");
	assert_string_equal(ev.container, "abc123"); /* the container, not the network */
	assert_string_equal(ev.name, "bridge");
}

static void rejects_what_is_no_event(void **state)
{
	struct engine_event ev;

	(void)state;
	assert_int_equal(engine_event_parse("[]", 2, &ev), -1);
	assert_int_equal(engine_event_parse("{\"Type\":\"container\"}", 20, &ev), -1);
	assert_int_equal(engine_event_parse("{\"Action\":1,\"timeNano\":\"x\"}", 28, &ev), -1);
	assert_int_equal(engine_event_parse("{", 1, &ev), -1);
}

struct seen {
	int n;
	char actions[8][32];
};

static void on_event(const struct engine_event *ev, void *ctx)
{
	struct seen *s = ctx;

	if (s->n < 8)
		strcpy(s->actions[s->n++], ev->action);
}

static void splitter_handles_chunks_and_garbage(void **state)
{
	struct seen s = {0};
	struct event_splitter *sp = event_splitter_new(on_event, &s);
	char stream[2048];

	(void)state;
	snprintf(stream, sizeof(stream), "%s\n%s\n", die_event, connect_event);
	/* One byte at a time: values span any number of reads. */
	for (size_t i = 0; i < strlen(stream); i++)
		event_splitter_feed(sp, stream + i, 1);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.actions[0], "die");
	assert_string_equal(s.actions[1], "connect");
	/* Garbage between values is skipped, the following event still read. */
	assert_true(event_splitter_feed(sp, "}}garbage\n", 10) > 0);
	event_splitter_feed(sp, die_event, strlen(die_event));
	assert_int_equal(s.n, 3);
	event_splitter_free(sp);
}

struct lines {
	int n;
	int stream[8];
	char text[8][64];
};

static void on_line(int stream, const char *line, size_t len, int64_t recv, void *ctx)
{
	struct lines *l = ctx;

	(void)recv;
	if (l->n < 8) {
		l->stream[l->n] = stream;
		snprintf(l->text[l->n++], 64, "%.*s", (int)len, line);
	}
}

static void demux_frames_into_lines(void **state)
{
	struct attach_demux d;
	struct lines l = {0};
	/* stdout "hel", stdout "lo\nwor", stderr "oops\n", stdout "ld\n" */
	const unsigned char data[] = {1, 0, 0, 0, 0, 0, 0,   3,	  'h',	'e', 'l', 1,	0,
				      0, 0, 0, 0, 0, 6, 'l', 'o', '\n', 'w', 'o', 'r',	2,
				      0, 0, 0, 0, 0, 0, 5,   'o', 'o',	'p', 's', '\n', 1,
				      0, 0, 0, 0, 0, 0, 3,   'l', 'd',	'\n'};

	(void)state;
	attach_demux_init(&d, on_line, &l);
	for (size_t i = 0; i < sizeof(data); i += 5)
		assert_int_equal(attach_demux_feed(&d, (const char *)data + i,
						   sizeof(data) - i < 5 ? sizeof(data) - i : 5, 0),
				 0);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.text[0], "hello");
	assert_int_equal(l.stream[1], 2);
	assert_string_equal(l.text[1], "oops");
	assert_string_equal(l.text[2], "world");
	const unsigned char bad[] = {7, 1, 0, 0, 0, 0, 0, 1, 'x'};

	assert_int_equal(attach_demux_feed(&d, (const char *)bad, sizeof(bad), 0), -1);
}

static void versions_and_names(void **state)
{
	char sock[108], err[256];

	(void)state;
	assert_true(docker_version_cmp("1.41", "1.41") == 0);
	assert_true(docker_version_cmp("1.9", "1.41") < 0);
	assert_true(docker_version_cmp("1.47", "1.41") > 0);
	assert_true(docker_version_cmp("2.0", "1.99") > 0);
	assert_true(docker_name_valid("restartprof-20261124T191822-e4a0ec-target-1"));
	assert_false(docker_name_valid("-x"));
	assert_false(docker_name_valid("a/b"));
	assert_false(docker_name_valid("a b"));
	assert_false(docker_name_valid(""));
	assert_int_equal(
		docker_resolve_socket("unix:///run/x.sock", sock, sizeof(sock), err, sizeof(err)),
		0);
	assert_string_equal(sock, "/run/x.sock");
	assert_true(docker_resolve_socket("tcp://127.0.0.1:2375", sock, sizeof(sock), err,
					  sizeof(err)) < 0);
	assert_true(docker_resolve_socket("unix://relative", sock, sizeof(sock), err, sizeof(err)) <
		    0);
}

/* Under socket activation the listener is systemd's; dockerd only holds it (docker_peer_pid). */
/* /version of Podman 4.3.1 and of Docker 20.10, cut to what tells them apart. */
static void engine_kind_from_version(void **state)
{
	static const char podman[] =
		"{\"Components\":[{\"Name\":\"Podman Engine\",\"Version\":\"4.3.1\"},"
		"{\"Name\":\"Conmon\"},{\"Name\":\"OCI Runtime (crun)\"}],"
		"\"Version\":\"4.3.1\",\"ApiVersion\":\"1.41\"}";
	static const char docker[] =
		"{\"Components\":[{\"Name\":\"Engine\",\"Version\":\"20.10.24\"},"
		"{\"Name\":\"containerd\"},{\"Name\":\"runc\"}],\"Version\":\"20.10.24\"}";
	json_object *p = json_parse_buf(podman, strlen(podman));
	json_object *d = json_parse_buf(docker, strlen(docker));
	json_object *bare = json_parse_buf("{\"Version\":\"1\"}", 15);

	(void)state;
	assert_int_equal(engine_kind_detect(p), ENGINE_PODMAN);
	assert_int_equal(engine_kind_detect(d), ENGINE_DOCKER);
	assert_int_equal(engine_kind_detect(bare), ENGINE_DOCKER);
	assert_int_equal(engine_kind_detect(NULL), ENGINE_DOCKER);
	assert_string_equal(engine_kind_name(ENGINE_PODMAN), "podman");
	assert_int_equal(engine_kind_from_name("docker"), ENGINE_DOCKER);
	assert_int_equal(engine_kind_from_name("lxc"), -1);
	json_object_put(p);
	json_object_put(d);
	json_object_put(bare);
}

/* Which event ends each phase: Docker's own names, Podman's as its compat stream says them. */
static void phase_events_per_engine(void **state)
{
	const char *type = NULL;

	(void)state;
	assert_string_equal(engine_phase_action(ENGINE_DOCKER, "destroy", &type), "destroy");
	assert_string_equal(type, "container");
	assert_string_equal(engine_phase_action(ENGINE_DOCKER, "connect", &type), "connect");
	assert_string_equal(type, "network");
	assert_string_equal(engine_phase_action(ENGINE_PODMAN, "destroy", &type), "remove");
	assert_string_equal(engine_phase_action(ENGINE_PODMAN, "die", NULL), "die");
	assert_string_equal(engine_phase_action(ENGINE_PODMAN, "start", NULL), "start");
	/* Not reported by Podman: absent phases. */
	assert_null(engine_phase_action(ENGINE_PODMAN, "kill", NULL));
	assert_null(engine_phase_action(ENGINE_PODMAN, "connect", NULL));
	assert_null(engine_phase_action(ENGINE_PODMAN, "disconnect", NULL));
	/* ready ends at readiness, not at an event. */
	assert_null(engine_phase_action(ENGINE_DOCKER, "ready", NULL));
}

/* The image id of an import's answer: Docker's status line, Podman's id field. */
static void import_ids(void **state)
{
	static const char docker[] = "{\"status\":\"sha256:0123abcd\"}\r\n";
	static const char podman[] = "{\"status\":\"sha256:89ef\",\"progress\":\"\","
				     "\"progressDetail\":{},\"id\":\"sha256:89ef\"}\n";
	static const char bad[] = "{\"status\":\"sha256:../x?\"}\n";
	char id[80];

	(void)state;
	assert_int_equal(image_import_id(docker, strlen(docker), id), 1);
	assert_string_equal(id, "sha256:0123abcd");
	assert_int_equal(image_import_id(podman, strlen(podman), id), 1);
	assert_string_equal(id, "sha256:89ef");
	assert_int_equal(image_import_id(bad, strlen(bad), id), 0);
	assert_int_equal(image_import_id("", 0, id), 0);
}

static void socket_activated_listener(void **state)
{
	static const char text[] =
		"Num       RefCount Protocol Flags    Type St Inode Path\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 15838 /run/systemd/private\n"
		"0000000000000000: 00000003 00000000 00000000 0001 03 21345 /run/docker.sock\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 14522 /run/docker.sock\n"
		"0000000000000000: 00000002 00000000 00010000 0001 01 14523 /run/docker.sock.x\n"
		"0000000000000000: 00000002 00000000 00010000 0005 01 14524 @abstract\n"
		"0000000000000000: 00000003 00000000 00000000 0001 03 21346\n"
		"garbage line\n";
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/rp-unix-XXXXXX", buf[1 << 16];
	unsigned long ino;
	int fd, p[2];
	pid_t child;
	ssize_t n;

	(void)state;
	assert_int_equal(proc_net_unix_listener(text, sizeof(text) - 1, "/run/docker.sock"), 14522);
	assert_int_equal(proc_net_unix_listener(text, sizeof(text) - 1, "/run/docker"), 0);
	assert_int_equal(proc_net_unix_listener(text, sizeof(text) - 1, "/run/systemd/private"),
			 15838);
	assert_int_equal(proc_net_unix_listener("", 0, "/run/docker.sock"), 0);
	assert_int_equal(proc_net_unix_listener(text, 60, "/run/systemd/private"), 0);

	/* Live: a listener made here and held by a child is found in the child. */
	assert_non_null(mkdtemp(dir));
	snprintf(a.sun_path, sizeof(a.sun_path), "%s/s", dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	n = file_read_small("/proc/net/unix", buf, sizeof(buf));
	assert_true(n > 0);
	ino = proc_net_unix_listener(buf, (size_t)n, a.sun_path);
	assert_true(ino > 0);
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		char c;

		close(p[1]);
		(void)!read(p[0], &c, 1); /* holds fd until the parent closes the pipe */
		_exit(0);
	}
	close(p[0]);
	assert_int_equal(proc_socket_holder(ino, "no-such-comm", getpid()), child);
	assert_int_equal(proc_socket_holder(ino, NULL, child), getpid());
	assert_int_equal(proc_socket_holder(ino + 1000000000UL, NULL, 0), 0);
	close(p[1]);
	waitpid(child, NULL, 0);
	close(fd);
	unlink(a.sun_path);
	rmdir(dir);
}

static void write_bytes(const char *path, size_t n, int seed)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		fputc((int)((i * 131 + (size_t)seed) & 0xff), f);
	assert_int_equal(fclose(f), 0);
}

/* The digest names the tar's content and the changes, streamed a chunk at a time. */
static void image_digest_names_the_content(void **state)
{
	static const char blob[] = "#!/bin/sh\n";
	static const char *const changes[] = {"ENTRYPOINT [\"/x\"]"}, *const other[] = {
									      "WORKDIR /"};
	char dir[] = "/tmp/rp-image-XXXXXX", host[64], d1[65], d2[65], d3[65], err[256];
	struct rootfs_file files[2] = {{.path = "/usr/bin/x", .blob = blob, .blob_len = 10},
				       {.path = "/lib/big.so"}};
	struct image_spec spec = {
		.repo = "t", .changes = changes, .n_changes = 1, .files = files, .n_files = 2};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(host, sizeof(host), "%s/big", dir);
	/* Larger than a chunk, not a multiple of one. */
	write_bytes(host, 200000, 1);
	files[1].host_path = host;
	assert_int_equal(image_digest(&spec, d1, err, sizeof(err)), 0);
	assert_int_equal(strlen(d1), 64);
	assert_int_equal(image_digest(&spec, d2, err, sizeof(err)), 0);
	assert_string_equal(d1, d2);
	/* One byte of the file, its size, or a change: another image. */
	write_bytes(host, 200000, 2);
	assert_int_equal(image_digest(&spec, d3, err, sizeof(err)), 0);
	assert_string_not_equal(d1, d3);
	write_bytes(host, 199999, 1);
	assert_int_equal(image_digest(&spec, d3, err, sizeof(err)), 0);
	assert_string_not_equal(d1, d3);
	write_bytes(host, 200000, 1);
	spec.changes = other;
	assert_int_equal(image_digest(&spec, d3, err, sizeof(err)), 0);
	assert_string_not_equal(d1, d3);
	spec.changes = changes;
	assert_int_equal(image_digest(&spec, d3, err, sizeof(err)), 0);
	assert_string_equal(d1, d3);
	/* An unreadable host file is named. */
	unlink(host);
	assert_int_equal(image_digest(&spec, d3, err, sizeof(err)), -1);
	assert_non_null(strstr(err, host));
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_container_and_network_events),
		cmocka_unit_test(rejects_what_is_no_event),
		cmocka_unit_test(splitter_handles_chunks_and_garbage),
		cmocka_unit_test(demux_frames_into_lines),
		cmocka_unit_test(versions_and_names),
		cmocka_unit_test(engine_kind_from_version),
		cmocka_unit_test(phase_events_per_engine),
		cmocka_unit_test(import_ids),
		cmocka_unit_test(socket_activated_listener),
		cmocka_unit_test(image_digest_names_the_content),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
