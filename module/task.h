/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded cache of task identities (pid, tgid, comm) so that an owner record
 * names its task with a 22-bit index instead of 24 bytes.
 */
#ifndef _MEMOWNER_TASK_H
#define _MEMOWNER_TASK_H

#include <linux/sched.h>
#include <linux/types.h>

#define MO_TASK_BITS	22
#define MO_TASK_UNKNOWN	0	/* table full, or before load */

struct mo_task {
	pid_t pid;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	u32 next;		/* bucket chain */
	u32 hash;
};

int mo_task_init(unsigned long max_tasks);
void mo_task_exit(void);

/* Index of current's identity, inserting it if new. Any context. */
u32 mo_task_current(void);

/* The identity at @idx, or NULL for MO_TASK_UNKNOWN / out of range. */
const struct mo_task *mo_task_get(u32 idx);

unsigned long mo_task_count(void);
unsigned long mo_task_drops(void);
size_t mo_task_memory(void);

#endif /* _MEMOWNER_TASK_H */
