// SPDX-License-Identifier: GPL-2.0
/*
 * Tracking control: start, stop, reconfigure.
 *
 * control_lock (a mutex: attach and detach sleep) serialises every change.
 * A new configuration is applied with the probes detached -- detach waits
 * until no probe runs (tracepoint_synchronize_unregister) -- so the hot
 * paths read mo_cfg without any lock: it never changes under them.  The
 * tables are cleared in between, since records made under one mode or
 * sampling rate cannot be undone under another.
 *
 * A new epoch also empties the stack depot and the site table (sites and
 * stacks of the old configuration would otherwise fill them for good), in
 * place, or into a deeper depot arena allocated before anything changes.
 * Their readers, in process context, hold tables_sem for reading while
 * they look at sites or stacks (mo_tables_read_lock()); clear() holds it
 * for writing.  Probes take no lock: the allocation probes are detached by
 * then, and the event hooks, which stay attached, touch sites and stacks
 * only while tracking is active -- it is not from stop() on, whose detach
 * waits out every probe in flight.  Lock order: control_lock, tables_sem,
 * then rules_lock or baseline_lock; tables_sem is never taken twice in one
 * call chain (a waiting writer would block the second read).
 *
 * Module exit begins with mo_control_going(): from then on every change
 * (SET_CONFIG, rule changes, MARK, RESET) is refused with -ENODEV, so
 * nothing re-attaches a probe or re-arms a work item while the interfaces
 * are being unregistered and the tables freed.  "going" is set under
 * control_lock, so a change in progress completes before exit goes on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mutex.h>
#include <linux/rwsem.h>

#include "alerts.h"
#include "control.h"
#include "depot.h"
#include "events.h"
#include "owner.h"
#include "params.h"
#include "preload.h"
#include "probes.h"
#include "query.h"
#include "site.h"
#include "task.h"
#include "track.h"

static DEFINE_MUTEX(control_lock);
static DECLARE_RWSEM(tables_sem);
static bool attached;
static bool going;	/* set under control_lock, read with READ_ONCE */
static atomic_t epoch;

bool mo_control_is_going(void)
{
	return READ_ONCE(going);
}

void mo_control_going(void)
{
	mutex_lock(&control_lock);
	WRITE_ONCE(going, true);
	mutex_unlock(&control_lock);
}

u32 mo_control_epoch(void)
{
	return atomic_read(&epoch);
}

void mo_tables_read_lock(void)
{
	down_read(&tables_sem);
}

void mo_tables_read_unlock(void)
{
	up_read(&tables_sem);
}

void mo_control_get(struct memowner_config *cfg)
{
	mutex_lock(&control_lock);
	cfg->sources = memowner_params.sources;
	cfg->mode = mo_cfg.mode;
	cfg->depth = mo_cfg.depth;
	cfg->sample_bytes = mo_cfg.sample_bytes;
	cfg->enabled = attached;
	mutex_unlock(&control_lock);
}

static void start(void)
{
	lockdep_assert_held(&control_lock);
	mo_track_set_active(true);
	mo_probes_attach(memowner_params.sources);
	if (memowner_params.sources & BIT(MEMOWNER_SRC_PAGE))
		mo_preload_scan();
	attached = true;
}

static void stop(void)
{
	lockdep_assert_held(&control_lock);
	if (!attached)
		return;
	mo_track_set_active(false);
	mo_probes_detach();
	attached = false;
}

/*
 * A new epoch: nothing recorded under the old configuration remains, and
 * no site or stack either but the stacks of stack rules, carried over by
 * their first @keep frames.  @arena: a deeper depot arena, or none.
 */
static void clear(struct mo_depot_arena *arena, unsigned int keep)
{
	lockdep_assert_held(&control_lock);
	/* Detached, with every probe in flight waited for: see the top. */
	WARN_ON_ONCE(attached || READ_ONCE(mo_cfg.active));
	mo_owner_clear();
	mo_task_reset();
	mo_preload_clear_all();
	down_write(&tables_sem);
	mo_alerts_restack_save(keep);
	mo_depot_reset(arena);
	mo_site_reset(mo_depot_sentinel(MO_STACK_TABLE_FULL));
	mo_track_sites_reset();
	mo_alerts_restack_restore();
	mo_events_clear();
	mo_query_clear();
	atomic_inc(&epoch);
	up_write(&tables_sem);
}

static int validate(const struct memowner_config *c)
{
	/* Naming no field is an error, as in netlink: it would clear all. */
	if (!c->flags || (c->flags & ~__MEMOWNER_CONFIG_F_ALL))
		return -EINVAL;
	if ((c->flags & MEMOWNER_CONFIG_F_SOURCES) &&
	    (c->sources & ~__MEMOWNER_SRC_F_ALL))
		return -EINVAL;
	if ((c->flags & MEMOWNER_CONFIG_F_MODE) && c->mode > MEMOWNER_MODE_MAX)
		return -EINVAL;
	if ((c->flags & MEMOWNER_CONFIG_F_DEPTH) &&
	    (c->depth < 1 || c->depth > MEMOWNER_DEPTH_MAX))
		return -EINVAL;
	if ((c->flags & MEMOWNER_CONFIG_F_SAMPLE_BYTES) &&
	    (c->sample_bytes < 1 || c->sample_bytes > MEMOWNER_SAMPLE_MAX))
		return -EINVAL;
	if ((c->flags & MEMOWNER_CONFIG_F_ENABLED) && c->enabled > 1)
		return -EINVAL;
	return 0;
}

int mo_control_set(const struct memowner_config *c)
{
	struct mo_depot_arena arena;
	unsigned int depth, mode;
	u32 f = c->flags;
	int ret = validate(c);

	if (ret)
		return ret;
	mutex_lock(&control_lock);
	if (going) {
		ret = -ENODEV;
		goto out;
	}
	/* Only disabling: detach, keep the tables for reading. */
	if (f == MEMOWNER_CONFIG_F_ENABLED && !c->enabled) {
		stop();
		memowner_params.enabled = false;
		goto out;
	}
	depth = f & MEMOWNER_CONFIG_F_DEPTH ? c->depth : memowner_params.depth;
	mode = f & MEMOWNER_CONFIG_F_MODE ? c->mode : memowner_params.mode;
	/* A depth the depot cannot hold: a deeper arena first, or refused. */
	ret = mo_depot_prepare(depth, &arena);
	if (ret)
		goto out;
	stop();
	clear(&arena, mode == MEMOWNER_MODE_CALLSITE ? 1 : depth);
	if (f & MEMOWNER_CONFIG_F_SOURCES)
		memowner_params.sources = c->sources;
	if (f & MEMOWNER_CONFIG_F_MODE)
		memowner_params.mode = c->mode;
	if (f & MEMOWNER_CONFIG_F_DEPTH)
		memowner_params.depth = c->depth;
	if (f & MEMOWNER_CONFIG_F_SAMPLE_BYTES)
		memowner_params.sample_bytes = c->sample_bytes;
	if (f & MEMOWNER_CONFIG_F_ENABLED)
		memowner_params.enabled = c->enabled;
	mo_track_configure(memowner_params.mode, memowner_params.depth,
			   memowner_params.sample_bytes);
	if (memowner_params.enabled)
		start();
	pr_info("tracking %s: mode=%s depth=%u sources=%#x sample_bytes=%llu\n",
		attached ? "restarted" : "stopped",
		memowner_mode_names[memowner_params.mode],
		memowner_params.depth, memowner_params.sources,
		memowner_params.sample_bytes);
out:
	mutex_unlock(&control_lock);
	return ret;
}

void mo_control_start(void)
{
	mutex_lock(&control_lock);
	if (memowner_params.enabled && !going)
		start();
	mutex_unlock(&control_lock);
}

void mo_control_stop(void)
{
	mutex_lock(&control_lock);
	stop();
	mutex_unlock(&control_lock);
}
