/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memowner.ko: definitions shared by all subsystems of the module.
 */
#ifndef _MEMOWNER_H
#define _MEMOWNER_H

#include <linux/memowner.h>

#define MEMOWNER_VERSION_MAJOR	0
#define MEMOWNER_VERSION_MINOR	1
#define MEMOWNER_VERSION_PATCH	0
#define MEMOWNER_VERSION	"0.1.0"

#endif /* _MEMOWNER_H */
