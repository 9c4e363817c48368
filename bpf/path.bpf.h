// SPDX-License-Identifier: GPL-2.0-only
/*
 * Names of files, made in the kernel at the moment of a call: a struct file (or an fd of the
 * current task) to its path by walking dentry->d_parent up to the root of its mount, then
 * from the mount point in the parent mount, and so on, at most RP_PATH_DEPTH names and a
 * bounded number of mount crossings. The path is the one the task sees: inside a container's
 * mount namespace it ends at the container's root, in a chroot at the chroot's root. Relative names
 * of path calls (unlinkat with a directory fd, names relative to the working directory) get their
 * directory's path.
 */
#ifndef RP_PATH_BPF_H
#define RP_PATH_BPF_H

#include "common.bpf.h"

#define RP_AT_FDCWD (-100)
#define RP_SLOTS    32 /* power of two above RP_PATH_DEPTH, for masked indexes */

struct rp_pathbuf {
	const unsigned char *names[RP_SLOTS]; /* by step of the walk; NULL: a mount crossed */
	char buf[2 * RP_PATH_LEN]; /* twice the size: bounded writes at any offset below LEN */
	char ubuf[RP_PATH_LEN];	   /* a name read from user memory */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct rp_pathbuf);
} rp_pathscratch SEC(".maps");

static __always_inline struct rp_pathbuf *rp_pathbuf(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&rp_pathscratch, &zero);
}

/* The struct file behind fd in the current task's table, NULL if none. */
static __always_inline struct file *rp_fd_file(long fd)
{
	struct task_struct *t = rp_current();
	struct files_struct *files = BPF_CORE_READ(t, files);
	struct fdtable *fdt;
	struct file **fds, *f = NULL;

	if (fd < 0 || !files)
		return NULL;
	fdt = BPF_CORE_READ(files, fdt);
	if (!fdt || (unsigned long)fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (!fds || bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]))
		return NULL;
	return f;
}

/*
 * Walks from d up to the root: each step either records a name in names[step] or crosses
 * from a mount's root to its mount point (names[step] NULL). Returns the steps taken. No
 * count of names is kept across steps: that keeps the verifier's states few. The walk ends at
 * the current task's own root (a chrooted engine's paths are the ones it sees), or else at the
 * root of the mount namespace.
 */
static __always_inline int rp_walk(struct rp_pathbuf *pb, struct dentry *d, struct vfsmount *vm,
				   __u32 *flags)
{
	long mnt_off = bpf_core_field_offset(struct mount, mnt);
	struct mount *m = (void *)vm - mnt_off;
	struct task_struct *t = rp_current();
	struct dentry *task_root = BPF_CORE_READ(t, fs, root.dentry);
	struct vfsmount *task_root_mnt = BPF_CORE_READ(t, fs, root.mnt);
	int k;

	for (k = 0; k < RP_PATH_DEPTH; k++) {
		struct dentry *root = BPF_CORE_READ(m, mnt.mnt_root), *parent;

		pb->names[k & (RP_SLOTS - 1)] = NULL;
		if (!d || (d == task_root && (void *)m + mnt_off == (void *)task_root_mnt))
			return k;
		if (d == root) {
			struct mount *pm = BPF_CORE_READ(m, mnt_parent);

			if (!pm || pm == m)
				return k;
			d = BPF_CORE_READ(m, mnt_mountpoint);
			m = pm;
			continue;
		}
		parent = BPF_CORE_READ(d, d_parent);
		if (!parent || parent == d)
			return k;
		pb->names[k & (RP_SLOTS - 1)] = BPF_CORE_READ(d, d_name.name);
		d = parent;
	}
	*flags |= RP_SYSF_TRUNCATED;
	return k;
}

/* Writes "/" and the names of steps [steps-1 .. 0] into pb->buf; returns the length. */
static __always_inline __u32 rp_emit(struct rp_pathbuf *pb, int steps, __u32 *flags)
{
	__u32 off = 0;

	for (int k = 0; k < RP_PATH_DEPTH; k++) {
		const unsigned char *name;
		int i = steps - 1 - k;
		long r;

		if (i < 0)
			break;
		name = pb->names[i & (RP_SLOTS - 1)];
		if (!name)
			continue;
		if (off >= RP_PATH_LEN - 1) {
			*flags |= RP_SYSF_TRUNCATED;
			break;
		}
		pb->buf[off & (RP_PATH_LEN - 1)] = '/';
		off++;
		r = bpf_probe_read_kernel_str(&pb->buf[off & (RP_PATH_LEN - 1)], RP_PATH_LEN, name);
		if (r > 1)
			off += (__u32)r - 1;
	}
	if (off == 0)
		pb->buf[off++] = '/';
	pb->buf[off & (2 * RP_PATH_LEN - 1)] = '\0';
	return off;
}

/* The path of (dentry, mount) into pb->buf; returns its length. */
static __always_inline __u32 rp_path_of(struct rp_pathbuf *pb, struct dentry *d,
					struct vfsmount *vm, __u32 *flags)
{
	return rp_emit(pb, rp_walk(pb, d, vm, flags), flags);
}

/* Copies pb->buf into out (RP_PATH_LEN), cut there. */
static __always_inline void rp_path_out(struct rp_pathbuf *pb, __u32 len, char *out, __u32 *flags)
{
	if (len >= RP_PATH_LEN) {
		*flags |= RP_SYSF_TRUNCATED;
		pb->buf[RP_PATH_LEN - 1] = '\0';
	}
	__builtin_memcpy(out, pb->buf, RP_PATH_LEN);
}

/* The file's path, filesystem type and whether it still has a name. */
static __always_inline void rp_file_path(struct file *f, char *out, char *fstype, __u32 *flags)
{
	struct rp_pathbuf *pb = rp_pathbuf();
	struct dentry *d;
	const char *fs;

	if (!pb || !f)
		return;
	d = BPF_CORE_READ(f, f_path.dentry);
	rp_path_out(pb, rp_path_of(pb, d, BPF_CORE_READ(f, f_path.mnt), flags), out, flags);
	if (BPF_CORE_READ(d, d_inode, i_nlink) == 0)
		*flags |= RP_SYSF_DELETED;
	fs = BPF_CORE_READ(d, d_sb, s_type, name);
	if (fs)
		bpf_probe_read_kernel_str(fstype, RP_FSTYPE_LEN, fs);
}

/*
 * A name given to a path call (unlinkat, renameat...): absolute as given, else joined to the
 * path of its directory (dirfd, or the working directory for RP_AT_FDCWD).
 */
static __always_inline void rp_user_path(long dirfd, const char *uname, char *out, char *fstype,
					 __u32 *flags)
{
	struct rp_pathbuf *pb = rp_pathbuf();
	struct dentry *d = NULL;
	struct vfsmount *vm = NULL;
	__u32 off;
	long r;

	if (!pb)
		return;
	pb->ubuf[0] = '\0';
	if (bpf_probe_read_user_str(pb->ubuf, sizeof(pb->ubuf), uname) < 0)
		return;
	if (pb->ubuf[0] == '/') {
		__builtin_memcpy(out, pb->ubuf, RP_PATH_LEN);
		return;
	}
	if (dirfd == RP_AT_FDCWD) {
		struct fs_struct *fs = BPF_CORE_READ(rp_current(), fs);

		d = BPF_CORE_READ(fs, pwd.dentry);
		vm = BPF_CORE_READ(fs, pwd.mnt);
	} else {
		struct file *f = rp_fd_file(dirfd);

		if (f) {
			d = BPF_CORE_READ(f, f_path.dentry);
			vm = BPF_CORE_READ(f, f_path.mnt);
		}
	}
	if (!d || !vm) {
		*flags |= RP_SYSF_RELATIVE;
		__builtin_memcpy(out, pb->ubuf, RP_PATH_LEN);
		return;
	}
	off = rp_path_of(pb, d, vm, flags);
	if (off < RP_PATH_LEN - 1) {
		if (off > 1) /* not "/" */
			pb->buf[off++ & (RP_PATH_LEN - 1)] = '/';
		r = bpf_probe_read_kernel_str(&pb->buf[off & (RP_PATH_LEN - 1)], RP_PATH_LEN,
					      pb->ubuf);
		if (r > 1)
			off += (__u32)r - 1;
	} else {
		*flags |= RP_SYSF_TRUNCATED;
	}
	rp_path_out(pb, off, out, flags);
	{
		const char *fsn = BPF_CORE_READ(d, d_sb, s_type, name);

		if (fsn)
			bpf_probe_read_kernel_str(fstype, RP_FSTYPE_LEN, fsn);
	}
}

#endif
