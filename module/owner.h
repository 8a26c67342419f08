/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The owner table: every live tracked object (slab pointer, PFN, percpu
 * pointer, vmalloc address) mapped to its owner record.  32 bytes per
 * object, preallocated at load, never allocating afterwards.
 */
#ifndef _MEMOWNER_OWNER_H
#define _MEMOWNER_OWNER_H

#include <linux/hash.h>
#include <linux/types.h>

#define MO_SIZE_BITS	30
#define MO_SIZE_MASK	((1U << MO_SIZE_BITS) - 1)
#define MO_CPU_BITS	10

/*
 * @size is in the unit of the source: bytes for slab and percpu, base
 * pages for vmalloc; for pages, the order in bits 0-7 and the order of the
 * block as allocated (before any split) in bits 8-15.  @ts counts 2^24 ns
 * (16.8 ms) since load: a 2.2-year range.  @task_cpu holds the task-cache index above MO_CPU_BITS bits of
 * CPU number (saturated at 1023).
 */
struct mo_obj {
	unsigned long key;
	u32 next;
	u32 site;
	u32 size_src;		/* size | src << MO_SIZE_BITS */
	u32 req;		/* bytes requested (saturated) */
	u32 ts;			/* CLOCK_BOOTTIME >> MO_TS_SHIFT (track.c) */
	u32 task_cpu;
};

static inline unsigned int mo_obj_src(const struct mo_obj *o)
{
	return o->size_src >> MO_SIZE_BITS;
}

static inline u32 mo_obj_size(const struct mo_obj *o)
{
	return o->size_src & MO_SIZE_MASK;
}

#define MO_PAGE_SIZE(order, orig)	((order) | (orig) << 8)

static inline unsigned int mo_obj_order(const struct mo_obj *o)
{
	return mo_obj_size(o) & 0xff;
}

static inline unsigned int mo_obj_orig_order(const struct mo_obj *o)
{
	return (mo_obj_size(o) >> 8) & 0xff;
}

static inline u32 mo_obj_task(const struct mo_obj *o)
{
	return o->task_cpu >> MO_CPU_BITS;
}

static inline unsigned int mo_obj_cpu(const struct mo_obj *o)
{
	return o->task_cpu & ((1U << MO_CPU_BITS) - 1);
}

enum mo_insert_mode {
	MO_INSERT_REPLACE,	/* a stale record of the same key is replaced */
	MO_INSERT_IF_ABSENT,	/* keep an existing record (bulk paths) */
};

/* The bucket heads, exported for the lock-free "maybe present" test. */
extern u32 *mo_owner_buckets;
extern unsigned int mo_owner_bits;

/* Same key, different sources (a percpu cookie may equal a PFN): mix src. */
static inline unsigned long mo_owner_bucket(unsigned long key, unsigned int src)
{
	return hash_long(key ^ ((unsigned long)src << 60), mo_owner_bits);
}

/*
 * False when @key is certainly not tracked: its bucket is empty.  Any
 * context, no lock.  Safe for frees because an object's insert completes
 * before its allocator returns it, so it cannot race with its own free.
 */
static inline bool mo_owner_maybe(unsigned long key, unsigned int src)
{
	return READ_ONCE(mo_owner_buckets[mo_owner_bucket(key, src)]) != 0;
}

int mo_owner_init(unsigned long max_objects);
void mo_owner_exit(void);

/*
 * Insert @rec (key, site, size_src, ...).  Interrupts must be off.
 * Returns 0, -ENOSPC when the table is full, or -EEXIST (IF_ABSENT mode,
 * nothing changed).  In REPLACE mode returns 1 and copies the replaced
 * record to @old when the key was present.
 */
int mo_owner_insert(const struct mo_obj *rec, enum mo_insert_mode mode,
		    struct mo_obj *old);

/* Remove the record of @key/@src into @out. Interrupts off. */
bool mo_owner_remove(unsigned long key, unsigned int src, struct mo_obj *out);

/* Copy the record of @key/@src into @out. Any context. */
bool mo_owner_lookup(unsigned long key, unsigned int src, struct mo_obj *out);

/*
 * Copy whole buckets, starting at bucket *@pos, into @buf (at most @max
 * records); advances *@pos.  Returns the number copied; 0 with *@pos past
 * the end means done.  Process context.
 */
unsigned int mo_owner_scan(unsigned long *pos, struct mo_obj *buf,
			   unsigned int max);

/*
 * Drop every record.  Tracking must be stopped (no probe attached);
 * readers may run: each chain is emptied under its lock first.  Sleeps.
 */
void mo_owner_clear(void);

unsigned long mo_owner_count(void);	/* live records */
unsigned long mo_owner_capacity(void);
unsigned long mo_owner_drops(void);	/* inserts refused: table full */
size_t mo_owner_memory(void);

#endif /* _MEMOWNER_OWNER_H */
