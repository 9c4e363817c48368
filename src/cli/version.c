// SPDX-License-Identifier: GPL-2.0-only
#include "cli/cli.h"

#ifndef RP_GIT
#define RP_GIT "unknown"
#endif

const char *const restartprof_version = "0.1.0 (" RP_GIT ")";
