// SPDX-License-Identifier: GPL-2.0
/*
 * Symbols and layouts, learned once at load in process context.
 *
 * kallsyms_lookup_name() is not exported; a kprobe registered on it by
 * name reports its address, which the kprobe core resolves with the very
 * same function.  Sizes of functions come from sprint_symbol() ("f+0x0/0x1a0").
 *
 * struct kmem_cache is private to mm/ on 6.8+, yet its name is what users
 * want to see.  memowner creates a canary cache with a known name (and a
 * constructor, so it is never merged with another cache) and looks for the
 * pointer to that name among the first words of the structure; the offset
 * found is then used for every cache.  If it is not found, caches are
 * shown without names -- never guessed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "symbols.h"

typedef unsigned long (*lookup_fn_t)(const char *name);
static lookup_fn_t lookup_fn;

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

unsigned long mo_lookup_name(const char *name)
{
	return lookup_fn ? lookup_fn(name) : 0;
}

static unsigned long symbol_size(unsigned long addr)
{
	char buf[KSYM_SYMBOL_LEN], *slash;
	unsigned long size;

	sprint_symbol(buf, addr);
	slash = strchr(buf, '/');
	if (!slash)
		return 0;
	/* "name+0x0/0x1a0 [mod]": the size ends at a space or the end. */
	*strchrnul(slash, ' ') = '\0';
	if (kstrtoul(slash + 1, 16, &size))
		return 0;
	return size;
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
#define CANARY_SCAN	512

static void learn_name_offset(void)
{
	struct kmem_cache *s;
	char buf[sizeof(CANARY_NAME)];
	unsigned long v;
	int off;

	s = kmem_cache_create(CANARY_NAME, 24, 0, 0, canary_ctor);
	if (!s)
		return;
	for (off = 0; off < CANARY_SCAN; off += sizeof(long)) {
		if (copy_from_kernel_nofault(&v, (char *)s + off, sizeof(v)))
			break;
		if (v < PAGE_OFFSET)
			continue;
		if (copy_from_kernel_nofault(buf, (void *)v, sizeof(buf)))
			continue;
		if (!memcmp(buf, CANARY_NAME, sizeof(buf))) {
			name_offset = off;
			break;
		}
	}
	kmem_cache_destroy(s);
	if (name_offset < 0)
		pr_warn("slab cache names unavailable: layout not recognised\n");
}

int mo_symbols_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	unsigned int i;
	int ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_err("cannot locate kallsyms_lookup_name: %d\n", ret);
		return ret;
	}
	lookup_fn = (lookup_fn_t)kp.addr;
	unregister_kprobe(&kp);

	nr_ranges = 0;
	for (i = 0; i < ARRAY_SIZE(allocator_fns); i++) {
		unsigned long addr = lookup_fn(allocator_fns[i]);
		unsigned long size = addr ? symbol_size(addr) : 0;

		if (!size)
			continue;
		ranges[nr_ranges].start = addr;
		ranges[nr_ranges].end = addr + size;
		nr_ranges++;
	}
	sort(ranges, nr_ranges, sizeof(ranges[0]), cmp_range, NULL);
	learn_name_offset();
	return 0;
}

void mo_symbols_exit(void)
{
	lookup_fn = NULL;
}
