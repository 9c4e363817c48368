// SPDX-License-Identifier: GPL-2.0-only
/* --filter: which containers' restarts are watched, by name, label or image. */
#ifndef RP_WATCH_FILTER_H
#define RP_WATCH_FILTER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Each value is KEY=VALUE:
 *   name=REGEX       a POSIX extended regular expression searched in the container's name
 *                    (without a leading '/'); anchor it (^web$) to match a whole name
 *   label=KEY        the container has label KEY
 *   label=KEY=VALUE  the container has label KEY with exactly VALUE
 *   image=REF        the image the container was created from, as given to the engine:
 *                    equal to REF, or REF names no tag or digest and is the repository
 *                    (image=nginx matches nginx, nginx:1.25 and nginx@sha256:...;
 *                    image=nginx:1.25 matches only that tag). docker.io/ and docker.io/library/
 *                    are ignored on both sides; an image ID is matched as written.
 * Filters of the same key match when any of them does; of different keys when all of them do
 * (as docker ps). No filter at all matches every container.
 */
struct filters;

struct filters *filters_new(void);
/* Adds one --filter value. 0, or -1 with one line in err ("--filter name=(: bad regex: ..."). */
int filters_add(struct filters *f, const char *value, char *err, size_t errlen);
/* How many values were added. */
size_t filters_count(const struct filters *f);
/*
 * labels is "k=v\0k=v\0\0" as struct engine_event keeps them (NULL for none); name, image may
 * be NULL for unknown, which no filter of their key matches. f NULL matches everything.
 */
bool filter_match(const struct filters *f, const char *name, const char *image, const char *labels);
void filters_free(struct filters *f);

#endif
