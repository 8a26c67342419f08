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

#endif /* _MEMOWNER_COMPAT_H */
