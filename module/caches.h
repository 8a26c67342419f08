/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Slab call sites without slub_debug: per slab cache and per call site,
 * the live objects with their bytes, ages, allocating pids and CPUs -- what
 * /sys/kernel/slab/<cache>/alloc_calls shows on a kernel booted with
 * slub_debug=U, computed from memowner's owner records.
 */
#ifndef _MEMOWNER_CACHES_H
#define _MEMOWNER_CACHES_H

#include <linux/types.h>

/* One slab cache and one call site. */
struct mo_cache_row {
	unsigned long callsite;	/* first frame of its stacks, 0 = unknown */
	u32 stack;		/* one stack handle of the call site */
	u16 cache;		/* cache-name index, see mo_cache_name() */
	u64 count;		/* live objects (estimates when sampling) */
	u64 bytes;		/* their bytes */
	u64 age_min_ms, age_max_ms;
	u64 age_sum_ms;		/* over @count objects: the mean is the ratio */
	u32 pid_min, pid_max;	/* of the allocating tasks; 0 when none known */
};

struct mo_caches {
	unsigned long nr;
	unsigned int cpu_longs;		/* longs per CPU bitmap */
	struct mo_cache_row *rows;	/* by count, then bytes, descending */
	unsigned long *cpus;		/* @nr bitmaps of nr_cpu_ids bits */
};

/*
 * Aggregate the live slab records into *@out (free with mo_caches_free()).
 * Process context, may sleep.  0, -ENOMEM, or -EINTR on a fatal signal.
 */
int mo_caches_run(struct mo_caches **out);
void mo_caches_free(struct mo_caches *c);

/* The bitmap of the CPUs that allocated the objects of row @i. */
static inline const unsigned long *mo_caches_cpus(const struct mo_caches *c,
						  unsigned long i)
{
	return c->cpus + i * c->cpu_longs;
}

#endif /* _MEMOWNER_CACHES_H */
