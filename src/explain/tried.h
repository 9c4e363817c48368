// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a try run (restartprof try) measured, for the diagnosis views: each cell's A and B
 * trials read beside the diagnosis (model/ab_values.h), the comparison of a phase or a cause
 * as one phrase ("dirty=64M:16M: -520.0 ms [-610.0, -430.0] helps"), and the rules' try lines
 * as the command that tests a cause in a cell.
 */
#ifndef RP_EXPLAIN_TRIED_H
#define RP_EXPLAIN_TRIED_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "explain/explain.h"
#include "model/ab_values.h"

/* An ok trial of cell c and its variant column: "A" and "B" make c a try run's cell. 0 or
 * -ENOMEM. */
int tried_add_trial(struct explain_cell *c, const struct rules *rules, int trial,
		    const char *variant);
void tried_add_phase(struct explain_cell *c, int trial, int phase, int64_t duration_ns);
int tried_add_wait(struct explain_cell *c, int trial, const struct diagnosis_wait *w);
void tried_free(struct explain_cell *c);
/* run.json's try.remedies into r->tried ("" when absent). */
void tried_read_spec(struct explain_run *r, json_object *run_json);

/* Whether c has A and B trials to compare. */
bool tried_cell_paired(const struct explain_cell *c);
/* The cell of try run t that speaks for cell c of another run: the one of the same name, else
 * its only cell with A and B trials; NULL when none. */
const struct explain_cell *tried_cell(const struct explain_run *t, const struct explain_cell *c);
/* "SPEC: -520.0 ms [-610.0, -430.0] helps" for phase (AB_ALL_PHASES: the restart) and category
 * (model/ab_values.h) of cell c of try run t; false (out "") when c is not paired. */
bool tried_phrase(const struct explain_run *t, const struct explain_cell *c, int phase,
		  int category, char *out, size_t len);
/* The verdict alone, for the report. 0 or < 0. */
int tried_compare(const struct explain_cell *c, int phase, int category, struct comparison *out);

/* Whether a rule's try lines name a remedy of spec ("dirty=32M:8M,wbt=0" addresses a rule with
 * `try dirty=64M:16M`: the same remedy name). */
bool tried_addresses(const struct rule *rule, const char *spec);
/* Whether try line i of rule is what run r, a try run, measured in cell c (a remedy of its
 * spec, as given): the command to test it again is not news then. */
bool tried_already(const struct explain_run *r, const struct explain_cell *c,
		   const struct rule *rule, int i);
/* Try line i of rule for cell c: "restartprof try SPEC --load hdd --stressors 2"; false when
 * the line is not for c's context (a [load] tag) or c's load cannot be given to try. */
bool tried_command(const struct rule *rule, int i, const struct explain_cell *c, char *out,
		   size_t len);

#endif
