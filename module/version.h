/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module version, and the ABI it serves (uapi/linux/memowner.h).
 */
#ifndef _MEMOWNER_VERSION_H
#define _MEMOWNER_VERSION_H

#include <linux/memowner.h>

#define MEMOWNER_VERSION_MAJOR	0
#define MEMOWNER_VERSION_MINOR	1
#define MEMOWNER_VERSION_PATCH	0
#define MEMOWNER_VERSION	"0.1.0"

#endif /* _MEMOWNER_VERSION_H */
