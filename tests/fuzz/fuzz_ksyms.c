/* /proc/kallsyms texts: the symbol table, look-ups and stacks folded with it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "model/ksyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint64_t ip[] = {
		0, 1, 0xffffffff81000000, 0xffffffff81234567, 0xffffffffc0000000, UINT64_MAX};
	struct ksyms *ks;
	char out[512];

	if (ksyms_parse((const char *)data, size, &ks))
		return 0;
	for (size_t i = 0; i < sizeof(ip) / sizeof(ip[0]); i++) {
		uint64_t off;
		const char *name = ksyms_lookup(ks, ip[i], &off);

		if (name)
			(void)strlen(name);
	}
	ksyms_fold(ks, ip, (int)(sizeof(ip) / sizeof(ip[0])), out, sizeof(out));
	ksyms_fold(ks, ip, 3, out, 8);
	ksyms_free(ks);
	return 0;
}
