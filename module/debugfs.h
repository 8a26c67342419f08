/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MEMOWNER_DEBUGFS_H
#define _MEMOWNER_DEBUGFS_H

int mo_debugfs_init(void);
void mo_debugfs_exit(void);

#endif /* _MEMOWNER_DEBUGFS_H */
