/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _MEMOWNER_DEVICE_H
#define _MEMOWNER_DEVICE_H

int memowner_device_init(void);
void memowner_device_exit(void);

#endif /* _MEMOWNER_DEVICE_H */
