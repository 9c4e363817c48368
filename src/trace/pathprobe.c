// SPDX-License-Identifier: GPL-2.0-only
#include "trace/pathprobe.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "model/probe.h"
#include "util/array.h"
#include "util/files.h"
#include "util/proc.h"

#define TRACEFS		"/sys/kernel/tracing"
#define DEBUGFS_TRACING "/sys/kernel/debug/tracing"
#define CACHE_MAX	64
#define NO_KERNEL_BTF                                                                              \
	"the kernel has no BTF of its own (/sys/kernel/btf/vmlinux; CONFIG_DEBUG_INFO_BTF): "      \
	"the kernel checks these programs against it"

struct cached {
	int path;
	char target[64];
	int rc;
	char why[PROBE_WHY_LEN];
};

/* The BTF of a loaded module (Debian builds bridge, veth and overlay as modules). */
struct modbtf {
	struct btf *btf;
	unsigned id;
	char name[64];
};

struct pathprobe {
	const struct btf *btf;
	struct modbtf *mods;
	int n_mods;
	size_t cap_mods;
	bool mods_loaded, no_kernel_btf, btf_dropped;
	char tracefs[64];
	bool tracefs_known, mounted;
	char tracefs_why[128];
	struct cached cache[CACHE_MAX];
	int n_cache;
};

struct pathprobe *pathprobe_new(const struct btf *vmlinux)
{
	struct pathprobe *pp = calloc(1, sizeof(*pp));

	if (pp) {
		pp->btf = vmlinux;
		/* vmlinux may come from a --btf file: fentry and tp_btf need the kernel's own. */
		pp->no_kernel_btf = access("/sys/kernel/btf/vmlinux", R_OK) != 0;
	}
	return pp;
}

void pathprobe_drop_btf(struct pathprobe *pp)
{
	/* The modules' BTF is split on the kernel's: it goes with it. */
	for (int i = 0; i < pp->n_mods; i++) {
		btf__free(pp->mods[i].btf);
		pp->mods[i].btf = NULL;
	}
	pp->btf = NULL;
	pp->btf_dropped = true;
}

void pathprobe_free(struct pathprobe *pp)
{
	if (!pp)
		return;
	if (pp->mounted)
		umount2(TRACEFS, 0); /* busy (someone else uses it now): leave it */
	for (int i = 0; i < pp->n_mods; i++)
		btf__free(pp->mods[i].btf);
	free(pp->mods);
	free(pp);
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *pathprobe_tracefs(struct pathprobe *pp, bool mount_if_missing, char *why, size_t len)
{
	if (!pp->tracefs_known || (!pp->tracefs[0] && mount_if_missing)) {
		pp->tracefs_known = true;
		if (is_dir(TRACEFS "/events"))
			snprintf(pp->tracefs, sizeof(pp->tracefs), TRACEFS);
		else if (is_dir(DEBUGFS_TRACING "/events"))
			snprintf(pp->tracefs, sizeof(pp->tracefs), DEBUGFS_TRACING);
		else if (!mount_if_missing)
			snprintf(pp->tracefs_why, sizeof(pp->tracefs_why),
				 "tracefs is not mounted");
		else if (mount("nodev", TRACEFS, "tracefs", 0, NULL) == 0) {
			pp->mounted = true;
			snprintf(pp->tracefs, sizeof(pp->tracefs), TRACEFS);
		} else {
			snprintf(pp->tracefs_why, sizeof(pp->tracefs_why),
				 "tracefs is not mounted and mounting it at " TRACEFS " failed: %s",
				 strerror(errno));
		}
	}
	if (!pp->tracefs[0] && why)
		snprintf(why, len, "%s", pp->tracefs_why);
	return pp->tracefs;
}

bool pathprobe_mounted_tracefs(const struct pathprobe *pp)
{
	return pp->mounted;
}

static const char *err_name(int err)
{
	static char buf[64];

	switch (err) {
	case 524:
		return "ENOTSUPP (524: no BPF trampoline here, e.g. arm64 without ftrace direct "
		       "calls)";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EBUSY:
		return "EBUSY";
	default:
		snprintf(buf, sizeof(buf), "%s (%d)", strerror(err), err);
		return buf;
	}
}

static int load_trivial(enum bpf_prog_type type, enum bpf_attach_type expected, int btf_id,
			int btf_obj_fd)
{
	/* r0 = 0; exit */
	const struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	struct utsname u;
	unsigned a = 0, b = 0, c = 0;
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = expected,
		    .attach_btf_id = btf_id > 0 ? (unsigned)btf_id : 0,
		    .attach_btf_obj_fd = btf_obj_fd > 0 ? (unsigned)btf_obj_fd : 0);
	int fd;

	if (type == BPF_PROG_TYPE_KPROBE && uname(&u) == 0 &&
	    sscanf(u.release, "%u.%u.%u", &a, &b, &c) >= 2)
		opts.kern_version = (a << 16) + (b << 8) + (c > 255 ? 255 : c);
	fd = bpf_prog_load(type, "rp_probe", "GPL", insns, 2, &opts);
	return fd < 0 ? -errno : fd;
}

static int perf_open(struct perf_event_attr *attr)
{
	int fd = (int)syscall(__NR_perf_event_open, attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int attach_perf(int prog, struct perf_event_attr *attr)
{
	int pfd = perf_open(attr), rc = 0;

	if (pfd < 0)
		return pfd;
	if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog) < 0)
		rc = -errno;
	close(pfd);
	return rc;
}

static int btf_id_of(const struct btf *btf, const char *name, int kind)
{
	return btf ? btf__find_by_name_kind(btf, name, kind) : -ENOENT;
}

/* The kernel's BTF objects of loaded modules, split on vmlinux's (once, when first needed). */
static void load_module_btfs(struct pathprobe *pp)
{
	__u32 id = 0;

	if (pp->mods_loaded || !pp->btf)
		return;
	pp->mods_loaded = true;
	while (bpf_btf_get_next_id(id, &id) == 0) {
		struct bpf_btf_info info;
		__u32 len = sizeof(info);
		char name[64] = "";
		int fd = bpf_btf_get_fd_by_id(id);
		struct modbtf *m;

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.name = (__u64)(unsigned long)name;
		info.name_len = sizeof(name);
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || !info.kernel_btf ||
		    strcmp(name, "vmlinux") == 0) {
			close(fd);
			continue;
		}
		close(fd);
		if (array_reserve((void **)&pp->mods, &pp->cap_mods, (size_t)pp->n_mods + 1,
				  sizeof(*pp->mods)))
			return;
		m = &pp->mods[pp->n_mods];
		m->btf = btf__load_from_kernel_by_id_split(id, (struct btf *)pp->btf);
		if (!m->btf)
			continue;
		m->id = id;
		snprintf(m->name, sizeof(m->name), "%s", name);
		pp->n_mods++;
	}
}

/* A function in vmlinux's BTF (*obj_fd = 0) or a loaded module's (*obj_fd = its BTF's fd). */
static int find_func(struct pathprobe *pp, const char *fn, int *obj_fd, const char **module)
{
	int id = btf_id_of(pp->btf, fn, BTF_KIND_FUNC);

	*obj_fd = 0;
	*module = NULL;
	if (id > 0 || !pp->btf)
		return id;
	load_module_btfs(pp);
	for (int i = 0; i < pp->n_mods; i++) {
		id = btf__find_by_name_kind(pp->mods[i].btf, fn, BTF_KIND_FUNC);
		if (id > 0) {
			*obj_fd = bpf_btf_get_fd_by_id(pp->mods[i].id);
			*module = pp->mods[i].name;
			return *obj_fd > 0 ? id : -ENOENT;
		}
	}
	return -ENOENT;
}

/*
 * Asks the kernel whether the loaded program fd (or -errno of its load) attaches through a
 * raw tracepoint link (tp NULL: the BTF target it was loaded for); closes both again. On
 * failure, why says which step failed, for what (target: the name told to the user).
 */
static int raw_link_attaches(int fd, const char *path, const char *tp, const char *target,
			     char *why, size_t len)
{
	int link;

	if (fd < 0) {
		snprintf(why, len, "the kernel refused to load the %s test program: %s", path,
			 err_name(-fd));
		return -1;
	}
	link = bpf_raw_tracepoint_open(tp, fd);
	if (link < 0) {
		int e = errno;

		close(fd);
		snprintf(why, len, "%s loads but does not attach to %s: %s", path, target,
			 err_name(e));
		return -1;
	}
	close(link);
	close(fd);
	return 0;
}

/* fentry and tp_btf need the kernel's own BTF, and only while the path probe holds it. */
static bool btf_gone(const struct pathprobe *pp, char *why, size_t len)
{
	if (pp->no_kernel_btf)
		snprintf(why, len, "%s", NO_KERNEL_BTF);
	else if (pp->btf_dropped)
		snprintf(why, len,
			 "asked after the kernel's BTF was released (not asked up front)");
	else
		return false;
	return true;
}

static int try_fentry(struct pathprobe *pp, const char *fn, char *why, size_t len)
{
	const char *module;
	char target[160];
	int obj_fd, id, fd;

	if (btf_gone(pp, why, len))
		return -1;
	id = find_func(pp, fn, &obj_fd, &module);
	if (id < 0) {
		snprintf(why, len,
			 "no function %s in the BTF of the kernel or of its loaded modules (is its "
			 "module loaded?)",
			 fn);
		return -1;
	}
	fd = load_trivial(BPF_PROG_TYPE_TRACING, BPF_TRACE_FENTRY, id, obj_fd);
	if (obj_fd > 0)
		close(obj_fd);
	snprintf(target, sizeof(target), "%s%s%s", fn, module ? " in module " : "",
		 module ? module : "");
	return raw_link_attaches(fd, "fentry", NULL, target, why, len);
}

static int kprobe_pmu_type(void)
{
	char buf[32];

	if (file_read_small("/sys/bus/event_source/devices/kprobe/type", buf, sizeof(buf)) <= 0)
		return -1;
	return atoi(buf);
}

/* A trivial program of type for a perf event attach; why names kind when it fails to load. */
static int load_perf_prog(enum bpf_prog_type type, const char *kind, char *why, size_t len)
{
	int fd = load_trivial(type, 0, 0, 0);

	if (fd < 0)
		snprintf(why, len, "the kernel refused to load a %s program: %s", kind,
			 err_name(-fd));
	return fd;
}

static int try_kprobe(const char *fn, char *why, size_t len)
{
	struct perf_event_attr attr = {0};
	int type = kprobe_pmu_type(), fd, rc;

	if (type < 0) {
		snprintf(why, len,
			 "no kprobe support in this kernel (no kprobe PMU: CONFIG_KPROBES "
			 "is off)");
		return -1;
	}
	fd = load_perf_prog(BPF_PROG_TYPE_KPROBE, "kprobe", why, len);
	if (fd < 0)
		return -1;
	attr.size = sizeof(attr);
	attr.type = (unsigned)type;
	attr.config1 = (unsigned long long)(unsigned long)fn;
	attr.config2 = 0;
	rc = attach_perf(fd, &attr);
	close(fd);
	if (rc == -ENOENT) {
		snprintf(why, len,
			 "kprobe on %s: ENOENT (no such function in the running kernel: is its "
			 "module loaded?)",
			 fn);
		return -1;
	}
	if (rc) {
		snprintf(why, len, "kprobe on %s: %s", fn, err_name(-rc));
		return -1;
	}
	return 0;
}

static int try_tp_btf(struct pathprobe *pp, const char *tp, char *why, size_t len)
{
	char name[96];
	int id, fd;

	if (btf_gone(pp, why, len))
		return -1;
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	id = btf_id_of(pp->btf, name, BTF_KIND_TYPEDEF);
	if (id < 0) {
		snprintf(why, len, "no tracepoint %s in the kernel's BTF", tp);
		return -1;
	}
	fd = load_trivial(BPF_PROG_TYPE_TRACING, BPF_TRACE_RAW_TP, id, 0);
	return raw_link_attaches(fd, "tp_btf", NULL, tp, why, len);
}

static int try_raw_tp(const char *tp, char *why, size_t len)
{
	return raw_link_attaches(load_trivial(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, 0, 0), "raw_tp", tp,
				 tp, why, len);
}

static int try_tracepoint(struct pathprobe *pp, const char *tp, char *why, size_t len)
{
	const char *fs = pathprobe_tracefs(pp, true, why, len);
	struct perf_event_attr attr = {0};
	char path[256], buf[32];
	int fd, rc;

	if (!fs[0])
		return -1;
	snprintf(path, sizeof(path), "%s/events/%s/id", fs, tp);
	if (file_read_small(path, buf, sizeof(buf)) <= 0) {
		snprintf(why, len, "no tracepoint %s in %s/events", tp, fs);
		return -1;
	}
	fd = load_perf_prog(BPF_PROG_TYPE_TRACEPOINT, "tracepoint", why, len);
	if (fd < 0)
		return -1;
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = strtoull(buf, NULL, 10);
	attr.sample_period = 1;
	rc = attach_perf(fd, &attr);
	close(fd);
	if (rc) {
		snprintf(why, len, "tracepoint %s: %s", tp, err_name(-rc));
		return -1;
	}
	return 0;
}

int pathprobe_try(struct pathprobe *pp, int path, const char *target, char *why, size_t len)
{
	struct cached *c;
	int rc;

	/* A test knob: skip the trial attach of function probes, so that the real programs'
	 * load or attach failure is what makes the loader fall back (tests/vm/guest-test.sh). */
	if ((path == PROBE_FENTRY || path == PROBE_KPROBE) &&
	    getenv("RESTARTPROF_NO_TRIAL_ATTACH")) {
		why[0] = '\0';
		return 0;
	}
	for (int i = 0; i < pp->n_cache; i++)
		if (pp->cache[i].path == path && strcmp(pp->cache[i].target, target) == 0) {
			snprintf(why, len, "%s", pp->cache[i].why);
			return pp->cache[i].rc;
		}
	why[0] = '\0';
	switch (path) {
	case PROBE_FENTRY:
		rc = try_fentry(pp, target, why, len);
		break;
	case PROBE_KPROBE:
		rc = try_kprobe(target, why, len);
		break;
	case PROBE_TP_BTF:
		rc = try_tp_btf(pp, target, why, len);
		break;
	case PROBE_RAW_TP:
		rc = try_raw_tp(target, why, len);
		break;
	case PROBE_TRACEPOINT:
		rc = try_tracepoint(pp, target, why, len);
		break;
	default:
		snprintf(why, len, "unknown path");
		return -1;
	}
	if (pp->n_cache < CACHE_MAX) {
		c = &pp->cache[pp->n_cache++];
		c->path = path;
		snprintf(c->target, sizeof(c->target), "%s", target);
		c->rc = rc;
		snprintf(c->why, sizeof(c->why), "%s", why);
	}
	return rc;
}
