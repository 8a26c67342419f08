/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Pages in use before memowner was loaded: one bit per PFN, so that their
 * later frees are recognised and taken off the "allocated before load"
 * owner, and totals reconcile with /proc/meminfo.
 */
#ifndef _MEMOWNER_PRELOAD_H
#define _MEMOWNER_PRELOAD_H

#include <linux/bitops.h>
#include <linux/types.h>

int mo_preload_init(void);
void mo_preload_exit(void);

/*
 * Walk all PFNs once tracking is active and mark the pages in use that the
 * owner table does not know.  Process context; may take a while.
 */
void mo_preload_scan(void);

/* Marks of a migrated block to its new place: see preload.c. */
unsigned long mo_preload_move(unsigned long old_pfn, unsigned long new_pfn,
			      unsigned int order, unsigned long *moved);
/* Clear the bits of a freed block; returns how many were set. Any context. */
unsigned long mo_preload_clear(unsigned long pfn, unsigned int order);

extern unsigned long *mo_preload_bits;
extern unsigned long mo_preload_npfn;

/* False when no page of the block can be from before load. Any context. */
static inline bool mo_preload_maybe(unsigned long pfn, unsigned int order)
{
	if (!mo_preload_bits || pfn >= mo_preload_npfn)
		return false;
	return order || test_bit(pfn, mo_preload_bits);
}

/* Is @pfn a page from before load that is still in use? */
bool mo_preload_test(unsigned long pfn);

/* Forget every mark (a new tracking epoch; probes detached). */
void mo_preload_clear_all(void);

unsigned long mo_preload_max_pfn(void);
unsigned long mo_preload_found(void);	/* pages marked at load */
/* Free pages on per-CPU lists during the scan: found may include them. */
unsigned long mo_preload_pcp(void);
/* Of @n marked pages now allocated, how many the scan's credit covers. */
unsigned long mo_preload_take_credit(unsigned long n);
size_t mo_preload_memory(void);
/* Free pages now: buddy lists (may be NULL) and per-CPU lists. */
void mo_free_pages(unsigned long *buddy, unsigned long *pcp);

#endif /* _MEMOWNER_PRELOAD_H */
