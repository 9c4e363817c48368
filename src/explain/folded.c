// SPDX-License-Identifier: GPL-2.0-only
#include "explain/folded.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "explain/explain.h"
#include "rundir/file_name.h"
#include "util/files.h"

static int write_fold(int dirfd, const char *name, struct fold *fd)
{
	struct atomic_file af;
	int rc = atomic_file_begin(&af, dirfd, name);

	if (rc)
		return rc;
	rc = fold_write(fd, af.f);
	return atomic_file_commit(&af, rc || ferror(af.f));
}

static int write_cell_folds(int dirfd, const struct explain_cell *ec)
{
	struct fold *all = fold_new();
	char safe[64], name[128];
	int rc = all ? 0 : -ENOMEM;

	rundir_safe_name(ec->name, safe, sizeof(safe));
	for (int p = 0; p < PH_COUNT && !rc; p++) {
		if (!ec->fold[p] || !fold_count(ec->fold[p]))
			continue;
		for (size_t i = 0; i < fold_count(ec->fold[p]) && !rc; i++)
			rc = fold_add(all, fold_stack(ec->fold[p], i), fold_value(ec->fold[p], i));
		snprintf(name, sizeof(name), "%s.%s.folded", safe, phase_name(p));
		if (!rc)
			rc = write_fold(dirfd, name, ec->fold[p]);
	}
	snprintf(name, sizeof(name), "%s.folded", safe);
	if (!rc)
		rc = write_fold(dirfd, name, all);
	fold_free(all);
	return rc;
}

int explain_write_folded(int dirfd, const struct explain_run *r)
{
	int fd, rc = 0;

	if (!r->traced)
		return 0;
	if (mkdirat(dirfd, FOLDED_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, FOLDED_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t c = 0; c < r->n_cells && !rc; c++)
		rc = write_cell_folds(fd, &r->cells[c]);
	close(fd);
	return rc;
}
