// SPDX-License-Identifier: GPL-2.0
/*
 * Module identity and counters.  The counters are touched only on the slow
 * control paths (open, ioctl, netlink request), so plain atomics suffice.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "info.h"

struct memowner_stats memowner_stats;

void memowner_info_init(void)
{
	memowner_stats.loaded_ns = ktime_get_boottime_ns();
	atomic64_set(&memowner_stats.nr_opens, 0);
	atomic64_set(&memowner_stats.nr_ioctls, 0);
	atomic64_set(&memowner_stats.nr_requests, 0);
	atomic64_set(&memowner_stats.mem_bytes, 0);
}

void memowner_info_exit(void)
{
	s64 left = atomic64_read(&memowner_stats.mem_bytes);

	if (left)
		pr_err("unloaded with leaks: %lld bytes still allocated\n", left);
}

void *memowner_kzalloc(size_t size)
{
	void *p = kzalloc(size, GFP_KERNEL);

	if (p)
		atomic64_add(size, &memowner_stats.mem_bytes);
	return p;
}

void memowner_kfree(const void *p, size_t size)
{
	if (!p)
		return;
	kfree(p);
	atomic64_sub(size, &memowner_stats.mem_bytes);
}

void memowner_info_fill(struct memowner_info *info)
{
	info->abi_version = MEMOWNER_ABI_VERSION;
	info->version = MEMOWNER_VERSION_CODE(MEMOWNER_VERSION_MAJOR,
					      MEMOWNER_VERSION_MINOR,
					      MEMOWNER_VERSION_PATCH);
	info->features = MEMOWNER_FEAT_IOCTL | MEMOWNER_FEAT_GENL;
	info->loaded_ns = memowner_stats.loaded_ns;
	info->nr_opens = atomic64_read(&memowner_stats.nr_opens);
	info->nr_ioctls = atomic64_read(&memowner_stats.nr_ioctls);
	info->nr_requests = atomic64_read(&memowner_stats.nr_requests);
	info->mem_bytes = atomic64_read(&memowner_stats.mem_bytes);
	info->nr_cpus = num_possible_cpus();
	info->__pad = 0;
}
