// SPDX-License-Identifier: GPL-2.0-only
/* Engine answers: the JSON of inspect, list, version and the image import's progress stream. */
#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/docker.h"
#include "engine/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char msg[512];
	json_object *o = json_parse_buf(text, size);

	/* The reads restartprof makes of the answers it gets. */
	json_str(o, "Id", "");
	json_str(o, "ApiVersion", "0");
	json_str(json_path(o, "Config.Labels"), IMAGE_LABEL_CONTENT, "");
	json_int(json_path(o, "State"), "Pid", 0);
	json_int(json_path(o, "State"), "ExitCode", -1);
	json_str(o, "message", "");
	if (o && json_object_is_type(o, json_type_array))
		for (size_t i = 0; i < json_object_array_length(o) && i < 64; i++) {
			json_object *c = json_object_array_get_idx(o, i);

			json_str(json_path(c, "Labels"), "io.restartprof.owner", "");
			json_path(c, "RepoTags");
		}
	json_object_put(o);
	image_import_error(text, size, msg, sizeof(msg));
	return 0;
}
