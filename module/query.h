/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the tables: owners grouped, filtered and sorted, for the ioctl
 * snapshot and the netlink dumps.  Process context only; results are
 * copies, taken without stopping the probes.
 */
#ifndef _MEMOWNER_QUERY_H
#define _MEMOWNER_QUERY_H

#include <linux/types.h>
#include "owner.h"
#include "version.h"

struct mo_query {
	u32 group;		/* MEMOWNER_GROUP_* */
	u32 sort;		/* MEMOWNER_SORT_* */
	u32 sources;		/* source mask; 0 = all */
	u32 tgid;		/* 0 = any */
	u64 min_value;		/* of the sort key */
	u64 older_than_ns;	/* only live objects at least this old; 0 = all */
	char cache[MEMOWNER_NAME_LEN];	/* "" = any */
	char module[MEMOWNER_NAME_LEN];	/* "" = any; "vmlinux" = the kernel */
};

/* A result row; the same fields as struct memowner_row. */
struct mo_row {
	u64 id;
	u32 stack;
	u32 source;
	u64 live_bytes, live_pages, live_objects;	/* owned */
	u64 backing_bytes;	/* pages holding objects counted above */
	u64 allocs, frees, bytes_allocated;
	s64 growth_bytes;
	u64 extfrag;		/* fragmenting fallbacks (stack groups) */
	u64 oldest_ns;		/* age of the oldest live object (record scans) */
	char name[MEMOWNER_NAME_LEN];
};

/*
 * Run @q: *@rows (kvmalloc'ed, caller frees with kvfree) gets *@nr rows,
 * sorted by q->sort, descending.  0 or -errno (-EINVAL bad group/sort,
 * -ENOMEM).
 */
int mo_query_run(const struct mo_query *q, struct mo_row **rows,
		 unsigned long *nr);

/* The sort value of a row. */
u64 mo_row_value(const struct mo_row *r, u32 sort);

/*
 * May a reader see raw kernel addresses?  Only with CAP_SYSLOG, and as %pK
 * would: never when kptr_restrict is 2.
 */
bool mo_may_see_addresses(bool cap_syslog);

/* Module name ("vmlinux" for the kernel) of the first frame of @stack. */
void mo_stack_module(u32 stack, char *buf, size_t len);

/*
 * The same for a site, computed once and cached: "" when unknown.  The
 * string lives until the module unloads.  Process context.
 */
const char *mo_site_module(u32 site);

/*
 * The @n sites with the most live bytes into @out, without allocating (for
 * the OOM event, when memory is short).  Returns how many were found.
 */
unsigned int mo_query_top_sites(struct mo_row *out, unsigned int n);
/*
 * Insert @row into @out, the first *@found of @n rows sorted by live bytes
 * (descending); a row below the last of a full list is left out.
 */
void mo_query_top_add(struct mo_row *out, unsigned int *found,
		      unsigned int n, const struct mo_row *row);

/* MARK and RESET: baselines of growth and of totals, per site. */
void mo_query_mark(void);
void mo_query_reset(void);
u64 mo_query_mark_ns(void);

/*
 * A generation number that changes whenever the set of stacks or sites
 * changes or tracking restarts (for genl_dump_check_consistent).
 */
u32 mo_query_generation(void);

int mo_query_init(unsigned long max_sites);
size_t mo_query_memory(void);	/* bytes of the baseline and module tables */
void mo_query_exit(void);
/* Forget the baselines (a new tracking epoch). */
void mo_query_clear(void);

#endif /* _MEMOWNER_QUERY_H */
