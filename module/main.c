// SPDX-License-Identifier: GPL-2.0
/*
 * memowner: who owns kernel memory, on a stock kernel.
 *
 * This file only wires the subsystems together: each one is initialised in
 * order and torn down in reverse, on failure and at unload.
 *
 * One lifecycle (docs/design.md, "Lifecycle"): the tables first, then
 * tracking and the event hooks, and the interfaces (debugfs, the misc
 * device, the genl family) last, when everything they reach exists.  At
 * unload the module is marked going first (every change refused from
 * then on), the notification producers (alert work, event hooks) stop
 * while the family they send on still exists, then the interfaces go:
 * genl_unregister_family() waits for every doit in flight and admits no
 * new one; a dump, an open /dev/memowner or debugfs file holds a module
 * reference (rmmod fails while one exists), and debugfs_remove() drains
 * its file operations.  Only then does tracking stop and the tables go.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "alerts.h"
#include "control.h"
#include "debugfs.h"
#include "depot.h"
#include "device.h"
#include "events.h"
#include "frozen.h"
#include "info.h"
#include "netlink.h"
#include "owner.h"
#include "params.h"
#include "preload.h"
#include "probes.h"
#include "query.h"
#include "site.h"
#include "symbols.h"
#include "task.h"
#include "track.h"
#include "vmalloc_nest.h"

static int __init memowner_init(void)
{
	struct memowner_params *p = &memowner_params;
	int ret;

	memowner_info_init();
	ret = memowner_params_init();
	if (ret)
		return ret;
	ret = mo_symbols_init();
	if (ret)
		goto err_symbols;
	mo_vmalloc_nest_learn();
	ret = mo_depot_init(p->max_stacks, p->depth);
	if (ret)
		goto err_depot;
	ret = mo_site_init(p->max_stacks);
	if (ret)
		goto err_site;
	ret = mo_site_init_sentinels(mo_depot_sentinel(MO_STACK_TABLE_FULL));
	if (ret)
		goto err_task;
	ret = mo_task_init(p->max_tasks);
	if (ret)
		goto err_task;
	ret = mo_owner_init(p->max_objects);
	if (ret)
		goto err_owner;
	/* Task entries are recycled by what the owner table names. */
	mo_task_gc_start();
	ret = mo_track_init();
	if (ret)
		goto err_track;
	ret = mo_preload_init();
	if (ret)
		goto err_preload;
	ret = mo_query_init(mo_site_capacity());
	if (ret)
		goto err_query;
	ret = mo_alerts_init();
	if (ret)
		goto err_alerts;
	/*
	 * Frames of code that goes are frozen from here on (it reaches the
	 * depot and the call-site caches): before any probe is attached, so
	 * that no stored stack misses it.
	 */
	ret = mo_frozen_init();
	if (ret)
		goto err_frozen;

	/*
	 * The event tables before tracking starts: allocated untracked, not
	 * charged to the process that loads the module (the hooks follow the
	 * tracking configuration, also while it is not started).
	 */
	ret = mo_events_init();
	if (ret)
		goto err_events;
	mo_control_start();
	/* A kernel where no source can be tracked gets an error, not a module. */
	if (p->enabled && !mo_probes_sources_tracked()) {
		pr_err("no allocation source can be tracked on this kernel: every source lacks a hook (prototype changed or missing)\n");
		ret = -ENODEV;
		goto err_debugfs;
	}
	/* Interfaces last: nothing can be asked of a half-built module. */
	ret = mo_debugfs_init();
	if (ret)
		goto err_debugfs;
	ret = memowner_device_init();
	if (ret)
		goto err_device;
	ret = memowner_genl_init();
	if (ret)
		goto err_genl;
	pr_info("version " MEMOWNER_VERSION " loaded: mode=%s depth=%u sources=%#x max_objects=%lu max_stacks=%lu%s\n",
		memowner_mode_names[p->mode], p->depth, p->sources,
		p->max_objects, p->max_stacks, p->enabled ? "" : " (disabled)");
	return 0;

err_genl:
	memowner_device_exit();
err_device:
	mo_debugfs_exit();
err_debugfs:
	mo_events_stop();
	mo_events_exit();
err_events:
	mo_control_going();
	mo_control_stop();
	mo_frozen_exit();
err_frozen:
	mo_alerts_exit();
err_alerts:
	mo_query_exit();
err_query:
	mo_preload_exit();
err_preload:
	mo_track_exit();
err_track:
	mo_task_gc_stop();
	mo_owner_exit();
err_owner:
	mo_task_exit();
err_task:
	mo_site_exit();
err_site:
	mo_depot_exit();
err_depot:
	mo_symbols_exit();
err_symbols:
	return ret;
}

static void __exit memowner_exit(void)
{
	unsigned long live = mo_owner_count();

	/* Refuse every change; then stop what sends on the family. */
	mo_control_going();
	mo_alerts_stop();
	mo_events_stop();
	/* Interfaces down: no request is in flight after these. */
	memowner_genl_exit();
	memowner_device_exit();
	mo_debugfs_exit();
	/* Nothing can re-attach a probe now; detach them, free the tables. */
	mo_control_stop();
	mo_frozen_exit();
	mo_events_exit();
	mo_alerts_exit();
	mo_query_exit();
	mo_preload_exit();
	mo_track_exit();
	mo_task_gc_stop();
	mo_owner_exit();
	mo_task_exit();
	mo_site_exit();
	mo_depot_exit();
	mo_symbols_exit();
	memowner_info_exit();
	pr_info("version " MEMOWNER_VERSION " unloaded: %lu objects were still tracked, %lu stacks, %llu drops\n",
		live, mo_depot_count(), mo_track_stat(MO_STAT_TABLE_FULL));
}

module_init(memowner_init);
module_exit(memowner_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("memowner developers");
MODULE_DESCRIPTION("Who owns kernel memory: allocation ownership tracking");
MODULE_VERSION(MEMOWNER_VERSION);
