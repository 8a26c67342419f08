// SPDX-License-Identifier: GPL-2.0
/*
 * Task identity cache.
 *
 * Entries are immutable once published and never removed before unload, so
 * both lookup and insertion are lock-free: a slot is claimed with an atomic
 * counter, filled, then pushed on its bucket chain with cmpxchg (release).
 * A thread rename or exec makes a new entry; two racing inserts of the same
 * identity (an interrupt allocating on behalf of the task it interrupted)
 * may store it twice, which is harmless.  When the table is full, new
 * identities are counted and recorded as MO_TASK_UNKNOWN.
 *
 * Each CPU remembers its last answer: consecutive allocations by the same
 * task -- the common case -- cost a few compares.
 */
#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "task.h"

static struct mo_task *tasks;	/* tasks[0] is MO_TASK_UNKNOWN */
static unsigned long max_entries;
static atomic_long_t nr_used;
static atomic_long_t nr_drops;
static u32 *buckets;
static unsigned int bucket_mask;

struct mo_task_last {
	const struct task_struct *task;
	pid_t pid;
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

static u32 lookup_insert(pid_t pid, pid_t tgid, const char *comm)
{
	u32 hash = jhash(comm, TASK_COMM_LEN, hash_32(pid, 32) ^ tgid);
	u32 *bucket = &buckets[hash & bucket_mask];
	u32 idx, head;
	long slot;

	/* Acquire pairs with try_cmpxchg_release() publishing each entry. */
	idx = smp_load_acquire(bucket);
	while (idx) {
		if (tasks[idx].hash == hash && same(&tasks[idx], pid, tgid, comm))
			return idx;
		/* Same pairing for the chain links. */
		idx = smp_load_acquire(&tasks[idx].next);
	}

	slot = atomic_long_inc_return(&nr_used);
	if (slot >= max_entries) {
		atomic_long_dec(&nr_used);
		atomic_long_inc(&nr_drops);
		return MO_TASK_UNKNOWN;
	}
	idx = slot;
	tasks[idx].pid = pid;
	tasks[idx].tgid = tgid;
	memcpy(tasks[idx].comm, comm, TASK_COMM_LEN);
	tasks[idx].hash = hash;
	head = READ_ONCE(*bucket);
	do {
		tasks[idx].next = head;
		/* Release: the entry is complete before it is reachable. */
	} while (!try_cmpxchg_release(bucket, &head, idx));
	return idx;
}

u32 mo_task_current(void)
{
	struct mo_task_last *last = this_cpu_ptr(&task_last);
	struct task_struct *t = current;
	u64 comm[TASK_COMM_LEN / 8];
	u32 idx;

	BUILD_BUG_ON(TASK_COMM_LEN != 16);
	/* comm may be rewritten concurrently (prctl): copy it once. */
	memcpy(comm, t->comm, TASK_COMM_LEN);
	((char *)comm)[TASK_COMM_LEN - 1] = '\0';
	if (likely(last->task == t && last->pid == t->pid &&
		   last->comm[0] == comm[0] && last->comm[1] == comm[1]))
		return last->idx;

	idx = lookup_insert(t->pid, t->tgid, (const char *)comm);
	/*
	 * Interrupts may run this on the same CPU in between; the cache is a
	 * hint, and a torn update only costs a later miss, never a wrong
	 * answer, because the fields are rechecked together with irqs off.
	 */
	if (!in_nmi()) {
		unsigned long flags;

		local_irq_save(flags);
		last->task = t;
		last->pid = t->pid;
		memcpy(last->comm, comm, TASK_COMM_LEN);
		last->idx = idx;
		local_irq_restore(flags);
	}
	return idx;
}

const struct mo_task *mo_task_get(u32 idx)
{
	if (idx == MO_TASK_UNKNOWN || idx > atomic_long_read(&nr_used))
		return NULL;
	return &tasks[idx];
}

unsigned long mo_task_count(void)
{
	return atomic_long_read(&nr_used);
}

unsigned long mo_task_drops(void)
{
	return atomic_long_read(&nr_drops);
}

size_t mo_task_memory(void)
{
	return max_entries * sizeof(*tasks) + (bucket_mask + 1) * sizeof(u32);
}

int mo_task_init(unsigned long max_tasks)
{
	unsigned long nr_buckets;
	int cpu;

	max_entries = min(max_tasks + 1, 1UL << MO_TASK_BITS);
	nr_buckets = roundup_pow_of_two(max_entries);
	tasks = vzalloc(max_entries * sizeof(*tasks));
	buckets = vzalloc(nr_buckets * sizeof(u32));
	if (!tasks || !buckets) {
		mo_task_exit();
		return -ENOMEM;
	}
	bucket_mask = nr_buckets - 1;
	atomic_long_set(&nr_used, 0);
	atomic_long_set(&nr_drops, 0);
	for_each_possible_cpu(cpu)
		memset(per_cpu_ptr(&task_last, cpu), 0, sizeof(struct mo_task_last));
	return 0;
}

void mo_task_exit(void)
{
	vfree(tasks);
	vfree(buckets);
	tasks = NULL;
	buckets = NULL;
}
