/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel-version differences, force-included into every memowner source.
 *
 * Core files test feature macros named after what changed; the macros are
 * set by probes of the target tree in Kbuild (MEMOWNER_HAVE_*), never by
 * comparing LINUX_VERSION_CODE in core code.
 */
#ifndef _MEMOWNER_COMPAT_H
#define _MEMOWNER_COMPAT_H

#include <linux/kconfig.h>

/*
 * What memowner cannot do without: a kernel that lacks it gets one of these
 * sentences in the build log (and DKMS's make.log), not an oops at load.
 */
#if !defined(CONFIG_TRACEPOINTS) || !defined(CONFIG_STACKTRACE)
#error "memowner needs CONFIG_TRACEPOINTS and CONFIG_STACKTRACE; this kernel lacks one"
#endif
#if !defined(CONFIG_KPROBES) || !defined(CONFIG_KRETPROBES)
#error "memowner needs CONFIG_KPROBES and CONFIG_KRETPROBES; this kernel lacks one"
#endif
/* The oldest kernel the compat layer covers: Kbuild compares the version. */
#ifdef MEMOWNER_KERNEL_BEFORE_6_1
#error "memowner supports Linux 6.1 and later (docs/kernels.md); this kernel is older"
#endif

/*
 * 6.2 split genl_ops into struct genl_split_ops for pre_doit/post_doit; the
 * callbacks memowner uses still take struct genl_ops-compatible arguments.
 */
#ifdef MEMOWNER_HAVE_GENL_SPLIT_OPS
#define memowner_genl_ops_t const struct genl_split_ops
#else
#define memowner_genl_ops_t const struct genl_ops
#endif

/*
 * 6.6 made a dump's request a struct genl_info (genl_info_dump()); before,
 * its parsed attributes were in struct genl_dumpit_info.
 */
#ifdef MEMOWNER_HAVE_GENL_INFO_DUMP
#define mo_genl_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define mo_genl_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

/*
 * 6.2 handed the request's extended ack to a dump's start callback
 * (struct netlink_dump_control.extack): MEMOWNER_HAVE_DUMP_START_EXTACK.
 * Before, cb->extack is NULL there and an error of start reaches the
 * client without its message; see dump_fail() in netlink.c.
 */

/* 6.4 renamed MAX_ORDER (exclusive) and added NR_PAGE_ORDERS. */
#ifdef MEMOWNER_HAVE_NR_PAGE_ORDERS
#define MO_NR_PAGE_ORDERS	NR_PAGE_ORDERS
#else
#define MO_NR_PAGE_ORDERS	MAX_ORDER
#endif

/*
 * Functions memowner kprobes are declared or not (MEMOWNER_DECL_<fn>, from
 * Kbuild) and their prototypes are checked where they are hooked, in
 * probes.c: split_page_memcg(head, nr) became (head, old_order, new_order)
 * in 6.10; the bulk page allocator was renamed alloc_pages_bulk_noprof in
 * 6.10 and lost its page_list argument in 6.14.
 */

/*
 * 5.14 moved a zone's per-CPU free lists from zone->pageset (struct
 * per_cpu_pageset, its pcp member) to zone->per_cpu_pageset (struct
 * per_cpu_pages): MEMOWNER_HAVE_PER_CPU_PAGESET.  Pages on them, read
 * racily.
 */
#ifdef MEMOWNER_HAVE_PER_CPU_PAGESET
#define mo_pcp_count(zone, cpu)						\
	((zone)->per_cpu_pageset ?					\
	 READ_ONCE(per_cpu_ptr((zone)->per_cpu_pageset, cpu)->count) : 0)
#else
#define mo_pcp_count(zone, cpu)						\
	((zone)->pageset ?						\
	 READ_ONCE(per_cpu_ptr((zone)->pageset, cpu)->pcp.count) : 0)
#endif

/*
 * 7.x: the direct-reclaim tracepoints name the memory cgroup reclaimed
 * for, and begin's arguments were reordered: begin(gfp, order, memcg),
 * end(nr_reclaimed, memcg); before, begin(order, gfp), end(nr_reclaimed).
 * MO_RECLAIM_BEGIN_ARGS/MO_RECLAIM_END_ARGS are a probe's arguments after
 * "void *data", so that a probe names order, gfp and nr_reclaimed alike on
 * every kernel; check_trace_callback_type_*() still checks the result.
 */
#ifdef MEMOWNER_HAVE_RECLAIM_BEGIN_MEMCG
#define MO_RECLAIM_BEGIN_ARGS(order, gfp)	\
	gfp_t gfp, int order, struct mem_cgroup *memcg
#else
#define MO_RECLAIM_BEGIN_ARGS(order, gfp)	int order, gfp_t gfp
#endif
#ifdef MEMOWNER_HAVE_RECLAIM_END_MEMCG
#define MO_RECLAIM_END_ARGS(nr_reclaimed)	\
	unsigned long nr_reclaimed, struct mem_cgroup *memcg
#else
#define MO_RECLAIM_END_ARGS(nr_reclaimed)	unsigned long nr_reclaimed
#endif

#endif /* _MEMOWNER_COMPAT_H */
