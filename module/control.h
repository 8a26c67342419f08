/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Starting, stopping and reconfiguring tracking at run time.
 *
 * A configuration change is a new tracking epoch: probes detached, tables
 * cleared, probes attached with the new configuration, pages in use
 * accounted "before load" again.  Serialised by a mutex; process context.
 */
#ifndef _MEMOWNER_CONTROL_H
#define _MEMOWNER_CONTROL_H

#include <linux/types.h>
#include "version.h"

/* The configuration in force. */
void mo_control_get(struct memowner_config *cfg);

/*
 * Apply the fields of @cfg named by cfg->flags (MEMOWNER_CONFIG_F_*).
 * Validates every field first: -EINVAL and nothing changes on a bad one;
 * -ENODEV once the module is going.
 */
int mo_control_set(const struct memowner_config *cfg);

/*
 * Module exit has begun: every later change is refused with -ENODEV.
 * Waits for a change in progress.  Process context.
 */
void mo_control_going(void);
/* True once mo_control_going() ran: callers refuse changes (-ENODEV). */
bool mo_control_is_going(void);

/* Start tracking with the load-time parameters (module init). */
void mo_control_start(void);
/* Stop tracking for good (module exit). */
void mo_control_stop(void);

/* Incremented at each new epoch, with the tables locked for writing. */
u32 mo_control_epoch(void);

/*
 * Readers of sites and stacks (process context) hold this while they look
 * at them: a new epoch empties both.  Never nested; before rules_lock and
 * baseline_lock.  Nothing that may fault on user memory under it.
 */
void mo_tables_read_lock(void);
void mo_tables_read_unlock(void);

#endif /* _MEMOWNER_CONTROL_H */
