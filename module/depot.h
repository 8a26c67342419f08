/* SPDX-License-Identifier: GPL-2.0 */
/*
 * memowner's stack depot: stores each distinct stack once and names it by a
 * u32 handle (0 = none), as lib/stackdepot.c does, but with memory bounded
 * and preallocated at load and sentinel records instead of silent drops.
 */
#ifndef _MEMOWNER_DEPOT_H
#define _MEMOWNER_DEPOT_H

#include <linux/types.h>

#include "frozen.h"

/* Sentinel stacks: real one-frame records naming a function of memowner. */
enum {
	MO_STACK_NONE,		/* no stack */
	MO_STACK_BEFORE_LOAD,	/* allocated before memowner was loaded */
	MO_STACK_TABLE_FULL,	/* the stack table was full */
	MO_STACK_UNAVAILABLE,	/* no frame could be captured */
	MO_NR_SENTINELS
};

int mo_depot_init(unsigned long max_stacks, unsigned int depth);
void mo_depot_exit(void);

/*
 * A new epoch (control.c, every writer and reader excluded): the depot
 * emptied, in an arena deep enough for the new depth.  mo_depot_prepare()
 * allocates that arena beforehand when the current one is shallower
 * (-ENOMEM: the configuration is refused, nothing changed); its result
 * goes to mo_depot_reset(), or to mo_depot_discard() if the change is
 * abandoned.
 */
struct mo_depot_arena {
	char *arena;
	unsigned long *starts;
	size_t size;
	unsigned int depth;
};
int mo_depot_prepare(unsigned int depth, struct mo_depot_arena *a);
void mo_depot_discard(struct mo_depot_arena *a);
void mo_depot_reset(struct mo_depot_arena *a);

/*
 * Return the handle of the stack @entries[0..@nr), storing it if new.
 * Lock-free when the stack is known; a new stack takes a raw spinlock.
 * Never allocates: returns the MO_STACK_TABLE_FULL handle when full.
 * Any context (NMI excepted).
 */
u32 mo_depot_save(const unsigned long *entries, unsigned int nr);

/* Frames of @handle (any context); returns their number, 0 if unknown. */
unsigned int mo_depot_fetch(u32 handle, const unsigned long **entries);

/*
 * Replace frame @i of @handle (fewer frames than it has) by @frame: the
 * frozen frame of an address whose code goes away (frozen.c).  The record
 * keeps its hash: new stacks through the address never match it again.
 */
void mo_depot_set_frame(u32 handle, unsigned int i, unsigned long frame);

/* Sentinel handle @which (MO_STACK_*). */
u32 mo_depot_sentinel(unsigned int which);

unsigned long mo_depot_count(void);	/* stacks stored */
unsigned long mo_depot_drops(void);	/* saves refused: table full */
size_t mo_depot_memory(void);		/* bytes reserved at load */

/* Iterate stacks: @pos starts at 0; returns 0 at the end. */
u32 mo_depot_next(u32 *pos);

#endif /* _MEMOWNER_DEPOT_H */
