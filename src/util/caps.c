// SPDX-License-Identifier: GPL-2.0-only
#include "util/caps.h"

#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

bool cap_effective(int cap)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return false;
	return data[cap / 32].effective & (1u << (cap % 32));
}

static void append_cap_name(char *out, size_t len, const char *name)
{
	size_t n = strlen(out);

	snprintf(out + n, len - n, "%s%s", n ? ", " : "", name);
}

int caps_missing(bool need_bpf, bool need_netns, char *out, size_t len)
{
	/* Kernels before 5.8 know neither CAP_BPF nor CAP_PERFMON: CAP_SYS_ADMIN covers both. */
	bool admin = cap_effective(CAP_SYS_ADMIN);

	out[0] = '\0';
	if (need_bpf && !admin && !cap_effective(CAP_BPF))
		append_cap_name(out, len, "CAP_BPF");
	if (need_bpf && !admin && !cap_effective(CAP_PERFMON))
		append_cap_name(out, len, "CAP_PERFMON");
	if (need_netns && !admin)
		append_cap_name(out, len, "CAP_SYS_ADMIN");
	return out[0] ? -1 : 0;
}
