// SPDX-License-Identifier: GPL-2.0
/*
 * Stack depot, in the manner of the kernel's own (lib/).
 *
 * Records live in one arena reserved at load: a record is a header followed
 * by its frames, appended by bumping an offset.  A handle is the record's
 * offset in 8-byte units plus one, so it fits in a u32 and 0 means "none".
 * Records are never freed within an epoch, which is what makes lookup
 * lock-free: a reader follows bucket heads and chain links published with
 * release semantics, and whatever it reaches stays valid until the epoch
 * ends -- and no probe runs then, no reader holds the tables (below).
 *
 * Insertion of a new stack takes depot_lock, a raw spinlock (PREEMPT_RT
 * safe), with interrupts off; it rechecks the bucket under the lock so that
 * two CPUs saving the same new stack store it once.
 *
 * Handles come back from userspace (GET_STACK, alert rules), so a handle
 * is trusted only when it names the start of a complete record: one bit
 * per 8-byte unit of the arena marks the starts, set (release) once the
 * record is written and read (acquire) before the record is.  An offset
 * inside a record, past the used arena or past the arena is "unknown";
 * and no record is read as longer than MEMOWNER_DEPTH_MAX frames, so a
 * reader's loop is bounded whatever the arena holds.
 *
 * The arena holds max_stacks records of the deepest depth configured so
 * far (the load-time depth, or a deeper one SET_CONFIG asked for: the arena
 * is then reallocated, or the configuration refused if it cannot be).  When
 * either the arena or the record count is exhausted, saves return the
 * "table full" sentinel and are counted: nothing is ever dropped silently.
 *
 * A new epoch empties the depot (mo_depot_reset()), with every writer and
 * reader excluded (control.c): no record of the old epoch is in use then,
 * and the sentinels are stored again first, so their handles never change.
 */
#include <linux/jhash.h>
#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>

#include "depot.h"
#include "params.h"

struct mo_stack {
	u32 next;		/* handle of the next record in the bucket */
	u32 hash;
	u32 nr;			/* frames */
	u32 id;			/* sequence number, 0-based */
	unsigned long frames[];
};

static char *arena;
static size_t arena_size;
static unsigned int arena_depth;	/* frames per record it was sized for */
/* Bytes; written under depot_lock, released once the records are whole. */
static size_t arena_used;
static unsigned long *starts;	/* one bit per 8-byte unit: a record starts */
static u32 *buckets;
static unsigned int bucket_mask;
static unsigned long max_records;
static unsigned long nr_records;	/* under depot_lock, read racily */
static atomic_long_t nr_drops;
static DEFINE_RAW_SPINLOCK(depot_lock);
static u32 sentinels[MO_NR_SENTINELS];

static inline struct mo_stack *to_stack(u32 handle)
{
	return (struct mo_stack *)(arena + ((size_t)(handle - 1) << 3));
}

static inline u32 to_handle(size_t off)
{
	return (u32)(off >> 3) + 1;
}

static u32 hash_frames(const unsigned long *entries, unsigned int nr)
{
	return jhash2((const u32 *)entries,
		      nr * sizeof(*entries) / sizeof(u32), 0x6d656d6f);
}

static u32 find(u32 head, u32 hash, const unsigned long *entries,
		unsigned int nr)
{
	u32 h;

	/* Acquire pairs with the release that published each record. */
	for (h = head; h; h = smp_load_acquire(&to_stack(h)->next)) {
		struct mo_stack *s = to_stack(h);

		if (s->hash == hash && s->nr == nr &&
		    !memcmp(s->frames, entries, nr * sizeof(*entries)))
			return h;
	}
	return 0;
}

static u32 depot_insert(u32 hash, const unsigned long *entries,
			unsigned int nr)
{
	size_t size = sizeof(struct mo_stack) + nr * sizeof(*entries);
	u32 *bucket = &buckets[hash & bucket_mask];
	struct mo_stack *s;
	unsigned long flags;
	u32 h;

	raw_spin_lock_irqsave(&depot_lock, flags);
	/* Another CPU may have stored it since our lock-free look. */
	h = find(READ_ONCE(*bucket), hash, entries, nr);
	if (h)
		goto out;
	if (nr_records >= max_records || arena_used + size > arena_size) {
		h = 0;
		goto out;
	}
	s = (struct mo_stack *)(arena + arena_used);
	h = to_handle(arena_used);
	s->hash = hash;
	s->nr = nr;
	s->id = nr_records++;
	memcpy(s->frames, entries, nr * sizeof(*entries));
	s->next = *bucket;
	/*
	 * Publish the complete record three ways, each a release after the
	 * stores above: as a start (mo_depot_fetch), as used arena
	 * (mo_depot_next) and in its bucket (find).
	 */
	smp_mb__before_atomic();	/* record, then its start bit */
	set_bit(h - 1, starts);
	/* Pairs with smp_load_acquire() in mo_depot_next(). */
	smp_store_release(&arena_used, arena_used + ALIGN(size, 8));
	/* Pairs with smp_load_acquire() in find() and mo_depot_save(). */
	smp_store_release(bucket, h);
out:
	raw_spin_unlock_irqrestore(&depot_lock, flags);
	return h;
}

u32 mo_depot_save(const unsigned long *entries, unsigned int nr)
{
	u32 hash, h;

	if (!nr)
		return sentinels[MO_STACK_UNAVAILABLE];
	/* Never stored longer than any reader is prepared to read. */
	nr = min_t(unsigned int, nr, MEMOWNER_DEPTH_MAX);
	hash = hash_frames(entries, nr);
	/* Pairs with smp_store_release() in depot_insert(). */
	h = find(smp_load_acquire(&buckets[hash & bucket_mask]), hash,
		 entries, nr);
	if (likely(h))
		return h;
	h = depot_insert(hash, entries, nr);
	if (unlikely(!h)) {
		atomic_long_inc(&nr_drops);
		return sentinels[MO_STACK_TABLE_FULL];
	}
	return h;
}

unsigned int mo_depot_fetch(u32 handle, const unsigned long **entries)
{
	struct mo_stack *s;

	/* Only the start of a published record: see the top of the file. */
	if (!handle || (size_t)(handle - 1) >= arena_size >> 3 ||
	    !test_bit_acquire(handle - 1, starts))
		return 0;
	s = to_stack(handle);
	*entries = s->frames;
	return min_t(unsigned int, s->nr, MEMOWNER_DEPTH_MAX);
}

u32 mo_depot_next(u32 *pos)
{
	size_t off = (size_t)*pos << 3;
	struct mo_stack *s;

	/*
	 * Records are contiguous; arena_used only grows.  Pairs with the
	 * release that publishes it once the record below it is complete.
	 */
	if (off >= smp_load_acquire(&arena_used))
		return 0;
	s = (struct mo_stack *)(arena + off);
	*pos += ALIGN(sizeof(*s) + min_t(u32, s->nr, MEMOWNER_DEPTH_MAX) *
		      sizeof(unsigned long), 8) >> 3;
	return to_handle(off);
}

void mo_depot_set_frame(u32 handle, unsigned int i, unsigned long frame)
{
	const unsigned long *frames;
	unsigned long flags;

	if (i >= mo_depot_fetch(handle, &frames))
		return;
	/*
	 * Under depot_lock, so that depot_insert()'s recheck compares whole
	 * frames; lock-free readers see the old or the new word, never a mix.
	 */
	raw_spin_lock_irqsave(&depot_lock, flags);
	WRITE_ONCE(to_stack(handle)->frames[i], frame);
	raw_spin_unlock_irqrestore(&depot_lock, flags);
}

u32 mo_depot_sentinel(unsigned int which)
{
	return sentinels[which];
}

/* Stacks stored, sentinels not counted. */
unsigned long mo_depot_count(void)
{
	return READ_ONCE(nr_records) - (MO_NR_SENTINELS - 1);
}

unsigned long mo_depot_drops(void)
{
	return atomic_long_read(&nr_drops);
}

size_t mo_depot_memory(void)
{
	return arena_size + BITS_TO_LONGS(arena_size >> 3) * sizeof(long) +
	       (bucket_mask + 1) * sizeof(u32);
}

/*
 * The sentinel records hold one frame each: the address of a function whose
 * name says what happened, so that every stack-based view (show_stacks,
 * page_owner_sort) shows them like any other stack.
 */
static noinline void memowner_allocated_before_load(void) { barrier(); }
static noinline void memowner_stack_table_full(void) { barrier(); }
static noinline void memowner_stack_unavailable(void) { barrier(); }

static const unsigned long sentinel_fns[MO_NR_SENTINELS] = {
	[MO_STACK_BEFORE_LOAD] = (unsigned long)memowner_allocated_before_load,
	[MO_STACK_TABLE_FULL] = (unsigned long)memowner_stack_table_full,
	[MO_STACK_UNAVAILABLE] = (unsigned long)memowner_stack_unavailable,
};

static size_t arena_bytes(unsigned int depth)
{
	return max_records *
	       ALIGN(sizeof(struct mo_stack) + depth * sizeof(unsigned long), 8);
}

/* The depot empty but for its sentinels; no writer or reader runs. */
static int depot_empty(void)
{
	int i;

	memset(buckets, 0, (bucket_mask + 1) * sizeof(u32));
	bitmap_zero(starts, arena_size >> 3);
	arena_used = 0;
	nr_records = 0;
	for (i = MO_STACK_BEFORE_LOAD; i < MO_NR_SENTINELS; i++) {
		sentinels[i] = depot_insert(hash_frames(&sentinel_fns[i], 1),
					    &sentinel_fns[i], 1);
		if (!sentinels[i])
			return -ENOMEM;
	}
	return 0;
}

int mo_depot_init(unsigned long max_stacks, unsigned int depth)
{
	unsigned long nr_buckets = roundup_pow_of_two(max_stacks);

	max_records = max_stacks + MO_NR_SENTINELS - 1;
	arena_size = arena_bytes(depth);
	arena_depth = depth;
	arena = vzalloc(arena_size);
	starts = vzalloc(BITS_TO_LONGS(arena_size >> 3) * sizeof(long));
	buckets = vzalloc(nr_buckets * sizeof(u32));
	if (!arena || !starts || !buckets) {
		mo_depot_exit();
		return -ENOMEM;
	}
	bucket_mask = nr_buckets - 1;
	atomic_long_set(&nr_drops, 0);
	if (depot_empty()) {
		mo_depot_exit();
		return -ENOMEM;
	}
	return 0;
}

int mo_depot_prepare(unsigned int depth, struct mo_depot_arena *a)
{
	memset(a, 0, sizeof(*a));
	if (depth <= arena_depth)
		return 0;	/* the arena holds it: kept */
	a->size = arena_bytes(depth);
	a->depth = depth;
	a->arena = vzalloc(a->size);
	a->starts = vzalloc(BITS_TO_LONGS(a->size >> 3) * sizeof(long));
	if (!a->arena || !a->starts) {
		mo_depot_discard(a);
		return -ENOMEM;
	}
	return 0;
}

void mo_depot_discard(struct mo_depot_arena *a)
{
	vfree(a->arena);
	vfree(a->starts);
	memset(a, 0, sizeof(*a));
}

void mo_depot_reset(struct mo_depot_arena *a)
{
	if (a->arena) {
		swap(arena, a->arena);
		swap(starts, a->starts);
		swap(arena_size, a->size);
		swap(arena_depth, a->depth);
	}
	mo_depot_discard(a);	/* the old arena, or nothing */
	/* The sentinels fit in any arena: they went in first at load. */
	WARN_ON_ONCE(depot_empty());
}

void mo_depot_exit(void)
{
	vfree(arena);
	vfree(starts);
	vfree(buckets);
	arena = NULL;
	starts = NULL;
	buckets = NULL;
}
