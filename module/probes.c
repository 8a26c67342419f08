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
 *  vmalloc      kretprobe on __vmalloc_node_range(_noprof), kprobe on vfree
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
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/kmem.h>
#include <trace/events/percpu.h>

#include "owner.h"
#include "params.h"
#include "preload.h"
#include "probes.h"
#include "site.h"
#include "track.h"

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

static void probe_kmalloc(void *data, unsigned long call_site, const void *ptr,
			  size_t bytes_req, size_t bytes_alloc, gfp_t gfp,
			  int node)
{
	slab_alloc(call_site, ptr, kmalloc_key(bytes_alloc, gfp), bytes_req,
		   bytes_alloc, gfp);
}

static void probe_kmem_cache_alloc(void *data, unsigned long call_site,
				   const void *ptr, struct kmem_cache *s,
				   gfp_t gfp, int node)
{
	u64 size;

	if (unlikely(!ptr)) {
		mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_SLAB);
		return;
	}
	size = kmem_cache_size(s);
	slab_alloc(call_site, ptr, s, size, size, gfp);
}

static __always_inline void slab_free(const void *ptr)
{
	/* kfree(NULL) fires the tracepoint too: not an event. */
	if (unlikely(ZERO_OR_NULL_PTR(ptr)))
		return;
	free_event(MEMOWNER_SRC_SLAB, (unsigned long)ptr, 0);
}

static void probe_kfree(void *data, unsigned long call_site, const void *ptr)
{
	slab_free(ptr);
}

static void probe_kmem_cache_free(void *data, unsigned long call_site,
				  const void *ptr, const struct kmem_cache *s)
{
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
	mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_PAGE);
	if (unlikely(!page))
		return;
	page_alloc(page, order, gfp, mt, MO_INSERT_REPLACE);
}

static void probe_mm_page_free(void *data, struct page *page,
			       unsigned int order)
{
	free_event(MEMOWNER_SRC_PAGE, page_to_pfn(page), order);
}

/*
 * A page freed from a list fires mm_page_free first, then this one: it is
 * a free only when the first was not seen (and then not counted twice).
 */
static void probe_mm_page_free_batched(void *data, struct page *page)
{
	unsigned long pfn = page_to_pfn(page);

	if (mo_owner_maybe(pfn, MEMOWNER_SRC_PAGE))
		mo_track_free_batched(pfn);
}

static void probe_percpu_alloc(void *data, unsigned long call_site,
			       bool reserved, bool is_atomic, size_t size,
			       size_t align, void *base_addr, int off,
			       void __percpu *ptr, size_t bytes_alloc,
			       gfp_t gfp)
{
	mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_PERCPU);
	if (unlikely(!ptr))
		return;
	alloc_event(MEMOWNER_SRC_PERCPU, (unsigned long)ptr, call_site, NULL,
		    bytes_alloc, size, bytes_alloc, gfp, 0, MO_INSERT_REPLACE);
}

static void probe_percpu_free(void *data, void *base_addr, int off,
			      void __percpu *ptr)
{
	if (ptr)
		free_event(MEMOWNER_SRC_PERCPU, (unsigned long)ptr, 0);
}

struct mo_tp {
	const char *name;
	void *func;
	unsigned int src;
	struct tracepoint *tp;
	int err;
	bool attached;
};

/* Frees first: attached in this order, detached in reverse. */
static struct mo_tp tps[] = {
	{ "kfree", probe_kfree, MEMOWNER_SRC_SLAB },
	{ "kmem_cache_free", probe_kmem_cache_free, MEMOWNER_SRC_SLAB },
	{ "mm_page_free", probe_mm_page_free, MEMOWNER_SRC_PAGE },
	{ "mm_page_free_batched", probe_mm_page_free_batched, MEMOWNER_SRC_PAGE },
	{ "percpu_free_percpu", probe_percpu_free, MEMOWNER_SRC_PERCPU },
	{ "kmalloc", probe_kmalloc, MEMOWNER_SRC_SLAB },
	{ "kmem_cache_alloc", probe_kmem_cache_alloc, MEMOWNER_SRC_SLAB },
	{ "mm_page_alloc", probe_mm_page_alloc, MEMOWNER_SRC_PAGE },
	{ "percpu_alloc_percpu", probe_percpu_alloc, MEMOWNER_SRC_PERCPU },
};

/* A wrong prototype here is a build error, not a crash. */
static void __maybe_unused check_prototypes(void)
{
	check_trace_callback_type_kmalloc(probe_kmalloc);
	check_trace_callback_type_kmem_cache_alloc(probe_kmem_cache_alloc);
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

static int vmalloc_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vmalloc_data *d = (void *)ri->data;
	unsigned long size = regs_get_kernel_argument(regs, 0);
	gfp_t gfp = regs_get_kernel_argument(regs, 4);
	unsigned long caller = regs_get_kernel_argument(regs, 8);

	mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_VMALLOC);
	d->site = mo_track_prepare(MEMOWNER_SRC_VMALLOC, caller, NULL,
				   PAGE_ALIGN(size), gfp, 0);
	d->size = size;
	d->gfp = gfp;
	return d->site ? 0 : 1;	/* 1: no return handler for this call */
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
	if (mo_sample_skips_all(nr * kmem_cache_size(d->s))) {
		this_cpu_add(mo_hot.stats[MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_SLAB],
			     nr);
		return 1;
	}
	d->site = mo_track_site(MEMOWNER_SRC_SLAB, entry_ret_ip(regs), d->s,
				d->gfp, 0);
	return d->site ? 0 : 1;
}

static int cache_bulk_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct bulk_data *d = (void *)ri->data;
	long i, nr = (int)regs_return_value(regs);
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

	for (i = 0; i < nr; i++) {
		mo_stat_inc(MO_STAT_ALLOC_EVENTS + MEMOWNER_SRC_SLAB);
		if (!d->p[i] || !mo_sampled(size))
			continue;
		a.key = (unsigned long)d->p[i];
		mo_track_alloc(&a);
	}
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

static int pages_bulk_entry(struct kretprobe_instance *ri,
			    struct pt_regs *regs)
{
	struct pages_bulk_data *d = (void *)ri->data;

	d->gfp = regs_get_kernel_argument(regs, 0);
	d->nr = (int)regs_get_kernel_argument(regs, 3);
	d->list = (struct list_head *)regs_get_kernel_argument(regs, 4);
	d->array = (struct page **)regs_get_kernel_argument(regs, 5);
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
	if (mo_sampled(PAGE_SIZE))
		mo_track_alloc(&a);
}

/*
 * Pages of the fast path fired no mm_page_alloc; those of its fallback did,
 * and array slots filled before the call are not new: all are recorded only
 * if absent.  New list pages were added at the head, before d->first.
 */
static int pages_bulk_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
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

static int split_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct page *head = (struct page *)regs_get_kernel_argument(regs, 0);
#ifdef MEMOWNER_HAVE_SPLIT_ORDERS
	unsigned int new_order = regs_get_kernel_argument(regs, 2);
#else
	unsigned int new_order = 0;
#endif

	mo_track_split(page_to_pfn(head), new_order);
	return 0;
}

struct mo_kp {
	const char *names[2];	/* tried in order: 6.10+ name, older name */
	unsigned int src;
	bool ret;		/* kretprobe */
	kprobe_pre_handler_t pre;
	kretprobe_handler_t entry, handler;
	size_t data_size;
	union {
		struct kprobe kp;
		struct kretprobe rp;
	};
	const char *name;	/* the one attached */
	int err;
	bool attached;
};

static struct mo_kp kps[] = {
	{ { "vfree" }, MEMOWNER_SRC_VMALLOC, false, vfree_pre },
	{ { "kmem_cache_free_bulk" }, MEMOWNER_SRC_SLAB, false,
	  cache_free_bulk_pre },
	{ { "split_page_memcg" }, MEMOWNER_SRC_PAGE, false, split_pre },
	{ { "__vmalloc_node_range_noprof", "__vmalloc_node_range" },
	  MEMOWNER_SRC_VMALLOC, true, NULL, vmalloc_entry, vmalloc_ret,
	  sizeof(struct vmalloc_data) },
	{ { "kmem_cache_alloc_bulk_noprof", "kmem_cache_alloc_bulk" },
	  MEMOWNER_SRC_SLAB, true, NULL, cache_bulk_entry, cache_bulk_ret,
	  sizeof(struct bulk_data) },
	{ { "alloc_pages_bulk_noprof", "__alloc_pages_bulk" },
	  MEMOWNER_SRC_PAGE, true, NULL, pages_bulk_entry, pages_bulk_ret,
	  sizeof(struct pages_bulk_data) },
};

static int attach_kp(struct mo_kp *k)
{
	int i, ret = -ENOENT;

	for (i = 0; i < ARRAY_SIZE(k->names) && k->names[i]; i++) {
		if (k->ret) {
			memset(&k->rp, 0, sizeof(k->rp));
			k->rp.kp.symbol_name = k->names[i];
			k->rp.entry_handler = k->entry;
			k->rp.handler = k->handler;
			k->rp.data_size = k->data_size;
			/* Sleeping allocators: many calls may be in flight. */
			k->rp.maxactive = max(64U, 4 * num_possible_cpus());
			ret = register_kretprobe(&k->rp);
		} else {
			memset(&k->kp, 0, sizeof(k->kp));
			k->kp.symbol_name = k->names[i];
			k->kp.pre_handler = k->pre;
			ret = register_kprobe(&k->kp);
		}
		if (!ret) {
			k->name = k->names[i];
			return 0;
		}
	}
	k->name = k->names[0];
	return ret;
}

static void detach_kp(struct mo_kp *k)
{
	if (k->ret)
		unregister_kretprobe(&k->rp);
	else
		unregister_kprobe(&k->kp);
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

static u32 sources_attached;

int mo_probes_attach(u32 sources)
{
	unsigned int i;
	int ret;

	for_each_kernel_tracepoint(find_tp, NULL);

	/* Frees before allocations: tracepoints, then kprobes, frees first. */
	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		struct mo_tp *t = &tps[i];

		t->attached = false;
		t->err = 0;
		if (!(sources & BIT(t->src)))
			continue;
		if (!t->tp) {
			t->err = -ENOENT;
			pr_warn("tracepoint %s not found\n", t->name);
			continue;
		}
		ret = tracepoint_probe_register(t->tp, t->func, NULL);
		if (ret) {
			t->err = ret;
			pr_warn("tracepoint %s: attach failed: %d\n", t->name, ret);
			continue;
		}
		t->attached = true;
	}
	for (i = 0; i < ARRAY_SIZE(kps); i++) {
		struct mo_kp *k = &kps[i];

		k->attached = false;
		k->err = 0;
		if (!(sources & BIT(k->src)))
			continue;
		ret = attach_kp(k);
		if (ret) {
			k->err = ret;
			pr_warn("%s %s: attach failed: %d\n",
				k->ret ? "kretprobe" : "kprobe", k->name, ret);
			continue;
		}
		k->attached = true;
	}
	sources_attached = sources;
	return 0;
}

void mo_probes_detach(void)
{
	int i;

	for (i = ARRAY_SIZE(kps) - 1; i >= 0; i--) {
		if (kps[i].attached)
			detach_kp(&kps[i]);
		kps[i].attached = false;
	}
	for (i = ARRAY_SIZE(tps) - 1; i >= 0; i--) {
		if (tps[i].attached)
			tracepoint_probe_unregister(tps[i].tp, tps[i].func, NULL);
		tps[i].attached = false;
	}
	/* No probe is running or will run once this returns. */
	tracepoint_synchronize_unregister();
	sources_attached = 0;
}

void mo_probes_report(struct seq_file *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tps); i++) {
		const struct mo_tp *t = &tps[i];

		if (!(sources_attached & BIT(t->src)))
			continue;
		seq_printf(m, "hook: %s tracepoint %s %s", memowner_source_names[t->src],
			   t->name, t->attached ? "attached" : "FAILED");
		if (t->err)
			seq_printf(m, " (%d)", t->err);
		seq_putc(m, '\n');
	}
	for (i = 0; i < ARRAY_SIZE(kps); i++) {
		const struct mo_kp *k = &kps[i];

		if (!(sources_attached & BIT(k->src)))
			continue;
		seq_printf(m, "hook: %s %s %s %s", memowner_source_names[k->src],
			   k->ret ? "kretprobe" : "kprobe", k->name,
			   k->attached ? "attached" : "FAILED");
		if (k->err)
			seq_printf(m, " (%d)", k->err);
		if (k->ret && k->attached)
			seq_printf(m, " missed=%d", k->rp.nmissed);
		seq_putc(m, '\n');
	}
}

u64 mo_probes_missed(void)
{
	unsigned int i;
	u64 n = 0;

	for (i = 0; i < ARRAY_SIZE(kps); i++)
		if (kps[i].ret && kps[i].attached)
			n += kps[i].rp.nmissed;
	return n;
}

unsigned int mo_probes_failed(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(tps); i++)
		n += !!tps[i].err;
	for (i = 0; i < ARRAY_SIZE(kps); i++)
		n += !!kps[i].err;
	return n;
}
