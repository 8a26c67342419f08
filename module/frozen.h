/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Frame names that outlive their code.
 *
 * The depot stores return addresses and names them when read.  A module's
 * init text is freed once its init has run, and all of a module's text
 * when it unloads; the addresses are then reused by modules loaded later,
 * and a stack recorded before would be named -- and its memory charged --
 * after code that never made it.  So, from a module notifier, every stored
 * frame in code about to go (the init text at MODULE_STATE_LIVE, the whole
 * module at MODULE_STATE_GOING) is rewritten to a "frozen" frame: a small
 * index into a table holding the name the frame had and its address.  A
 * frozen frame is never a kernel address (indexes are 1..MO_FROZEN_MAX),
 * so new code at the same address never matches the old record: its
 * allocations get a stack (and a site) of their own.
 */
#ifndef _MEMOWNER_FROZEN_H
#define _MEMOWNER_FROZEN_H

#include <linux/types.h>

/* Frozen names kept at most (each a few dozen bytes, made at freezing). */
#define MO_FROZEN_MAX	65536

int mo_frozen_init(void);	/* registers the module notifier */
void mo_frozen_exit(void);	/* unregisters it, frees the names */

/* True when @frame is a frozen frame, not an address. */
static inline bool mo_frame_frozen(unsigned long frame)
{
	return frame && frame <= MO_FROZEN_MAX;
}

/*
 * A stored frame as text for any reader: "func+0x1e/0x40 [mod]", or "?"
 * when no symbol covers it (%pS would print the raw address then).  A
 * frozen frame reads as it did when its code went.
 */
void mo_frame_name(unsigned long frame, char *buf, size_t len);

/*
 * The address a stored frame had (for readers allowed to see addresses):
 * a frozen frame's original address.
 */
unsigned long mo_frame_addr(unsigned long frame);

/* Frames frozen, names kept, frames left unfrozen because the table was full. */
void mo_frozen_stats(unsigned long *frames, unsigned long *names,
		     unsigned long *drops);

#endif /* _MEMOWNER_FROZEN_H */
