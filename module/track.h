/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recording allocations and frees: the code every probe calls.
 *
 * Probe context: any context but NMI, preemption disabled, possibly with
 * interrupts disabled.  Nothing here allocates, sleeps or takes a lock that
 * is not a raw spinlock taken with interrupts off; a per-CPU, per-context
 * guard makes any re-entry (an allocation made by memowner itself, were it
 * ever to happen) a counted no-op instead of a recursion.
 */
#ifndef _MEMOWNER_TRACK_H
#define _MEMOWNER_TRACK_H

#include <linux/types.h>
#include "memowner.h"
#include "owner.h"

/* One allocation as a probe sees it. */
struct mo_alloc {
	unsigned long key;	/* object address, PFN, percpu pointer */
	unsigned long call_site; /* return address into the caller, 0 = unknown */
	const void *cache;	/* slab cache or synthetic kmalloc key, or NULL */
	u64 bytes;		/* allocated */
	u64 req;		/* requested */
	u32 size;		/* in the record's unit, see struct mo_obj */
	u32 gfp;
	u8 src;
	u8 migratetype;
	u8 mode;		/* enum mo_insert_mode */
	u32 site;		/* precomputed by mo_track_prepare(), or 0 */
};

/* Per-CPU event and drop counters, summed for status. */
enum mo_stat {
	MO_STAT_ALLOC_EVENTS,	/* + src: alloc events seen per source */
	MO_STAT_FREE_EVENTS = MO_STAT_ALLOC_EVENTS + __MEMOWNER_SRC_LAST,
	MO_STAT_UNKNOWN_FREES = MO_STAT_FREE_EVENTS + __MEMOWNER_SRC_LAST,
	MO_STAT_TRACKED = MO_STAT_UNKNOWN_FREES + __MEMOWNER_SRC_LAST,
	MO_STAT_SAMPLED_OUT,	/* not chosen by sampling */
	MO_STAT_TABLE_FULL,	/* owner table full: allocation untracked */
	MO_STAT_STALE,		/* record replaced: its free was never seen */
	MO_STAT_RECURSION,	/* re-entered on the same CPU and context */
	MO_STAT_NMI,		/* allocator events in NMI, ignored */
	MO_STAT_BATCHED_ONLY,	/* page freed seen only by free_batched */
	MO_STAT_ORDER_MISMATCH,	/* page freed with another order than allocated */
	MO_STAT_SPLITS,		/* page blocks split */
	MO_STAT_SPLIT_DROPS,	/* split pages untracked: table full */
	MO_STAT_PRELOAD_FREES,	/* pages from before load freed */
	MO_NR_STATS
};

int mo_track_init(void);
void mo_track_exit(void);

/* Stop/resume recording; used around attach, detach and reset. */
void mo_track_set_active(bool on);

/* Sampling decision and site for an allocation of @bytes; 0 = not tracked. */
u32 mo_track_prepare(unsigned int src, unsigned long call_site,
		     const void *cache, u64 bytes, u32 gfp, u8 mt);
/* The site alone, without sampling (bulk paths sample object by object). */
u32 mo_track_site(unsigned int src, unsigned long call_site,
		  const void *cache, u32 gfp, u8 mt);
/* Sampling decision alone: true when an allocation of @bytes is tracked. */
bool mo_track_sample(u64 bytes);

void mo_track_alloc(struct mo_alloc *a);
/* Free of @key; @order is the page order for pages (ignored otherwise). */
void mo_track_free(unsigned long key, unsigned int src, unsigned int order);
/* mm_page_free_batched: only a free if mm_page_free was not seen. */
void mo_track_free_batched(unsigned long pfn);
/* A page block at @pfn now consists of blocks of @new_order. */
void mo_track_split(unsigned long pfn, unsigned int new_order);
void mo_track_nmi(void);
void mo_track_count_event(unsigned int src, bool alloc);

/* Account pages found in use at load to the "before load" site. */
void mo_track_preload(unsigned long nr_pages);

u64 mo_track_stat(enum mo_stat s);
u64 mo_track_base_clock(void);		/* local_clock() at load */
/* How many objects record @o stands for (1 unless sampling). */
u32 mo_track_weight(const struct mo_obj *o);
u64 mo_obj_bytes(const struct mo_obj *o);
u64 mo_obj_ts_ns(const struct mo_obj *o);	/* local_clock() domain */
u32 mo_track_ts_now(void);
#define MO_TS_SHIFT	24	/* record timestamps count 2^24 ns (16.8 ms) */

/* The "allocated before load" site (source page). */
u32 mo_track_preload_site(void);

#endif /* _MEMOWNER_TRACK_H */
