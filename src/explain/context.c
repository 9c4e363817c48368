// SPDX-License-Identifier: GPL-2.0-only
/* A rule's remedy or try line in its context: a cell with or without load, a run's engine. */
#include <string.h>

#include "engine/kind.h"
#include "explain/explain.h"

/* A remedy's engine tag ("[docker] ", "[podman] ") after its load tag: NULL when it is for
 * another engine than engine (engine < 0: any), else the text after it. */
static const char *for_engine(const char *text, int engine)
{
	for (int k = 0; k < ENGINE_KIND_COUNT; k++) {
		const char *name = engine_kind_name((enum engine_kind)k);
		size_t n = strlen(name);

		if (text[0] == '[' && strncmp(text + 1, name, n) == 0 && text[n + 1] == ']' &&
		    text[n + 2] == ' ')
			return engine < 0 || engine == k ? text + n + 3 : NULL;
	}
	return text;
}

const char *explain_remedy(const struct rule *rule, int i, bool loaded, int engine)
{
	const char *text = explain_in_context(rule->remedy[i], loaded);

	return text ? for_engine(text, engine) : NULL;
}

const char *explain_in_context(const char *text, bool loaded)
{
	static const char load_tag[] = "[load] ", idle_tag[] = "[no load] ";

	if (strncmp(text, load_tag, sizeof(load_tag) - 1) == 0)
		return loaded ? text + sizeof(load_tag) - 1 : NULL;
	if (strncmp(text, idle_tag, sizeof(idle_tag) - 1) == 0)
		return loaded ? NULL : text + sizeof(idle_tag) - 1;
	return text;
}
