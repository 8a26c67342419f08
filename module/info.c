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

#include "control.h"
#include "depot.h"
#include "events.h"
#include "info.h"
#include "owner.h"
#include "preload.h"
#include "probes.h"
#include "query.h"
#include "site.h"
#include "task.h"
#include "track.h"

struct memowner_stats memowner_stats;

/* Every allocation memowner makes (see memacct.h). */
atomic_long_t memowner_acct_live = ATOMIC_LONG_INIT(0);
atomic_long_t memowner_acct_made = ATOMIC_LONG_INIT(0);

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

	long live = atomic_long_read(&memowner_acct_live);

	if (left)
		pr_err("unloaded with leaks: %lld bytes still allocated\n", left);
	/*
	 * Runs last at unload: every table, buffer and per-open allocation
	 * must be freed by now.  Below zero, a free was counted whose
	 * allocation was not (an allocator memacct.h does not wrap).
	 */
	if (live)
		pr_err("unloaded with leaks: %ld of %ld allocations not freed%s\n",
		       live, atomic_long_read(&memowner_acct_made),
		       live < 0 ? " (an allocator memacct.h does not count)" : "");
	else
		pr_info("own allocations: %ld made, all freed\n",
			atomic_long_read(&memowner_acct_made));
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

u64 memowner_memory(void)
{
	return atomic64_read(&memowner_stats.mem_bytes) + mo_owner_memory() +
	       mo_depot_memory() + mo_site_memory() + mo_task_memory() +
	       mo_preload_memory() + mo_query_memory() + mo_events_memory() +
	       mo_track_memory();
}

void memowner_info_fill(struct memowner_info *info)
{
	struct memowner_config cfg;

	info->abi_version = MEMOWNER_ABI_VERSION;
	info->version = MEMOWNER_VERSION_CODE(MEMOWNER_VERSION_MAJOR,
					      MEMOWNER_VERSION_MINOR,
					      MEMOWNER_VERSION_PATCH);
	info->features = MEMOWNER_FEAT_IOCTL | MEMOWNER_FEAT_GENL |
			 MEMOWNER_FEAT_DEBUGFS;
	info->loaded_ns = memowner_stats.loaded_ns;
	info->nr_opens = atomic64_read(&memowner_stats.nr_opens);
	info->nr_ioctls = atomic64_read(&memowner_stats.nr_ioctls);
	info->nr_requests = atomic64_read(&memowner_stats.nr_requests);
	info->mem_bytes = memowner_memory();
	info->nr_cpus = num_possible_cpus();
	info->__pad = 0;
	mo_control_get(&cfg);
	info->sources = cfg.sources;
	info->mode = cfg.mode;
	info->depth = cfg.depth;
	info->enabled = cfg.enabled;
	info->sample_bytes = cfg.sample_bytes;
	info->live_objects = mo_owner_count();
	info->nr_stacks = mo_depot_count();
	info->__pad2 = 0;
	info->nr_drops = mo_track_stat(MO_STAT_TABLE_FULL) + mo_depot_drops() +
			 mo_site_drops() + mo_task_drops() +
			 mo_track_stat(MO_STAT_SPLIT_DROPS) + mo_probes_missed();
	info->sources_tracked = mo_probes_sources_tracked();
	info->sources_degraded = mo_probes_sources_degraded();
}
