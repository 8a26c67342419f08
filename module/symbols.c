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
};

static struct mo_range ranges[ARRAY_SIZE(allocator_fns)];
static unsigned int nr_ranges;
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

bool mo_in_allocator(unsigned long ip)
{
	unsigned int lo = 0, hi = nr_ranges;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (ip < ranges[mid].start)
			hi = mid;
		else if (ip >= ranges[mid].end)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

unsigned int mo_symbols_nr_allocator(void)
{
	return nr_ranges;
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
 * Resolve each allocator entry point with a disabled kprobe (the name is
 * resolved, the text never patched, nothing ever called), then remove them
 * all with one grace period.
 */
static void find_allocator_ranges(void)
{
	static struct kprobe probes[ARRAY_SIZE(allocator_fns)];
	static struct kprobe *registered[ARRAY_SIZE(allocator_fns)];
	unsigned int i, n = 0;

	nr_ranges = 0;
	for (i = 0; i < ARRAY_SIZE(allocator_fns); i++) {
		struct kprobe *kp = &probes[i];

		memset(kp, 0, sizeof(*kp));
		kp->symbol_name = allocator_fns[i];
		kp->flags = KPROBE_FLAG_DISABLED;
		if (register_kprobe(kp))
			continue;	/* not in this kernel, or not probeable */
		registered[n++] = kp;
		if (symbol_extent((unsigned long)kp->addr, &ranges[nr_ranges]))
			nr_ranges++;
	}
	if (n)
		unregister_kprobes(registered, n);
	sort(ranges, nr_ranges, sizeof(ranges[0]), cmp_range, NULL);
}

int mo_symbols_init(void)
{
	find_allocator_ranges();
	learn_name_offset();
	return 0;
}

void mo_symbols_exit(void)
{
}
