/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Module-wide identity and counters, read by GET_INFO over ioctl and netlink.
 */
#ifndef _MEMOWNER_INFO_H
#define _MEMOWNER_INFO_H

#include <linux/atomic.h>
#include "version.h"

struct memowner_stats {
	u64 loaded_ns;
	atomic64_t nr_opens;
	atomic64_t nr_ioctls;
	atomic64_t nr_requests;
	atomic64_t mem_bytes;	/* memory held through memowner_kzalloc() */
};

extern struct memowner_stats memowner_stats;

void memowner_info_init(void);
/* Report leaks of memory allocated through memowner_kzalloc() at unload. */
void memowner_info_exit(void);

/* kzalloc()/kfree() that account memowner's own memory; process context. */
void *memowner_kzalloc(size_t size);
void memowner_kfree(const void *p, size_t size);
/* Fill every output field of @info; input fields (size, flags) untouched. */
void memowner_info_fill(struct memowner_info *info);
/* Everything memowner holds: its tables (reserved at load) and the rest. */
u64 memowner_memory(void);

#endif /* _MEMOWNER_INFO_H */
