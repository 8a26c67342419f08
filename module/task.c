// SPDX-License-Identifier: GPL-2.0
/*
 * Task identity cache, recycled.
 *
 * An owner record names its task with an index into this table of
 * (pid, tgid, comm) identities.  A machine makes new identities without end
 * (every fork, exec and thread rename), so entries no record needs any
 * more are recycled; docs/design.md ("Task identities") has the argument.
 *
 * Lookup is lock-free: probes follow bucket chains with acquire loads.
 * Inserting a new identity takes mo_task_lock (a raw spinlock, irqs off; only
 * tried in NMI), rechecks the bucket and takes an entry from the free list
 * or the never-used tail.  Each CPU remembers its last answer, valid for
 * one generation: consecutive allocations by the same task cost a few
 * compares.
 *
 * Recycling (sweep(), a work item; never in probe context):
 *   1. gen++: every CPU's cached answer is now stale, so from here on an
 *      index reaches a record only through lookup_insert(), which stamps
 *      the entry with the new generation;
 *   2. synchronize_rcu(): the probes that may still hold an older answer
 *      (they run with preemption off) have finished, their records made;
 *   3. mark every entry a live owner record names (mo_owner_scan());
 *   4. unlink, under mo_task_lock, the entries neither marked nor stamped;
 *   5. synchronize_rcu(): no lock-free reader is still on an unlinked
 *      entry, and every probe that found one before it was unlinked has
 *      stamped it; a stamped one goes back in its chain, the rest on the
 *      free list.
 * An entry is so reused only when no record names it, no probe holds it
 * and no reader walks through it.  A new epoch (every record dropped, the
 * probes detached) empties the table at once: mo_task_reset().
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "owner.h"
#include "task.h"

static struct mo_task *tasks;	/* tasks[0] is MO_TASK_UNKNOWN */
static u32 max_entries;		/* entries, tasks[0] included */
static u32 *buckets;
static unsigned int bucket_mask;
static u32 *free_ids;		/* stack of recycled entries */
static unsigned long *marks;	/* sweep: one bit per entry */
static DEFINE_RAW_SPINLOCK(mo_task_lock);
/* Under mo_task_lock, read racily: */
static u32 hwm;			/* entries ever used: 1..hwm-1 */
static u32 nr_free;
static u32 nr_live;
static u32 gen = 1;		/* generation: cached answers, stamps */
static atomic_long_t nr_drops;
static atomic_long_t nr_recycled;
static atomic_long_t nr_sweeps;
static bool want_sweep;		/* a drop since the last sweep */

static DEFINE_MUTEX(sweep_lock);	/* one sweep or reset at a time */
static struct delayed_work sweep_work;
static bool sweeping;		/* the periodic work is armed */
static unsigned int backoff;	/* periods to wait before the next sweep */
static unsigned int idle;	/* periods waited */

/*
 * How often the fill level is looked at; a sweep only when it is high.
 * A sweep copies the whole owner table, so one that recycled less than
 * an eighth of the table (its entries are in use) doubles the wait for
 * the next, up to SWEEP_BACKOFF_MAX periods; a productive one resets it.
 */
#define SWEEP_PERIOD		HZ
#define SWEEP_BACKOFF_MAX	64
#define SWEEP_BATCH		256	/* owner records copied at a time */

struct mo_task_last {
	const struct task_struct *task;
	pid_t pid;
	u32 gen;
	u32 idx;
	u64 comm[TASK_COMM_LEN / 8];
};
static DEFINE_PER_CPU(struct mo_task_last, task_last);

static bool same(const struct mo_task *t, pid_t pid, pid_t tgid,
		 const char *comm)
{
	return t->pid == pid && t->tgid == tgid &&
	       !memcmp(t->comm, comm, TASK_COMM_LEN);
}

/* The entry of @hash/@identity on the chain at @head, or 0.  Bounded. */
static u32 find(u32 head, u32 hash, pid_t pid, pid_t tgid, const char *comm)
{
	u32 idx = head, steps = 0;

	while (idx && idx < max_entries && steps++ < max_entries) {
		if (tasks[idx].hash == hash && same(&tasks[idx], pid, tgid, comm))
			return idx;
		/* Pairs with the smp_store_release() publishing each entry. */
		idx = smp_load_acquire(&tasks[idx].next);
	}
	return 0;
}

/* A new entry for the identity, under mo_task_lock; 0 when there is none. */
static u32 insert_locked(u32 *bucket, u32 hash, pid_t pid, pid_t tgid,
			 const char *comm)
{
	u32 idx = find(READ_ONCE(*bucket), hash, pid, tgid, comm);

	if (idx)
		return idx;
	if (nr_free)
		idx = free_ids[--nr_free];
	else if (hwm < max_entries)
		idx = hwm++;
	else
		return 0;
	tasks[idx].pid = pid;
	tasks[idx].tgid = tgid;
	memcpy(tasks[idx].comm, comm, TASK_COMM_LEN);
	tasks[idx].hash = hash;
	tasks[idx].gen = gen;
	WRITE_ONCE(tasks[idx].live, 1);
	tasks[idx].next = *bucket;
	nr_live++;
	/* Release: the entry is complete before it is reachable. */
	smp_store_release(bucket, idx);
	return idx;
}

static u32 lookup_insert(pid_t pid, pid_t tgid, const char *comm, u32 g)
{
	u32 hash = jhash(comm, TASK_COMM_LEN, hash_32(pid, 32) ^ tgid);
	u32 *bucket = &buckets[hash & bucket_mask];
	unsigned long flags;
	u32 idx;

	/* Pairs with smp_store_release() in insert_locked(). */
	idx = find(smp_load_acquire(bucket), hash, pid, tgid, comm);
	if (!idx) {
		if (in_nmi()) {
			if (!raw_spin_trylock(&mo_task_lock))
				goto drop;
		} else {
			raw_spin_lock_irqsave(&mo_task_lock, flags);
		}
		idx = insert_locked(bucket, hash, pid, tgid, comm);
		if (!idx)
			WRITE_ONCE(want_sweep, true);
		if (in_nmi())
			raw_spin_unlock(&mo_task_lock);
		else
			raw_spin_unlock_irqrestore(&mo_task_lock, flags);
		if (!idx)
			goto drop;
	}
	/* In use in generation @g: the sweep of @g keeps it (step 5). */
	if (READ_ONCE(tasks[idx].gen) != g)
		WRITE_ONCE(tasks[idx].gen, g);
	return idx;
drop:
	atomic_long_inc(&nr_drops);
	return MO_TASK_UNKNOWN;
}

u32 mo_task_current(void)
{
	struct mo_task_last *last = this_cpu_ptr(&task_last);
	struct task_struct *t = current;
	u64 comm[TASK_COMM_LEN / 8];
	u32 idx, g;

	BUILD_BUG_ON(TASK_COMM_LEN != 16);
	/* comm may be rewritten concurrently (prctl): copy it once. */
	memcpy(comm, t->comm, TASK_COMM_LEN);
	((char *)comm)[TASK_COMM_LEN - 1] = '\0';
	/* Pairs with the generation change and synchronize_rcu() of a sweep. */
	g = READ_ONCE(gen);
	if (likely(last->task == t && last->pid == t->pid && last->gen == g &&
		   last->comm[0] == comm[0] && last->comm[1] == comm[1]))
		return last->idx;

	idx = lookup_insert(t->pid, t->tgid, (const char *)comm, g);
	/*
	 * Interrupts may run this on the same CPU in between; the cache is a
	 * hint, and a torn update only costs a later miss, never a wrong
	 * answer, because the fields are rechecked together with irqs off.
	 * An unknown answer is not cached: the next call tries again.
	 */
	if (!in_nmi() && idx != MO_TASK_UNKNOWN) {
		unsigned long flags;

		local_irq_save(flags);
		last->task = t;
		last->pid = t->pid;
		last->gen = g;
		memcpy(last->comm, comm, TASK_COMM_LEN);
		last->idx = idx;
		local_irq_restore(flags);
	}
	return idx;
}

const struct mo_task *mo_task_get(u32 idx)
{
	if (idx == MO_TASK_UNKNOWN || idx >= READ_ONCE(hwm) ||
	    !READ_ONCE(tasks[idx].live))
		return NULL;
	return &tasks[idx];
}

unsigned long mo_task_count(void)
{
	return READ_ONCE(nr_live);
}

unsigned long mo_task_capacity(void)
{
	return max_entries - 1;
}

unsigned long mo_task_drops(void)
{
	return atomic_long_read(&nr_drops);
}

unsigned long mo_task_recycled(void)
{
	return atomic_long_read(&nr_recycled);
}

unsigned long mo_task_sweeps(void)
{
	return atomic_long_read(&nr_sweeps);
}

size_t mo_task_memory(void)
{
	return (size_t)max_entries * (sizeof(*tasks) + sizeof(u32)) +
	       BITS_TO_LONGS(max_entries) * sizeof(long) +
	       (bucket_mask + 1) * sizeof(u32);
}

/*
 * The next generation, under mo_task_lock: every CPU's cached answer is
 * stale from here on.  0 never names a generation.
 */
static u32 next_gen_locked(void)
{
	u32 g = gen + 1;

	if (!g)
		g = 1;
	WRITE_ONCE(gen, g);
	return g;
}

/* Step 3: mark the entries live records name. */
static int mark_referenced(void)
{
	struct mo_obj *buf;
	unsigned long pos = 0;
	unsigned int n, i;

	buf = kmalloc_array(SWEEP_BATCH, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	bitmap_zero(marks, max_entries);
	do {
		n = mo_owner_scan(&pos, buf, SWEEP_BATCH);
		for (i = 0; i < n; i++) {
			u32 idx = mo_obj_task(&buf[i]);

			if (idx < max_entries)
				__set_bit(idx, marks);
		}
		cond_resched();
	} while (n);
	kfree(buf);
	return 0;
}

/* Remove @idx from its bucket's chain.  Under mo_task_lock. */
static void unlink_locked(u32 idx)
{
	u32 *link = &buckets[tasks[idx].hash & bucket_mask];
	u32 steps = 0;

	while (*link && steps++ < max_entries) {
		if (*link == idx) {
			/* Readers on @idx go on along its (unchanged) next. */
			WRITE_ONCE(*link, tasks[idx].next);
			return;
		}
		link = &tasks[*link].next;
	}
}

/*
 * The sweep's walks hold mo_task_lock, interrupts off, for LOCK_BATCH
 * entries at a time, then let interrupts, probes and other tasks in: a
 * table of millions is not one long interrupts-off section.  Dropping the
 * lock between batches is safe: an identity inserted meanwhile carries the
 * new generation (kept), and the entries unlinked so far are reachable by
 * no new lookup; the free list grows only at the end.
 */
#define LOCK_BATCH	4096

static void relock(unsigned long *flags)
{
	raw_spin_unlock_irqrestore(&mo_task_lock, *flags);
	cond_resched();
	raw_spin_lock_irqsave(&mo_task_lock, *flags);
}

/*
 * One sweep (steps 1-5 at the top of the file).  Returns the entries
 * recycled.  Process context; sleeps.
 */
static unsigned long sweep(void)
{
	unsigned long flags, recycled = 0;
	u32 idx, top, g, *dead, nr_dead = 0;

	lockdep_assert_held(&sweep_lock);
	dead = kvmalloc_array(max_entries, sizeof(u32), GFP_KERNEL);
	if (!dead)
		return 0;
	raw_spin_lock_irqsave(&mo_task_lock, flags);
	g = next_gen_locked();
	WRITE_ONCE(want_sweep, false);
	raw_spin_unlock_irqrestore(&mo_task_lock, flags);
	synchronize_rcu();
	if (mark_referenced())
		goto out;

	raw_spin_lock_irqsave(&mo_task_lock, flags);
	top = hwm;
	for (idx = 1; idx < top; idx++) {
		if (!(idx % LOCK_BATCH))
			relock(&flags);
		if (!tasks[idx].live || test_bit(idx, marks) ||
		    READ_ONCE(tasks[idx].gen) == g)
			continue;
		unlink_locked(idx);
		dead[nr_dead++] = idx;
	}
	raw_spin_unlock_irqrestore(&mo_task_lock, flags);
	synchronize_rcu();

	raw_spin_lock_irqsave(&mo_task_lock, flags);
	for (idx = 0; idx < nr_dead; idx++) {
		u32 e = dead[idx];
		u32 *bucket = &buckets[tasks[e].hash & bucket_mask];

		if (idx && !(idx % LOCK_BATCH))
			relock(&flags);
		if (READ_ONCE(tasks[e].gen) == g) {
			/* Found by a probe before it was unlinked: keep it. */
			tasks[e].next = *bucket;
			/* Its new link before it is reachable: pairs with find(). */
			smp_store_release(bucket, e);
			continue;
		}
		WRITE_ONCE(tasks[e].live, 0);
		free_ids[nr_free++] = e;
		nr_live--;
		recycled++;
	}
	raw_spin_unlock_irqrestore(&mo_task_lock, flags);
	atomic_long_add(recycled, &nr_recycled);
	atomic_long_inc(&nr_sweeps);
out:
	kvfree(dead);
	return recycled;
}

/* Whether the table is full enough to be worth a sweep. */
static bool sweep_due(void)
{
	u32 live = READ_ONCE(nr_live);

	return READ_ONCE(want_sweep) ||
	       (u64)live * 4 >= (u64)(max_entries - 1) * 3;
}

static void sweep_fn(struct work_struct *w)
{
	mutex_lock(&sweep_lock);
	if (++idle >= backoff && sweep_due()) {
		if (sweep() < (max_entries - 1) / 8)
			backoff = min(max(backoff, 1U) * 2, SWEEP_BACKOFF_MAX);
		else
			backoff = 1;
		idle = 0;
	}
	mutex_unlock(&sweep_lock);
	schedule_delayed_work(&sweep_work, SWEEP_PERIOD);
}

void mo_task_reset(void)
{
	unsigned long flags;
	u32 idx;

	mutex_lock(&sweep_lock);
	raw_spin_lock_irqsave(&mo_task_lock, flags);
	memset(buckets, 0, (bucket_mask + 1) * sizeof(u32));
	for (idx = 1; idx < hwm; idx++)
		WRITE_ONCE(tasks[idx].live, 0);
	hwm = 1;
	nr_free = 0;
	nr_live = 0;
	next_gen_locked();
	WRITE_ONCE(want_sweep, false);
	raw_spin_unlock_irqrestore(&mo_task_lock, flags);
	mutex_unlock(&sweep_lock);
}

void mo_task_gc_start(void)
{
	backoff = 1;
	idle = 0;
	sweeping = true;
	schedule_delayed_work(&sweep_work, SWEEP_PERIOD);
}

void mo_task_gc_stop(void)
{
	if (sweeping)
		cancel_delayed_work_sync(&sweep_work);
	sweeping = false;
}

int mo_task_init(unsigned long max_tasks)
{
	unsigned long nr_buckets;
	int cpu;

	max_entries = min(max_tasks + 1, 1UL << MO_TASK_BITS);
	nr_buckets = roundup_pow_of_two(max_entries);
	tasks = vzalloc(array_size(max_entries, sizeof(*tasks)));
	free_ids = vzalloc(array_size(max_entries, sizeof(u32)));
	marks = vzalloc(BITS_TO_LONGS(max_entries) * sizeof(long));
	buckets = vzalloc(array_size(nr_buckets, sizeof(u32)));
	if (!tasks || !free_ids || !marks || !buckets) {
		mo_task_exit();
		return -ENOMEM;
	}
	bucket_mask = nr_buckets - 1;
	hwm = 1;
	nr_free = 0;
	nr_live = 0;
	gen = 1;
	want_sweep = false;
	atomic_long_set(&nr_drops, 0);
	atomic_long_set(&nr_recycled, 0);
	atomic_long_set(&nr_sweeps, 0);
	INIT_DELAYED_WORK(&sweep_work, sweep_fn);
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&task_last, cpu), 0, sizeof(struct mo_task_last));
	return 0;
}

void mo_task_exit(void)
{
	vfree(tasks);
	vfree(free_ids);
	vfree(marks);
	vfree(buckets);
	tasks = NULL;
	free_ids = NULL;
	marks = NULL;
	buckets = NULL;
}
