// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols and layouts, learned once at load in process context.
 *
 * Nothing here is ever called through: the addresses of the page
 * allocator's entry points are only compared with return addresses, to cut
 * them off the top of a stack.  They are found by registering a kprobe on
 * each name -- disabled, so the text is never patched -- which makes the
 * kprobe core resolve the name; the probes are removed at once.  (memowner
 * neither resolves kallsyms_lookup_name nor calls through any looked-up
 * address: with IBT, an indirect call to a function objtool sealed is a
 * control-protection fault.)  Sizes of functions come from sprint_symbol()
 * ("f+0x4/0x1a0": the offset is the ENDBR64 a kprobe skips).
 *
 * struct kmem_cache is private to mm/ on 6.8+, yet its name is what users
 * want to see.  The offset of its name is taken from the running kernel's
 * BTF (btf.c), then verified on a canary cache with a known name (and a
 * constructor, so that it is never merged with another cache): if BTF is
 * missing or the check fails, caches are shown without names -- never
 * guessed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "btf.h"
#include "symbols.h"

struct mo_range {
	unsigned long start, end;
};

/*
 * Page-allocator entry points that may sit between the mm_page_alloc
 * tracepoint and the real caller (6.1 names, then 6.10+ _noprof names).
 * Leading stack frames inside these are not the owner.
 */
static const char *const allocator_fns[] = {
	"__alloc_pages", "alloc_pages", "__get_free_pages", "get_zeroed_page",
	"alloc_pages_exact", "alloc_pages_exact_nid", "__folio_alloc",
	"folio_alloc", "vma_alloc_folio", "__alloc_pages_bulk",
	"alloc_pages_bulk_array_mempolicy", "kmalloc_large", "kmalloc_large_node",
	"__kmalloc_large_node", "alloc_pages_mpol",
	"__alloc_pages_noprof", "alloc_pages_noprof", "get_free_pages_noprof",
	"get_zeroed_page_noprof", "alloc_pages_exact_noprof",
	"alloc_pages_exact_nid_noprof", "__folio_alloc_noprof",
	"folio_alloc_noprof", "vma_alloc_folio_noprof", "alloc_pages_mpol_noprof",
	"alloc_pages_bulk_noprof", "alloc_pages_bulk_array_mempolicy_noprof",
	"__kmalloc_large_node_noprof", "__alloc_frozen_pages_noprof",
	"folio_alloc_mpol_noprof", "alloc_frozen_pages_noprof",
	"__traceiter_mm_page_alloc",
	/* 5.10's names: the nodemask entry point and the mempolicy wrappers. */
	"__alloc_pages_nodemask", "alloc_pages_current", "alloc_pages_vma",
#ifndef MEMOWNER_HAVE_PERCPU_TP_CALL_SITE
	/*
	 * Before 5.19 the percpu tracepoint names no call site: the unwinder
	 * finds it past the per-CPU allocator's entry points (probes.c).
	 */
	"pcpu_alloc", "__alloc_percpu_gfp", "__alloc_percpu",
	"__alloc_reserved_percpu", "__traceiter_percpu_alloc_percpu",
#endif
};

/*
 * Slab allocator entry points, allocation and free (6.1 names, then the
 * 6.10+ _noprof names and 7.x's sheaf API).  The slab allocator allocates
 * for itself inside them: 7.x's per-CPU sheaves (an array of object
 * pointers, kmalloc'ed when a CPU's sheaf runs empty or full, kept by the
 * cache), the memcg vector of a new slab.  Such an object's stack shows one
 * of these below its call site: it is the allocator's, not the caller's
 * that happened to trigger the refill, and its stack ends there.
 */
static const char *const slab_fns[] = {
	"kmem_cache_alloc", "kmem_cache_alloc_lru", "kmem_cache_alloc_node",
	"__kmalloc", "__kmalloc_node", "__kmalloc_node_track_caller",
	"kmalloc_trace", "kmalloc_node_trace", "kmem_cache_alloc_bulk",
	"krealloc", "kmem_cache_free", "kfree", "kmem_cache_free_bulk",
	"kmem_cache_alloc_noprof", "kmem_cache_alloc_lru_noprof",
	"kmem_cache_alloc_node_noprof", "__kmalloc_noprof",
	"__kmalloc_node_noprof", "__kmalloc_cache_noprof",
	"__kmalloc_cache_node_noprof", "__kmalloc_node_track_caller_noprof",
	"kmem_cache_alloc_bulk_noprof", "kmalloc_nolock_noprof",
	"kmem_cache_alloc_from_sheaf_noprof", "kmem_cache_prefill_sheaf",
	"kmem_cache_refill_sheaf", "kmem_cache_return_sheaf", "krealloc_noprof",
	"krealloc_node_align_noprof", "kfree_nolock", "__kfree_rcu_sheaf",
};

/*
 * Functions that allocate pages to back other memory: slab pages (and a
 * large kmalloc's pages), vmalloc areas, per-CPU chunks.  A page whose
 * allocation is called from one of them -- the first frame of its owner,
 * or the allocator entry point just below it (kmalloc_large) -- is
 * "backing": the memory is already counted as the slab objects, the
 * vmalloc area or the per-CPU allocation it holds (track.h).  Static
 * functions the compiler inlined are not found; their callers are listed
 * too, for the frame is then in them.
 */
static const char *const backing_slab_fns[] = {
	"alloc_slab_page", "allocate_slab", "new_slab", "___slab_alloc",
	"__slab_alloc", "cache_grow_begin", "kmalloc_large", "kmalloc_large_node",
	"__kmalloc_large_node", "__kmalloc_large_node_noprof",
	"kmalloc_order", "kmalloc_order_trace", "___kmalloc_large_node",
	"__kmalloc_large_noprof", "kmalloc_large_noprof",
	"kmalloc_large_node_noprof", "refill_sheaf", "alloc_from_new_slab",
};
static const char *const backing_vmalloc_fns[] = {
	"vm_area_alloc_pages", "__vmalloc_area_node", "__vmalloc_node_range",
	"__vmalloc_node_range_noprof", "__vmalloc_node", "__vmalloc_node_noprof",
};
static const char *const backing_percpu_fns[] = {
	"pcpu_alloc_pages", "pcpu_populate_chunk", "pcpu_balance_populated",
	"pcpu_alloc", "pcpu_alloc_noprof",
};

/* Sorted address ranges of the functions of a list found in this kernel. */
struct mo_fnset {
	const char *const *names;
	unsigned int nr_names;
	struct mo_range *ranges;
	unsigned int nr;
	unsigned long end;	/* of the highest range */
};

static struct mo_range alloc_ranges[ARRAY_SIZE(allocator_fns)];
static struct mo_range slab_ranges[ARRAY_SIZE(slab_fns)];
static struct mo_range backing_ranges[3][ARRAY_SIZE(backing_slab_fns)];
static struct mo_fnset page_set = {
	allocator_fns, ARRAY_SIZE(allocator_fns), alloc_ranges,
};
static struct mo_fnset slab_set = {
	slab_fns, ARRAY_SIZE(slab_fns), slab_ranges,
};
/* Index: what they back, MO_BACKING_* - 1. */
static struct mo_fnset backing_sets[3] = {
	{ backing_slab_fns, ARRAY_SIZE(backing_slab_fns), backing_ranges[0] },
	{ backing_vmalloc_fns, ARRAY_SIZE(backing_vmalloc_fns), backing_ranges[1] },
	{ backing_percpu_fns, ARRAY_SIZE(backing_percpu_fns), backing_ranges[2] },
};
static int name_offset = -1;

/* The function around @addr, from "name+0x4/0x1a0 [mod]"; false if none. */
static bool symbol_extent(unsigned long addr, struct mo_range *r)
{
	char buf[KSYM_SYMBOL_LEN], *plus, *slash;
	unsigned long off, size;

	sprint_symbol(buf, addr);
	plus = strrchr(buf, '+');
	slash = plus ? strchr(plus, '/') : NULL;
	if (!slash)
		return false;
	*slash = '\0';
	*strchrnul(slash + 1, ' ') = '\0';
	if (kstrtoul(plus + 1, 16, &off) || kstrtoul(slash + 1, 16, &size) ||
	    off > addr || !size)
		return false;
	r->start = addr - off;
	r->end = r->start + size;
	return true;
}

static int cmp_range(const void *a, const void *b)
{
	const struct mo_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static bool in_set(const struct mo_fnset *set, unsigned long ip)
{
	unsigned int lo = 0, hi = set->nr;

	/* Most frames (modules, other subsystems) lie outside all of them. */
	if (!hi || ip < set->ranges[0].start || ip >= set->end)
		return false;
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (ip < set->ranges[mid].start)
			hi = mid;
		else if (ip >= set->ranges[mid].end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool mo_in_allocator(unsigned long ip)
{
	return in_set(&page_set, ip);
}

bool mo_in_slab_entry(unsigned long ip)
{
	return in_set(&slab_set, ip);
}

unsigned int mo_backing_of(unsigned long ip)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(backing_sets); i++)
		if (in_set(&backing_sets[i], ip))
			return i + 1;
	return MO_BACKING_NONE;
}

unsigned int mo_symbols_nr_allocator(void)
{
	return page_set.nr;
}

unsigned int mo_symbols_nr_slab_entry(void)
{
	return slab_set.nr;
}

int mo_symbols_name_offset(void)
{
	return name_offset;
}

const char *mo_slab_cache_name(const void *s)
{
	const char *name;

	if (name_offset < 0 || !s)
		return NULL;
	name = *(const char *const *)((const char *)s + name_offset);
	return name;
}

static void canary_ctor(void *obj)
{
}

#define CANARY_NAME	"memowner_layout_canary"

/* The offset BTF states, if a cache of known name shows its name there. */
static void learn_name_offset(void)
{
	char buf[sizeof(CANARY_NAME)];
	struct kmem_cache *s;
	unsigned long v;
	u32 off;
	int ret;

	ret = mo_btf_string_member("kmem_cache", "name", &off);
	if (ret) {
		pr_warn("slab cache names unavailable: struct kmem_cache not in BTF (%d)\n",
			ret);
		return;
	}
	s = kmem_cache_create(CANARY_NAME, 24, 0, 0, canary_ctor);
	if (!s)
		return;
	if (!copy_from_kernel_nofault(&v, (char *)s + off, sizeof(v)) &&
	    !copy_from_kernel_nofault(buf, (void *)v, sizeof(buf)) &&
	    !memcmp(buf, CANARY_NAME, sizeof(buf)))
		name_offset = off;
	kmem_cache_destroy(s);
	if (name_offset < 0)
		pr_warn("slab cache names unavailable: BTF offset %u does not hold the name\n",
			off);
}

/*
 * Resolve each function of @set with a disabled kprobe (the name is
 * resolved, the text never patched, nothing ever called), then remove them
 * all with one grace period.
 */
static void find_ranges(struct mo_fnset *set)
{
	static struct kprobe probes[ARRAY_SIZE(slab_fns) + ARRAY_SIZE(allocator_fns)];
	static struct kprobe *registered[ARRAY_SIZE(probes)];
	unsigned int i, n = 0;

	set->nr = 0;
	for (i = 0; i < set->nr_names && i < ARRAY_SIZE(probes); i++) {
		struct kprobe *kp = &probes[i];

		memset(kp, 0, sizeof(*kp));
		kp->symbol_name = set->names[i];
		kp->flags = KPROBE_FLAG_DISABLED;
		if (register_kprobe(kp))
			continue;	/* not in this kernel, or not probeable */
		registered[n++] = kp;
		if (symbol_extent((unsigned long)kp->addr, &set->ranges[set->nr]))
			set->nr++;
	}
	if (n)
		unregister_kprobes(registered, n);
	sort(set->ranges, set->nr, sizeof(set->ranges[0]), cmp_range, NULL);
	set->end = 0;
	for (i = 0; i < set->nr; i++)
		set->end = max(set->end, set->ranges[i].end);
}

int mo_symbols_init(void)
{
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(backing_vmalloc_fns) > ARRAY_SIZE(backing_slab_fns) ||
		     ARRAY_SIZE(backing_percpu_fns) > ARRAY_SIZE(backing_slab_fns));
	find_ranges(&page_set);
	find_ranges(&slab_set);
	for (i = 0; i < ARRAY_SIZE(backing_sets); i++)
		find_ranges(&backing_sets[i]);
	learn_name_offset();
	return 0;
}

void mo_symbols_exit(void)
{
}
