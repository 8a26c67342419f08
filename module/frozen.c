// SPDX-License-Identifier: GPL-2.0
/*
 * Frame names that outlive their code (frozen.h says why).
 *
 * Freezing runs in the module notifier, in process context, under
 * freeze_lock (two modules may go at once).  It walks every stored stack --
 * at most max_stacks records of at most MEMOWNER_DEPTH_MAX frames, with a
 * reschedule point every 256 records -- and asks within_module_init() or
 * within_module() of each frame: public helpers that read the module's own
 * layout, so nothing about it is guessed.  At MODULE_STATE_LIVE the init
 * symbols are still in the module's kallsyms (do_init_module() switches to
 * the core symbols and frees the init text after the notifier), and at
 * MODULE_STATE_GOING all of them are (free_module() comes after), so "%pS"
 * still names each frame right.
 *
 * Each distinct address gets one name (a temporary xarray by address
 * dedups within the walk), so a frozen call site still groups all its
 * stacks.  Names live in an xarray indexed by the frozen frame, allocated
 * with GFP_KERNEL here and never freed before unload: readers (netlink,
 * debugfs, the ioctl, alert notifications) look one up with xa_load()
 * under RCU, without a lock, in any context.  The depot rewrites each frame
 * under its own lock (mo_depot_set_frame()), so a lookup of a stack being
 * frozen sees either the address or the frozen frame, both named the same.
 *
 * Per-CPU call-site caches remember call site -> site: they are emptied
 * after a freeze (mo_track_forget_callsites()), or code loaded later at a
 * frozen address would hit the old entry and be charged to the old site.
 * Nothing can add such an entry meanwhile: the code that went does not run
 * (init has returned; at GOING, exit has).
 *
 * When the table is full, frames stay addresses (named by whatever code is
 * there when read, as before) and are counted as drops in debugfs status.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/xarray.h>

#include "control.h"
#include "depot.h"
#include "frozen.h"
#include "track.h"

struct mo_frozen {
	unsigned long addr;	/* the frame's address when its code went */
	char name[];		/* its "%pS" then, or "?" */
};

static DEFINE_XARRAY_ALLOC1(names);	/* frozen frame -> struct mo_frozen */
static DEFINE_MUTEX(freeze_lock);
static char name_buf[KSYM_SYMBOL_LEN];	/* under freeze_lock */
static atomic_long_t nr_frames, nr_names, nr_drops;

static void name_of(unsigned long addr, char *buf, size_t len)
{
	snprintf(buf, len, "%pS", (void *)addr);
	if (!strncmp(buf, "0x", 2))
		strscpy(buf, "?", len);
}

void mo_frame_name(unsigned long frame, char *buf, size_t len)
{
	const struct mo_frozen *f;

	if (!mo_frame_frozen(frame)) {
		name_of(frame, buf, len);
		return;
	}
	f = xa_load(&names, frame);
	strscpy(buf, f ? f->name : "?", len);
}

unsigned long mo_frame_addr(unsigned long frame)
{
	const struct mo_frozen *f;

	if (!mo_frame_frozen(frame))
		return frame;
	f = xa_load(&names, frame);
	return f ? f->addr : 0;
}

void mo_frozen_stats(unsigned long *frames, unsigned long *nnames,
		     unsigned long *drops)
{
	*frames = atomic_long_read(&nr_frames);
	*nnames = atomic_long_read(&nr_names);
	*drops = atomic_long_read(&nr_drops);
}

/* The frozen frame naming @addr now; 0 when the table is full. */
static unsigned long freeze_one(unsigned long addr, struct xarray *seen,
				char *buf)
{
	void *known = xa_load(seen, addr);
	struct mo_frozen *f;
	size_t len;
	u32 id;

	if (known)
		return xa_to_value(known);
	name_of(addr, buf, KSYM_SYMBOL_LEN);
	len = strlen(buf) + 1;
	f = kmalloc(sizeof(*f) + len, GFP_KERNEL);
	if (!f)
		return 0;
	f->addr = addr;
	memcpy(f->name, buf, len);
	/* Published whole: the xarray stores with release semantics. */
	if (xa_alloc(&names, &id, f, XA_LIMIT(1, MO_FROZEN_MAX), GFP_KERNEL)) {
		kfree(f);
		return 0;
	}
	atomic_long_inc(&nr_names);
	/* Without it, a later frame at @addr only gets a name of its own. */
	xa_store(seen, addr, xa_mk_value(id), GFP_KERNEL);
	return id;
}

static bool going_away(unsigned long addr, struct module *mod, bool init)
{
	return init ? within_module_init(addr, mod) : within_module(addr, mod);
}

/* Freeze every stored frame in @mod's init text (@init) or anywhere in it. */
static void freeze(struct module *mod, bool init)
{
	unsigned long frozen = 0, drops = 0, records = 0;
	const unsigned long *frames;
	struct xarray seen;
	u32 pos = 0, h;

	xa_init(&seen);
	mo_tables_read_lock();	/* a new epoch empties the depot */
	mutex_lock(&freeze_lock);
	while ((h = mo_depot_next(&pos))) {
		unsigned int i, nr = mo_depot_fetch(h, &frames);

		for (i = 0; i < nr; i++) {
			unsigned long f = READ_ONCE(frames[i]), id;

			if (mo_frame_frozen(f) || !going_away(f, mod, init))
				continue;
			id = freeze_one(f, &seen, name_buf);
			if (!id) {
				drops++;
				continue;
			}
			mo_depot_set_frame(h, i, id);
			frozen++;
		}
		if (!(++records % 256))
			cond_resched();
	}
	mutex_unlock(&freeze_lock);
	mo_tables_read_unlock();
	xa_destroy(&seen);
	if (!frozen && !drops)
		return;
	mo_track_forget_callsites();
	atomic_long_add(frozen, &nr_frames);
	atomic_long_add(drops, &nr_drops);
	if (drops)
		pr_warn("%s: %lu frames in its %s not frozen (%d names kept at most): their stacks may be misnamed\n",
			mod->name, drops, init ? "init text" : "text",
			MO_FROZEN_MAX);
}

static int module_event(struct notifier_block *nb, unsigned long state,
			void *data)
{
	struct module *mod = data;

	/*
	 * memowner's own init text too (its LIVE comes after its init
	 * registered this notifier): its attach-time allocations' stacks run
	 * through memowner_init().  Its own GOING never comes here: exit
	 * unregisters first.
	 */
	if (state == MODULE_STATE_LIVE)
		freeze(mod, true);
	else if (state == MODULE_STATE_GOING)
		freeze(mod, false);
	return NOTIFY_DONE;
}

static struct notifier_block module_nb = {
	.notifier_call = module_event,
};

int mo_frozen_init(void)
{
	return register_module_notifier(&module_nb);
}

void mo_frozen_exit(void)
{
	struct mo_frozen *f;
	unsigned long id;

	/* Waits for a notifier call in progress. */
	unregister_module_notifier(&module_nb);
	xa_for_each(&names, id, f)
		kfree(f);
	xa_destroy(&names);
	atomic_long_set(&nr_frames, 0);
	atomic_long_set(&nr_names, 0);
	atomic_long_set(&nr_drops, 0);
}
