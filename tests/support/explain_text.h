// SPDX-License-Identifier: GPL-2.0-only
/*
 * What integration tests assert of `restartprof explain`'s text, whatever the engine: the
 * detail's causes carry evidence and each phase's time adds up. Include after <cmocka.h>.
 */
#ifndef RP_TESTS_EXPLAIN_TEXT_H
#define RP_TESTS_EXPLAIN_TEXT_H

/*
 * Asserts that in the detail (after the headline, before a cell's comparison), every cause
 * has a "stack" or "file" line before the next cause, and each phase's causes, smaller
 * causes, time with no wait and unmatched waits add up to its measured time (to the 0.1 ms
 * the text rounds to); and that there is at least one phase and one cause.
 */
void explain_text_check(const char *text);
/* The ranked causes ("1.", "2." ...) the detail lists under phase in its cells, summed. */
int explain_text_phase_causes(const char *text, const char *phase);

#endif
