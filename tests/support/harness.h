// SPDX-License-Identifier: GPL-2.0-only
/* What integration tests share: running restartprof for real, and reading what it left. */
#ifndef RP_TESTS_HARNESS_H
#define RP_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "rundir/csv.h"

struct proc_result {
	int exit_code; /* -1 if killed by a signal */
	int signal;    /* the signal that killed it, 0 if none */
	char *err;     /* everything it wrote to stderr */
	char *out;     /* and to stdout */
	int err_lines;
};

/* build/restartprof (or $RESTARTPROF). */
const char *harness_binary(void);
/* unix:// socket of the engine under test ($DOCKER_HOST), or NULL. */
const char *harness_docker_host(void);
/* Fresh empty directory under /tmp, removed by harness_rmtree. */
char *harness_tmpdir(const char *tag);
void harness_rmtree(const char *dir);

/* Runs restartprof with argv (NULL-terminated, without the program), waits. uid < 0: as is. */
int harness_run(const char *const *args, uid_t as_uid, struct proc_result *r);
/* Starts it without waiting; returns the pid, stderr goes to err_path. */
pid_t harness_spawn(const char *const *args, const char *err_path);
/* Waits for a spawned run; fills exit_code/signal. */
int harness_wait(pid_t pid, struct proc_result *r, int timeout_s);
void proc_result_free(struct proc_result *r);

/* Reads dir/name into t; asserts nothing. 0 or -errno. */
int harness_csv(const char *dir, const char *name, struct csv_table *t);
/* Containers in the engine under test carrying label (key or key=value). -1 on error. */
int harness_count_containers(const char *label);
/* Waits until some text appears in a file (a log), up to timeout. 0 when it did. */
int harness_wait_for_text(const char *path, const char *text, int timeout_s);
/* Waits until process pid catches sig (its SigCgt in /proc), up to timeout. 0 when it does. */
int harness_wait_caught(pid_t pid, int sig, int timeout_s);

/* An open connection to the engine under test. 0 or -1. */
#include "engine/docker.h"
int harness_docker(struct docker *d);
/* The kind of the engine under test, asked once (GET /version); Docker if none answers. */
#include "engine/kind.h"
enum engine_kind harness_engine_kind(void);
/* Whether the engine under test reports a phase ("kill", ...): Podman has no kill, disconnect
 * or connect, and leaves them empty in trials.csv and phases.csv. */
bool harness_phase_reported(const char *phase);
/* scripts/private-dockerd.sh halt|resume on the engine under test ($RP_ENGINE_DIR); -1 on Podman
 * ($RP_ENGINE_SCRIPT, private-podman.sh, has neither). */
int harness_engine(const char *command);
/* The run id restartprof announced in its log ("run ID,"), waiting for it. 0 or -1. */
int harness_run_id(const char *log_path, char *out, size_t len, int timeout_s);
/* Writes text into dir/name (created or truncated). 0 or -1. */
int harness_put_file(const char *dir, const char *name, const char *text);
/* Reads a whole file into a NUL-terminated heap buffer, NULL if unreadable. */
char *harness_slurp(const char *path);
/* rp_* BPF maps no live process holds, waiting up to 20 s for deferred frees; reports them. */
int harness_leaked_bpf_maps(void);
/* Lines of text containing needle. */
int harness_count_text(const char *text, const char *needle);
/* A TCP port on 127.0.0.1 free a moment ago (bound to port 0 and released), or -1. */
int harness_free_port(void);
/* GET of an http://127.0.0.1:... URL (nothing else is fetched), bounded by timeout_s: the HTTP
 * status, or -1 when no answer came; *body (may be NULL) gets the answer, freed by the caller. */
int harness_http_get(const char *url, int timeout_s, char **body);

#endif
