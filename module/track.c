// SPDX-License-Identifier: GPL-2.0
/*
 * Recording allocations and frees.
 *
 * An allocation is attributed to a site (stack or call site + source,
 * cache, gfp, migratetype) and, when tracked, stored in the owner table
 * with its size, task, CPU and time; the site's counters on this CPU are
 * bumped inside the same interrupts-off section, so a record and its
 * counters never disagree.  A free removes the record and undoes exactly
 * what its allocation added, on whatever CPU it happens.
 *
 * Modes:
 *  stack     every allocation, full stack (depth frames).
 *  callsite  every allocation, one frame: the call site the tracepoint
 *            reports (slab, percpu, vmalloc) -- no unwinding; a per-CPU
 *            cache maps repeated call sites to their site directly.  Pages
 *            carry no call site: a shallow unwind finds the first frame
 *            outside the page allocator.
 *  sample    allocations chosen by a byte-based Poisson process with mean
 *            sample_bytes (a per-CPU countdown drawn from an exponential
 *            distribution, as tcmalloc and Go do): an allocation of s bytes
 *            is chosen with probability p = 1 - exp(-s/N).  A chosen one is
 *            recorded with its full stack and counts for w = 1/p objects,
 *            so every total is an unbiased estimate.  w is rounded to an
 *            integer at random -- with a hash of the record, so that its
 *            free rounds identically -- which keeps counters integral and
 *            unbiased.  A piece of a split page block keeps the weight of
 *            the block it was sampled with.
 *
 * The hot paths (sampling decision, re-entry guard, unwinding) are inline
 * in track.h so that they run in the probe's own frame; what is here runs
 * once an allocation is known to be tracked, or for a free that may be.
 *
 * Re-entry guard: a per-CPU bit per context level (task, softirq, hardirq)
 * is held while recording; a probe finding its bit set counts a recursion
 * and returns.  NMIs are ignored (counted): the owner table's raw spinlocks
 * are not NMI-safe, and the kernel's allocators are not called from NMI.
 */
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/random.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "depot.h"
#include "params.h"
#include "preload.h"
#include "site.h"
#include "symbols.h"
#include "task.h"
#include "track.h"

DEFINE_PER_CPU(struct mo_hot, mo_hot);
struct mo_stack_buf __percpu *mo_stack_buf;
struct mo_cfg mo_cfg;

/* Call site -> site, per CPU and context level (no lock, no clobbering). */
#define MO_CS_BITS	6
struct mo_cs_entry {
	unsigned long call_site;
	const void *cache;
	u32 gfp;
	u16 src_mt;
	u32 site;
};
struct mo_cs_cache {
	struct mo_cs_entry e[MO_CONTEXTS][1 << MO_CS_BITS];
	u64 rng;		/* xorshift64* state for sampling */
};
/* Dynamic per-CPU memory, 6 KiB: see mo_stack_buf in track.h. */
static struct mo_cs_cache __percpu *mo_cs;

/*
 * Record timestamps are CLOCK_BOOTTIME, the clock the uapi names ("ns since
 * boot", the page_owner ts), in units of 2^MO_TS_SHIFT ns (16.8 ms): a
 * 2.2-year range in 32 bits.  Read with ktime_get_boot_fast_ns(), NMI-safe
 * and lockless.  Jiffies were cheaper but lag the clock by as much as the
 * tick is late (tens of ms on a busy TCG guest), so a record could be dated
 * before or after the allocation it records.
 */
#define MO_TS_SHIFT	24
u32 mo_preload_site;

/* 2^(-i/256) for i = 0..256, Q32; filled at init. */
static u64 exp2_neg[257];

static inline void stat_add(enum mo_stat s, u64 n)
{
	this_cpu_add(mo_hot.stats[s], n);
}

u64 mo_track_stat(enum mo_stat s)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(&mo_hot, cpu)->stats[s]);
	return sum;
}

static inline u32 ts_now(void)
{
	return (u32)(ktime_get_boot_fast_ns() >> MO_TS_SHIFT);
}

u64 mo_track_now_ns(void)
{
	return ktime_get_boot_fast_ns();
}

u64 mo_obj_ts_ns(const struct mo_obj *o)
{
	return (u64)o->ts << MO_TS_SHIFT;
}


/* ---- sampling ------------------------------------------------------- */

static inline u64 rng_next(u64 *state)
{
	u64 x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* log2(m) for m in [1, 2) given as Q31 (2^31 <= m < 2^32); Q24 result. */
static u32 log2_frac(u64 m)
{
	u32 r = 0;
	int i;

	for (i = 23; i >= 0; i--) {
		m = (m * m) >> 31;
		if (m >= (1ULL << 32)) {
			m >>= 1;
			r |= 1U << i;
		}
	}
	return r;
}

/* An exponentially distributed number of bytes with mean sample_bytes. */
static s64 draw_interval(u64 *rng)
{
	u64 r = rng_next(rng) | 1, m, nlog2_q24, ln_q24;
	int k = ilog2(r);

	/* -log2(U) for U = r / 2^64 = (64 - k) - log2(r / 2^k) */
	m = k >= 31 ? r >> (k - 31) : r << (31 - k);
	nlog2_q24 = ((u64)(64 - k) << 24) - log2_frac(m);
	/* -ln(U) = -log2(U) * ln 2 */
	ln_q24 = mul_u64_u64_shr(nlog2_q24, 2977044472ULL, 32);
	return max_t(s64, 1, mul_u64_u64_shr(ln_q24, mo_cfg.sample_bytes, 24));
}

/* The countdown ran out: this allocation is sampled; draw the next one. */
bool mo_sample_slow(void)
{
	mo_stat_inc(MO_STAT_SAMPLED);
	this_cpu_write(mo_hot.countdown,
		       draw_interval(&this_cpu_ptr(mo_cs)->rng));
	return true;
}

/* Q16 expected weight 1 / (1 - exp(-bytes / N)). */
static u64 weight_q16(u64 bytes)
{
	u64 n = mo_cfg.sample_bytes, x_q32, y_q32, e_q32, frac, p;
	unsigned int k, i;

	if (!bytes || bytes >= 40 * n)
		return 1 << 16;
	x_q32 = div64_u64(bytes << 32, n);
	if (x_q32 < (1ULL << 22))
		/* x < 2^-10: 1/p = 1/x + 1/2 + O(x), no cancellation. */
		return div64_u64(n << 16, bytes) + (1 << 15);
	/* exp(-x) = 2^-(x log2 e) = 2^-k * 2^-f, table + interpolation for f */
	y_q32 = mul_u64_u64_shr(x_q32, 6196328019ULL, 32);
	k = y_q32 >> 32;
	if (k >= 63)
		return 1 << 16;
	frac = y_q32 & 0xffffffffULL;
	i = frac >> 24;
	frac &= 0xffffff;
	e_q32 = exp2_neg[i] - (((exp2_neg[i] - exp2_neg[i + 1]) * frac) >> 24);
	e_q32 >>= k;
	p = (1ULL << 32) - e_q32;
	return div64_u64(1ULL << 48, p);
}

/*
 * Integer weight of a sampled record: the expected weight rounded up or
 * down at random, the coin being a hash of the record so that the free
 * makes the same choice as the allocation did.
 */
u32 mo_sampled_weight(const struct mo_obj *o)
{
	u64 w, bytes;
	u32 coin;

	/* A piece of a split block was sampled as part of the whole block. */
	if (mo_obj_src(o) == MEMOWNER_SRC_PAGE)
		bytes = PAGE_SIZE << mo_obj_orig_order(o);
	else
		bytes = mo_obj_bytes(o);
	w = weight_q16(bytes);
	coin = hash_64(o->key ^ ((u64)o->ts << 32) ^ o->task_cpu, 16);
	return (w >> 16) + ((w & 0xffff) > coin);
}


/* ---- sites ------------------------------------------------------------ */

bool mo_not_owner(unsigned long addr)
{
	return within_module_core(addr, THIS_MODULE) || mo_in_allocator(addr);
}

u32 mo_site_of_frames(const unsigned long *frames, unsigned int n,
		      struct mo_site_key *k)
{
	k->stack = n ? mo_depot_save(frames, n)
		     : mo_depot_sentinel(MO_STACK_UNAVAILABLE);
	return mo_site_get(k);
}

u32 mo_site_of_callsite(unsigned int level, unsigned long call_site,
			struct mo_site_key *k)
{
	struct mo_cs_entry *e;
	u16 src_mt = (u16)k->src << 8 | k->migratetype;

	e = &this_cpu_ptr(mo_cs)->e[level][hash_long(call_site ^
		(unsigned long)k->cache, MO_CS_BITS)];
	if (likely(e->call_site == call_site && e->cache == k->cache &&
		   e->gfp == k->gfp && e->src_mt == src_mt))
		return e->site;
	k->stack = call_site ? mo_depot_save(&call_site, 1)
			     : mo_depot_sentinel(MO_STACK_UNAVAILABLE);
	e->site = mo_site_get(k);
	e->call_site = call_site;
	e->cache = k->cache;
	e->gfp = k->gfp;
	e->src_mt = src_mt;
	return e->site;
}

/*
 * Frames of an event fired inside the page allocator -- a fallback, the
 * start of a direct reclaim -- into @buf (@len entries), owner first.
 * Such a stack starts with allocator internals that no allocation's stack
 * shows (rmqueue_bulk, __alloc_pages_slowpath, try_to_free_pages, the
 * tracepoint's own iterator), all above an entry point (__alloc_pages and
 * friends, mo_in_allocator()); so the owner is the frame after the last
 * entry point among the first MO_INNER_MAX frames, or, without one, the
 * first frame that is not memowner's.  At most @depth frames.
 */
#define MO_INNER_MAX	24
static unsigned int unwind_below_allocator(unsigned long *buf,
					   unsigned int len, unsigned int depth)
{
	unsigned int n, start = 0, i;

	n = stack_trace_save(buf, len, 0);
	for (i = 0; i < n && i < MO_INNER_MAX; i++)
		if (mo_in_allocator(buf[i]))
			start = i + 1;
	if (!start)
		while (start < n && mo_not_owner(buf[start]))
			start++;
	n = min(n - start, depth);
	memmove(buf, buf + start, n * sizeof(*buf));
	return n;
}

u32 mo_track_stack_in_allocator(void)
{
	unsigned int level, n, depth;
	unsigned long *buf;
	u32 stack;

	if (!mo_guard_enter(&level))
		return mo_depot_sentinel(MO_STACK_UNAVAILABLE);
	depth = mo_cfg.mode == MEMOWNER_MODE_CALLSITE ? 1 : mo_cfg.depth;
	buf = this_cpu_ptr(mo_stack_buf)->b[level];
	/* No deeper than the owner's frames can lie. */
	n = unwind_below_allocator(buf, min(MEMOWNER_DEPTH_MAX + MO_SKIP_MAX,
					    MO_INNER_MAX + depth), depth);
	stack = n ? mo_depot_save(buf, n) :
		    mo_depot_sentinel(MO_STACK_UNAVAILABLE);
	mo_guard_exit(level);
	return stack;
}

u32 mo_track_site_in_allocator(unsigned int src, u8 mt)
{
	struct mo_site_key k = { .src = src, .migratetype = mt };

	if (!READ_ONCE(mo_cfg.active))
		return 0;
	k.stack = mo_track_stack_in_allocator();
	return mo_site_get(&k);
}

u32 mo_track_site(unsigned int src, unsigned long call_site,
		  const void *cache, u32 gfp, u8 mt)
{
	struct mo_site_key k = {
		.cache = cache, .gfp = gfp, .src = src, .migratetype = mt,
	};
	unsigned int level;
	u32 site;

	if (!READ_ONCE(mo_cfg.active) || !mo_guard_enter(&level))
		return 0;
	site = mo_site_here(level, call_site, &k);
	mo_guard_exit(level);
	return site;
}

u32 mo_track_prepare(unsigned int src, unsigned long call_site,
		     const void *cache, u64 bytes, u32 gfp, u8 mt)
{
	if (!READ_ONCE(mo_cfg.active) || !mo_sampled(bytes))
		return 0;
	return mo_track_site(src, call_site, cache, gfp, mt);
}

/* ---- recording -------------------------------------------------------- */

static void account(u32 site, u32 weight, u64 bytes, bool alloc)
{
	struct mo_counts *c = mo_site_counts_this_cpu(site);

	if (alloc) {
		c->allocs += weight;
		c->bytes += (u64)weight * bytes;
	} else {
		c->frees += weight;
		c->bytes_freed += (u64)weight * bytes;
	}
}

/*
 * Take pages of a block off the "before load" owner; returns how many.
 * @allocated: the block is being allocated, so its marked pages were free
 * at the scan (on a per-CPU list) -- those the scan's credit already took
 * off are not taken off again.
 */
static unsigned long unpreload(unsigned long pfn, unsigned int order,
			       bool allocated)
{
	unsigned long flags, n = mo_preload_clear(pfn, order), left = n;

	if (!n)
		return 0;
	if (allocated)
		left -= mo_preload_take_credit(n);
	if (left) {
		local_irq_save(flags);
		account(mo_preload_site, left, PAGE_SIZE, false);
		local_irq_restore(flags);
	}
	stat_add(MO_STAT_PRELOAD_FREES, n);
	return n;
}

/*
 * Every page allocation, tracked or not (a sampled-out one too): a marked
 * page being allocated was free at the scan, and must not later be taken
 * off "before load" again when it is freed.  Any context, no lock.
 */
void mo_track_alloc_unpreload(unsigned long pfn, unsigned int order)
{
	unpreload(pfn, order, true);
}

/*
 * Insert @rec; a stale record of its key that it replaces (its free was
 * never seen) is unaccounted.  Interrupts off.  mo_owner_insert()'s return.
 */
static int insert_over(const struct mo_obj *rec, enum mo_insert_mode mode)
{
	struct mo_obj old;
	int ret = mo_owner_insert(rec, mode, &old);

	if (ret == 1)
		account(old.site, mo_track_weight(&old), mo_obj_bytes(&old),
			false);
	return ret;
}

void mo_track_record(struct mo_alloc *a)
{
	struct mo_obj rec;
	unsigned long flags;
	int ret;

	/* A page marked at load that was in fact free is now really used. */
	if (a->src == MEMOWNER_SRC_PAGE && a->mode == MO_INSERT_REPLACE)
		unpreload(a->key, a->size & 0xff, true);

	rec.key = a->key;
	rec.next = 0;
	rec.site = a->site;
	rec.size_src = min_t(u64, a->size, MO_SIZE_MASK) |
		       (u32)a->src << MO_SIZE_BITS;
	rec.req = min_t(u64, a->req, U32_MAX);
	rec.ts = ts_now();
	rec.task_cpu = mo_task_current() << MO_CPU_BITS |
		       min_t(unsigned int, raw_smp_processor_id(),
			     (1U << MO_CPU_BITS) - 1);

	local_irq_save(flags);
	ret = insert_over(&rec, a->mode);
	if (ret >= 0)
		account(rec.site, mo_track_weight(&rec), mo_obj_bytes(&rec),
			true);
	local_irq_restore(flags);

	if (ret == -ENOSPC)
		mo_stat_inc(MO_STAT_TABLE_FULL);
	else if (ret >= 0)
		mo_stat_inc(MO_STAT_TRACKED);
	if (ret == 1)
		mo_stat_inc(MO_STAT_STALE);
}

void mo_track_alloc(struct mo_alloc *a)
{
	unsigned int level;

	if (!mo_guard_enter(&level))
		return;
	mo_track_record(a);
	mo_guard_exit(level);
}

/* ---- free ------------------------------------------------------------ */

/* Remove and unaccount; interrupts off.  Returns whether it was tracked. */
static bool untrack(unsigned long key, unsigned int src, struct mo_obj *o)
{
	if (!mo_owner_remove(key, src, o))
		return false;
	account(o->site, mo_track_weight(o), mo_obj_bytes(o), false);
	return true;
}

/* untrack() with interrupts off (the caller holds the guard). */
static bool untrack_irqsafe(unsigned long key, unsigned int src,
			    struct mo_obj *o)
{
	unsigned long flags;
	bool found;

	local_irq_save(flags);
	found = untrack(key, src, o);
	local_irq_restore(flags);
	return found;
}

void mo_track_free(unsigned long key, unsigned int src, unsigned int order)
{
	unsigned int level;
	struct mo_obj o;

	if (!mo_guard_enter(&level))
		return;
	if (untrack_irqsafe(key, src, &o)) {
		mo_stat_inc(MO_STAT_MATCHED_FREES + src);
		if (src == MEMOWNER_SRC_PAGE && mo_obj_order(&o) != order)
			mo_stat_inc(MO_STAT_ORDER_MISMATCH);
	} else if (src == MEMOWNER_SRC_PAGE && unpreload(key, order, false)) {
		mo_stat_inc(MO_STAT_MATCHED_FREES + src);
	}
	mo_guard_exit(level);
}

void mo_track_free_batched(unsigned long pfn)
{
	unsigned int level;
	struct mo_obj o;

	if (!mo_guard_enter(&level))
		return;
	if (untrack_irqsafe(pfn, MEMOWNER_SRC_PAGE, &o))
		mo_stat_inc(MO_STAT_BATCHED_ONLY);
	mo_guard_exit(level);
}

/*
 * A block of order k becomes 2^(k-new) blocks of @new_order with the same
 * owner.  Counted as that many objects from now on (the site gains the
 * extra objects as allocations); bytes are unchanged.  Pieces that find no
 * free record are dropped as if freed, and counted.
 */
void mo_track_split(unsigned long pfn, unsigned int new_order)
{
	struct mo_obj o, piece, old;
	unsigned long flags, i, nr;
	unsigned int level, k;
	u64 bytes;

	if (!mo_guard_enter(&level))
		return;
	local_irq_save(flags);
	if (!mo_owner_remove(pfn, MEMOWNER_SRC_PAGE, &o))
		goto out;
	k = mo_obj_order(&o);
	if (k <= new_order) {
		mo_owner_insert(&o, MO_INSERT_IF_ABSENT, &old);
		goto out;
	}
	mo_stat_inc(MO_STAT_SPLITS);
	nr = 1UL << (k - new_order);
	bytes = PAGE_SIZE << new_order;
	/* Undo the block, then add the pieces one by one. */
	account(o.site, mo_track_weight(&o), mo_obj_bytes(&o), false);
	piece = o;
	piece.size_src = MO_PAGE_SIZE(new_order, mo_obj_orig_order(&o)) |
			 (u32)MEMOWNER_SRC_PAGE << MO_SIZE_BITS;
	for (i = 0; i < nr; i++) {
		piece.key = pfn + (i << new_order);
		if (insert_over(&piece, MO_INSERT_REPLACE) < 0) {
			mo_stat_inc(MO_STAT_SPLIT_DROPS);
			continue;
		}
		account(piece.site, mo_track_weight(&piece), bytes, true);
	}
out:
	local_irq_restore(flags);
	mo_guard_exit(level);
}

/*
 * A block's contents moved to another block (migration: compaction, NUMA
 * balancing, memory offlining, soft offlining): its owner moves with
 * them, as page_owner's does (folio_copy_owner(), called from the same
 * function memowner hooks).  The new block was either taken off the free
 * lists by compaction -- no allocation event, no record -- or allocated
 * for the move, and then recorded as the migrating path's (kcompactd, a
 * NUMA hinting fault, the madvise caller): it takes the old block's
 * record either way, site, task and age unchanged, and the record it
 * replaces is unaccounted.  The old block, freed later, has none.  A
 * block in use before load stays "before load" at its new place.
 */
void mo_track_migrate(unsigned long old_pfn, unsigned long new_pfn,
		      unsigned int order)
{
	struct mo_obj o, old;
	unsigned long flags, n, set;
	unsigned int level;

	if (old_pfn == new_pfn || !mo_guard_enter(&level))
		return;
	local_irq_save(flags);
	if (mo_owner_maybe(old_pfn, MEMOWNER_SRC_PAGE) &&
	    mo_owner_remove(old_pfn, MEMOWNER_SRC_PAGE, &o)) {
		o.key = new_pfn;
		o.next = 0;
		if (insert_over(&o, MO_INSERT_REPLACE) < 0) {
			/* The slot just freed went to another CPU's insert. */
			account(o.site, mo_track_weight(&o), mo_obj_bytes(&o),
				false);
			mo_stat_inc(MO_STAT_MIGRATE_DROPS);
		} else {
			mo_stat_inc(MO_STAT_MIGRATED);
		}
	} else {
		/* Marks "before load" go with the contents. */
		set = 0;
		n = mo_preload_maybe(old_pfn, order) ?
		    mo_preload_move(old_pfn, new_pfn, order, &set) : 0;
		if (set < n)	/* past the bitmap (memory added since) */
			account(mo_preload_site, n - set, PAGE_SIZE, false);
		if (n)
			mo_stat_inc(MO_STAT_MIGRATED);
		/*
		 * The new block's record, if any, was the move's own: the
		 * contents were before load, or nobody is recorded for them
		 * (not sampled, or the table was full).
		 */
		if (mo_owner_maybe(new_pfn, MEMOWNER_SRC_PAGE))
			untrack(new_pfn, MEMOWNER_SRC_PAGE, &old);
	}
	local_irq_restore(flags);
	mo_guard_exit(level);
}

void mo_track_preload(unsigned long nr_pages)
{
	unsigned long flags;

	local_irq_save(flags);
	account(mo_preload_site, nr_pages, PAGE_SIZE, true);
	local_irq_restore(flags);
}

/* Pages found that were free on per-CPU lists: see preload.c. */
void mo_track_preload_credit(unsigned long nr_pages)
{
	unsigned long flags;

	if (!nr_pages)
		return;
	local_irq_save(flags);
	account(mo_preload_site, nr_pages, PAGE_SIZE, false);
	local_irq_restore(flags);
}

/* ---- setup ----------------------------------------------------------- */

u32 mo_track_preload_site(void)
{
	return mo_preload_site;
}

void mo_track_set_active(bool on)
{
	WRITE_ONCE(mo_cfg.active, on);
}

void mo_track_configure(enum memowner_mode mode, unsigned int depth,
			u64 sample_bytes)
{
	int cpu;

	mo_cfg.mode = mode;
	mo_cfg.depth = depth;
	mo_cfg.sample_bytes = sample_bytes;
	for_each_possible_cpu(cpu) {
		struct mo_cs_cache *cs = per_cpu_ptr(mo_cs, cpu);

		per_cpu_ptr(&mo_hot, cpu)->countdown = draw_interval(&cs->rng);
		/* Call-site cache entries name sites of the old depth/mode. */
		memset(cs->e, 0, sizeof(cs->e));
	}
}

static void forget_callsites(void *unused)
{
	struct mo_cs_cache *cs = this_cpu_ptr(mo_cs);

	memset(cs->e, 0, sizeof(cs->e));
}

/* The site of the pages in use before tracking started (0: table full). */
static u32 preload_site_get(void)
{
	struct mo_site_key k = {
		.stack = mo_depot_sentinel(MO_STACK_BEFORE_LOAD),
		.src = MEMOWNER_SRC_PAGE,
	};

	return mo_site_get(&k);
}

void mo_track_sites_reset(void)
{
	/* Cannot fail: the table holds only the "table full" sites. */
	mo_preload_site = preload_site_get();
}

void mo_track_forget_callsites(void)
{
	/*
	 * On each CPU with interrupts off: a probe it interrupted completes a
	 * whole entry afterwards, for code that is running, hence not frozen.
	 */
	on_each_cpu(forget_callsites, NULL, 1);
}

/*
 * Names for the cache keys of sites: a real struct kmem_cache (its name,
 * when the layout is known), or a synthetic kmalloc key made from the size
 * and gfp class by the slab probes (see probes.c): odd, so never a pointer.
 * A cache whose name is unknown is named by its object size alone: nothing
 * derived from its address (not even a hash) reaches a reader.
 */
void mo_cache_describe(const void *cache, char *buf, size_t len)
{
	static const char *const kinds[] = { "", "dma-", "rcl-", "cg-" };
	unsigned long key = (unsigned long)cache;
	const char *name;

	if (key & 1) {
		unsigned long size = key >> 8;
		unsigned int kind = (key >> 1) & 3;
		bool k = size >= 1024;

		if (size > 2 * PAGE_SIZE)
			snprintf(buf, len, "kmalloc-large");
		else if (kind == 1)
			snprintf(buf, len, "dma-kmalloc-%lu%s",
				 k ? size / 1024 : size, k ? "k" : "");
		else
			snprintf(buf, len, "kmalloc-%s%lu%s", kinds[kind],
				 k ? size / 1024 : size, k ? "k" : "");
		return;
	}
	name = mo_slab_cache_name(cache);
	if (!cache)
		snprintf(buf, len, "none");
	else if (!name || strscpy(buf, name, len) < 0)
		snprintf(buf, len, "unknown-cache-%u",
			 kmem_cache_size((struct kmem_cache *)cache));
}

int mo_track_init(void)
{
	u64 r = 4283353945ULL;	/* 2^(-1/256) in Q32 */
	int cpu, i;

	mo_cfg.mode = memowner_params.mode;
	mo_cfg.depth = memowner_params.depth;
	mo_cfg.sample_bytes = memowner_params.sample_bytes;
	mo_cfg.active = false;
	mo_stack_buf = alloc_percpu(struct mo_stack_buf);
	mo_cs = alloc_percpu(struct mo_cs_cache);
	if (!mo_stack_buf || !mo_cs) {
		mo_track_exit();
		return -ENOMEM;
	}

	exp2_neg[0] = 1ULL << 32;
	for (i = 1; i <= 256; i++)
		exp2_neg[i] = (exp2_neg[i - 1] * r + (1ULL << 31)) >> 32;

	for_each_possible_cpu(cpu) {
		struct mo_hot *h = per_cpu_ptr(&mo_hot, cpu);
		struct mo_cs_cache *cs = per_cpu_ptr(mo_cs, cpu);

		memset(h, 0, sizeof(*h));
		memset(cs->e, 0, sizeof(cs->e));
		cs->rng = get_random_u64() | 1;
		h->countdown = draw_interval(&cs->rng);
	}
	mo_preload_site = preload_site_get();
	if (!mo_preload_site) {
		mo_track_exit();
		return -ENOMEM;
	}
	return 0;
}

size_t mo_track_memory(void)
{
	return num_possible_cpus() *
	       (sizeof(struct mo_stack_buf) + sizeof(struct mo_cs_cache));
}

/* Called with every probe detached and synchronised (or never attached). */
void mo_track_exit(void)
{
	free_percpu(mo_cs);
	mo_cs = NULL;
	free_percpu(mo_stack_buf);
	mo_stack_buf = NULL;
}
