/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Threshold alerts: rules on an owner's live bytes, pages or growth rate,
 * checked periodically by a work item, delivered on the netlink "alerts"
 * multicast group.
 */
#ifndef _MEMOWNER_ALERTS_H
#define _MEMOWNER_ALERTS_H

#include <linux/types.h>
#include "version.h"

/* What an alert says (built into a netlink notification). */
struct mo_alert {
	u32 rule_id;
	u32 owner_kind;
	u64 owner_id;
	char owner_name[MEMOWNER_NAME_LEN];
	u32 stack;		/* a stack of the owner, 0 if none */
	u32 metric;
	u64 value;
	u64 threshold;
	u64 ts_ns;		/* CLOCK_BOOTTIME */
};

int mo_alerts_init(void);
/* Cancel the check for good (module going): before the family goes. */
void mo_alerts_stop(void);
void mo_alerts_exit(void);

/* Validate and add @t (owner_name already copied into @name). */
int mo_alerts_add(struct memowner_threshold *t, const char *name);
int mo_alerts_del(u32 id);
/* Copy up to @max states into @out; returns how many rules exist. */
unsigned int mo_alerts_list(struct memowner_threshold_state *out,
			    unsigned int max);

u64 mo_alerts_sent(void);

/*
 * Around emptying the depot at a new epoch (tables locked for writing):
 * each stack rule saves its stack's first @keep frames, then gets their
 * handle in the emptied depot.
 */
void mo_alerts_restack_save(unsigned int keep);
void mo_alerts_restack_restore(void);

#endif /* _MEMOWNER_ALERTS_H */
