// SPDX-License-Identifier: GPL-2.0
/*
 * Pages in use before load.
 *
 * The scan runs after the probes are attached, so nothing allocated from
 * then on is missed: a page the owner table already knows is not marked.
 * A page allocated and freed while the scan passes it is seen either as
 * free or as tracked.  Bits are cleared with test_and_clear_bit(), so a
 * page is taken off the "before load" owner exactly once, from any context.
 *
 * A page is "in use" when it is neither in a free buddy block nor reserved
 * (reserved pages are outside MemTotal): the definition of /proc/meminfo,
 * where used = MemTotal - MemFree.  Free pages on the per-CPU lists are
 * the one thing the page itself does not tell apart from pages in use
 * (MemFree does not count them either).  They are not drained first:
 * drain_all_pages() is not exported, and calling it through a looked-up
 * address is a control-protection fault on an IBT machine.  Instead, how
 * many pages sit on the per-CPU lists is read (public struct
 * per_cpu_pages, before and after the scan; the smaller is taken) and the
 * "before load" owner is credited that many pages at once, so its total
 * agrees with meminfo right away.  Which marked pages were the free ones
 * shows when they are next allocated -- a page in use before load cannot be
 * allocated without being freed first: such a page is taken off "before
 * load" then (mo_preload_clear() in the allocation path) against the
 * credit, not counted a second time (mo_preload_take_credit()).
 */
#include <linux/bitmap.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/page-flags.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include "version.h"
#include "owner.h"
#include "preload.h"
#include "track.h"

unsigned long *mo_preload_bits;
unsigned long mo_preload_npfn;
static unsigned long found, pcp_at_scan;
static atomic_long_t credit = ATOMIC_LONG_INIT(0);

unsigned long mo_preload_max_pfn(void)
{
	return mo_preload_npfn;
}

unsigned long mo_preload_found(void)
{
	return found;
}

unsigned long mo_preload_pcp(void)
{
	return pcp_at_scan;
}

/* Free pages on every CPU's lists, read racily (an estimate). */
/*
 * Free pages: in the buddy free lists, and on the per-CPU lists (public
 * counts, read racily).  Also debugfs's coverage line.
 */
void mo_free_pages(unsigned long *buddy, unsigned long *pcp)
{
	unsigned long n = 0, b = 0;
	int nid, z, cpu, o;

	for_each_online_node(nid) {
		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[z];

			if (!populated_zone(zone))
				continue;
			for (o = 0; o < MO_NR_PAGE_ORDERS; o++)
				b += READ_ONCE(zone->free_area[o].nr_free) << o;
			for_each_online_cpu(cpu)
				n += mo_pcp_count(zone, cpu);
		}
	}
	if (buddy)
		*buddy = b;
	*pcp = n;
}

static unsigned long pcp_pages(void)
{
	unsigned long n;

	mo_free_pages(NULL, &n);
	return n;
}

size_t mo_preload_memory(void)
{
	return BITS_TO_LONGS(mo_preload_npfn) * sizeof(long);
}

bool mo_preload_test(unsigned long pfn)
{
	return mo_preload_bits && pfn < mo_preload_npfn && test_bit(pfn, mo_preload_bits);
}

/*
 * A block's contents moved (mo_track_migrate()): each of its pages marked
 * "before load" passes its mark to the page at the same offset of the new
 * block.  Returns the marks taken off the old block; *@moved how many the
 * new one took (fewer past the bitmap, memory added since load).  Bounded
 * by the block's marks.  Any context.
 */
unsigned long mo_preload_move(unsigned long old_pfn, unsigned long new_pfn,
			      unsigned int order, unsigned long *moved)
{
	unsigned long i, n = 0,
		end = min(old_pfn + (1UL << order), mo_preload_npfn);

	*moved = 0;
	if (!mo_preload_bits || old_pfn >= end)
		return 0;
	for (i = find_next_bit(mo_preload_bits, end, old_pfn); i < end;
	     i = find_next_bit(mo_preload_bits, end, i + 1)) {
		unsigned long to = new_pfn + (i - old_pfn);

		if (!test_and_clear_bit(i, mo_preload_bits))
			continue;
		n++;
		if (to < mo_preload_npfn &&
		    !test_and_set_bit(to, mo_preload_bits))
			(*moved)++;
	}
	return n;
}

unsigned long mo_preload_clear(unsigned long pfn, unsigned int order)
{
	unsigned long i, n = 0, end = min(pfn + (1UL << order), mo_preload_npfn);

	if (!mo_preload_bits || pfn >= end)
		return 0;
	for (i = find_next_bit(mo_preload_bits, end, pfn); i < end;
	     i = find_next_bit(mo_preload_bits, end, i + 1))
		if (test_and_clear_bit(i, mo_preload_bits))
			n++;
	return n;
}

int mo_preload_init(void)
{
	int nid;

	mo_preload_npfn = 0;
	for_each_online_node(nid)
		mo_preload_npfn = max(mo_preload_npfn, node_end_pfn(nid));
	mo_preload_bits = vzalloc(BITS_TO_LONGS(mo_preload_npfn) * sizeof(long));
	return mo_preload_bits ? 0 : -ENOMEM;
}

void mo_preload_scan(void)
{
	unsigned long pfn, batch = 0;
	struct mo_obj o;
	struct page *page;

	found = 0;
	atomic_long_set(&credit, 0);
	pcp_at_scan = pcp_pages();
	for (pfn = 0; pfn < mo_preload_npfn; pfn++) {
		if (!(pfn & 1023)) {
			if (batch) {
				mo_track_preload(batch);
				batch = 0;
			}
			cond_resched();
		}
		page = pfn_to_online_page(pfn);
		if (!page)
			continue;
		if (PageBuddy(page)) {
			/* A free block: skip it whole (order read racily). */
			unsigned long order = READ_ONCE(page_private(page));

			if (order < MO_NR_PAGE_ORDERS)
				pfn += (1UL << order) - 1;
			continue;
		}
		if (PageReserved(page))
			continue;
		if (mo_owner_lookup(pfn, MEMOWNER_SRC_PAGE, &o))
			continue;
		set_bit(pfn, mo_preload_bits);
		found++;
		batch++;
	}
	if (batch)
		mo_track_preload(batch);
	pcp_at_scan = min3(pcp_at_scan, pcp_pages(), found);
	atomic_long_set(&credit, pcp_at_scan);
	mo_track_preload_credit(pcp_at_scan);
}

/*
 * @n marked pages turned out free (they are being allocated): how many of
 * them the credit of the scan already took off "before load".  Any context.
 */
unsigned long mo_preload_take_credit(unsigned long n)
{
	long old = atomic_long_read(&credit), take;

	do {
		take = min_t(long, old, n);
		if (take <= 0)
			return 0;
	} while (!atomic_long_try_cmpxchg(&credit, &old, old - take));
	return take;
}

void mo_preload_clear_all(void)
{
	atomic_long_set(&credit, 0);
	if (mo_preload_bits)
		bitmap_zero(mo_preload_bits, mo_preload_npfn);
}

void mo_preload_exit(void)
{
	vfree(mo_preload_bits);
	mo_preload_bits = NULL;
}
