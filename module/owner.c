// SPDX-License-Identifier: GPL-2.0
/*
 * Owner table: a chained hash table over a preallocated array of records.
 *
 * Locking: mo_owner_buckets are guarded by a striped array of raw spinlocks (one per
 * MO_BUCKETS_PER_LOCK mo_owner_buckets), taken with interrupts already disabled by
 * the caller, so allocations from process, softirq and hardirq context on
 * any CPU serialise correctly, also on PREEMPT_RT.  No lock nests inside
 * another except free_lock inside a bucket lock.
 *
 * Free records: each CPU keeps a private free list (touched only by that
 * CPU, with interrupts off); it refills from and spills to a global list
 * under free_lock in batches, so the global lock is taken once per
 * MO_BATCH operations at most.  Records are linked by index through
 * ->next; index 0 is the null link and never used.
 *
 * Lookup and removal of an object that was never inserted -- the common
 * case when sampling -- first look at the bucket head without the lock: an
 * empty bucket cannot hold the key.  That is safe because an object's alloc
 * probe finishes its insert before the allocator returns the object, so no
 * free of it can run concurrently with its insert.
 */
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "owner.h"

#define MO_BUCKETS_PER_LOCK	64
#define MO_BATCH		64

static struct mo_obj *objs;	/* objs[0] unused */
static unsigned long nr_objs;	/* capacity + 1 */
u32 *mo_owner_buckets;
unsigned int mo_owner_bits;
static raw_spinlock_t *locks;
static unsigned int lock_mask;
static atomic_long_t nr_live;
static atomic_long_t nr_drops;

static DEFINE_RAW_SPINLOCK(free_lock);
static u32 free_head;		/* global free list, under free_lock */
static unsigned long free_count;

struct mo_free_cache {
	u32 head;
	u32 count;
};
static DEFINE_PER_CPU(struct mo_free_cache, free_cache);


static inline raw_spinlock_t *lock_of(unsigned long b)
{
	return &locks[(b / MO_BUCKETS_PER_LOCK) & lock_mask];
}

/* Take a free record; interrupts off. Returns 0 when none is left. */
static u32 obj_get(void)
{
	struct mo_free_cache *fc = this_cpu_ptr(&free_cache);
	u32 i, n;

	if (unlikely(!fc->head)) {
		raw_spin_lock(&free_lock);
		for (n = 0; n < MO_BATCH && free_head; n++) {
			i = free_head;
			free_head = objs[i].next;
			objs[i].next = fc->head;
			fc->head = i;
		}
		free_count -= n;
		fc->count += n;
		raw_spin_unlock(&free_lock);
		if (!fc->head)
			return 0;
	}
	i = fc->head;
	fc->head = objs[i].next;
	fc->count--;
	return i;
}

/* Return a record; interrupts off. */
static void obj_put(u32 i)
{
	struct mo_free_cache *fc = this_cpu_ptr(&free_cache);
	u32 n;

	objs[i].key = 0;
	objs[i].next = fc->head;
	fc->head = i;
	if (++fc->count < 4 * MO_BATCH)
		return;
	/* Spill a batch so that CPUs that only free feed those that allocate. */
	raw_spin_lock(&free_lock);
	for (n = 0; n < 2 * MO_BATCH; n++) {
		i = fc->head;
		fc->head = objs[i].next;
		objs[i].next = free_head;
		free_head = i;
	}
	free_count += n;
	fc->count -= n;
	raw_spin_unlock(&free_lock);
}

static inline bool match(const struct mo_obj *o, unsigned long key,
			 unsigned int src)
{
	return o->key == key && mo_obj_src(o) == src;
}

int mo_owner_insert(const struct mo_obj *rec, enum mo_insert_mode mode,
		    struct mo_obj *old)
{
	unsigned int src = mo_obj_src(rec);
	unsigned long b = mo_owner_bucket(rec->key, src);
	raw_spinlock_t *lock = lock_of(b);
	u32 *link, i, n;
	int ret = 0;

	lockdep_assert_irqs_disabled();
	raw_spin_lock(lock);
	for (link = &mo_owner_buckets[b]; (i = *link); link = &objs[i].next) {
		if (!match(&objs[i], rec->key, src))
			continue;
		if (mode == MO_INSERT_IF_ABSENT) {
			ret = -EEXIST;
			goto out;
		}
		/* A free we never saw: hand the stale record back. */
		*old = objs[i];
		n = objs[i].next;
		objs[i] = *rec;
		objs[i].next = n;
		ret = 1;
		goto out;
	}
	i = obj_get();
	if (unlikely(!i)) {
		atomic_long_inc(&nr_drops);
		ret = -ENOSPC;
		goto out;
	}
	objs[i] = *rec;
	objs[i].next = mo_owner_buckets[b];
	WRITE_ONCE(mo_owner_buckets[b], i);
	atomic_long_inc(&nr_live);
out:
	raw_spin_unlock(lock);
	return ret;
}

bool mo_owner_remove(unsigned long key, unsigned int src, struct mo_obj *out)
{
	unsigned long b = mo_owner_bucket(key, src);
	raw_spinlock_t *lock;
	u32 *link, i;

	lockdep_assert_irqs_disabled();
	if (!READ_ONCE(mo_owner_buckets[b]))
		return false;
	lock = lock_of(b);
	raw_spin_lock(lock);
	for (link = &mo_owner_buckets[b]; (i = *link); link = &objs[i].next) {
		if (!match(&objs[i], key, src))
			continue;
		*out = objs[i];
		WRITE_ONCE(*link, objs[i].next);
		obj_put(i);
		atomic_long_dec(&nr_live);
		raw_spin_unlock(lock);
		return true;
	}
	raw_spin_unlock(lock);
	return false;
}

bool mo_owner_lookup(unsigned long key, unsigned int src, struct mo_obj *out)
{
	unsigned long b = mo_owner_bucket(key, src), flags;
	raw_spinlock_t *lock;
	bool found = false;
	u32 i;

	if (!READ_ONCE(mo_owner_buckets[b]))
		return false;
	lock = lock_of(b);
	raw_spin_lock_irqsave(lock, flags);
	for (i = mo_owner_buckets[b]; i; i = objs[i].next) {
		if (match(&objs[i], key, src)) {
			*out = objs[i];
			found = true;
			break;
		}
	}
	raw_spin_unlock_irqrestore(lock, flags);
	return found;
}

unsigned int mo_owner_scan(unsigned long *pos, struct mo_obj *buf,
			   unsigned int max)
{
	unsigned long b, nr_buckets = 1UL << mo_owner_bits, flags;
	unsigned int n = 0, len;
	raw_spinlock_t *lock;
	u32 i;

	for (b = *pos; b < nr_buckets; b++) {
		if (!READ_ONCE(mo_owner_buckets[b]))
			continue;
		lock = lock_of(b);
		raw_spin_lock_irqsave(lock, flags);
		for (len = 0, i = mo_owner_buckets[b]; i; i = objs[i].next)
			len++;
		if (n + len > max && n) {
			raw_spin_unlock_irqrestore(lock, flags);
			break;
		}
		/* A bucket longer than @max is cut; it cannot happen in practice. */
		for (i = mo_owner_buckets[b]; i && n < max; i = objs[i].next)
			buf[n++] = objs[i];
		raw_spin_unlock_irqrestore(lock, flags);
	}
	*pos = b;
	return n;
}

static void build_free_list(void)
{
	unsigned long i;
	int cpu;

	for_each_possible_cpu(cpu)
		*per_cpu_ptr(&free_cache, cpu) = (struct mo_free_cache){ 0 };
	for (i = 1; i < nr_objs; i++) {
		objs[i].key = 0;
		objs[i].next = i + 1 < nr_objs ? i + 1 : 0;
		if (!(i & 65535))
			cond_resched();
	}
	free_head = nr_objs > 1 ? 1 : 0;
	free_count = nr_objs - 1;
}

/*
 * Readers (lookup, scan: GET_PAGES, page_owner, caches, leaks, SNAPSHOT by
 * tgid, the alert check) walk a chain under its bucket lock while tracking
 * runs and while it is cleared.  So the chains are emptied first, one lock
 * stripe at a time under that stripe's lock: a reader holding it finishes
 * its walk before, and one taking it after finds the bucket empty.  Once
 * every stripe has been through its lock, no walk can still be on a record,
 * and the records and free lists are rebuilt without locks: the probes,
 * the only other users of the free lists, are detached (control.c calls
 * this between stop() and start(), under control_lock).
 */
void mo_owner_clear(void)
{
	unsigned long b, nr_buckets = 1UL << mo_owner_bits, flags;
	raw_spinlock_t *lock;
	unsigned int i;

	for (b = 0; b < nr_buckets; b += MO_BUCKETS_PER_LOCK) {
		lock = lock_of(b);
		raw_spin_lock_irqsave(lock, flags);
		for (i = 0; i < MO_BUCKETS_PER_LOCK && b + i < nr_buckets; i++)
			WRITE_ONCE(mo_owner_buckets[b + i], 0);
		raw_spin_unlock_irqrestore(lock, flags);
		if (!(b & (64 * MO_BUCKETS_PER_LOCK - 1)))
			cond_resched();
	}
	build_free_list();
	atomic_long_set(&nr_live, 0);
}

unsigned long mo_owner_count(void)
{
	return atomic_long_read(&nr_live);
}

unsigned long mo_owner_capacity(void)
{
	return nr_objs - 1;
}

unsigned long mo_owner_drops(void)
{
	return atomic_long_read(&nr_drops);
}

size_t mo_owner_memory(void)
{
	return nr_objs * sizeof(*objs) + (sizeof(u32) << mo_owner_bits) +
	       (lock_mask + 1) * sizeof(*locks);
}

int mo_owner_init(unsigned long max_objects)
{
	unsigned long nr_buckets, nr_locks, i;

	BUILD_BUG_ON(sizeof(struct mo_obj) != 32);
	nr_objs = max_objects + 1;
	/* One bucket per 8 records: 0.5 byte per record, short chains. */
	nr_buckets = roundup_pow_of_two(max(max_objects / 8, 64UL));
	mo_owner_bits = ilog2(nr_buckets);
	nr_locks = min(roundup_pow_of_two(num_possible_cpus() * 64),
		       nr_buckets / MO_BUCKETS_PER_LOCK ?: 1);
	objs = vmalloc(nr_objs * sizeof(*objs));
	mo_owner_buckets = vzalloc(nr_buckets * sizeof(u32));
	locks = kvmalloc_array(nr_locks, sizeof(*locks), GFP_KERNEL);
	if (!objs || !mo_owner_buckets || !locks) {
		mo_owner_exit();
		return -ENOMEM;
	}
	for (i = 0; i < nr_locks; i++)
		raw_spin_lock_init(&locks[i]);
	lock_mask = nr_locks - 1;
	atomic_long_set(&nr_drops, 0);
	mo_owner_clear();
	return 0;
}

void mo_owner_exit(void)
{
	vfree(objs);
	vfree(mo_owner_buckets);
	kvfree(locks);
	objs = NULL;
	mo_owner_buckets = NULL;
	locks = NULL;
}
