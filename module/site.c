// SPDX-License-Identifier: GPL-2.0
/*
 * Owner sites and their counters.
 *
 * Sites, like depot records, are appended to a preallocated array and never
 * removed within an epoch, so lookup is lock-free (acquire loads along
 * chains) and creation takes one raw spinlock with interrupts off.  A new
 * epoch empties the table (mo_site_reset()) with every writer and reader
 * excluded (control.c); the "table full" sites go in first again, so their
 * indices never change.
 *
 * Counters are per CPU: one array of struct mo_counts per possible CPU,
 * indexed by site, each allocated on the CPU's node.  They are updated only
 * by their own CPU with interrupts disabled (inside the owner-table
 * critical section), so plain adds suffice; readers sum all CPUs without
 * locking and may see an update half-way across CPUs, never a torn value
 * (64-bit loads and stores).  A free may be counted on a different CPU than
 * its allocation, so one CPU's "live" share can be negative: only the sum
 * means anything.
 */
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/topology.h>
#include <linux/vmalloc.h>

#include "site.h"

static struct mo_site *sites;	/* sites[0] unused */
static unsigned long max_entries;
static unsigned long nr_sites;	/* written under site_lock */
static atomic_long_t nr_drops;
static u32 *buckets;
static unsigned int bucket_mask;
static u32 full_site[__MEMOWNER_SRC_LAST];
static struct mo_counts **counts;	/* [cpu][site] */
static DEFINE_RAW_SPINLOCK(site_lock);

#define MO_MAX_CACHES	2048
struct mo_cache {
	const void *cache;
	char name[MO_CACHE_NAME_LEN];
};
static struct mo_cache *caches;	/* caches[0] = none */
static unsigned long nr_caches;	/* under site_lock */

static u32 site_hash(const struct mo_site_key *k)
{
	return jhash_3words(k->stack ^ hash_ptr(k->cache, 32), k->gfp,
			    (u32)k->backing << 16 | (u32)k->src << 8 |
			    k->migratetype, 0x73697465);
}

static bool site_eq(const struct mo_site_key *a, const struct mo_site_key *b)
{
	return a->stack == b->stack && a->cache == b->cache &&
	       a->gfp == b->gfp && a->src == b->src &&
	       a->migratetype == b->migratetype && a->backing == b->backing;
}

static u32 site_find(u32 head, u32 hash, const struct mo_site_key *k)
{
	u32 i;

	/* Pairs with the smp_store_release() publishing each site. */
	for (i = head; i; i = smp_load_acquire(&sites[i].next))
		if (sites[i].hash == hash && site_eq(&sites[i].key, k))
			return i;
	return 0;
}

static u16 cache_index(const void *cache);

static u32 site_insert(u32 hash, const struct mo_site_key *k)
{
	u32 *bucket = &buckets[hash & bucket_mask];
	unsigned long flags;
	struct mo_site *s;
	u32 i;

	raw_spin_lock_irqsave(&site_lock, flags);
	i = site_find(READ_ONCE(*bucket), hash, k);
	if (i || nr_sites + 1 >= max_entries)
		goto out;
	i = nr_sites + 1;
	s = &sites[i];
	s->key = *k;
	s->cache = k->cache ? cache_index(k->cache) : MO_CACHE_NONE;
	s->hash = hash;
	s->next = *bucket;
	/* Readers of nr_sites (iteration) and of the bucket see it complete. */
	smp_store_release(&nr_sites, i);
	smp_store_release(bucket, i);	/* pairs with mo_site_get() */
out:
	raw_spin_unlock_irqrestore(&site_lock, flags);
	return i;
}

u32 mo_site_get(const struct mo_site_key *k)
{
	u32 hash = site_hash(k);
	u32 i;

	/* Pairs with smp_store_release() in site_insert(). */
	i = site_find(smp_load_acquire(&buckets[hash & bucket_mask]), hash, k);
	if (likely(i))
		return i;
	i = site_insert(hash, k);
	if (unlikely(!i)) {
		atomic_long_inc(&nr_drops);
		return full_site[k->src];
	}
	return i;
}

const struct mo_site *mo_site_at(u32 idx)
{
	if (!idx || idx > READ_ONCE(nr_sites))
		return NULL;
	return &sites[idx];
}

unsigned long mo_site_count(void)
{
	/* Pairs with smp_store_release() in site_insert(). */
	return smp_load_acquire(&nr_sites);
}

unsigned long mo_site_capacity(void)
{
	return max_entries;
}

unsigned long mo_site_drops(void)
{
	return atomic_long_read(&nr_drops);
}

size_t mo_site_memory(void)
{
	return max_entries * (sizeof(*sites) +
			      num_possible_cpus() * sizeof(struct mo_counts)) +
	       (bucket_mask + 1) * sizeof(u32) +
	       MO_MAX_CACHES * sizeof(struct mo_cache);
}

struct mo_counts *mo_site_counts_this_cpu(u32 idx)
{
	return &counts[smp_processor_id()][idx];
}

void mo_site_sum(u32 idx, struct mo_totals *t)
{
	int cpu;

	memset(t, 0, sizeof(*t));
	for_each_possible_cpu(cpu) {
		const struct mo_counts *c = &counts[cpu][idx];

		t->allocs += READ_ONCE(c->allocs);
		t->frees += READ_ONCE(c->frees);
		t->bytes += READ_ONCE(c->bytes);
		t->bytes_freed += READ_ONCE(c->bytes_freed);
	}
}

void mo_site_reset_counts(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		memset(counts[cpu], 0, max_entries * sizeof(struct mo_counts));
}

/*
 * Caches are named by copying their name when a site for them is first
 * made, while the allocation holds the cache alive; the copy outlives a
 * later kmem_cache_destroy().  Called under site_lock.
 */
static u16 cache_index(const void *cache)
{
	char name[MO_CACHE_NAME_LEN];
	unsigned long i;

	mo_cache_describe(cache, name, sizeof(name));
	for (i = 1; i <= nr_caches; i++)
		if (caches[i].cache == cache && !strcmp(caches[i].name, name))
			return i;
	if (nr_caches + 1 >= MO_MAX_CACHES)
		return MO_CACHE_NONE;
	i = nr_caches + 1;
	caches[i].cache = cache;
	strscpy(caches[i].name, name, MO_CACHE_NAME_LEN);
	/* The name is complete before the entry counts: see mo_cache_name(). */
	smp_store_release(&nr_caches, i);
	return i;
}

const char *mo_cache_name(u16 idx)
{
	/* Pairs with smp_store_release() in cache_index(). */
	if (idx == MO_CACHE_NONE || idx > smp_load_acquire(&nr_caches))
		return NULL;
	return caches[idx].name;
}

unsigned long mo_cache_count(void)
{
	/* Pairs with smp_store_release() in cache_index(). */
	return smp_load_acquire(&nr_caches);
}

int mo_site_init(unsigned long max_sites)
{
	unsigned long nr_buckets;
	int cpu;

	max_entries = max_sites + __MEMOWNER_SRC_LAST + 1;
	nr_buckets = roundup_pow_of_two(max_entries);
	sites = vzalloc(max_entries * sizeof(*sites));
	buckets = vzalloc(nr_buckets * sizeof(u32));
	caches = vzalloc(MO_MAX_CACHES * sizeof(*caches));
	counts = kcalloc(nr_cpu_ids, sizeof(*counts), GFP_KERNEL);
	if (!sites || !buckets || !caches || !counts)
		goto nomem;
	for_each_possible_cpu(cpu) {
		counts[cpu] = vzalloc_node(max_entries * sizeof(struct mo_counts),
					   cpu_to_node(cpu));
		if (!counts[cpu])
			goto nomem;
	}
	bucket_mask = nr_buckets - 1;
	nr_sites = 0;
	nr_caches = 0;
	atomic_long_set(&nr_drops, 0);
	return 0;
nomem:
	mo_site_exit();
	return -ENOMEM;
}

/* Called once the depot has its sentinels: the "table full" sites. */
int mo_site_init_sentinels(u32 full_stack)
{
	int src;

	for (src = 0; src < __MEMOWNER_SRC_LAST; src++) {
		struct mo_site_key k = { .stack = full_stack, .src = src };

		full_site[src] = site_insert(site_hash(&k), &k);
		if (!full_site[src])
			return -ENOMEM;
	}
	return 0;
}

void mo_site_reset(u32 full_stack)
{
	memset(buckets, 0, (bucket_mask + 1) * sizeof(u32));
	nr_sites = 0;
	/* Cache names too: a cache destroyed since may have left its address. */
	nr_caches = 0;
	mo_site_reset_counts();
	WARN_ON_ONCE(mo_site_init_sentinels(full_stack));
}

void mo_site_exit(void)
{
	int cpu;

	if (counts) {
		for_each_possible_cpu(cpu)
			vfree(counts[cpu]);
		kfree(counts);
	}
	vfree(sites);
	vfree(buckets);
	vfree(caches);
	counts = NULL;
	sites = NULL;
	buckets = NULL;
	caches = NULL;
}
