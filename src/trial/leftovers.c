#include "trial/leftovers.h"

#include <string.h>

#include "trial/session.h"

int leftovers_remove(struct docker *d, FILE *report)
{
	json_object *list;
	int removed = 0, rc;

	rc = docker_containers_by_label(d, LABEL_RUN, &list);
	if (rc)
		return rc;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *c = json_object_array_get_idx(list, i);
		json_object *labels = json_path(c, "Labels");
		const char *id = json_str(c, "Id", "");
		const char *owner = json_str(labels, LABEL_OWNER, "");
		const char *run = json_str(labels, LABEL_RUN, "?");

		if (!*id || owner_alive(owner))
			continue;
		if (docker_container_remove(d, id, 1) == 0) {
			removed++;
			if (report)
				fprintf(report,
					"restartprof: removed container %.12s (%s) left by run %s, "
					"whose process is gone\n",
					id, json_str(labels, LABEL_ROLE, "?"), run);
		}
	}
	json_object_put(list);
	return removed;
}
