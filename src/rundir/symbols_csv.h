// SPDX-License-Identifier: GPL-2.0-only
/* symbols.csv: for each binary the on-CPU samples ran in, which table named its frames. */
#ifndef RP_RUNDIR_SYMBOLS_CSV_H
#define RP_RUNDIR_SYMBOLS_CSV_H

#include <stddef.h>
#include <stdint.h>

struct symbols_row {
	const char *path;      /* the binary, or "(no build ID)" for frames the kernel gave bare */
	const char *method;    /* symtab, dynsym, pclntab, none */
	const char *go_layout; /* the pclntab's layout ("1.18"), or NULL */
	uint64_t named, unnamed; /* distinct frames looked up, with and without a name */
	uint64_t table_peak;	 /* bytes its symbol tables held at most (read for a trial) */
	uint64_t kept;		 /* bytes kept between trials (the functions named) */
};

/* Creates symbols.csv in dirfd with one row per element of rows. 0 or -errno. */
int symbols_csv_write(int dirfd, const struct symbols_row *rows, size_t n);

#endif
