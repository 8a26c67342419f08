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

#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <asm/unwind.h>
#include <linux/types.h>
#include "version.h"
#include "owner.h"
#include "params.h"
#include "site.h"
#include "symbols.h"

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
	/*
	 * + src: frees that found their record (or pages from before load).
	 * The hot paths count only events; "unknown frees" (objects never
	 * tracked: allocated before load, sampled out, dropped) are the
	 * difference, and so are the allocations sampling left out.
	 */
	MO_STAT_MATCHED_FREES = MO_STAT_FREE_EVENTS + __MEMOWNER_SRC_LAST,
	MO_STAT_TRACKED = MO_STAT_MATCHED_FREES + __MEMOWNER_SRC_LAST,
	MO_STAT_SAMPLED,	/* allocations chosen by sampling */
	MO_STAT_TABLE_FULL,	/* owner table full: allocation untracked */
	MO_STAT_STALE,		/* record replaced: its free was never seen */
	MO_STAT_RECURSION,	/* re-entered on the same CPU and context */
	MO_STAT_NMI,		/* allocator events in NMI, ignored */
	MO_STAT_BATCHED_ONLY,	/* page freed seen only by free_batched */
	MO_STAT_ORDER_MISMATCH,	/* page freed with another order than allocated */
	MO_STAT_SPLITS,		/* page blocks split */
	MO_STAT_SPLIT_DROPS,	/* split pages untracked: table full */
	MO_STAT_MIGRATED,	/* page owners moved with their contents */
	MO_STAT_MIGRATE_DROPS,	/* moved pages untracked: table full */
	MO_STAT_PRELOAD_FREES,	/* pages from before load freed */
	MO_NR_STATS
};

#define MO_SKIP_MAX	8	/* frames above the owner we may have to skip */
#define MO_CONTEXTS	3	/* task, softirq, hardirq */

/* Hot per-CPU state, touched by every probe. */
struct mo_hot {
	unsigned int nesting;	/* re-entry guard: a bit per context level */
	s64 countdown;		/* sample: bytes until the next sample */
	u64 stats[MO_NR_STATS];
};
DECLARE_PER_CPU(struct mo_hot, mo_hot);

/* Per-CPU stack buffers, one per context level so interrupts cannot clobber. */
struct mo_stack_buf {
	unsigned long b[MO_CONTEXTS][MEMOWNER_DEPTH_MAX + MO_SKIP_MAX];
};
/*
 * Dynamic per-CPU memory (alloc_percpu), not DEFINE_PER_CPU: a module's
 * static per-CPU data comes out of the reserved chunk that every module of
 * the machine shares (8 KiB on x86_64), and 1.7 KiB of stack buffers there
 * would make memowner -- or the module loaded after it -- fail with ENOMEM.
 * Only the few hundred bytes of struct mo_hot stay static, for the
 * one-instruction this_cpu operations of every probe.
 */
extern struct mo_stack_buf __percpu *mo_stack_buf;

/* What the probes read on every event; changed only with probes detached. */
struct mo_cfg {
	enum memowner_mode mode;
	unsigned int depth;
	u64 sample_bytes;
	bool active;		/* record allocations (frees are always handled) */
};
extern struct mo_cfg mo_cfg;

static __always_inline void mo_stat_inc(enum mo_stat s)
{
	this_cpu_inc(mo_hot.stats[s]);
}

bool mo_sample_slow(void);

/*
 * Sampling decision: true when an allocation of @bytes is to be tracked.
 * The countdown is per CPU; an interrupt racing with it can only make an
 * interval a little longer or shorter, which sampling tolerates.
 */
static __always_inline bool mo_sampled(u64 bytes)
{
	if (likely(mo_cfg.mode != MEMOWNER_MODE_SAMPLE))
		return true;
	if (likely(this_cpu_sub_return(mo_hot.countdown, bytes) > 0))
		return false;
	return mo_sample_slow();
}

/*
 * Bulk paths: true when none of @bytes would be sampled, and then consumes
 * them, so that the stack of the call need not be taken at all.
 */
static __always_inline bool mo_sample_skips_all(u64 bytes)
{
	if (mo_cfg.mode != MEMOWNER_MODE_SAMPLE ||
	    this_cpu_read(mo_hot.countdown) <= (s64)bytes)
		return false;
	this_cpu_sub(mo_hot.countdown, bytes);
	return true;
}

/* Enter the guarded section; false if re-entered (or in NMI), counted. */
static __always_inline bool mo_guard_enter(unsigned int *level)
{
	unsigned int bit;

	/* Tracepoint probes see to it on 7.x (MO_TP_NO_PREEMPT, compat.h). */
	lockdep_assert_preemption_disabled();
	if (unlikely(in_nmi())) {
		mo_stat_inc(MO_STAT_NMI);
		return false;
	}
	*level = interrupt_context_level();	/* 0 task, 1 softirq, 2 hardirq */
	bit = 1U << *level;
	if (unlikely(this_cpu_read(mo_hot.nesting) & bit)) {
		mo_stat_inc(MO_STAT_RECURSION);
		return false;
	}
	this_cpu_or(mo_hot.nesting, bit);
	barrier();
	return true;
}

static __always_inline void mo_guard_exit(unsigned int level)
{
	barrier();
	this_cpu_and(mo_hot.nesting, ~(1U << level));
}

/*
 * Site of the current allocation, in the guarded section.
 *
 * The unwind is the cost of stack mode, so it is done here, inline in the
 * probe (the fewer frames above the owner, the fewer to walk), with the
 * unwinder's own iterator rather than stack_trace_save(): frames are
 * skipped until the owner's frame -- the call site the event reports, or
 * else the first frame outside memowner and the page allocator -- and the
 * walk stops after exactly @depth frames of the owner.
 */
u32 mo_site_of_frames(const unsigned long *frames, unsigned int n,
		      struct mo_site_key *k);
u32 mo_site_of_callsite(unsigned int level, unsigned long call_site,
			struct mo_site_key *k);
bool mo_not_owner(unsigned long addr);	/* memowner or page allocator */

/*
 * A slab object allocated inside a slab entry point (@slab set: the slab
 * allocator's own, e.g. a 7.x sheaf) belongs to the allocator: its stack
 * stops at that entry point, so that the caller whose allocation happened to
 * trigger it is not charged with it (symbols.c).
 */
static __always_inline bool mo_unwind_last(unsigned long addr, bool slab)
{
	return slab && mo_in_slab_entry(addr);
}

/*
 * @below, when not NULL, gets the frame just below the owner's first one
 * (the allocator entry point it called, e.g. kmalloc_large), or 0.
 */
static __always_inline unsigned int mo_unwind(unsigned long *buf,
					      unsigned int depth,
					      unsigned long call_site,
					      bool slab, unsigned long *below)
{
	unsigned long skipped[MO_SKIP_MAX + 1], addr;
	unsigned int n = 0, nskip = 0, i;
	struct unwind_state state;

	if (below)
		*below = 0;
	for (unwind_start(&state, current, NULL, NULL); !unwind_done(&state);
	     unwind_next_frame(&state)) {
		addr = unwind_get_return_address(&state);
		if (!addr)
			break;
		if (n || (call_site ? addr == call_site : !mo_not_owner(addr))) {
			if (!n && below && nskip)
				*below = skipped[nskip - 1];
			buf[n++] = addr;
			if (n == depth || mo_unwind_last(addr, slab))
				break;
			continue;
		}
		if (nskip <= MO_SKIP_MAX) {
			skipped[nskip++] = addr;
			continue;
		}
		/* The call site is not on the stack: fall back to skipping. */
		for (i = 0; i < nskip && mo_not_owner(skipped[i]); i++)
			;
		for (; i < nskip && n < depth; i++)
			buf[n++] = skipped[i];
		if (n < depth)
			buf[n++] = addr;
		if (n == depth)
			break;
		call_site = 0;
	}
	if (!n && call_site) {
		/* The stack ended before the call site showed up. */
		for (i = 0; i < nskip && mo_not_owner(skipped[i]); i++)
			;
		for (; i < nskip && n < depth; i++)
			buf[n++] = skipped[i];
	}
	return n;
}

/*
 * A page allocated by the slab, vmalloc or per-CPU allocator to hold its
 * own objects (symbols.c): the frame that called the page allocator is in
 * one of them or in a slab entry point (__kmalloc's large path), or the
 * entry point below the owner is (a constant-size kmalloc_large()).
 */
static __always_inline u8 mo_page_backing(unsigned long first,
					  unsigned long below)
{
	unsigned int b = first ? mo_backing_of(first) : MO_BACKING_NONE;

	if (b == MO_BACKING_NONE && first && mo_in_slab_entry(first))
		b = MO_BACKING_SLAB;
	if (b == MO_BACKING_NONE && below)
		b = mo_backing_of(below);
	return b;
}

static __always_inline u32 mo_site_here(unsigned int level,
					unsigned long call_site,
					struct mo_site_key *k)
{
	unsigned long *buf, frame = 0, below = 0;
	bool page = k->src == MEMOWNER_SRC_PAGE;
	unsigned int n;

	if (mo_cfg.mode == MEMOWNER_MODE_CALLSITE) {
		/* Pages carry no call site: the first frame of the owner. */
		if (!call_site && mo_unwind(&frame, 1, 0, false,
					    page ? &below : NULL))
			call_site = frame;
		if (page)
			k->backing = mo_page_backing(call_site, below);
		return mo_site_of_callsite(level, call_site, k);
	}
	buf = this_cpu_ptr(mo_stack_buf)->b[level];
	n = mo_unwind(buf, mo_cfg.depth, call_site,
		      k->src == MEMOWNER_SRC_SLAB, page ? &below : NULL);
	if (page)
		k->backing = mo_page_backing(n ? buf[0] : call_site, below);
	return mo_site_of_frames(buf, n, k);
}

/* Store a prepared allocation (a->site set); in the guarded section. */
void mo_track_record(struct mo_alloc *a);

int mo_track_init(void);
void mo_track_exit(void);
size_t mo_track_memory(void);	/* per-CPU buffers */

/* Stop/resume recording; used around attach, detach and reset. */
void mo_track_set_active(bool on);
/* Empty every CPU's call-site cache (frames were frozen: frozen.c). */
void mo_track_forget_callsites(void);
/*
 * The site table was emptied (a new epoch, probes detached): the
 * "allocated before load" site made again.  The call-site caches, which
 * name sites too, are emptied by mo_track_configure(), which every new
 * epoch runs next (control.c).
 */
void mo_track_sites_reset(void);
/* New mode, depth and sampling mean; probes must be detached. */
void mo_track_configure(enum memowner_mode mode, unsigned int depth,
			u64 sample_bytes);

/*
 * Sampling decision and site for an allocation, for the kprobe paths where
 * the stack is taken at function entry and the object known at return.
 * 0 = not tracked.
 */
u32 mo_track_prepare(unsigned int src, unsigned long call_site,
		     const void *cache, u64 bytes, u32 gfp, u8 mt);
/*
 * For events fired inside the page allocator: the stack (depot handle) and
 * the site of the allocation in progress, owner first -- the allocator's
 * internals above it left out.
 */
u32 mo_track_stack_in_allocator(void);
u32 mo_track_site_in_allocator(unsigned int src, u8 mt);
/* The site alone, without sampling (bulk paths sample object by object). */
u32 mo_track_site(unsigned int src, unsigned long call_site,
		  const void *cache, u32 gfp, u8 mt);
/* Record a prepared allocation outside a guarded section. */
void mo_track_alloc(struct mo_alloc *a);

/* Free of @key; @order is the page order for pages (ignored otherwise). */
void mo_track_free(unsigned long key, unsigned int src, unsigned int order);
/* mm_page_free_batched: only a free if mm_page_free was not seen. */
void mo_track_free_batched(unsigned long pfn);
/* A page block at @pfn now consists of blocks of @new_order. */
void mo_track_split(unsigned long pfn, unsigned int new_order);
/* A block's contents moved to another block of the same order. */
void mo_track_migrate(unsigned long old_pfn, unsigned long new_pfn,
		      unsigned int order);

/* Account pages found in use at load to the "before load" site. */
void mo_track_preload(unsigned long nr_pages);
void mo_track_preload_credit(unsigned long nr_pages);
void mo_track_alloc_unpreload(unsigned long pfn, unsigned int order);

u64 mo_track_stat(enum mo_stat s);
static inline u64 mo_obj_bytes(const struct mo_obj *o)
{
	switch (mo_obj_src(o)) {
	case MEMOWNER_SRC_PAGE:
		return PAGE_SIZE << mo_obj_order(o);
	case MEMOWNER_SRC_VMALLOC:
		return (u64)mo_obj_size(o) << PAGE_SHIFT;
	default:
		return mo_obj_size(o);
	}
}

extern u32 mo_preload_site;
u32 mo_sampled_weight(const struct mo_obj *o);

/* How many objects record @o stands for (1 unless sampling). */
static inline u32 mo_track_weight(const struct mo_obj *o)
{
	if (likely(mo_cfg.mode != MEMOWNER_MODE_SAMPLE) ||
	    o->site == mo_preload_site)
		return 1;
	return mo_sampled_weight(o);
}
u64 mo_obj_ts_ns(const struct mo_obj *o);	/* ns since boot */
u64 mo_track_now_ns(void);	/* now, in the clock of mo_obj_ts_ns() */

/* The "allocated before load" site (source page). */
u32 mo_track_preload_site(void);

#endif /* _MEMOWNER_TRACK_H */
