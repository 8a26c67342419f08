/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded cache of task identities (pid, tgid, comm) so that an owner record
 * names its task with a 22-bit index instead of 24 bytes.  Entries no
 * record names any more are recycled (task.c).
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
	u32 gen;		/* last generation a probe used it in */
	u32 live;		/* 0: free (recycled or never used) */
};

int mo_task_init(unsigned long max_tasks);
void mo_task_exit(void);

/* Index of current's identity, inserting it if new. Any context. */
u32 mo_task_current(void);

/*
 * The identity at @idx, or NULL for MO_TASK_UNKNOWN, out of range or free.
 * Process context: the entry stays mapped, but may be recycled under a
 * reader once no record names it.
 */
const struct mo_task *mo_task_get(u32 idx);

/* Empty the table: a new epoch, every record dropped, probes detached. */
void mo_task_reset(void);
/*
 * The periodic sweep, which recycles the entries no record or probe needs
 * (when the table is 3/4 full): started after the owner table exists.
 */
void mo_task_gc_start(void);
void mo_task_gc_stop(void);

unsigned long mo_task_count(void);	/* entries in use */
unsigned long mo_task_capacity(void);
unsigned long mo_task_drops(void);	/* identities recorded as unknown */
unsigned long mo_task_recycled(void);
unsigned long mo_task_sweeps(void);
size_t mo_task_memory(void);

#endif /* _MEMOWNER_TASK_H */
