/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MEMOWNER_NETLINK_H
#define _MEMOWNER_NETLINK_H

#include <net/genetlink.h>

struct mo_alert;
struct mo_event;

int memowner_genl_init(void);
void memowner_genl_exit(void);
/* The family is registered: notifications may be sent. */
bool memowner_genl_registered(void);

/* Multicast groups of the family, in the order of its mcgrps. */
enum memowner_genl_group {
	MEMOWNER_GRP_ALERTS,
	MEMOWNER_GRP_EVENTS,
};

extern struct genl_family memowner_genl_family;

/*
 * Notifications (notify.c): built only when the group has listeners;
 * process context.
 */
void memowner_genl_alert(const struct mo_alert *a);
void memowner_genl_event(const struct mo_event *ev);

#endif /* _MEMOWNER_NETLINK_H */
