/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Owner sites: what an allocation is attributed to.  A site is a stack
 * handle (or a one-frame call-site stack) together with the allocation's
 * source, slab cache, gfp flags and migratetype.  Every tracked object
 * points to its site; each site has per-CPU counters summed on read.
 */
#ifndef _MEMOWNER_SITE_H
#define _MEMOWNER_SITE_H

#include <linux/types.h>
#include "version.h"

#define MO_CACHE_NAME_LEN	32
#define MO_CACHE_NONE		0

/* What identifies a site. */
struct mo_site_key {
	const void *cache;	/* slab cache, synthetic kmalloc key, or NULL */
	u32 stack;		/* depot handle */
	u32 gfp;
	u8 src;			/* MEMOWNER_SRC_* */
	u8 migratetype;		/* pages */
	u8 backing;		/* pages: MO_BACKING_* they hold (symbols.h) */
};

/*
 * Backing pages hold memory counted already as objects (slab pages, a
 * vmalloc area's pages, per-CPU chunks): every "owned" sum leaves them
 * out, and shows them apart (docs/design.md, "What is counted").
 */
static inline bool mo_site_backing(const struct mo_site_key *k)
{
	return k->backing != 0;
}

struct mo_site {
	struct mo_site_key key;
	u32 next;		/* hash chain (site index) */
	u32 hash;
	u16 cache;		/* index in the cache-name table, 0 = none */
};

/*
 * Name of cache key @cache for the cache-name table, written to @buf;
 * implemented by the tracking code, called when a site is first made.
 */
void mo_cache_describe(const void *cache, char *buf, size_t len);

/* Per-CPU, per-site counters; "live" values are derived. */
struct mo_counts {
	u64 allocs;
	u64 frees;
	u64 bytes;		/* bytes allocated, total */
	u64 bytes_freed;
};

/* Sums over all CPUs. */
struct mo_totals {
	u64 allocs, frees, bytes, bytes_freed;
};

/*
 * What a site holds, from its totals.  mo_site_sum() reads the per-CPU
 * counters one CPU after another while the others go on counting: an
 * allocation counted on a CPU already read and its free on one read later
 * (a network buffer freed on another CPU, an RCU free) make frees exceed
 * allocations in the sum, and a u64 difference then wraps to ~2^64 (16 EiB
 * rows, page alerts of 2^52 pages).  Such a sum is low by at most what was
 * allocated during the read, so a negative value is clamped at zero: a
 * live value is never above what the site holds plus that.  Every live
 * value is formed here (vm/module-checks.sh fails a subtraction elsewhere).
 */
static inline u64 mo_live_objects(const struct mo_totals *t)
{
	return t->allocs > t->frees ? t->allocs - t->frees : 0;
}

static inline u64 mo_live_bytes(const struct mo_totals *t)
{
	return t->bytes > t->bytes_freed ? t->bytes - t->bytes_freed : 0;
}

int mo_site_init(unsigned long max_sites);
/* Make the per-source "site table full" sites, on the depot's sentinel. */
int mo_site_init_sentinels(u32 full_stack);
void mo_site_exit(void);

/*
 * The site for this combination, created if new.  Any context; never
 * allocates.  When the site table is full, returns the per-source
 * "table full" site (counted).
 */
u32 mo_site_get(const struct mo_site_key *k);


const struct mo_site *mo_site_at(u32 idx);
unsigned long mo_site_count(void);	/* sites in use; indices 1..count */
unsigned long mo_site_capacity(void);	/* indices are below this */
unsigned long mo_site_drops(void);
size_t mo_site_memory(void);

void mo_site_sum(u32 idx, struct mo_totals *t);
/* This CPU's counters of @idx; caller has preemption and irqs off. */
struct mo_counts *mo_site_counts_this_cpu(u32 idx);
/* Zero every counter (tracking must be stopped). */
void mo_site_reset_counts(void);
/* A new epoch, every writer and reader excluded: no site but the sentinels. */
void mo_site_reset(u32 full_stack);

/* The cache-name table: names of slab caches, copied when first seen. */
const char *mo_cache_name(u16 idx);
unsigned long mo_cache_count(void);

#endif /* _MEMOWNER_SITE_H */
