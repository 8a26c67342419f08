/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MEMOWNER_NETLINK_H
#define _MEMOWNER_NETLINK_H

int memowner_genl_init(void);
void memowner_genl_exit(void);

#endif /* _MEMOWNER_NETLINK_H */
