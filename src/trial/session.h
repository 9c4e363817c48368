// SPDX-License-Identifier: GPL-2.0-only
/* What a run holds open while it drives the engine: connections, images, tracer, names. */
#ifndef RP_TRIAL_SESSION_H
#define RP_TRIAL_SESSION_H

#include <json-c/json.h>
#include <stdbool.h>
#include <sys/types.h>

#include "engine/attach.h"
#include "engine/docker.h"
#include "engine/events.h"
#include "engine/image.h"
#include "trial/config.h"
#include "trial/ready.h"

struct tracer;
struct journal;

#define LABEL_RUN   "io.restartprof.run"
#define LABEL_ROLE  "io.restartprof.role"
#define LABEL_OWNER "io.restartprof.owner" /* boot-id/pid/start-time of the run's process */
#define RUN_ID_LEN  32

struct session {
	const struct run_config *cfg;
	struct docker docker;
	struct event_stream *events;
	struct tracer *tracer;	 /* NULL when not tracing */
	struct journal *journal; /* try: what the remedies changed (remedy/journal.h); else NULL */
	char run_id[RUN_ID_LEN];
	char owner[128];
	char target_image[IMAGE_REF_LEN];
	char stress_image[IMAGE_REF_LEN];
	int next_name;
	char err[512];
};

/* One container of the target service, with its output watched from creation on. */
struct target {
	char id[65];
	char name[128];
	pid_t pid;
	struct attach_stream *attach;
	struct output_watch watch;
	bool watching; /* watch initialised */
	bool live;     /* exists in the engine */
};

/* Fills run id and owner label; no engine contact. */
void session_init(struct session *s, const struct run_config *cfg);
/*
 * Connects to the engine: every call bounded by --engine-timeout (a stop by the grace plus
 * it), the call in flight aborted by an interrupt, the calls after it cleanup (engine/docker.h).
 * 0, or -errno with s->docker.err.
 */
int session_open_engine(struct session *s);

/* The labels every container of this run carries. */
json_object *session_labels(const struct session *s, const char *role);
/* A fresh container name for this run. */
void session_container_name(struct session *s, const char *role, char *out, size_t len);

/* Records the engine calls that follow into t (NULL: stop recording). */
void session_record_calls(struct session *s, struct trial *t);

/*
 * Creates a target container and attaches to its output (calls recorded into t, may be NULL).
 * Heap-allocated, because the attach thread writes into its watch. NULL on failure (s->err).
 */
struct target *target_create(struct session *s, struct trial *t);
int target_start(struct session *s, struct target *tg, struct trial *t);
/* Removes the container if it still exists (errors ignored: this is cleanup) and frees tg. */
void target_discard(struct session *s, struct target *tg);

/* Removes every container labelled with this run's id (the last word of any run). The number
 * removed, or -1 with s->err saying what is left in the engine. */
int session_remove_all(struct session *s);
/* session_remove_all, then these images; -1 with one line in s->err naming all that is left. */
int session_clean_engine(struct session *s, const char *const *images, int n_images);

/* Owner label of this process: "<boot id>/<pid>/<start time in ticks>". */
int owner_of_self(char *out, size_t len);
/* Splits an owner label; 0 or -1 when it is not one. */
int owner_parse(const char *owner, char *boot, size_t bootlen, int *pid, unsigned long long *start);
/* True while the process named by an owner label still runs. */
bool owner_alive(const char *owner);

#endif
