/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module parameters: the tracking configuration chosen at load.
 *
 * The parameter names are interface (documented in the README); each is
 * validated when given, so a bad value fails the load with a message.
 * Sizes (max_objects, max_stacks, max_tasks, depth) fix memowner's memory at load;
 * mode, sources, sample_bytes and enabled may later change at run time.
 */
#ifndef _MEMOWNER_PARAMS_H
#define _MEMOWNER_PARAMS_H

#include <linux/types.h>
#include "version.h"

#define MEMOWNER_DEPTH_MAX	64
#define MEMOWNER_DEPTH_DEFAULT	16
#define MEMOWNER_SAMPLE_DEFAULT	(512 * 1024)
#define MEMOWNER_SAMPLE_MAX	(1ULL << 40)

struct memowner_params {
	enum memowner_mode mode;
	u32 sources;		/* BIT(MEMOWNER_SRC_*) */
	u32 depth;		/* frames kept per stack */
	u64 sample_bytes;	/* mean sampling interval, mode=sample */
	bool enabled;		/* tracking on at load */
	unsigned long max_objects;
	unsigned long max_stacks;
	unsigned long max_tasks;
};

extern struct memowner_params memowner_params;

/* Fill in machine-dependent defaults (sizes from total RAM) and check sizes. */
int memowner_params_init(void);

extern const char *const memowner_mode_names[__MEMOWNER_MODE_LAST];
extern const char *const memowner_source_names[__MEMOWNER_SRC_LAST];

#endif /* _MEMOWNER_PARAMS_H */
