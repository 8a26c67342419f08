// SPDX-License-Identifier: GPL-2.0
/*
 * memowner_test.ko: allocate, hold and free kernel memory on command.
 *
 * The memowner selftests need allocations whose owner, size, context and
 * stack they know in advance, so that they can compare memowner's report
 * with the truth.  This module makes them on request, through debugfs:
 *
 *   /sys/kernel/debug/memowner_test/control   (0200, one command per write)
 *     alloc KIND COUNT SIZE [cpu=N] [ctx=process|softirq|hardirq] [via=FN]
 *     free KIND [kfree_rcu|kfree_bulk|vfree_atomic]
 *     paths COUNT SIZE
 *     stress COUNT SIZE
 *     fragment COUNT
 *     hold-exit MS
 *     release-exit
 *     leak kmalloc
 *     reset
 *   /sys/kernel/debug/memowner_test/held      (0400)
 *     KIND count=N bytes_req=N bytes_alloc=N pages=N     per KIND held
 *     stress allocs=N frees=N                            when nonzero
 *     fragment blocks=N pages=N fallbacks=N              the last fragment
 *     hold-exit ms=N hits=N                              while armed
 *   /sys/kernel/debug/memowner_test/pfns      (0400)
 *     PFN ORDER KIND           per held block of pages, split, pages_bulk
 *
 * KIND is one of kmalloc, cache, pages, split, vmalloc, percpu, cache_bulk,
 * pages_bulk, paths, merged.  COUNT is 1..1048576 in process context, 1..4096 in softirq
 * and hardirq context.  SIZE is bytes for kmalloc and vmalloc (1..4 MiB),
 * cache, cache_bulk and merged (8..8192; at most 8 sizes, i.e. caches, per load),
 * percpu (1..4096); the order for pages (0..10) and split (1..10); 0 for
 * pages_bulk.  stress takes COUNT 1..16M and SIZE 8..4 MiB (each object
 * carries the list node it is handed over with).
 *
 * merged allocates from memowner_test_merged_<SIZE>, a cache without a
 * constructor created right after memowner_test_partner_<SIZE>, another
 * one of the same size, so that SLUB merges it (into the partner, or an
 * older cache of that size): memowner_test_merged_<SIZE> is then only an
 * alias in /sys/kernel/slab, and its objects belong to a cache of another
 * name.  Where caches are never merged (slab_nomerge, debug flags) it is
 * a cache of its own.
 *
 * via=krealloc (kmalloc only): each object is a kmalloc(8) moved by
 * krealloc() to SIZE bytes (the 8-byte one freed by it).  "free kmalloc
 * kfree_rcu" and "free kmalloc kfree_bulk" free a kind's objects through
 * kvfree_rcu() (after a grace period) and kfree_bulk(), "free vmalloc
 * vfree_atomic" through vfree() in softirq context, i.e. deferred to a
 * work item as vfree_atomic() does.
 *
 * via=FN (vmalloc) names the entry point each object is allocated by:
 * vmalloc (the default), vzalloc, vmalloc_user, vmalloc_node, vzalloc_node,
 * vmalloc_32, vmalloc_32_user, __vmalloc or kvmalloc; kvmalloc's SIZE is
 * more than KMALLOC_MAX_SIZE, up to 8 MiB, so that it is a vmalloc too.
 *
 * paths COUNT SIZE (the same as "alloc paths COUNT SIZE") makes COUNT
 * kmalloc(SIZE) allocations, 1..16384 of 1..4 MiB, in process context only,
 * each from a call path of its own: object i is allocated by
 * memowner_test_paths_leaf() at the end of a chain of L = ceil(log2(COUNT))
 * frames of memowner_test_path_a() or memowner_test_path_b(), bit k of i
 * choosing the function of level k.  With at most 14 levels, every path is
 * a distinct stack within memowner's default depth of 16 frames (the leaf,
 * the 14 levels and memowner_test_paths()).
 *
 * fragment COUNT (1..262144) makes the page allocator fall back to a free
 * block of another migratetype smaller than a pageblock -- a "fragmenting"
 * fallback, kmem:mm_page_alloc_extfrag with fallback_order <
 * pageblock_order -- and gives everything back before the write returns.
 * Such a fallback happens only when no free block of pageblock order or
 * more is left (the allocator steals the largest block it finds), so
 * memowner_test_fragment() first takes every free block of pageblock order
 * (its "blocks", movable), gives back every other page of the last 32 of
 * them (a pool of free order-0 movable pages no other CPU's per-CPU list
 * can hide), then takes order-0 unmovable pages ("pages") until it saw 16
 * fragmenting fallbacks (its own probe on the tracepoint counts them,
 * "fallbacks") or took COUNT pages, then frees everything.  All phases use
 * __GFP_MEMALLOC without direct reclaim: watermarks would otherwise stop
 * them before the big blocks are gone, and nothing enters reclaim or the
 * OOM killer; the whole window is a few milliseconds (seconds under TCG).
 * Should the rest of the machine run out of memory meanwhile, an OOM
 * notifier gives everything back at once, and the command fails with
 * -ENOMEM unless the allocator had fragmented by then (a booted guest's
 * systemd once found nothing to allocate, and the OOM killer, nothing to
 * kill: a panic).
 *
 * hold-exit MS (1..1000) holds memowner.ko's unload for MS milliseconds
 * right after it began refusing every change (mo_control_going()) and
 * before its interfaces go: a kprobe on memowner's mo_alerts_stop(), the
 * next step of memowner_exit(), whose handler waits (a busy wait: a kprobe
 * handler cannot sleep; bounded, on the CPU running rmmod).  lifecycle_test
 * changes the configuration in that window.  memowner.ko must be loaded;
 * release-exit (and reset, and unloading this module) removes the probe,
 * which the kernel also disarms when memowner.ko goes.
 *
 * leak kmalloc hands every held kmalloc object over to nobody: they stay
 * allocated after this module unloads (kmemleak is told to ignore them),
 * so that memowner's records of them outlive the code that made them
 * (names_test: their stacks must still name memowner_test_kmalloc()).
 *
 * Module parameter init_kmalloc=N (0..4096): N objects of 96 bytes
 * allocated at load by memowner_test_init_kmalloc(), a function of the
 * init text (freed once init has run), held until unload.
 *
 * A write returns its length, -EINVAL for a malformed command or an
 * out-of-range value, -ENOMEM when an allocation fails (and then the
 * command holds nothing: what it got is freed again), -EINTR when the
 * writer is killed during a process-context allocation, and -EIO when the
 * allocation did not run in the context asked for (a bug; never expected).
 *
 * alloc pages and alloc split of an order above PAGE_ALLOC_COSTLY_ORDER,
 * made by the writer itself, stop at the first allocation that entered
 * direct reclaim (the module's probe on vmscan:mm_vmscan_direct_reclaim_begin
 * sees it), and the write fails with -ENOMEM: a command for more blocks
 * than the machine has free makes exactly one round of direct reclaim,
 * never a machine whose page cache is reclaimed and compacted block after
 * block (see mot_reclaim_probe()).
 *
 * held counts objects (split, pages_bulk: order-0 pages; pages: blocks);
 * bytes_req is the sum of SIZE (page kinds: the block's bytes), bytes_alloc
 * the sum of ksize() for slab kinds, of the pages' bytes for page kinds, of
 * PAGE_ALIGN(SIZE) for vmalloc and of SIZE * num_possible_cpus() for percpu;
 * pages counts the base pages of page kinds and vmalloc.
 *
 * Every allocation is made from a noinline, non-cloned function named
 * memowner_test_<kind>() (memowner_test_stress_alloc() for stress,
 * memowner_test_paths_leaf() for paths) that does
 * more work after the allocator call, so that the function is a frame of its
 * own in the allocation's stack trace and the allocator's call site lies
 * inside it.
 *
 * Contexts:
 *   process  the writer itself, or with cpu=N a work item bound to CPU N
 *            (work_on_cpu()), GFP_KERNEL;
 *   softirq  a timer added on the CPU with add_timer_on(): the allocation
 *            runs in its callback, from TIMER_SOFTIRQ, GFP_ATOMIC;
 *   hardirq  an IRQ_WORK_INIT_HARD irq_work queued on the CPU it is to run
 *            on: irq_work_queue() raises the irq_work self-IPI and the
 *            callback runs from that interrupt, GFP_ATOMIC.  With cpu=N the
 *            irq_work is queued from a work item bound to CPU N.  A remote
 *            irq_work_queue_on() or smp_call_function_single() is not used
 *            because a target CPU idling in a polling state runs that queue
 *            from the idle task, not from an interrupt.
 * Every callback checks the context it runs in (in_task(),
 * in_serving_softirq(), in_hardirq()) and the CPU, and fails the command
 * with -EIO on a mismatch.
 *
 * vmalloc sleeps, so it is process context only.  kmem_cache_alloc_bulk()
 * must be called with interrupts enabled (6.1 enables them on the way out),
 * so cache_bulk is process or softirq context only.  On PREEMPT_RT no
 * allocation may be made in hardirq context at all.
 */

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/irq_work.h>
#include <linux/kmemleak.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/oom.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/tracepoint.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <trace/events/kmem.h>
#include <trace/events/vmscan.h>

/*
 * Kernel API renames, probed in Kbuild (docs/kernels.md): 6.14 dropped
 * alloc_pages_bulk_array() for alloc_pages_bulk() (the list form went);
 * 6.16 renamed from_timer() timer_container_of(); 6.2 named
 * del_timer_sync() timer_delete_sync() and 6.15 dropped the old name;
 * kmem_cache_alloc_bulk() returns whether it allocated all objects (bool)
 * by 7.2, the number of objects (all or 0) before.
 */
#if defined(MEMOWNER_HAVE_ALLOC_PAGES_BULK_ARRAY)
#define mot_alloc_pages_bulk(gfp, nr, pages) \
	alloc_pages_bulk_array(gfp, nr, pages)
#elif defined(MEMOWNER_HAVE_ALLOC_PAGES_BULK)
#define mot_alloc_pages_bulk(gfp, nr, pages) alloc_pages_bulk(gfp, nr, pages)
#else
/*
 * Before 5.13 there is no bulk page allocator: the pages are allocated one
 * by one, as a caller of such a kernel does (memowner sees each through
 * mm_page_alloc).
 */
static unsigned long mot_alloc_pages_bulk(gfp_t gfp, unsigned long nr,
					  struct page **pages)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		if (pages[i])
			continue;
		pages[i] = alloc_page(gfp);
		if (!pages[i])
			break;
	}
	return i;
}
#endif
#ifndef MEMOWNER_HAVE_IN_HARDIRQ
#define in_hardirq()	in_irq()
#endif
#ifndef MEMOWNER_HAVE_IRQ_WORK_INIT_HARD
/* Before 5.11: an irq_work runs in hard interrupt context unless RT. */
#define IRQ_WORK_INIT_HARD(fn) ({ struct irq_work __w; \
	init_irq_work(&__w, fn); __w; })
#endif
#ifndef MEMOWNER_HAVE_TIMER_CONTAINER_OF
#define timer_container_of(var, t, field) from_timer(var, t, field)
#endif
#ifndef MEMOWNER_HAVE_TIMER_DELETE_SYNC
#define timer_delete_sync(t) del_timer_sync(t)
#endif
/* 6.15 named destroy_timer_on_stack() timer_destroy_on_stack(). */
#ifndef MEMOWNER_HAVE_TIMER_DESTROY_ON_STACK
#define timer_destroy_on_stack(t) destroy_timer_on_stack(t)
#endif
#ifdef MEMOWNER_HAVE_CACHE_ALLOC_BULK_BOOL
#define mot_cache_alloc_bulk(s, gfp, nr, p) \
	(kmem_cache_alloc_bulk(s, gfp, nr, p) ? (int)(nr) : 0)
#else
#define mot_cache_alloc_bulk(s, gfp, nr, p) kmem_cache_alloc_bulk(s, gfp, nr, p)
#endif

/*
 * The allocating functions must stay frames of their own under their own
 * names: noinline alone still lets GCC clone them (.constprop, .isra), which
 * renames the frame.  noipa forbids that as well.
 */
#if __has_attribute(__noipa__)
#define __mot_noipa __attribute__((__noipa__))
#else
#define __mot_noipa
#endif

#define MOT_CMD_MAX		128
#define MOT_MAX_ARGS		8
#define MOT_MAX_COUNT		SZ_1M		/* process context */
#define MOT_MAX_COUNT_ATOMIC	4096UL		/* softirq, hardirq */
#define MOT_MAX_SIZE		SZ_4M
#define MOT_MAX_ORDER		10
#define MOT_CACHE_MIN		8
#define MOT_CACHE_MAX		8192
#define MOT_PERCPU_MAX		4096
#define MOT_MAX_CACHES		8
#define MOT_STRESS_MAX		SZ_16M
#define MOT_STRESS_BATCH	32
#define MOT_PATHS_MAX		16384		/* 2^14: 14 levels of a or b */

enum mot_kind {
	MOT_KMALLOC,
	MOT_CACHE,
	MOT_PAGES,
	MOT_SPLIT,
	MOT_VMALLOC,
	MOT_PERCPU,
	MOT_CACHE_BULK,
	MOT_PAGES_BULK,
	MOT_PATHS,
	MOT_MERGED,
	MOT_NR_KINDS
};

static const char *const mot_kind_names[MOT_NR_KINDS] = {
	[MOT_KMALLOC]		= "kmalloc",
	[MOT_CACHE]		= "cache",
	[MOT_PAGES]		= "pages",
	[MOT_SPLIT]		= "split",
	[MOT_VMALLOC]		= "vmalloc",
	[MOT_PERCPU]		= "percpu",
	[MOT_CACHE_BULK]	= "cache_bulk",
	[MOT_PAGES_BULK]	= "pages_bulk",
	[MOT_PATHS]		= "paths",
	[MOT_MERGED]		= "merged",
};

enum mot_ctx {
	MOT_CTX_PROCESS,
	MOT_CTX_SOFTIRQ,
	MOT_CTX_HARDIRQ,
};

/*
 * The objects of one successful alloc command.  objs[] holds kmalloc,
 * cache and vmalloc pointers, percpu pointers (cast), or struct page
 * pointers: one per block for pages, one per base page for split and
 * pages_bulk.
 */
/* vmalloc's entry points (via=). */
enum mot_via {
	MOT_VIA_VMALLOC,
	MOT_VIA_VZALLOC,
	MOT_VIA_USER,
	MOT_VIA_NODE,
	MOT_VIA_VZALLOC_NODE,
	MOT_VIA_32,
	MOT_VIA_32_USER,
	MOT_VIA_GFP,
	MOT_VIA_KVMALLOC,
	MOT_VIA_KREALLOC,	/* kmalloc: kmalloc(8), then krealloc to SIZE */
	MOT_NR_VIAS
};

static const char *const mot_via_names[MOT_NR_VIAS] = {
	[MOT_VIA_VMALLOC]	= "vmalloc",
	[MOT_VIA_VZALLOC]	= "vzalloc",
	[MOT_VIA_USER]		= "vmalloc_user",
	[MOT_VIA_NODE]		= "vmalloc_node",
	[MOT_VIA_VZALLOC_NODE]	= "vzalloc_node",
	[MOT_VIA_32]		= "vmalloc_32",
	[MOT_VIA_32_USER]	= "vmalloc_32_user",
	[MOT_VIA_GFP]		= "__vmalloc",
	[MOT_VIA_KVMALLOC]	= "kvmalloc",
	[MOT_VIA_KREALLOC]	= "krealloc",
};

#define MOT_MAX_KVMALLOC	SZ_8M

struct mot_batch {
	struct list_head node;
	enum mot_kind kind;
	size_t size;			/* the command's SIZE */
	unsigned int order;		/* pages, split: order of one allocation */
	struct kmem_cache *cache;	/* cache, cache_bulk */
	int via;			/* vmalloc: enum mot_via */
	unsigned long nr;		/* objects in objs[] */
	void **objs;
	u64 bytes_req;
	u64 bytes_alloc;
	u64 pages;
};

/* One alloc command on its way to the context that allocates. */
struct mot_req {
	struct mot_batch *b;
	unsigned long count;	/* entries of b->objs to fill */
	gfp_t gfp;
	enum mot_ctx ctx;
	int cpu;		/* -1: the writer's own context */
	bool stop_at_reclaim;	/* costly order: see mot_reclaim_probe() */
	int err;
	struct completion done;
	struct timer_list timer;
	struct irq_work iw;
};

struct mot_cache {
	unsigned int size;
	struct kmem_cache *cache;
	char name[32];
};

/* Serialises commands and readers; everything below is under it. */
static DEFINE_MUTEX(mot_lock);
static struct list_head mot_batches[MOT_NR_KINDS];
static struct mot_cache mot_caches[MOT_MAX_CACHES];
static struct mot_cache mot_merged[MOT_MAX_CACHES];	/* "merged" */
static struct kmem_cache *mot_partners[MOT_MAX_CACHES];
static struct dentry *mot_dir;

static atomic64_t mot_stress_allocs = ATOMIC64_INIT(0);
static atomic64_t mot_stress_frees = ATOMIC64_INIT(0);

static bool mot_page_kind(enum mot_kind kind)
{
	return kind == MOT_PAGES || kind == MOT_SPLIT || kind == MOT_PAGES_BULK;
}

/*
 * A costly-order "alloc pages" beyond free memory stops once it entered
 * direct reclaim.  Each allocation past the free blocks otherwise
 * reclaimed and compacted for the next one until the whole page cache
 * was gone: on a booted guest the running programs' text was evicted,
 * faulted in again and migrated block after block, and under TCG every
 * store to a page that held executed code takes qemu's
 * self-modifying-code path (page_collection_lock, TB invalidation), so
 * zeroing one 4 MiB block (init_on_alloc) or a batch of migration
 * targets took minutes inside the allocator, which does not reschedule
 * there: soft lockups of 20-190 s, with memowner loaded or not.  The
 * tests need that first direct reclaim, nothing after it.
 *
 * 7.x: begin(gfp, order, memcg); before, begin(order, gfp).
 */
#ifdef MEMOWNER_HAVE_RECLAIM_BEGIN_MEMCG
#define MOT_RECLAIM_BEGIN_ARGS	gfp_t gfp, int order, struct mem_cgroup *memcg
#else
#define MOT_RECLAIM_BEGIN_ARGS	int order, gfp_t gfp
#endif
static struct task_struct *mot_reclaim_task;	/* under mot_lock */
static bool mot_reclaimed;

static void mot_reclaim_probe(void *data, MOT_RECLAIM_BEGIN_ARGS)
{
	if (READ_ONCE(mot_reclaim_task) == current)
		WRITE_ONCE(mot_reclaimed, true);
}

static bool mot_reclaim_stop(const struct mot_req *req)
{
	return req->stop_at_reclaim && READ_ONCE(mot_reclaimed);
}

/* The tracepoint called @name (a module cannot take most by symbol). */
struct mot_tp {
	const char *name;
	struct tracepoint *tp;
};

static void mot_find_tp(struct tracepoint *tp, void *priv)
{
	struct mot_tp *want = priv;

	if (!strcmp(tp->name, want->name))
		want->tp = tp;
}

static struct tracepoint *mot_tracepoint(const char *name)
{
	struct mot_tp want = { .name = name };

	for_each_kernel_tracepoint(mot_find_tp, &want);
	return want.tp;
}

/* Give the CPU away now and then in long process-context loops. */
static bool mot_yield(const struct mot_req *req)
{
	if (req->ctx != MOT_CTX_PROCESS)
		return false;
	cond_resched();
	return req->cpu < 0 && fatal_signal_pending(current);
}

/* A no-op constructor: a cache with one is never merged with another. */
static void mot_cache_ctor(void *obj)
{
}

/* The entry of @tab for @size: its cache, or a free one; NULL when full. */
static struct mot_cache *mot_cache_slot(struct mot_cache *tab,
					unsigned int size)
{
	int i;

	for (i = 0; i < MOT_MAX_CACHES; i++)
		if (!tab[i].cache || tab[i].size == size)
			return &tab[i];
	return NULL;
}

/*
 * The module's own cache of objects of @size bytes, created on first use.
 * Caches live until unload.  The constructor keeps slab merging from
 * handing back an existing kmalloc-N cache, so that the objects really
 * come from a cache named memowner_test_<size>.
 */
static struct kmem_cache *mot_get_cache(unsigned int size)
{
	struct mot_cache *c = mot_cache_slot(mot_caches, size);

	if (!c)
		return ERR_PTR(-EINVAL);
	if (c->cache)
		return c->cache;
	snprintf(c->name, sizeof(c->name), "memowner_test_%u", size);
	c->cache = kmem_cache_create(c->name, size, 0, 0, mot_cache_ctor);
	if (!c->cache)
		return ERR_PTR(-ENOMEM);
	c->size = size;
	return c->cache;
}

/* The cache "merged" allocates from: see the top of the file. */
static struct kmem_cache *mot_get_merged(unsigned int size)
{
	struct mot_cache *c = mot_cache_slot(mot_merged, size);
	struct kmem_cache **partner;
	char name[32];

	if (!c)
		return ERR_PTR(-EINVAL);
	if (c->cache)
		return c->cache;
	partner = &mot_partners[c - mot_merged];
	snprintf(name, sizeof(name), "memowner_test_partner_%u", size);
	*partner = kmem_cache_create(name, size, 0, 0, NULL);
	if (!*partner)
		return ERR_PTR(-ENOMEM);
	snprintf(c->name, sizeof(c->name), "memowner_test_merged_%u", size);
	c->cache = kmem_cache_create(c->name, size, 0, 0, NULL);
	if (!c->cache) {
		kmem_cache_destroy(*partner);
		*partner = NULL;
		return ERR_PTR(-ENOMEM);
	}
	c->size = size;
	return c->cache;
}

/* The allocating frames, one per kind.  They fill req->b->objs[]. */

static noinline __mot_noipa int memowner_test_kmalloc(struct mot_req *req)
{
	struct mot_batch *b = req->b;

	while (b->nr < req->count) {
		void *p = kmalloc(b->via == MOT_VIA_KREALLOC ? 8 : b->size,
				  req->gfp);

		if (p && b->via == MOT_VIA_KREALLOC) {
			/* Moved to a new object (of another size class). */
			void *q = krealloc(p, b->size, req->gfp);

			if (!q)
				kfree(p);
			p = q;
		}
		if (!p)
			return -ENOMEM;
		b->objs[b->nr++] = p;
		if (mot_yield(req))
			return -EINTR;
	}
	barrier();
	return 0;
}

static noinline __mot_noipa int memowner_test_cache_alloc(struct mot_req *req)
{
	struct mot_batch *b = req->b;

	while (b->nr < req->count) {
		void *p = kmem_cache_alloc(b->cache, req->gfp);

		if (!p)
			return -ENOMEM;
		b->objs[b->nr++] = p;
		if (mot_yield(req))
			return -EINTR;
	}
	barrier();
	return 0;
}

static noinline __mot_noipa int memowner_test_pages(struct mot_req *req)
{
	struct mot_batch *b = req->b;

	while (b->nr < req->count) {
		struct page *page = alloc_pages(req->gfp, b->order);

		if (!page)
			return -ENOMEM;
		b->objs[b->nr++] = page;
		if (mot_yield(req))
			return -EINTR;
		if (mot_reclaim_stop(req))
			return -ENOMEM;
	}
	barrier();
	return 0;
}

/* One non-compound block of 2^order pages, split into order-0 pages. */
static noinline __mot_noipa int memowner_test_split(struct mot_req *req)
{
	struct mot_batch *b = req->b;
	unsigned long i;

	while (b->nr < req->count) {
		struct page *page = alloc_pages(req->gfp, b->order);

		if (!page)
			return -ENOMEM;
		split_page(page, b->order);
		for (i = 0; i < (1UL << b->order); i++)
			b->objs[b->nr++] = page + i;
		if (mot_yield(req))
			return -EINTR;
		if (mot_reclaim_stop(req))
			return -ENOMEM;
	}
	barrier();
	return 0;
}

/* Inlined: the caller memowner reports is memowner_test_vmalloc(). */
static __always_inline void *mot_vmalloc_via(int via, size_t size)
{
	switch (via) {
	case MOT_VIA_VZALLOC:
		return vzalloc(size);
	case MOT_VIA_USER:
		return vmalloc_user(size);
	case MOT_VIA_NODE:
		return vmalloc_node(size, NUMA_NO_NODE);
	case MOT_VIA_VZALLOC_NODE:
		return vzalloc_node(size, NUMA_NO_NODE);
	case MOT_VIA_32:
		return vmalloc_32(size);
	case MOT_VIA_32_USER:
		return vmalloc_32_user(size);
	case MOT_VIA_GFP:
		return __vmalloc(size, GFP_KERNEL);
	case MOT_VIA_KVMALLOC:
		return kvmalloc(size, GFP_KERNEL);
	default:
		return vmalloc(size);
	}
}

static noinline __mot_noipa int memowner_test_vmalloc(struct mot_req *req)
{
	struct mot_batch *b = req->b;

	while (b->nr < req->count) {
		void *p = mot_vmalloc_via(b->via, b->size);

		if (!p)
			return -ENOMEM;
		b->objs[b->nr++] = p;
		if (mot_yield(req))
			return -EINTR;
	}
	barrier();
	return 0;
}

static noinline __mot_noipa int memowner_test_percpu(struct mot_req *req)
{
	struct mot_batch *b = req->b;

	while (b->nr < req->count) {
		void __percpu *p = __alloc_percpu_gfp(b->size, 8, req->gfp);

		if (!p)
			return -ENOMEM;
		/* Through an integer: x86's __percpu is __seg_gs since 6.15. */
		b->objs[b->nr++] = (void *)(__force unsigned long)p;
		if (mot_yield(req))
			return -EINTR;
	}
	barrier();
	return 0;
}

/* One call for all COUNT objects; SLUB gives all of them or none. */
static noinline __mot_noipa int memowner_test_cache_bulk(struct mot_req *req)
{
	struct mot_batch *b = req->b;
	int n;

	n = mot_cache_alloc_bulk(b->cache, req->gfp, req->count, b->objs);
	b->nr = n > 0 ? n : 0;
	barrier();
	return b->nr == req->count ? 0 : -ENOMEM;
}

/*
 * One call for all COUNT pages.  The bulk allocator may return fewer than
 * asked (it fills the array's empty tail and returns how many entries are
 * populated); it is called again while it makes progress, as its callers
 * in the kernel do.
 */
static noinline __mot_noipa int memowner_test_pages_bulk(struct mot_req *req)
{
	struct mot_batch *b = req->b;
	struct page **pages = (struct page **)b->objs;
	unsigned long n;

	for (;;) {
		n = mot_alloc_pages_bulk(req->gfp, req->count, pages);
		if (n == b->nr)
			break;
		b->nr = n;
		if (n == req->count)
			break;
	}
	barrier();
	return b->nr == req->count ? 0 : -ENOMEM;
}

/*
 * paths: object i comes from its own chain of frames.  The chain is walked
 * by memowner_test_path_a() and memowner_test_path_b(), one level each,
 * bit 0 of @idx choosing the next one; the leaf allocates.  mot_path_next()
 * is always inlined, so that each level is exactly one frame, and each
 * function does work after its call, so that no call is a tail call.
 */
static noinline __mot_noipa void *memowner_test_paths_leaf(size_t size)
{
	void *p = kmalloc(size, GFP_KERNEL);

	barrier();
	return p;
}

static noinline __mot_noipa void *memowner_test_path_a(unsigned long idx,
							unsigned int levels,
							size_t size);
static noinline __mot_noipa void *memowner_test_path_b(unsigned long idx,
							unsigned int levels,
							size_t size);

static __always_inline void *mot_path_next(unsigned long idx,
					   unsigned int levels, size_t size)
{
	if (!levels)
		return memowner_test_paths_leaf(size);
	if (idx & 1)
		return memowner_test_path_b(idx >> 1, levels - 1, size);
	return memowner_test_path_a(idx >> 1, levels - 1, size);
}

static noinline __mot_noipa void *memowner_test_path_a(unsigned long idx,
							unsigned int levels,
							size_t size)
{
	void *p = mot_path_next(idx, levels, size);

	barrier();
	return p;
}

static noinline __mot_noipa void *memowner_test_path_b(unsigned long idx,
							unsigned int levels,
							size_t size)
{
	void *p = mot_path_next(idx, levels, size);

	barrier();
	return p;
}

static noinline __mot_noipa int memowner_test_paths(struct mot_req *req)
{
	struct mot_batch *b = req->b;
	unsigned int levels = req->count > 1 ? fls_long(req->count - 1) : 0;

	while (b->nr < req->count) {
		void *p = mot_path_next(b->nr, levels, b->size);

		if (!p)
			return -ENOMEM;
		b->objs[b->nr++] = p;
		if (mot_yield(req))
			return -EINTR;
	}
	barrier();
	return 0;
}

static bool mot_in_ctx(const struct mot_req *req)
{
	if (req->cpu >= 0 && raw_smp_processor_id() != req->cpu)
		return false;
	switch (req->ctx) {
	case MOT_CTX_PROCESS:
		return in_task();
	case MOT_CTX_SOFTIRQ:
		return in_serving_softirq() && !in_hardirq() && !in_nmi();
	case MOT_CTX_HARDIRQ:
		return in_hardirq() && !in_nmi();
	}
	return false;
}

/* Runs in the requested context: make the allocations of one command. */
static int mot_do_alloc(struct mot_req *req)
{
	if (!mot_in_ctx(req))
		return -EIO;

	switch (req->b->kind) {
	case MOT_KMALLOC:
		return memowner_test_kmalloc(req);
	case MOT_CACHE:
	case MOT_MERGED:
		return memowner_test_cache_alloc(req);
	case MOT_PAGES:
		return memowner_test_pages(req);
	case MOT_SPLIT:
		return memowner_test_split(req);
	case MOT_VMALLOC:
		return memowner_test_vmalloc(req);
	case MOT_PERCPU:
		return memowner_test_percpu(req);
	case MOT_CACHE_BULK:
		return memowner_test_cache_bulk(req);
	case MOT_PAGES_BULK:
		return memowner_test_pages_bulk(req);
	case MOT_PATHS:
		return memowner_test_paths(req);
	case MOT_NR_KINDS:
		break;
	}
	return -EINVAL;
}

static long mot_process_fn(void *arg)
{
	return mot_do_alloc(arg);
}

static void mot_timer_fn(struct timer_list *t)
{
	struct mot_req *req = timer_container_of(req, t, timer);

	req->err = mot_do_alloc(req);
	complete(&req->done);
}

static void mot_irq_work_fn(struct irq_work *iw)
{
	struct mot_req *req = container_of(iw, struct mot_req, iw);

	req->err = mot_do_alloc(req);
	complete(&req->done);
}

/*
 * Raise the irq_work on this CPU: irq_work_queue() sends the irq_work
 * self-IPI (or, without one, leaves it to the next timer interrupt), so
 * the callback runs from an interrupt here.  Called from the writer or
 * from a work item bound to the target CPU.
 */
static long mot_hardirq_fn(void *arg)
{
	struct mot_req *req = arg;

	preempt_disable();
	req->cpu = smp_processor_id();
	irq_work_queue(&req->iw);
	preempt_enable();
	wait_for_completion(&req->done);
	/* The callback may still be returning; req is freed after us. */
	irq_work_sync(&req->iw);
	return req->err;
}

/* Run the allocations of @req in its context and wait for them. */
static int mot_dispatch(struct mot_req *req, bool cpu_given)
{
	int ret;

	if (req->ctx == MOT_CTX_PROCESS && !cpu_given)
		return mot_do_alloc(req);

	/* Keep the CPU online until the allocation has run on it. */
	cpus_read_lock();
	if (!cpu_given)
		req->cpu = raw_smp_processor_id();
	if (!cpu_online(req->cpu)) {
		cpus_read_unlock();
		return -EINVAL;
	}
	switch (req->ctx) {
	case MOT_CTX_PROCESS:
		ret = work_on_cpu(req->cpu, mot_process_fn, req);
		break;
	case MOT_CTX_SOFTIRQ:
		timer_setup(&req->timer, mot_timer_fn, 0);
		req->timer.expires = jiffies;
		add_timer_on(&req->timer, req->cpu);
		wait_for_completion(&req->done);
		/* Waits for the callback to return before req is freed. */
		timer_delete_sync(&req->timer);
		ret = req->err;
		break;
	case MOT_CTX_HARDIRQ:
		if (cpu_given)
			ret = work_on_cpu(req->cpu, mot_hardirq_fn, req);
		else
			ret = mot_hardirq_fn(req);
		break;
	default:
		ret = -EINVAL;
	}
	cpus_read_unlock();
	return ret;
}

/* Free what a batch holds, in process context. */
static void mot_free_objs(struct mot_batch *b)
{
	unsigned long i;

	switch (b->kind) {
	case MOT_CACHE_BULK:
		if (b->nr)
			kmem_cache_free_bulk(b->cache, b->nr, b->objs);
		b->nr = 0;
		return;
	case MOT_PAGES_BULK:
		/* Frees through the batched page-list path. */
		if (b->nr)
			release_pages((struct page **)b->objs, b->nr);
		b->nr = 0;
		return;
	default:
		break;
	}

	for (i = 0; i < b->nr; i++) {
		void *p = b->objs[i];

		switch (b->kind) {
		case MOT_KMALLOC:
		case MOT_PATHS:
			kfree(p);
			break;
		case MOT_CACHE:
		case MOT_MERGED:
			kmem_cache_free(b->cache, p);
			break;
		case MOT_PAGES:
			__free_pages(p, b->order);
			break;
		case MOT_SPLIT:
			__free_page((struct page *)p);
			break;
		case MOT_VMALLOC:
			kvfree(p);	/* kvmalloc's too */
			break;
		case MOT_PERCPU:
			free_percpu((void __percpu *)(__force unsigned long)p);
			break;
		default:
			break;
		}
		if (!(i & 1023))
			cond_resched();
	}
	b->nr = 0;
}

static void mot_free_batch(struct mot_batch *b)
{
	mot_free_objs(b);
	kvfree(b->objs);
	kfree(b);
}

static void mot_free_kind(enum mot_kind kind)
{
	struct mot_batch *b, *tmp;

	list_for_each_entry_safe(b, tmp, &mot_batches[kind], node) {
		list_del(&b->node);
		mot_free_batch(b);
	}
}

static void mot_free_all(void)
{
	int k;

	for (k = 0; k < MOT_NR_KINDS; k++)
		mot_free_kind(k);
}

/* Sum up what a batch holds, for "held" (process context, after alloc). */
static void mot_account(struct mot_batch *b)
{
	unsigned long i;
	size_t vsize = PAGE_ALIGN(b->size);

	switch (b->kind) {
	case MOT_KMALLOC:
	case MOT_CACHE:
	case MOT_MERGED:
	case MOT_CACHE_BULK:
	case MOT_PATHS:
		for (i = 0; i < b->nr; i++)
			b->bytes_alloc += ksize(b->objs[i]);
		b->bytes_req = (u64)b->nr * b->size;
		break;
	case MOT_PAGES:
		b->bytes_req = (u64)b->nr * (PAGE_SIZE << b->order);
		b->bytes_alloc = b->bytes_req;
		b->pages = (u64)b->nr << b->order;
		break;
	case MOT_SPLIT:
	case MOT_PAGES_BULK:
		b->bytes_req = (u64)b->nr * PAGE_SIZE;
		b->bytes_alloc = b->bytes_req;
		b->pages = b->nr;
		break;
	case MOT_VMALLOC:
		b->bytes_req = (u64)b->nr * b->size;
		b->bytes_alloc = (u64)b->nr * vsize;
		b->pages = (u64)b->nr * (vsize >> PAGE_SHIFT);
		break;
	case MOT_PERCPU:
		b->bytes_req = (u64)b->nr * b->size;
		b->bytes_alloc = b->bytes_req * num_possible_cpus();
		break;
	case MOT_NR_KINDS:
		break;
	}
}

/* Validate COUNT and SIZE of "alloc KIND COUNT SIZE" in context @ctx. */
static int mot_check_alloc(enum mot_kind kind, unsigned long count,
			   unsigned long size, enum mot_ctx ctx, int via)
{
	unsigned long max = ctx == MOT_CTX_PROCESS ? MOT_MAX_COUNT : MOT_MAX_COUNT_ATOMIC;

	if (count < 1 || count > max)
		return -EINVAL;
	/* PREEMPT_RT's slab and page allocators take sleeping locks. */
	if (IS_ENABLED(CONFIG_PREEMPT_RT) && ctx == MOT_CTX_HARDIRQ)
		return -EINVAL;
	switch (kind) {
	case MOT_KMALLOC:
		return size >= 1 && size <= MOT_MAX_SIZE ? 0 : -EINVAL;
	case MOT_VMALLOC:
		if (ctx != MOT_CTX_PROCESS)
			return -EINVAL;
		if (via == MOT_VIA_KVMALLOC)
			return size > KMALLOC_MAX_SIZE &&
			       size <= MOT_MAX_KVMALLOC ? 0 : -EINVAL;
		return size >= 1 && size <= MOT_MAX_SIZE ? 0 : -EINVAL;
	case MOT_CACHE_BULK:
		if (ctx == MOT_CTX_HARDIRQ)
			return -EINVAL;
		fallthrough;
	case MOT_CACHE:
	case MOT_MERGED:
		return size >= MOT_CACHE_MIN && size <= MOT_CACHE_MAX ? 0 : -EINVAL;
	case MOT_PAGES:
		return size <= MOT_MAX_ORDER ? 0 : -EINVAL;
	case MOT_SPLIT:
		return size >= 1 && size <= MOT_MAX_ORDER ? 0 : -EINVAL;
	case MOT_PERCPU:
		return size >= 1 && size <= MOT_PERCPU_MAX ? 0 : -EINVAL;
	case MOT_PAGES_BULK:
		return size == 0 ? 0 : -EINVAL;
	case MOT_PATHS:
		if (ctx != MOT_CTX_PROCESS || count > MOT_PATHS_MAX)
			return -EINVAL;
		return size >= 1 && size <= MOT_MAX_SIZE ? 0 : -EINVAL;
	case MOT_NR_KINDS:
		break;
	}
	return -EINVAL;
}

static int mot_alloc(enum mot_kind kind, unsigned long count, unsigned long size,
		     enum mot_ctx ctx, int cpu, int via)
{
	struct tracepoint *reclaim_tp = NULL;
	struct mot_batch *b;
	struct mot_req *req;
	unsigned long entries = count;
	int ret;

	ret = mot_check_alloc(kind, count, size, ctx, via);
	if (ret)
		return ret;

	b = kzalloc(sizeof(*b), GFP_KERNEL);
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!b || !req) {
		ret = -ENOMEM;
		goto out;
	}
	b->kind = kind;
	b->size = size;
	b->via = via;
	if (kind == MOT_PAGES || kind == MOT_SPLIT)
		b->order = size;
	if (kind == MOT_SPLIT)
		entries = count << size;
	if (kind == MOT_CACHE || kind == MOT_CACHE_BULK || kind == MOT_MERGED) {
		b->cache = kind == MOT_MERGED ? mot_get_merged(size) :
			   mot_get_cache(size);
		if (IS_ERR(b->cache)) {
			ret = PTR_ERR(b->cache);
			goto out;
		}
	}
	/*
	 * The holding array is made here, in process context, before the
	 * allocation is handed to an atomic context.  It is zeroed: the
	 * bulk page allocator fills only its NULL entries.
	 */
	b->objs = kvcalloc(entries, sizeof(void *), GFP_KERNEL | __GFP_NOWARN);
	if (!b->objs) {
		ret = -ENOMEM;
		goto out;
	}

	req->b = b;
	req->count = entries;
	req->ctx = ctx;
	req->cpu = cpu;
	req->gfp = ctx == MOT_CTX_PROCESS ? GFP_KERNEL : GFP_ATOMIC;
	init_completion(&req->done);
	req->iw = IRQ_WORK_INIT_HARD(mot_irq_work_fn);

	if (ctx == MOT_CTX_PROCESS && cpu < 0 &&
	    (kind == MOT_PAGES || kind == MOT_SPLIT) &&
	    b->order > PAGE_ALLOC_COSTLY_ORDER) {
		check_trace_callback_type_mm_vmscan_direct_reclaim_begin(mot_reclaim_probe);
		reclaim_tp = mot_tracepoint("mm_vmscan_direct_reclaim_begin");
		if (!reclaim_tp) {
			ret = -ENOENT;
			goto out;
		}
		WRITE_ONCE(mot_reclaimed, false);
		WRITE_ONCE(mot_reclaim_task, current);
		ret = tracepoint_probe_register(reclaim_tp, mot_reclaim_probe,
						NULL);
		if (ret) {
			reclaim_tp = NULL;
			goto out;
		}
		req->stop_at_reclaim = true;
	}
	ret = mot_dispatch(req, cpu >= 0);
	if (reclaim_tp) {
		tracepoint_probe_unregister(reclaim_tp, mot_reclaim_probe, NULL);
		tracepoint_synchronize_unregister();
		WRITE_ONCE(mot_reclaim_task, NULL);
	}
	if (ret)
		goto out;
	mot_account(b);
	list_add_tail(&b->node, &mot_batches[kind]);
	b = NULL;
out:
	if (b)
		mot_free_batch(b);
	kfree(req);
	return ret;
}

/* stress: per-CPU kthreads allocate and free, half of it across CPUs. */

struct mot_stress;

struct mot_stress_worker {
	struct mot_stress *st;
	struct task_struct *task;
	struct llist_head inbox;	/* objects handed to us to free */
	struct mot_stress_worker *peer;	/* gets half of our objects */
	unsigned long quota;
	int err;
};

struct mot_stress {
	size_t size;
	struct completion go;
	atomic_t producing;		/* workers still allocating */
	wait_queue_head_t wq;
	atomic_t running;		/* workers not done yet */
	struct completion done;
	unsigned int nr;
	struct mot_stress_worker w[];
};

static noinline __mot_noipa void *memowner_test_stress_alloc(size_t size)
{
	void *p = kmalloc(size, GFP_KERNEL);

	if (p)
		atomic64_inc(&mot_stress_allocs);
	barrier();
	return p;
}

static void mot_stress_free(void *p)
{
	kfree(p);
	atomic64_inc(&mot_stress_frees);
}

static void mot_stress_drain(struct mot_stress_worker *w)
{
	struct llist_node *n, *next;

	llist_for_each_safe(n, next, llist_del_all(&w->inbox))
		mot_stress_free(n);
}

static int mot_stress_fn(void *arg)
{
	struct mot_stress_worker *w = arg;
	struct mot_stress *st = w->st;
	void *batch[MOT_STRESS_BATCH];
	unsigned long n, i;

	/* Start all workers together so that they really run concurrently. */
	wait_for_completion(&st->go);

	while (w->quota && !w->err) {
		n = min_t(unsigned long, w->quota, MOT_STRESS_BATCH);
		for (i = 0; i < n; i++) {
			batch[i] = memowner_test_stress_alloc(st->size);
			if (!batch[i]) {
				w->err = -ENOMEM;
				break;
			}
		}
		n = i;
		w->quota -= n;
		/*
		 * Free every other object here; hand the rest to the peer on
		 * the next CPU, which frees them there.  An object carries its
		 * own list node: the stress SIZE is at least 8 bytes.
		 */
		for (i = 0; i < n; i++) {
			if (i & 1)
				llist_add(batch[i], &w->peer->inbox);
			else
				mot_stress_free(batch[i]);
		}
		mot_stress_drain(w);
		cond_resched();
	}

	/*
	 * Keep freeing what the others hand over until every worker has
	 * stopped allocating; their llist_add()s are ordered before their
	 * decrement, so the last drain below gets everything.
	 */
	if (atomic_dec_and_test(&st->producing))
		wake_up_all(&st->wq);
	while (atomic_read_acquire(&st->producing)) {
		mot_stress_drain(w);
		wait_event_timeout(st->wq, !atomic_read(&st->producing), 1);
	}
	mot_stress_drain(w);

	if (atomic_dec_and_test(&st->running))
		complete(&st->done);
	return 0;
}

static int mot_stress(unsigned long count, unsigned long size)
{
	struct mot_stress *st;
	unsigned int nr, i, created = 0;
	int cpu, ret = 0;

	if (count < 1 || count > MOT_STRESS_MAX || size < sizeof(struct llist_node) ||
	    size > MOT_MAX_SIZE)
		return -EINVAL;

	/* The set of CPUs stays fixed while the workers are bound to them. */
	cpus_read_lock();
	nr = num_online_cpus();
	st = kzalloc(struct_size(st, w, nr), GFP_KERNEL);
	if (!st) {
		cpus_read_unlock();
		return -ENOMEM;
	}
	st->size = size;
	st->nr = nr;
	init_completion(&st->go);
	init_waitqueue_head(&st->wq);
	init_completion(&st->done);

	i = 0;
	for_each_online_cpu(cpu) {
		struct mot_stress_worker *w = &st->w[i];
		struct task_struct *t;

		if (i == nr)
			break;
		w->st = st;
		init_llist_head(&w->inbox);
		w->quota = count / nr + (i < count % nr);
#ifdef MEMOWNER_HAVE_KTHREAD_CREATE_ON_CPU
		t = kthread_create_on_cpu(mot_stress_fn, w, cpu, "mo_stress/%u");
#else
		/* 5.10 does not export kthread_create_on_cpu(). */
		t = kthread_create_on_node(mot_stress_fn, w, cpu_to_node(cpu),
					   "mo_stress/%u", cpu);
		if (!IS_ERR(t))
			kthread_bind(t, cpu);
#endif
		if (IS_ERR(t)) {
			ret = PTR_ERR(t);
			break;
		}
		/* Keeps the task around for kthread_stop() after it exited. */
		get_task_struct(t);
		w->task = t;
		i++;
	}
	created = i;
	for (i = 0; i < created; i++)
		st->w[i].peer = &st->w[(i + 1) % created];
	atomic_set(&st->producing, created);
	atomic_set(&st->running, created);

	if (!ret) {
		for (i = 0; i < created; i++)
			wake_up_process(st->w[i].task);
		complete_all(&st->go);
		/*
		 * Wait for the workers themselves: a kthread_stop() that came
		 * before a worker first ran would keep it from running at all.
		 * A long stress must not look like a hung task: wake up now
		 * and then.
		 */
		while (!wait_for_completion_timeout(&st->done, HZ))
			;
	}
	/* Reaps the workers; those never woken exit without running. */
	for (i = 0; i < created; i++) {
		kthread_stop(st->w[i].task);
		put_task_struct(st->w[i].task);
		if (!ret && st->w[i].err)
			ret = st->w[i].err;
	}
	/* Nothing should be left; free it here if it is. */
	for (i = 0; i < created; i++)
		mot_stress_drain(&st->w[i]);
	cpus_read_unlock();
	kfree(st);
	return ret;
}

#define MOT_FRAG_MAX_PAGES	262144UL
#define MOT_FRAG_FALLBACKS	16
/* Blocks split into a movable order-0 pool: 32 * 256 free pages (x86). */
#define MOT_FRAG_SPLIT_BLOCKS	32UL
static unsigned long mot_frag_blocks, mot_frag_pages;
static atomic_t mot_frag_fallbacks = ATOMIC_INIT(0);

/* Counts fragmenting fallbacks: the stop condition of "fragment". */
static void mot_extfrag_probe(void *data, struct page *page, int alloc_order,
			      int fallback_order, int alloc_mt, int fallback_mt)
{
	if (fallback_order < pageblock_order)
		atomic_inc(&mot_frag_fallbacks);
}

/*
 * What "fragment" holds, under mot_frag_lock: every free pageblock and
 * then unmovable pages, taken below the watermarks (__GFP_MEMALLOC).  For
 * those milliseconds -- seconds under TCG -- the rest of the machine may
 * find nothing to allocate; on a booted machine systemd then did, and the
 * OOM killer, finding nothing it could kill, panicked.  So while it runs
 * an OOM notifier hands all of it back (as a balloon driver deflates),
 * and the command stops and fails with -ENOMEM.
 */
struct mot_frag_held {
	struct page **blocks, **pages;
	unsigned long nr_blocks, nr_pages;
	unsigned long nr_split;		/* the last nr_split blocks are split */
};
static DEFINE_SPINLOCK(mot_frag_lock);
static struct mot_frag_held mot_frag;	/* under mot_frag_lock */
static bool mot_frag_given_back;	/* under mot_frag_lock */

/* Free what @h holds; base pages freed. */
static unsigned long mot_frag_free(const struct mot_frag_held *h)
{
	unsigned long i, j, n = h->nr_pages;

	for (i = 0; i < h->nr_pages; i++) {
		__free_page(h->pages[i]);
		if (!(i & 1023))
			cond_resched();
	}
	for (i = 0; i < h->nr_blocks; i++) {
		if (i < h->nr_blocks - h->nr_split) {
			__free_pages(h->blocks[i], pageblock_order);
			n += pageblock_nr_pages;
		} else {
			/* The odd pages went back at the split. */
			for (j = 0; j < pageblock_nr_pages; j += 2)
				__free_page(h->blocks[i] + j);
			n += pageblock_nr_pages / 2;
		}
		cond_resched();
	}
	return n;
}

/* Take what the fragment holds out of mot_frag (for freeing), into @h. */
static void mot_frag_take(struct mot_frag_held *h, bool by_oom)
{
	spin_lock(&mot_frag_lock);
	*h = mot_frag;
	mot_frag.nr_blocks = 0;
	mot_frag.nr_pages = 0;
	mot_frag.nr_split = 0;
	if (by_oom && mot_frag.blocks)
		mot_frag_given_back = true;
	spin_unlock(&mot_frag_lock);
}

static int mot_frag_oom(struct notifier_block *nb, unsigned long unused,
			void *freed)
{
	struct mot_frag_held h;

	mot_frag_take(&h, true);
	*(unsigned long *)freed += mot_frag_free(&h);
	return NOTIFY_OK;
}

static struct notifier_block mot_frag_oom_nb = {
	.notifier_call = mot_frag_oom,
};

/* Hold @page as a block or a page; false once the OOM notifier ran. */
static bool mot_frag_hold(struct page *page, bool block)
{
	bool ok;

	spin_lock(&mot_frag_lock);
	ok = !mot_frag_given_back;
	if (ok && block)
		mot_frag.blocks[mot_frag.nr_blocks++] = page;
	else if (ok)
		mot_frag.pages[mot_frag.nr_pages++] = page;
	spin_unlock(&mot_frag_lock);
	if (!ok)
		__free_pages(page, block ? pageblock_order : 0);
	return ok;
}

/* See "fragment COUNT" above.  Process context, under mot_lock. */
static noinline __mot_noipa int memowner_test_fragment(unsigned long count)
{
	const gfp_t gfp = (GFP_KERNEL & ~__GFP_DIRECT_RECLAIM) |
			  __GFP_MEMALLOC | __GFP_NOWARN;
	unsigned long max_blocks, nr_split, i, j;
	struct page **blocks, **pages;
	struct mot_frag_held h;
	struct tracepoint *tp;
	bool given_back;
	int ret;

	check_trace_callback_type_mm_page_alloc_extfrag(mot_extfrag_probe);
	tp = mot_tracepoint("mm_page_alloc_extfrag");
	if (!tp)
		return -ENOENT;
	max_blocks = (totalram_pages() >> pageblock_order) + 1;
	blocks = kvcalloc(max_blocks, sizeof(*blocks), GFP_KERNEL);
	pages = kvcalloc(count, sizeof(*pages), GFP_KERNEL);
	ret = -ENOMEM;
	if (!blocks || !pages)
		goto out;
	atomic_set(&mot_frag_fallbacks, 0);
	ret = tracepoint_probe_register(tp, mot_extfrag_probe, NULL);
	if (ret)
		goto out;
	spin_lock(&mot_frag_lock);
	mot_frag = (struct mot_frag_held){ .blocks = blocks, .pages = pages };
	mot_frag_given_back = false;
	spin_unlock(&mot_frag_lock);
	ret = register_oom_notifier(&mot_frag_oom_nb);
	if (ret)
		goto unregister_tp;
	/* Movable, like the free blocks it takes: no pageblock changes type. */
	while (READ_ONCE(mot_frag.nr_blocks) < max_blocks) {
		struct page *page = alloc_pages(gfp | __GFP_MOVABLE,
						pageblock_order);

		if (!page || !mot_frag_hold(page, true))
			break;
		/* Thousands of allocations: never hog the CPU (soft lockup). */
		cond_resched();
	}
	/*
	 * Free order-0 movable pages inside movable pageblocks: every other
	 * page of the last blocks taken, split.  Once the unmovable free
	 * lists are used up, the allocator can then only steal from these
	 * (a fragmenting fallback), whatever else was free before: without
	 * them, what was left after the blocks could be only pages on other
	 * CPUs' per-CPU lists, out of this CPU's reach, and no fallback
	 * happened at all.  Most of the freed pages reach the free lists (a
	 * per-CPU list keeps at most its "high" count).
	 */
	spin_lock(&mot_frag_lock);
	nr_split = min(mot_frag.nr_blocks, MOT_FRAG_SPLIT_BLOCKS);
	for (i = mot_frag.nr_blocks - nr_split; i < mot_frag.nr_blocks; i++) {
		split_page(blocks[i], pageblock_order);
		for (j = 1; j < pageblock_nr_pages; j += 2)
			__free_page(blocks[i] + j);
	}
	mot_frag.nr_split = nr_split;
	spin_unlock(&mot_frag_lock);
	/*
	 * Unmovable pages until the allocator had to fragment a few times:
	 * the unmovable free lists may hold many pages first.
	 */
	while (READ_ONCE(mot_frag.nr_pages) < count &&
	       atomic_read(&mot_frag_fallbacks) < MOT_FRAG_FALLBACKS) {
		struct page *page = alloc_page(gfp);

		if (!page || !mot_frag_hold(page, false))
			break;
		cond_resched();
	}
	barrier();
	unregister_oom_notifier(&mot_frag_oom_nb);
	mot_frag_take(&h, false);
	mot_frag_free(&h);
	spin_lock(&mot_frag_lock);
	given_back = mot_frag_given_back;
	mot_frag.blocks = NULL;
	mot_frag.pages = NULL;
	spin_unlock(&mot_frag_lock);
	mot_frag_blocks = h.nr_blocks;
	mot_frag_pages = h.nr_pages;
	/*
	 * Given back to an OOM: the command did what it is for if the
	 * allocator had fragmented by then (its fallbacks are counted);
	 * otherwise it failed.
	 */
	if (given_back) {
		pr_info("fragment: the machine ran out of memory: everything given back after %d fallbacks\n",
			atomic_read(&mot_frag_fallbacks));
		if (!atomic_read(&mot_frag_fallbacks))
			ret = -ENOMEM;
	}
unregister_tp:
	tracepoint_probe_unregister(tp, mot_extfrag_probe, NULL);
	tracepoint_synchronize_unregister();
out:
	kvfree(blocks);
	kvfree(pages);
	return ret;
}

/* ---- holding memowner's unload (hold-exit) --------------------------- */

#define MOT_HOLD_MAX_MS	1000

static struct kprobe mot_hold_kp;
static bool mot_hold_armed;
static unsigned int mot_hold_ms;
static atomic_t mot_hold_hits;

static int mot_hold_pre(struct kprobe *p, struct pt_regs *regs)
{
	atomic_inc(&mot_hold_hits);
	mdelay(READ_ONCE(mot_hold_ms));
	return 0;
}

static void mot_release_exit(void)
{
	if (!mot_hold_armed)
		return;
	unregister_kprobe(&mot_hold_kp);
	mot_hold_armed = false;
}

static int mot_hold_exit(unsigned long ms)
{
	int ret;

	if (!ms || ms > MOT_HOLD_MAX_MS)
		return -EINVAL;
	mot_release_exit();
	memset(&mot_hold_kp, 0, sizeof(mot_hold_kp));
	mot_hold_kp.symbol_name = "mo_alerts_stop";
	mot_hold_kp.pre_handler = mot_hold_pre;
	WRITE_ONCE(mot_hold_ms, ms);
	atomic_set(&mot_hold_hits, 0);
	ret = register_kprobe(&mot_hold_kp);
	if (ret)
		return ret;
	mot_hold_armed = true;
	return 0;
}

/* "leak kmalloc": the objects stay allocated; the batches go. */
static void mot_leak_kmalloc(void)
{
	struct mot_batch *b, *tmp;
	unsigned long i;

	list_for_each_entry_safe(b, tmp, &mot_batches[MOT_KMALLOC], node) {
		for (i = 0; i < b->nr; i++)
			kmemleak_ignore(b->objs[i]);
		b->nr = 0;
		list_del(&b->node);
		mot_free_batch(b);
	}
}

static int mot_reset(void)
{
	mot_release_exit();
	mot_free_all();
	atomic64_set(&mot_stress_allocs, 0);
	atomic64_set(&mot_stress_frees, 0);
	mot_frag_blocks = 0;
	mot_frag_pages = 0;
	atomic_set(&mot_frag_fallbacks, 0);
	return 0;
}

/* Command parsing. */

static int mot_parse_kind(const char *s)
{
	int k;

	for (k = 0; k < MOT_NR_KINDS; k++)
		if (!strcmp(s, mot_kind_names[k]))
			return k;
	return -EINVAL;
}

static int mot_parse_ulong(const char *s, unsigned long *val)
{
	return kstrtoul(s, 10, val) ? -EINVAL : 0;
}

static int mot_cmd_alloc(int argc, char **argv)
{
	unsigned long count, size;
	enum mot_ctx ctx = MOT_CTX_PROCESS;
	bool have_ctx = false;
	int kind, cpu = -1, i, via = -1;

	if (argc < 4)
		return -EINVAL;
	kind = mot_parse_kind(argv[1]);
	if (kind < 0)
		return kind;
	if (mot_parse_ulong(argv[2], &count) || mot_parse_ulong(argv[3], &size))
		return -EINVAL;

	for (i = 4; i < argc; i++) {
		char *opt = argv[i];

		if (!strncmp(opt, "cpu=", 4)) {
			unsigned int c;

			if (cpu >= 0 || kstrtouint(opt + 4, 10, &c) || c >= nr_cpu_ids)
				return -EINVAL;
			cpu = c;
		} else if (!strncmp(opt, "ctx=", 4)) {
			if (have_ctx)
				return -EINVAL;
			have_ctx = true;
			if (!strcmp(opt + 4, "process"))
				ctx = MOT_CTX_PROCESS;
			else if (!strcmp(opt + 4, "softirq"))
				ctx = MOT_CTX_SOFTIRQ;
			else if (!strcmp(opt + 4, "hardirq"))
				ctx = MOT_CTX_HARDIRQ;
			else
				return -EINVAL;
		} else if (!strncmp(opt, "via=", 4) && via < 0 &&
			   (kind == MOT_VMALLOC || kind == MOT_KMALLOC)) {
			via = match_string(mot_via_names, MOT_NR_VIAS, opt + 4);
			/* krealloc is kmalloc's only; the others vmalloc's. */
			if (via < 0 ||
			    (via == MOT_VIA_KREALLOC) != (kind == MOT_KMALLOC))
				return -EINVAL;
		} else {
			return -EINVAL;
		}
	}
	return mot_alloc(kind, count, size, ctx, cpu,
			 via < 0 ? MOT_VIA_VMALLOC : via);
}

/*
 * "free KIND HOW": the frees of the kernel that defer, batch or move --
 * kmalloc by kfree_rcu (after a grace period) or kfree_bulk, vmalloc by
 * vfree_atomic (from a work item).
 */
enum mot_free_how { MOT_FREE_RCU, MOT_FREE_BULK, MOT_FREE_ATOMIC, MOT_NR_HOWS };

static const char *const mot_free_names[MOT_NR_HOWS] = {
	[MOT_FREE_RCU]		= "kfree_rcu",
	[MOT_FREE_BULK]		= "kfree_bulk",
	[MOT_FREE_ATOMIC]	= "vfree_atomic",
};

/*
 * vfree_atomic() is not exported (6.1); vfree() in interrupt context is
 * the same deferred free (a work item frees the area), so the objects are
 * vfree()d from a timer, in softirq context.
 */
struct mot_vfree_softirq {
	struct timer_list timer;
	struct mot_batch *b;
	struct completion done;
};

static void mot_vfree_timer_fn(struct timer_list *t)
{
	struct mot_vfree_softirq *v = timer_container_of(v, t, timer);
	unsigned long i;

	for (i = 0; i < v->b->nr; i++)
		vfree(v->b->objs[i]);
	complete(&v->done);
}

static void mot_vfree_deferred(struct mot_batch *b)
{
	struct mot_vfree_softirq v = { .b = b };

	init_completion(&v.done);
	timer_setup_on_stack(&v.timer, mot_vfree_timer_fn, 0);
	mod_timer(&v.timer, jiffies);
	wait_for_completion(&v.done);
	timer_delete_sync(&v.timer);
	timer_destroy_on_stack(&v.timer);
}

static void mot_free_objs_how(struct mot_batch *b, int how)
{
	unsigned long i;

	if (how == MOT_FREE_BULK) {
		if (b->nr)
			kfree_bulk(b->nr, b->objs);
		b->nr = 0;
		return;
	}
	if (how == MOT_FREE_ATOMIC) {
		if (b->nr)
			mot_vfree_deferred(b);
		b->nr = 0;
		return;
	}
	for (i = 0; i < b->nr; i++) {
#ifdef kvfree_rcu_mightsleep
		kvfree_rcu_mightsleep(b->objs[i]);
#else
		kvfree_rcu(b->objs[i]);
#endif
		if (!(i & 1023))
			cond_resched();
	}
	b->nr = 0;
}

static int mot_cmd_free(int argc, char **argv)
{
	struct mot_batch *b, *tmp;
	int kind, how;

	if (argc != 2 && argc != 3)
		return -EINVAL;
	kind = mot_parse_kind(argv[1]);
	if (kind < 0)
		return kind;
	if (argc == 2) {
		mot_free_kind(kind);
		return 0;
	}
	how = match_string(mot_free_names, MOT_NR_HOWS, argv[2]);
	if (how < 0 ||
	    (how == MOT_FREE_ATOMIC ? kind != MOT_VMALLOC : kind != MOT_KMALLOC))
		return -EINVAL;
	list_for_each_entry_safe(b, tmp, &mot_batches[kind], node) {
		/* kvmalloc's objects may be slab ones: vfree_atomic is not theirs. */
		if (how == MOT_FREE_ATOMIC && b->via == MOT_VIA_KVMALLOC)
			return -EINVAL;
	}
	list_for_each_entry_safe(b, tmp, &mot_batches[kind], node) {
		list_del(&b->node);
		mot_free_objs_how(b, how);
		mot_free_batch(b);
	}
	return 0;
}

static int mot_exec(int argc, char **argv)
{
	unsigned long count, size;

	if (argc == 0)
		return -EINVAL;
	if (!strcmp(argv[0], "alloc"))
		return mot_cmd_alloc(argc, argv);
	if (!strcmp(argv[0], "free"))
		return mot_cmd_free(argc, argv);
	if (!strcmp(argv[0], "paths")) {
		if (argc != 3 || mot_parse_ulong(argv[1], &count) ||
		    mot_parse_ulong(argv[2], &size))
			return -EINVAL;
		return mot_alloc(MOT_PATHS, count, size, MOT_CTX_PROCESS, -1,
				 MOT_VIA_VMALLOC);
	}
	if (!strcmp(argv[0], "stress")) {
		if (argc != 3 || mot_parse_ulong(argv[1], &count) ||
		    mot_parse_ulong(argv[2], &size))
			return -EINVAL;
		return mot_stress(count, size);
	}
	if (!strcmp(argv[0], "fragment")) {
		if (argc != 2 || mot_parse_ulong(argv[1], &count) ||
		    !count || count > MOT_FRAG_MAX_PAGES)
			return -EINVAL;
		return memowner_test_fragment(count);
	}
	if (!strcmp(argv[0], "hold-exit")) {
		if (argc != 2 || mot_parse_ulong(argv[1], &count))
			return -EINVAL;
		return mot_hold_exit(count);
	}
	if (!strcmp(argv[0], "release-exit")) {
		if (argc != 1)
			return -EINVAL;
		mot_release_exit();
		return 0;
	}
	if (!strcmp(argv[0], "leak")) {
		if (argc != 2 || strcmp(argv[1], "kmalloc"))
			return -EINVAL;
		mot_leak_kmalloc();
		return 0;
	}
	if (!strcmp(argv[0], "reset"))
		return argc == 1 ? mot_reset() : -EINVAL;
	return -EINVAL;
}

static ssize_t mot_control_write(struct file *file, const char __user *ubuf,
				 size_t len, loff_t *ppos)
{
	char buf[MOT_CMD_MAX], *s = buf, *tok;
	char *argv[MOT_MAX_ARGS];
	int argc = 0, ret;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	while ((tok = strsep(&s, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		if (argc == MOT_MAX_ARGS)
			return -EINVAL;
		argv[argc++] = tok;
	}

	if (mutex_lock_killable(&mot_lock))
		return -EINTR;
	ret = mot_exec(argc, argv);
	mutex_unlock(&mot_lock);
	return ret ? ret : len;
}

static const struct file_operations mot_control_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= mot_control_write,
	.llseek	= noop_llseek,
};

static int mot_held_show(struct seq_file *m, void *v)
{
	struct mot_batch *b;
	s64 allocs, frees;
	int k;

	/* Killable: a long stress holds the lock. */
	if (mutex_lock_killable(&mot_lock))
		return -EINTR;
	for (k = 0; k < MOT_NR_KINDS; k++) {
		u64 count = 0, req = 0, alloc = 0, pages = 0;

		list_for_each_entry(b, &mot_batches[k], node) {
			count += b->nr;
			req += b->bytes_req;
			alloc += b->bytes_alloc;
			pages += b->pages;
		}
		if (count)
			seq_printf(m, "%s count=%llu bytes_req=%llu bytes_alloc=%llu pages=%llu\n",
				   mot_kind_names[k], count, req, alloc, pages);
	}
	allocs = atomic64_read(&mot_stress_allocs);
	frees = atomic64_read(&mot_stress_frees);
	if (allocs || frees)
		seq_printf(m, "stress allocs=%lld frees=%lld\n", allocs, frees);
	if (mot_frag_blocks || mot_frag_pages)
		seq_printf(m, "fragment blocks=%lu pages=%lu fallbacks=%d\n",
			   mot_frag_blocks, mot_frag_pages,
			   atomic_read(&mot_frag_fallbacks));
	if (mot_hold_armed)
		seq_printf(m, "hold-exit ms=%u hits=%d\n", mot_hold_ms,
			   atomic_read(&mot_hold_hits));
	mutex_unlock(&mot_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mot_held);

/*
 * pfns: one line per held page block, possibly millions, so a real
 * iterator rather than one buffer.  mot_lock is held from start to stop.
 */
struct mot_pfn_iter {
	enum mot_kind kind;
	struct mot_batch *b;
	unsigned long i;
};

/* The first batch of a page kind at or after @kind, or NULL. */
static struct mot_batch *mot_pfn_first(enum mot_kind *kind)
{
	enum mot_kind k;

	for (k = *kind; k < MOT_NR_KINDS; k++) {
		if (mot_page_kind(k) && !list_empty(&mot_batches[k])) {
			*kind = k;
			return list_first_entry(&mot_batches[k], struct mot_batch, node);
		}
	}
	return NULL;
}

static void *mot_pfns_start(struct seq_file *m, loff_t *pos)
{
	struct mot_pfn_iter *it = m->private;
	loff_t n = *pos;
	struct mot_batch *b;
	enum mot_kind k;

	/* On failure seq_read() calls stop() with the error: nothing held. */
	if (mutex_lock_killable(&mot_lock))
		return ERR_PTR(-EINTR);
	for (k = 0; k < MOT_NR_KINDS; k++) {
		if (!mot_page_kind(k))
			continue;
		/* Every batch on a list holds at least one object. */
		list_for_each_entry(b, &mot_batches[k], node) {
			if (n < b->nr) {
				it->kind = k;
				it->b = b;
				it->i = n;
				return it;
			}
			n -= b->nr;
		}
	}
	return NULL;
}

static void *mot_pfns_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct mot_pfn_iter *it = v;
	enum mot_kind k;

	++*pos;
	if (++it->i < it->b->nr)
		return it;
	it->i = 0;
	if (!list_is_last(&it->b->node, &mot_batches[it->kind])) {
		it->b = list_next_entry(it->b, node);
		return it;
	}
	k = it->kind + 1;
	it->b = mot_pfn_first(&k);
	it->kind = k;
	return it->b ? it : NULL;
}

static void mot_pfns_stop(struct seq_file *m, void *v)
{
	if (!IS_ERR(v))
		mutex_unlock(&mot_lock);
}

static int mot_pfns_show(struct seq_file *m, void *v)
{
	struct mot_pfn_iter *it = v;
	struct page *page = it->b->objs[it->i];
	unsigned int order = it->kind == MOT_PAGES ? it->b->order : 0;

	seq_printf(m, "%lu %u %s\n", page_to_pfn(page), order,
		   mot_kind_names[it->kind]);
	return 0;
}

static const struct seq_operations mot_pfns_sops = {
	.start	= mot_pfns_start,
	.next	= mot_pfns_next,
	.stop	= mot_pfns_stop,
	.show	= mot_pfns_show,
};

static int mot_pfns_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &mot_pfns_sops, sizeof(struct mot_pfn_iter));
}

static const struct file_operations mot_pfns_fops = {
	.owner		= THIS_MODULE,
	.open		= mot_pfns_open,
	.read		= seq_read,
	.llseek		= seq_lseek,
	.release	= seq_release_private,
};

#define MOT_INIT_KMALLOC_MAX	4096
#define MOT_INIT_KMALLOC_SIZE	96
static unsigned int init_kmalloc;
module_param(init_kmalloc, uint, 0400);
MODULE_PARM_DESC(init_kmalloc, "objects of 96 bytes allocated by the init text at load, held until unload (0..4096)");
static void *mot_init_objs[MOT_INIT_KMALLOC_MAX];

/* Init text: its frames are gone once init has run. */
static noinline __mot_noipa int __init memowner_test_init_kmalloc(unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		mot_init_objs[i] = kmalloc(MOT_INIT_KMALLOC_SIZE, GFP_KERNEL);
		if (!mot_init_objs[i])
			return -ENOMEM;
	}
	barrier();
	return 0;
}

static void mot_free_init_objs(void)
{
	unsigned int i;

	for (i = 0; i < MOT_INIT_KMALLOC_MAX; i++) {
		kfree(mot_init_objs[i]);
		mot_init_objs[i] = NULL;
	}
}

static int __init mot_init(void)
{
	int k, ret;

	if (init_kmalloc > MOT_INIT_KMALLOC_MAX)
		return -EINVAL;
	ret = memowner_test_init_kmalloc(init_kmalloc);
	if (ret) {
		mot_free_init_objs();
		return ret;
	}
	for (k = 0; k < MOT_NR_KINDS; k++)
		INIT_LIST_HEAD(&mot_batches[k]);

	mot_dir = debugfs_create_dir("memowner_test", NULL);
	if (IS_ERR(mot_dir)) {
		mot_free_init_objs();
		return PTR_ERR(mot_dir);
	}
	debugfs_create_file("control", 0200, mot_dir, NULL, &mot_control_fops);
	debugfs_create_file("held", 0400, mot_dir, NULL, &mot_held_fops);
	debugfs_create_file("pfns", 0400, mot_dir, NULL, &mot_pfns_fops);
	return 0;
}

static void __exit mot_exit(void)
{
	int i;

	/* Waits for running file operations; none can start after it. */
	debugfs_remove_recursive(mot_dir);

	mutex_lock(&mot_lock);
	mot_release_exit();
	mot_free_all();
	for (i = 0; i < MOT_MAX_CACHES; i++) {
		kmem_cache_destroy(mot_caches[i].cache);
		kmem_cache_destroy(mot_merged[i].cache);
		kmem_cache_destroy(mot_partners[i]);
	}
	mutex_unlock(&mot_lock);
	mot_free_init_objs();
}

module_init(mot_init);
module_exit(mot_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("memowner selftest helper: allocates and holds kernel memory on command");
