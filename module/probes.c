// SPDX-License-Identifier: GPL-2.0
/*
 * Where memowner hooks the kernel.
 *
 * Tracepoints are found by name (for_each_kernel_tracepoint) because only
 * the slab ones are exported as symbols; each probe's prototype is checked
 * at build time against the kernel's own declaration
 * (check_trace_callback_type_*), so a prototype change breaks the build,
 * not the running kernel.  Paths without a tracepoint use kprobes:
 *
 *  vmalloc      kretprobe on __vmalloc_node_range(_noprof), and on the
 *               other entry points that need one (vmalloc_nest.c: 5.10's
 *               wrappers and __vmalloc_node), kprobe on vfree
 *  slab bulk    kretprobe on kmem_cache_alloc_bulk(_noprof), kprobe on
 *               kmem_cache_free_bulk (kfree_bulk, kfree_rcu batches)
 *  page bulk    kretprobe on __alloc_pages_bulk / alloc_pages_bulk_noprof
 *               (its fast path fires no mm_page_alloc)
 *  page split   kprobe on split_page_memcg, called by split_page(),
 *               alloc_pages_exact() and THP splits before the pieces are
 *               freed one by one
 *
 * Free probes are attached before allocation probes and detached after
 * them, so that no object is recorded whose free could be missed.
 * Each hook reports whether it attached, and why not.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/memcontrol.h>
#include <linux/migrate.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>
#include <trace/events/kmem.h>
#include <trace/events/percpu.h>

#include "owner.h"
#include "params.h"
#include "preload.h"
#include "probes.h"
#include "site.h"
#include "track.h"
#include "vmalloc_nest.h"

/* ---- tracepoint probes ---------------------------------------------- */

/* Synthetic cache key of kmalloc caches: size and gfp class, odd. */
static inline const void *kmalloc_key(size_t bytes_alloc, gfp_t gfp)
{
	unsigned long kind = 0;

	if (unlikely(gfp & (__GFP_DMA | __GFP_RECLAIMABLE | __GFP_ACCOUNT))) {
		if (gfp & __GFP_DMA)
			kind = 1;
		else if (gfp & __GFP_RECLAIMABLE)
			kind = 2;
		else
			kind = 3;
	}
	return (const void *)((bytes_alloc << 8) | kind << 1 | 1);
}

/*
 * A tracked allocation: enter the guard, find the site -- unwinding from
 * here, one frame above the probe -- and hand it to track.c.  Out of line
 * so that the probes' fast path stays a few instructions with no frame to
 * set up; the price is one more frame to unwind in stack mode.
 */
static noinline void alloc_slow(unsigned int src, unsigned long key,
				unsigned long call_site, const void *cache,
				u64 bytes, u64 req, u32 size, gfp_t gfp, int mt,
				enum mo_insert_mode mode)
{
	struct mo_site_key k;
	struct mo_alloc a;
	unsigned int level;

	if (!mo_guard_enter(&level))
		return;
	k = (struct mo_site_key){
		.cache = cache, .gfp = gfp, .src = src, .migratetype = mt,
	};
	a = (struct mo_alloc){
		.key = key,
		.site = mo_site_here(level, call_site, &k),
		.bytes = bytes,
		.req = req,
		.size = size,
		.gfp = gfp,
		.src = src,
		.migratetype = mt,
		.mode = mode,
	};
	mo_track_record(&a);
	mo_guard_exit(level);
}

/* The allocation fast path, inlined into every probe: decide, or leave. */
static __always_inline void alloc_event(unsigned int src, unsigned long key,
					unsigned long call_site,
					const void *cache, u64 bytes, u64 req,
					u32 size, gfp_t gfp, int mt,
					enum mo_insert_mode mode)
{
	if (!READ_ONCE(mo_cfg.active) || !mo_sampled(bytes))
		return;
	alloc_slow(src, key, call_site, cache, bytes, req, size, gfp, mt, mode);
}

/*
 * The free fast path: most frees in sample mode are of objects never
 * tracked, and an empty bucket (or bitmap bit) proves it without a lock.
 */
static __always_inline void free_event(unsigned int src, unsigned long key,
				       unsigned int order)
{
	mo_stat_inc(MO_STAT_FREE_EVENTS + src);
	if (!mo_owner_maybe(key, src) &&
	    (src != MEMOWNER_SRC_PAGE || !mo_preload_maybe(key, order)))
		return;		/* never tracked: counted by difference */
	mo_track_free(key, src, order);
}

static __always_inline void slab_alloc(unsigned long call_site,
				       const void *ptr, const void *cache,
				       u64 req, u64 bytes, gfp_t gfp)
{
	mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_SLAB);
	if (unlikely(ZERO_OR_NULL_PTR(ptr)))
		return;
	alloc_event(MEMOWNER_SRC_SLAB, (unsigned long)ptr, call_site, cache,
		    bytes, req, bytes, gfp, 0, MO_INSERT_REPLACE);
}

static void probe_kmalloc_node(void *data, unsigned long call_site,
			       const void *ptr, size_t bytes_req,
			       size_t bytes_alloc, gfp_t gfp, int node)
{
	MO_TP_NO_PREEMPT();
	slab_alloc(call_site, ptr, kmalloc_key(bytes_alloc, gfp), bytes_req,
		   bytes_alloc, gfp);
}

#ifdef MEMOWNER_HAVE_SLAB_TP_CACHE
/* 6.0 merged kmalloc_node into kmalloc, which has its node. */
#define probe_kmalloc	probe_kmalloc_node

static void probe_kmem_cache_alloc(void *data, unsigned long call_site,
				   const void *ptr, struct kmem_cache *s,
				   gfp_t gfp, int node)
{
	u64 size;

	MO_TP_NO_PREEMPT();
	if (unlikely(!ptr)) {
		mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_SLAB);
		return;
	}
	size = kmem_cache_size(s);
	slab_alloc(call_site, ptr, s, size, size, gfp);
}
#else
/*
 * Before 6.0 the slab tracepoints name no cache, and the _node variants are
 * tracepoints of their own.  An object's cache is that of its slab page:
 * page->slab_cache of the public struct page (mm_types.h), set before the
 * page's first object is handed out.  The size counted is the object
 * size, as kmem_cache_size() gives it on later kernels (bytes_req).
 */
static void probe_kmalloc(void *data, unsigned long call_site,
			  const void *ptr, size_t bytes_req,
			  size_t bytes_alloc, gfp_t gfp)
{
	probe_kmalloc_node(data, call_site, ptr, bytes_req, bytes_alloc, gfp,
			   NUMA_NO_NODE);
}

static __always_inline void cache_alloc(unsigned long call_site,
					const void *ptr, size_t bytes_req,
					gfp_t gfp)
{
	struct page *page;

	if (unlikely(!ptr)) {
		mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_SLAB);
		return;
	}
	page = virt_to_head_page(ptr);
	slab_alloc(call_site, ptr, PageSlab(page) ? page->slab_cache : NULL,
		   bytes_req, bytes_req, gfp);
}

static void probe_kmem_cache_alloc(void *data, unsigned long call_site,
				   const void *ptr, size_t bytes_req,
				   size_t bytes_alloc, gfp_t gfp)
{
	MO_TP_NO_PREEMPT();
	cache_alloc(call_site, ptr, bytes_req, gfp);
}

static void probe_kmem_cache_alloc_node(void *data, unsigned long call_site,
					const void *ptr, size_t bytes_req,
					size_t bytes_alloc, gfp_t gfp, int node)
{
	MO_TP_NO_PREEMPT();
	cache_alloc(call_site, ptr, bytes_req, gfp);
}
#endif

static __always_inline void slab_free(const void *ptr)
{
	/* kfree(NULL) fires the tracepoint too: not an event. */
	if (unlikely(ZERO_OR_NULL_PTR(ptr)))
		return;
	free_event(MEMOWNER_SRC_SLAB, (unsigned long)ptr, 0);
}

static void probe_kfree(void *data, unsigned long call_site, const void *ptr)
{
	MO_TP_NO_PREEMPT();
	slab_free(ptr);
}

#ifdef MEMOWNER_HAVE_SLAB_TP_CACHE
static void probe_kmem_cache_free(void *data, unsigned long call_site,
				  const void *ptr, const struct kmem_cache *s)
#else
static void probe_kmem_cache_free(void *data, unsigned long call_site,
				  const void *ptr)
#endif
{
	MO_TP_NO_PREEMPT();
	slab_free(ptr);
}

static __always_inline void page_alloc(struct page *page, unsigned int order,
				       gfp_t gfp, int mt,
				       enum mo_insert_mode mode)
{
	alloc_event(MEMOWNER_SRC_PAGE, page_to_pfn(page), 0, NULL,
		    PAGE_SIZE << order, PAGE_SIZE << order,
		    MO_PAGE_SIZE(order, order), gfp, mt, mode);
}

static void probe_mm_page_alloc(void *data, struct page *page,
				unsigned int order, gfp_t gfp, int mt)
{
	MO_TP_NO_PREEMPT();
	mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_PAGE);
	if (unlikely(!page))
		return;
	/* Marked at load, yet free: tracked or not, it is not "before load". */
	if (unlikely(mo_preload_maybe(page_to_pfn(page), order)))
		mo_track_alloc_unpreload(page_to_pfn(page), order);
	page_alloc(page, order, gfp, mt, MO_INSERT_REPLACE);
}

static void probe_mm_page_free(void *data, struct page *page,
			       unsigned int order)
{
	MO_TP_NO_PREEMPT();
	free_event(MEMOWNER_SRC_PAGE, page_to_pfn(page), order);
}

/*
 * A page freed from a list fires mm_page_free first, then this one: it is
 * a free only when the first was not seen (and then not counted twice).
 */
static void probe_mm_page_free_batched(void *data, struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	MO_TP_NO_PREEMPT();
	if (mo_owner_maybe(pfn, MEMOWNER_SRC_PAGE))
		mo_track_free_batched(pfn);
}

#ifdef MEMOWNER_HAVE_PERCPU_TP_CALL_SITE
static void probe_percpu_alloc(void *data, unsigned long call_site,
			       bool reserved, bool is_atomic, size_t size,
			       size_t align, void *base_addr, int off,
			       void __percpu *ptr, size_t bytes_alloc,
			       gfp_t gfp)
{
#else
/*
 * Before 5.19 the tracepoint gives no call site, size allocated or gfp:
 * the call site is found by unwinding past the per-CPU allocator's entry
 * points (symbols.c), as for pages; an area is one unit of @size per
 * possible CPU; a non-atomic allocation may sleep (GFP_KERNEL).
 */
static void probe_percpu_alloc(void *data, bool reserved, bool is_atomic,
			       size_t size, size_t align, void *base_addr,
			       int off, void __percpu *ptr)
{
	unsigned long call_site = 0;
	size_t bytes_alloc = size * num_possible_cpus();
	gfp_t gfp = is_atomic ? GFP_NOWAIT : GFP_KERNEL;

#endif
	MO_TP_NO_PREEMPT();
	mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_PERCPU);
	if (unlikely(!ptr))
		return;
	alloc_event(MEMOWNER_SRC_PERCPU, (unsigned long)ptr, call_site, NULL,
		    bytes_alloc, size, bytes_alloc, gfp, 0, MO_INSERT_REPLACE);
}

static void probe_percpu_free(void *data, void *base_addr, int off,
			      void __percpu *ptr)
{
	MO_TP_NO_PREEMPT();
	if (ptr)
		free_event(MEMOWNER_SRC_PERCPU, (unsigned long)ptr, 0);
}

enum mo_kp_state {
	MO_KP_IDLE,		/* source not asked for */
	MO_KP_ATTACHED,
	MO_KP_FAILED,		/* register_k(ret)probe() failed: err */
	MO_KP_PROTO_CHANGED,
	MO_KP_NO_DECL,
	MO_KP_SOURCE_OFF,	/* a free-side hook of the source failed */
	MO_KP_ABSENT,		/* the kernel's version has no such function */
	MO_KP_NOT_NEEDED,	/* another hook sees its calls */
	MO_KP_UNMEASURED,	/* whether it is needed is not known */
};

static const char *const kp_state_names[] = {
	[MO_KP_IDLE] = "idle",
	[MO_KP_ATTACHED] = "attached",
	[MO_KP_FAILED] = "FAILED",
	[MO_KP_PROTO_CHANGED] = "not attached: prototype changed",
	[MO_KP_NO_DECL] = "not attached: no declaration",
	[MO_KP_SOURCE_OFF] = "not attached: source off",
	[MO_KP_ABSENT] = "not needed: none in this kernel",
	[MO_KP_NOT_NEEDED] = "not needed: its calls reach another hook",
	[MO_KP_UNMEASURED] = "not attached: vmalloc entry points not measured",
};

struct mo_tp {
	const char *name;
	void *func;
	unsigned int src;
	bool free_side;		/* the source's records need it to end */
	struct tracepoint *tp;
	enum mo_kp_state state;
	int err;
};

/* Frees first: attached in this order, detached in reverse. */
static struct mo_tp tps[] = {
	{ "kfree", probe_kfree, MEMOWNER_SRC_SLAB, true },
	{ "kmem_cache_free", probe_kmem_cache_free, MEMOWNER_SRC_SLAB, true },
	{ "mm_page_free", probe_mm_page_free, MEMOWNER_SRC_PAGE, true },
	{ "mm_page_free_batched", probe_mm_page_free_batched, MEMOWNER_SRC_PAGE,
	  true },
	{ "percpu_free_percpu", probe_percpu_free, MEMOWNER_SRC_PERCPU, true },
	{ "kmalloc", probe_kmalloc, MEMOWNER_SRC_SLAB },
	{ "kmem_cache_alloc", probe_kmem_cache_alloc, MEMOWNER_SRC_SLAB },
#ifndef MEMOWNER_HAVE_SLAB_TP_CACHE
	{ "kmalloc_node", probe_kmalloc_node, MEMOWNER_SRC_SLAB },
	{ "kmem_cache_alloc_node", probe_kmem_cache_alloc_node,
	  MEMOWNER_SRC_SLAB },
#endif
	{ "mm_page_alloc", probe_mm_page_alloc, MEMOWNER_SRC_PAGE },
	{ "percpu_alloc_percpu", probe_percpu_alloc, MEMOWNER_SRC_PERCPU },
};

/* A wrong prototype here is a build error, not a crash. */
static void __maybe_unused check_prototypes(void)
{
	check_trace_callback_type_kmalloc(probe_kmalloc);
	check_trace_callback_type_kmem_cache_alloc(probe_kmem_cache_alloc);
#ifndef MEMOWNER_HAVE_SLAB_TP_CACHE
	check_trace_callback_type_kmalloc_node(probe_kmalloc_node);
	check_trace_callback_type_kmem_cache_alloc_node(probe_kmem_cache_alloc_node);
#endif
	check_trace_callback_type_kfree(probe_kfree);
	check_trace_callback_type_kmem_cache_free(probe_kmem_cache_free);
	check_trace_callback_type_mm_page_alloc(probe_mm_page_alloc);
	check_trace_callback_type_mm_page_free(probe_mm_page_free);
	check_trace_callback_type_mm_page_free_batched(probe_mm_page_free_batched);
	check_trace_callback_type_percpu_alloc_percpu(probe_percpu_alloc);
	check_trace_callback_type_percpu_free_percpu(probe_percpu_free);
}

static void find_tp(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tps); i++)
		if (!strcmp(tp->name, tps[i].name))
			tps[i].tp = tp;
}

/* ---- kprobes ------------------------------------------------------- */

/* Return address of a function, read at its first instruction. */
static inline unsigned long entry_ret_ip(struct pt_regs *regs)
{
	return regs_get_kernel_stack_nth(regs, 0);
}

struct vmalloc_data {
	u32 site;
	u32 gfp;
	u64 size;
};

/* The entry of either vmalloc hook: the site, and what the return records. */
static int vmalloc_begin(struct kretprobe_instance *ri, unsigned long size,
			 gfp_t gfp, unsigned long caller)
{
	struct vmalloc_data *d = (void *)ri->data;

	mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_VMALLOC);
	d->site = mo_track_prepare(MEMOWNER_SRC_VMALLOC, caller, NULL,
				   PAGE_ALIGN(size), gfp, 0);
	d->size = size;
	d->gfp = gfp;
	return d->site ? 0 : 1;	/* 1: no return handler for this call */
}

/* __vmalloc_node_range(size, align, start, end, gfp, prot, flags, node, caller) */
static int vmalloc_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return vmalloc_begin(ri, regs_get_kernel_argument(regs, 0),
			     regs_get_kernel_argument(regs, 4),
			     regs_get_kernel_argument(regs, 8));
}

/*
 * __vmalloc_node(size, align, gfp, node, caller), hooked only where the
 * range function is inlined into it (vmalloc_nest.c): same record.
 */
static int vmalloc_node_entry(struct kretprobe_instance *ri,
			      struct pt_regs *regs)
{
	return vmalloc_begin(ri, regs_get_kernel_argument(regs, 0),
			     regs_get_kernel_argument(regs, 2),
			     regs_get_kernel_argument(regs, 4));
}

/*
 * The exported wrappers, hooked only where they inline both functions
 * above (vmalloc_nest.c: 5.10).  Their caller is their return address,
 * the __builtin_return_address(0) they pass on; their gfp is the one each
 * passes (mm/vmalloc.c), __vmalloc()'s its argument.
 */
#if defined(CONFIG_64BIT) && defined(CONFIG_ZONE_DMA32)
#define MO_GFP_VMALLOC32	(GFP_DMA32 | GFP_KERNEL)
#elif defined(CONFIG_64BIT) && defined(CONFIG_ZONE_DMA)
#define MO_GFP_VMALLOC32	(GFP_DMA | GFP_KERNEL)
#else
#define MO_GFP_VMALLOC32	(GFP_DMA32 | GFP_KERNEL)
#endif

static int vm_kernel_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return vmalloc_begin(ri, regs_get_kernel_argument(regs, 0),
			     GFP_KERNEL, entry_ret_ip(regs));
}

static int vm_zero_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return vmalloc_begin(ri, regs_get_kernel_argument(regs, 0),
			     GFP_KERNEL | __GFP_ZERO, entry_ret_ip(regs));
}

static int vm_32_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return vmalloc_begin(ri, regs_get_kernel_argument(regs, 0),
			     MO_GFP_VMALLOC32, entry_ret_ip(regs));
}

static int vm_32_zero_entry(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	return vmalloc_begin(ri, regs_get_kernel_argument(regs, 0),
			     MO_GFP_VMALLOC32 | __GFP_ZERO, entry_ret_ip(regs));
}

/* __vmalloc(size, gfp_mask) and vmalloc_huge(size, gfp_mask) */
static int vm_gfp_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return vmalloc_begin(ri, regs_get_kernel_argument(regs, 0),
			     regs_get_kernel_argument(regs, 1),
			     entry_ret_ip(regs));
}

static int vmalloc_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vmalloc_data *d = (void *)ri->data;
	unsigned long addr = regs_return_value(regs);
	struct mo_alloc a;

	if (!addr)
		return 0;
	a = (struct mo_alloc){
		.key = addr,
		.site = d->site,
		.bytes = PAGE_ALIGN(d->size),
		.req = d->size,
		.size = PAGE_ALIGN(d->size) >> PAGE_SHIFT,
		.gfp = d->gfp,
		.src = MEMOWNER_SRC_VMALLOC,
		.mode = MO_INSERT_REPLACE,
	};
	mo_track_alloc(&a);
	return 0;
}

static int vfree_pre(struct kprobe *p, struct pt_regs *regs)
{
	unsigned long addr = regs_get_kernel_argument(regs, 0);

	if (addr)
		free_event(MEMOWNER_SRC_VMALLOC, addr, 0);
	return 0;
}

struct bulk_data {
	void **p;
	struct kmem_cache *s;
	u64 nr;
	u32 site;
	u32 gfp;
};

static int cache_bulk_entry(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	struct bulk_data *d = (void *)ri->data;
	u64 nr;

	d->s = (struct kmem_cache *)regs_get_kernel_argument(regs, 0);
	d->gfp = regs_get_kernel_argument(regs, 1);
	d->p = (void **)regs_get_kernel_argument(regs, 3);
	nr = regs_get_kernel_argument(regs, 2);
	d->nr = nr;
	if (mo_sample_skips_all(nr * kmem_cache_size(d->s))) {
		this_cpu_add(mo_hot.stats[MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_SLAB],
			     nr);
		return 1;
	}
	d->site = mo_track_site(MEMOWNER_SRC_SLAB, entry_ret_ip(regs), d->s,
				d->gfp, 0);
	return d->site ? 0 : 1;
}

/* Record the @nr objects the bulk allocation put at d->p. */
static void cache_bulk_record(struct bulk_data *d, long nr)
{
	u64 size = kmem_cache_size(d->s);
	struct mo_alloc a = {
		.site = d->site,
		.bytes = size,
		.req = size,
		.size = size,
		.gfp = d->gfp,
		.src = MEMOWNER_SRC_SLAB,
		.mode = MO_INSERT_IF_ABSENT,
	};
	long i;

	for (i = 0; i < nr; i++) {
		mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_SLAB);
		if (!d->p[i] || !mo_sampled(size))
			continue;
		a.key = (unsigned long)d->p[i];
		mo_track_alloc(&a);
	}
}

/* Until 7.1: int, the number of objects allocated (all or none). */
static int __maybe_unused cache_bulk_ret(struct kretprobe_instance *ri,
					 struct pt_regs *regs)
{
	struct bulk_data *d = (void *)ri->data;
	long nr = (int)regs_return_value(regs);

	cache_bulk_record(d, clamp_t(long, nr, 0, d->nr));
	return 0;
}

/* 7.2: bool, true when all d->nr objects were allocated. */
static int __maybe_unused cache_bulk_bool_ret(struct kretprobe_instance *ri,
					      struct pt_regs *regs)
{
	struct bulk_data *d = (void *)ri->data;

	if ((u8)regs_return_value(regs))
		cache_bulk_record(d, d->nr);
	return 0;
}

static int cache_free_bulk_pre(struct kprobe *kp, struct pt_regs *regs)
{
	size_t i, nr = regs_get_kernel_argument(regs, 1);
	void **p = (void **)regs_get_kernel_argument(regs, 2);

	for (i = 0; i < nr; i++)
		slab_free(p[i]);
	return 0;
}

struct pages_bulk_data {
	struct list_head *list;
	struct list_head *first;	/* list->next before the call */
	struct page **array;
	unsigned long nr;
	u32 gfp;
	u32 site;
};

/* Arguments of the bulk page allocator, read at its entry. */
static int pages_bulk_begin(struct kretprobe_instance *ri,
			    struct pt_regs *regs, struct list_head *list,
			    struct page **array)
{
	struct pages_bulk_data *d = (void *)ri->data;

	d->gfp = regs_get_kernel_argument(regs, 0);
	d->nr = (int)regs_get_kernel_argument(regs, 3);
	d->list = list;
	d->array = array;
	d->first = d->list ? d->list->next : NULL;
	if (mo_sample_skips_all(d->nr * PAGE_SIZE)) {
		this_cpu_add(mo_hot.stats[MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_PAGE],
			     d->nr);
		return 1;
	}
	d->site = mo_track_site(MEMOWNER_SRC_PAGE, entry_ret_ip(regs), NULL,
				d->gfp,
				(d->gfp & (__GFP_RECLAIMABLE | __GFP_MOVABLE)) /
				__GFP_MOVABLE);
	return d->site ? 0 : 1;
}

/* 5.13 to 6.13: (gfp, nid, nodemask, nr_pages, page_list, page_array). */
static int __maybe_unused pages_bulk_list_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	return pages_bulk_begin(ri, regs,
				(void *)regs_get_kernel_argument(regs, 4),
				(void *)regs_get_kernel_argument(regs, 5));
}

/* 6.14 dropped the list: (gfp, nid, nodemask, nr_pages, page_array). */
static int __maybe_unused pages_bulk_array_entry(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	return pages_bulk_begin(ri, regs, NULL,
				(void *)regs_get_kernel_argument(regs, 4));
}

/* Record one page of a bulk allocation, sampled page by page. */
static void bulk_page(const struct pages_bulk_data *d, struct page *page)
{
	struct mo_alloc a = {
		.key = page_to_pfn(page),
		.site = d->site,
		.bytes = PAGE_SIZE,
		.req = PAGE_SIZE,
		.size = MO_PAGE_SIZE(0, 0),
		.gfp = d->gfp,
		.src = MEMOWNER_SRC_PAGE,
		.migratetype = mo_site_at(d->site)->key.migratetype,
		.mode = MO_INSERT_IF_ABSENT,
	};

	mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_PAGE);
	if (unlikely(mo_preload_maybe(a.key, 0)))
		mo_track_alloc_unpreload(a.key, 0);
	if (mo_sampled(PAGE_SIZE))
		mo_track_alloc(&a);
}

/*
 * Pages of the fast path fired no mm_page_alloc; those of its fallback did,
 * and array slots filled before the call are not new: all are recorded only
 * if absent.  New list pages were added at the head, before d->first.
 */
static int __maybe_unused pages_bulk_ret(struct kretprobe_instance *ri,
					struct pt_regs *regs)
{
	struct pages_bulk_data *d = (void *)ri->data;
	unsigned long i, nr = min(regs_return_value(regs), d->nr);
	struct list_head *pos;

	if (d->array) {
		for (i = 0; i < nr; i++)
			if (d->array[i])
				bulk_page(d, d->array[i]);
	} else if (d->list) {
		i = 0;
		for (pos = d->list->next; pos != d->first && pos != d->list &&
		     i < d->nr; pos = pos->next, i++)
			bulk_page(d, list_entry(pos, struct page, lru));
	}
	return 0;
}

/*
 * 5.11 to 6.9: (head, nr); 6.10: (head, old_order, new_order); 7.x:
 * (first, order).  (head, nr) and (first, order) split into order-0 pages.
 */
static int __maybe_unused split_nr_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct page *head = (struct page *)regs_get_kernel_argument(regs, 0);

	mo_track_split(page_to_pfn(head), 0);
	return 0;
}

/*
 * Page migration: folio_migrate_flags(newfolio, folio) (5.16 on), before
 * it migrate_page_states(newpage, page); the function in which
 * page_owner moves its owner (folio_copy_owner()).
 */
#ifdef MEMOWNER_DECL_folio_migrate_flags
static int migrate_folio_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct folio *dst = (struct folio *)regs_get_kernel_argument(regs, 0);
	struct folio *src = (struct folio *)regs_get_kernel_argument(regs, 1);

	mo_track_migrate(folio_pfn(src), folio_pfn(dst), folio_order(src));
	return 0;
}
#endif

static int __maybe_unused migrate_page_pre(struct kprobe *kp,
					   struct pt_regs *regs)
{
	struct page *dst = (struct page *)regs_get_kernel_argument(regs, 0);
	struct page *src = (struct page *)regs_get_kernel_argument(regs, 1);

	mo_track_migrate(page_to_pfn(src), page_to_pfn(dst),
			 compound_order(src));
	return 0;
}

static int __maybe_unused split_orders_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct page *head = (struct page *)regs_get_kernel_argument(regs, 0);
	unsigned int new_order = regs_get_kernel_argument(regs, 2);

	mo_track_split(page_to_pfn(head), new_order);
	return 0;
}

/*
 * The prototype every kprobe handler reads its arguments by.
 *
 * A kprobe reads registers, not C arguments: on a kernel whose function
 * changed, a handler reads whatever is in the old argument's register (on
 * 7.2, the bulk page allocator's kretprobe took the page array for a list
 * and oopsed the kernel at insmod).  So every variant below names the
 * prototype it was written for, and __builtin_types_compatible_p() compares
 * it with the declaration in the target kernel's own headers.  That is a
 * compile-time constant: a changed prototype builds a module that refuses
 * the hook ("not attached: prototype changed"), never one that reads the
 * wrong register.  A function the headers do not declare at all (Kbuild's
 * MEMOWNER_DECL_* probes) is "not attached: no declaration".
 */
typedef void mo_vfree_t(const void *addr);
typedef void mo_cache_free_bulk_t(struct kmem_cache *s, size_t size, void **p);
typedef int mo_cache_alloc_bulk_t(struct kmem_cache *s, gfp_t flags,
				  size_t size, void **p);
typedef bool mo_cache_alloc_bulk_bool_t(struct kmem_cache *s, gfp_t flags,
					size_t size, void **p);
/* The vmalloc entry points' prototypes: vmalloc_nest.h. */
typedef unsigned long mo_pages_bulk_list_t(gfp_t gfp, int preferred_nid,
					   nodemask_t *nodemask, int nr_pages,
					   struct list_head *page_list,
					   struct page **page_array);
typedef unsigned long mo_pages_bulk_array_t(gfp_t gfp, int preferred_nid,
					    nodemask_t *nodemask, int nr_pages,
					    struct page **page_array);
/* 7.x's (first, unsigned int order) is this same type; only head is read. */
typedef void mo_split_nr_t(struct page *head, unsigned int nr);
#ifdef MEMOWNER_DECL_folio_migrate_flags
typedef void mo_migrate_folio_t(struct folio *newfolio, struct folio *folio);
#endif
typedef void mo_migrate_page_t(struct page *newpage, struct page *page);
typedef void mo_split_orders_t(struct page *head, int old_order,
			       int new_order);

#ifdef MEMOWNER_TEST_WRONG_PROTO
/*
 * selftests/memowner/proto_test.sh builds a copy of the module with this
 * entry deliberately wrong (vfree without const) and checks that the hook
 * is refused and the vmalloc source not tracked.
 */
typedef void mo_vfree_test_t(void *addr);
#define MO_VFREE_PROTO	mo_vfree_test_t
#else
#define MO_VFREE_PROTO	mo_vfree_t
#endif

/* One way to hook a function: its name, prototype verdict and handlers. */
struct mo_kp_variant {
	const char *sym;
	bool declared;		/* the target's headers declare sym */
	bool proto_ok;		/* ... with the prototype the handlers read */
	bool absent;		/* this kernel's version has no such function */
	kprobe_pre_handler_t pre;
	kretprobe_handler_t entry, handler;
	size_t data_size;
};

/* A function the target's headers declare (its MEMOWNER_DECL_ probe). */
#define MO_KP_VARIANT(fn, type, ...)					\
	{ .sym = #fn, .declared = true,					\
	  .proto_ok = MO_PROTO_OK(fn, type), __VA_ARGS__ }
#define MO_KP_UNDECLARED(fn)	{ .sym = #fn }
/*
 * A function the kernel's version is known not to have (the headers'
 * silence alone does not say so: a renamed function is a gap, "no
 * declaration").  Nothing to hook is no gap: the source is not degraded.
 */
#define MO_KP_ABSENT(fn)	{ .sym = #fn, .absent = true }

/* A vmalloc entry point's kretprobe: vmalloc_ret records what it returns. */
#define MO_KP_VM(fn, type, entry_fn)					\
	MO_KP_VARIANT(fn, type, .entry = entry_fn, .handler = vmalloc_ret, \
		      .data_size = sizeof(struct vmalloc_data))

#define MO_KP_VARIANTS	2

struct mo_kp {
	unsigned int src;
	bool ret;		/* kretprobe */
	bool free_side;		/* the source's records need it to end */
	struct mo_kp_variant v[MO_KP_VARIANTS];	/* tried in order */
	enum mo_vm_fn vm_fn;	/* a vmalloc entry point: only if needed */
	union {
		struct kprobe kp;
		struct kretprobe rp;
	};
	const struct mo_kp_variant *used;
	enum mo_kp_state state;
	int err;
};

static struct mo_kp kps[] = {
	{ MEMOWNER_SRC_VMALLOC, false, true, {
#ifdef MEMOWNER_DECL_vfree
	  MO_KP_VARIANT(vfree, MO_VFREE_PROTO, .pre = vfree_pre),
#else
	  MO_KP_UNDECLARED(vfree),
#endif
	} },
	{ MEMOWNER_SRC_SLAB, false, true, {
#ifdef MEMOWNER_DECL_kmem_cache_free_bulk
	  MO_KP_VARIANT(kmem_cache_free_bulk, mo_cache_free_bulk_t,
			.pre = cache_free_bulk_pre),
#else
	  MO_KP_UNDECLARED(kmem_cache_free_bulk),
#endif
	} },
	{ MEMOWNER_SRC_PAGE, false, true, {
#ifdef MEMOWNER_DECL_split_page_memcg
	  MO_KP_VARIANT(split_page_memcg, mo_split_orders_t,
			.pre = split_orders_pre),
	  MO_KP_VARIANT(split_page_memcg, mo_split_nr_t,
			.pre = split_nr_pre),
#else
	  MO_KP_UNDECLARED(split_page_memcg),
#endif
	} },
	/*
	 * Allocation side: without it pages are still tracked, with a gap
	 * (a migrated page loses its owner), like a missing bulk hook.
	 */
	{ MEMOWNER_SRC_PAGE, false, false, {
#if defined(MEMOWNER_DECL_folio_migrate_flags)
	  MO_KP_VARIANT(folio_migrate_flags, mo_migrate_folio_t,
			.pre = migrate_folio_pre),
#elif defined(MEMOWNER_DECL_migrate_page_states)
	  MO_KP_VARIANT(migrate_page_states, mo_migrate_page_t,
			.pre = migrate_page_pre),
#else
	  MO_KP_UNDECLARED(folio_migrate_flags),
#endif
	} },
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_RANGE
	  MO_KP_VM(MO_VM_SYM_RANGE, mo_vmalloc_range_t, vmalloc_entry),
#else
	  MO_KP_UNDECLARED(__vmalloc_node_range),
#endif
	}, .vm_fn = MO_VM_RANGE },
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_NODE
	  MO_KP_VM(MO_VM_SYM_NODE, mo_vmalloc_node_t, vmalloc_node_entry),
#else
	  MO_KP_UNDECLARED(__vmalloc_node),
#endif
	}, .vm_fn = MO_VM_NODE },
	/*
	 * The exported wrappers: each needed only where it inlines the rest
	 * (vmalloc_nest.c).  One the headers do not declare is never needed:
	 * it can be neither called nor measured.
	 */
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_VMALLOC
	  MO_KP_VM(MO_VM_SYM_VMALLOC, mo_vm_size_t, vm_kernel_entry),
#else
	  MO_KP_UNDECLARED(vmalloc),
#endif
	}, .vm_fn = MO_VM_VMALLOC },
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_VZALLOC
	  MO_KP_VM(MO_VM_SYM_VZALLOC, mo_vm_size_t, vm_zero_entry),
#else
	  MO_KP_UNDECLARED(vzalloc),
#endif
	}, .vm_fn = MO_VM_VZALLOC },
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_USER
	  MO_KP_VM(MO_VM_SYM_USER, mo_vm_size_t, vm_zero_entry),
#else
	  MO_KP_UNDECLARED(vmalloc_user),
#endif
	}, .vm_fn = MO_VM_USER },
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_NODE_W
	  MO_KP_VM(MO_VM_SYM_NODE_W, mo_vm_size_node_t, vm_kernel_entry),
#else
	  MO_KP_UNDECLARED(vmalloc_node),
#endif
	}, .vm_fn = MO_VM_NODE_W },
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_VZALLOC_NODE
	  MO_KP_VM(MO_VM_SYM_VZALLOC_NODE, mo_vm_size_node_t, vm_zero_entry),
#else
	  MO_KP_UNDECLARED(vzalloc_node),
#endif
	}, .vm_fn = MO_VM_VZALLOC_NODE },
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_32
	  MO_KP_VM(MO_VM_SYM_32, mo_vm_size_t, vm_32_entry),
#else
	  MO_KP_UNDECLARED(vmalloc_32),
#endif
	}, .vm_fn = MO_VM_32 },
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_32_USER
	  MO_KP_VM(MO_VM_SYM_32_USER, mo_vm_size_t, vm_32_zero_entry),
#else
	  MO_KP_UNDECLARED(vmalloc_32_user),
#endif
	}, .vm_fn = MO_VM_32_USER },
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_GFP
	  MO_KP_VM(MO_VM_SYM_GFP, mo_vm_size_gfp_t, vm_gfp_entry),
#else
	  MO_KP_UNDECLARED(__vmalloc),
#endif
	}, .vm_fn = MO_VM_GFP },
	{ MEMOWNER_SRC_VMALLOC, true, false, {
#ifdef MO_VM_SYM_HUGE
	  MO_KP_VM(MO_VM_SYM_HUGE, mo_vm_size_gfp_t, vm_gfp_entry),
#else
	  MO_KP_UNDECLARED(vmalloc_huge),
#endif
	}, .vm_fn = MO_VM_HUGE },
	{ MEMOWNER_SRC_SLAB, true, false, {
#if defined(MEMOWNER_DECL_kmem_cache_alloc_bulk_noprof)
	  MO_KP_VARIANT(kmem_cache_alloc_bulk_noprof,
			mo_cache_alloc_bulk_bool_t, .entry = cache_bulk_entry,
			.handler = cache_bulk_bool_ret,
			.data_size = sizeof(struct bulk_data)),
	  MO_KP_VARIANT(kmem_cache_alloc_bulk_noprof,
			mo_cache_alloc_bulk_t, .entry = cache_bulk_entry,
			.handler = cache_bulk_ret,
			.data_size = sizeof(struct bulk_data)),
#elif defined(MEMOWNER_DECL_kmem_cache_alloc_bulk)
	  MO_KP_VARIANT(kmem_cache_alloc_bulk, mo_cache_alloc_bulk_t,
			.entry = cache_bulk_entry, .handler = cache_bulk_ret,
			.data_size = sizeof(struct bulk_data)),
#else
	  MO_KP_UNDECLARED(kmem_cache_alloc_bulk),
#endif
	} },
	{ MEMOWNER_SRC_PAGE, true, false, {
#if defined(MEMOWNER_DECL_alloc_pages_bulk_noprof)
	  MO_KP_VARIANT(alloc_pages_bulk_noprof, mo_pages_bulk_array_t,
			.entry = pages_bulk_array_entry,
			.handler = pages_bulk_ret,
			.data_size = sizeof(struct pages_bulk_data)),
	  MO_KP_VARIANT(alloc_pages_bulk_noprof, mo_pages_bulk_list_t,
			.entry = pages_bulk_list_entry,
			.handler = pages_bulk_ret,
			.data_size = sizeof(struct pages_bulk_data)),
#elif defined(MEMOWNER_DECL___alloc_pages_bulk)
	  MO_KP_VARIANT(__alloc_pages_bulk, mo_pages_bulk_list_t,
			.entry = pages_bulk_list_entry,
			.handler = pages_bulk_ret,
			.data_size = sizeof(struct pages_bulk_data)),
#elif defined(MEMOWNER_NO_PAGES_BULK)
	  MO_KP_ABSENT(__alloc_pages_bulk),	/* the bulk allocator is 5.13's */
#else
	  MO_KP_UNDECLARED(__alloc_pages_bulk),
#endif
	} },
};

/* Why a vmalloc entry point's hook is not attached. */
static enum mo_kp_state nest_state(enum mo_vm_fn fn)
{
	return mo_vmalloc_hook_covered(fn) ? MO_KP_NOT_NEEDED :
	       MO_KP_UNMEASURED;
}

/* The first variant whose prototype matches the target's declaration. */
static const struct mo_kp_variant *kp_variant(struct mo_kp *k)
{
	bool declared = false, absent = true;
	int i;

	if (k->vm_fn && !mo_vmalloc_hook_needed(k->vm_fn)) {
		k->state = nest_state(k->vm_fn);
		return NULL;
	}
	for (i = 0; i < MO_KP_VARIANTS && k->v[i].sym; i++) {
		declared |= k->v[i].declared;
		absent &= k->v[i].absent;
		if (k->v[i].proto_ok)
			return &k->v[i];
	}
	if (absent)
		k->state = MO_KP_ABSENT;
	else
		k->state = declared ? MO_KP_PROTO_CHANGED : MO_KP_NO_DECL;
	return NULL;
}

static const char *kp_name(const struct mo_kp *k)
{
	return k->used ? k->used->sym : k->v[0].sym;
}

static int attach_kp(struct mo_kp *k)
{
	const struct mo_kp_variant *v = kp_variant(k);
	int ret;

	k->used = v;
	if (!v)
		return k->state == MO_KP_ABSENT ||
		       k->state == MO_KP_NOT_NEEDED ? 0 : -EINVAL;
	if (k->ret) {
		memset(&k->rp, 0, sizeof(k->rp));
		k->rp.kp.symbol_name = v->sym;
		k->rp.entry_handler = v->entry;
		k->rp.handler = v->handler;
		k->rp.data_size = v->data_size;
		/* Sleeping allocators: many calls may be in flight. */
		k->rp.maxactive = max(64U, 4 * num_possible_cpus());
		ret = register_kretprobe(&k->rp);
	} else {
		memset(&k->kp, 0, sizeof(k->kp));
		k->kp.symbol_name = v->sym;
		k->kp.pre_handler = v->pre;
		ret = register_kprobe(&k->kp);
	}
	k->err = ret;
	k->state = ret ? MO_KP_FAILED : MO_KP_ATTACHED;
	return ret;
}

/* ---- generic tracepoint hooks (events) ------------------------------- */

struct find_ctx {
	struct mo_hook *hooks;
	unsigned int n;
};

static void find_hooks(struct tracepoint *tp, void *priv)
{
	struct find_ctx *c = priv;
	unsigned int i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(tp->name, c->hooks[i].name))
			c->hooks[i].tp = tp;
}

void mo_hooks_attach(struct mo_hook *hooks, unsigned int n)
{
	struct find_ctx c = { hooks, n };
	unsigned int i;

	for_each_kernel_tracepoint(find_hooks, &c);
	for (i = 0; i < n; i++) {
		hooks[i].attached = false;
		hooks[i].err = hooks[i].tp ?
			tracepoint_probe_register(hooks[i].tp, hooks[i].func, NULL) :
			-ENOENT;
		if (hooks[i].err)
			pr_warn("tracepoint %s: attach failed: %d\n",
				hooks[i].name, hooks[i].err);
		else
			hooks[i].attached = true;
	}
}

void mo_hooks_detach(struct mo_hook *hooks, unsigned int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		if (hooks[i].attached)
			tracepoint_probe_unregister(hooks[i].tp, hooks[i].func,
						    NULL);
		hooks[i].attached = false;
	}
	tracepoint_synchronize_unregister();
}

void mo_hooks_report(struct seq_file *m, const char *what,
		     const struct mo_hook *hooks, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		seq_printf(m, "hook: %s tracepoint %s %s", what, hooks[i].name,
			   hooks[i].attached ? "attached" : "FAILED");
		if (hooks[i].err)
			seq_printf(m, " (%d)", hooks[i].err);
		seq_putc(m, '\n');
	}
}

/* ---- attach/detach --------------------------------------------------- */

/*
 * Sources asked for, tracked (every free-side hook and at least one
 * allocation hook attached), and degraded (asked for, but some hook is
 * missing: not tracked at all, or tracked with a gap).
 */
static u32 sources_asked, sources_tracked, sources_degraded;

static int attach_tp(struct mo_tp *t)
{
	if (!t->tp) {
		t->err = -ENOENT;
		t->state = MO_KP_FAILED;
		return t->err;
	}
	t->err = tracepoint_probe_register(t->tp, t->func, NULL);
	t->state = t->err ? MO_KP_FAILED : MO_KP_ATTACHED;
	return t->err;
}

static void detach_tp(struct mo_tp *t)
{
	if (t->state == MO_KP_ATTACHED)
		tracepoint_probe_unregister(t->tp, t->func, NULL);
	t->state = MO_KP_IDLE;
}

/* Attach one side (free or allocation) of the sources in @mask. */
static u32 attach_side(bool free_side, u32 mask)
{
	u32 failed = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		struct mo_tp *t = &tps[i];

		if (t->free_side != free_side || !(mask & BIT(t->src)))
			continue;
		if (attach_tp(t)) {
			failed |= BIT(t->src);
			pr_warn("tracepoint %s: attach failed: %d\n", t->name,
				t->err);
		}
	}
	for (i = 0; i < ARRAY_SIZE(kps); i++) {
		struct mo_kp *k = &kps[i];

		if (k->free_side != free_side || !(mask & BIT(k->src)))
			continue;
		if (attach_kp(k)) {
			failed |= BIT(k->src);
			pr_warn("%s %s: %s (%d)\n",
				k->ret ? "kretprobe" : "kprobe", kp_name(k),
				kp_state_names[k->state], k->err);
		}
	}
	return failed;
}

/*
 * Detach one side of the sources in @mask, marking them @state.  The
 * kprobes and kretprobes of the side go in one call each: one grace
 * period for all of them, not one per hook (5.10 hooks ten vmalloc entry
 * points), and none of their handlers runs once it returns.
 */
static void detach_side(bool free_side, u32 mask, enum mo_kp_state state)
{
	struct kretprobe *rps[ARRAY_SIZE(kps)];
	struct kprobe *kpp[ARRAY_SIZE(kps)];
	int i, nr = 0, nk = 0;

	for (i = ARRAY_SIZE(kps) - 1; i >= 0; i--) {
		struct mo_kp *k = &kps[i];

		if (k->free_side != free_side || !(mask & BIT(k->src)))
			continue;
		if (k->state == MO_KP_ATTACHED) {
			if (k->ret)
				rps[nr++] = &k->rp;
			else
				kpp[nk++] = &k->kp;
			k->state = MO_KP_IDLE;
		}
		if (state != MO_KP_IDLE && k->state == MO_KP_IDLE)
			k->state = state;
	}
	if (nr)
		unregister_kretprobes(rps, nr);
	if (nk)
		unregister_kprobes(kpp, nk);
	for (i = ARRAY_SIZE(tps) - 1; i >= 0; i--) {
		if (tps[i].free_side != free_side || !(mask & BIT(tps[i].src)))
			continue;
		detach_tp(&tps[i]);
		if (state != MO_KP_IDLE && tps[i].state == MO_KP_IDLE)
			tps[i].state = state;
	}
}

/* Sources with at least one allocation hook attached. */
static u32 alloc_attached(void)
{
	unsigned int i;
	u32 m = 0;

	for (i = 0; i < ARRAY_SIZE(tps); i++)
		if (!tps[i].free_side && tps[i].state == MO_KP_ATTACHED)
			m |= BIT(tps[i].src);
	for (i = 0; i < ARRAY_SIZE(kps); i++)
		if (!kps[i].free_side && kps[i].state == MO_KP_ATTACHED)
			m |= BIT(kps[i].src);
	return m;
}

/*
 * A source is tracked only when every hook that ends its records is
 * attached: a record whose free can be missed would stay "live" forever.
 * So the free side of every source is attached first; a source missing any
 * of it is not tracked at all ("source off").  Then the allocation side of
 * the rest: a missing allocation hook leaves a gap (fewer records, each
 * still true), shown as degraded.
 */
int mo_probes_attach(u32 sources)
{
	u32 frees_ok, tracked;
	unsigned int i;

	for_each_kernel_tracepoint(find_tp, NULL);
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		tps[i].state = MO_KP_IDLE;
		tps[i].err = 0;
	}
	for (i = 0; i < ARRAY_SIZE(kps); i++) {
		kps[i].state = MO_KP_IDLE;
		kps[i].err = 0;
		kps[i].used = NULL;
	}
	sources_asked = sources;

	frees_ok = sources & ~attach_side(true, sources);
	if (sources & ~frees_ok) {
		detach_side(true, sources & ~frees_ok, MO_KP_SOURCE_OFF);
		detach_side(false, sources & ~frees_ok, MO_KP_SOURCE_OFF);
	}
	sources_degraded = (sources & ~frees_ok) |
			   attach_side(false, frees_ok);

	/* A source none of whose allocation hooks attached is not tracked. */
	tracked = frees_ok & alloc_attached();
	if (frees_ok & ~tracked) {
		tracepoint_synchronize_unregister();
		detach_side(true, frees_ok & ~tracked, MO_KP_SOURCE_OFF);
	}
	sources_tracked = tracked;
	for (i = 0; i <= MEMOWNER_SRC_MAX; i++)
		if (sources & ~tracked & BIT(i))
			pr_warn("source %s: not tracked (a hook is missing, see status)\n",
				memowner_source_names[i]);
	return tracked ? 0 : -ENODEV;
}

/*
 * Allocation hooks first, and only once no allocation probe can still be
 * running, the free hooks: no record is made whose free could be missed.
 */
void mo_probes_detach(void)
{
	detach_side(false, ~0U, MO_KP_IDLE);
	tracepoint_synchronize_unregister();
	detach_side(true, ~0U, MO_KP_IDLE);
	/* No probe is running or will run once this returns. */
	tracepoint_synchronize_unregister();
	sources_asked = 0;
	sources_tracked = 0;
	sources_degraded = 0;
}

u32 mo_probes_sources_tracked(void)
{
	return sources_tracked;
}

u32 mo_probes_sources_degraded(void)
{
	return sources_degraded;
}

static void report_state(struct seq_file *m, enum mo_kp_state state, int err)
{
	if (state == MO_KP_FAILED)
		seq_printf(m, " FAILED (%d)", err);
	else
		seq_printf(m, " %s", kp_state_names[state]);
}

/*
 * One line per hook of the sources asked for:
 *   hook: SRC KIND NAME attached [missed=N]
 *   hook: SRC KIND NAME FAILED (ERR)
 *   hook: SRC KIND NAME not attached: WHY
 */
void mo_probes_report(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		const struct mo_tp *t = &tps[i];

		if (!(sources_asked & BIT(t->src)))
			continue;
		seq_printf(m, "hook: %s tracepoint %s",
			   memowner_source_names[t->src], t->name);
		report_state(m, t->state, t->err);
		seq_putc(m, '\n');
	}
	for (i = 0; i < ARRAY_SIZE(kps); i++) {
		const struct mo_kp *k = &kps[i];

		if (!(sources_asked & BIT(k->src)))
			continue;
		seq_printf(m, "hook: %s %s %s", memowner_source_names[k->src],
			   k->ret ? "kretprobe" : "kprobe", kp_name(k));
		report_state(m, k->state, k->err);
		if (k->state == MO_KP_ATTACHED)
			seq_printf(m, " missed=%lu", k->ret ?
				   k->rp.nmissed + k->rp.kp.nmissed :
				   k->kp.nmissed);
		seq_putc(m, '\n');
	}
	seq_printf(m, "source_masks: asked=%u tracked=%u degraded=%u\n",
		   sources_asked, sources_tracked, sources_degraded);
}

/*
 * Calls no handler saw: a kretprobe out of instances (rp.nmissed), and any
 * kprobe hit while another kprobe handler ran on that CPU (kp.nmissed).
 */
u64 mo_probes_missed(void)
{
	unsigned int i;
	u64 n = 0;

	for (i = 0; i < ARRAY_SIZE(kps); i++) {
		if (kps[i].state != MO_KP_ATTACHED)
			continue;
		if (kps[i].ret)
			n += kps[i].rp.nmissed + kps[i].rp.kp.nmissed;
		else
			n += kps[i].kp.nmissed;
	}
	return n;
}

unsigned int mo_probes_failed(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(tps); i++)
		n += tps[i].state != MO_KP_IDLE && tps[i].state != MO_KP_ATTACHED;
	for (i = 0; i < ARRAY_SIZE(kps); i++)
		n += kps[i].state != MO_KP_IDLE && kps[i].state != MO_KP_ATTACHED;
	return n;
}
