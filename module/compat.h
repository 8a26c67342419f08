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
#ifdef MEMOWNER_KERNEL_BEFORE_5_10
#error "memowner supports Linux 5.10 and later (docs/kernels.md); this kernel is older"
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

/*
 * Until 6.x a tracepoint called its probes with preemption disabled
 * (preempt_disable_notrace(), or guard(preempt_notrace) from 6.10):
 * MEMOWNER_HAVE_TRACEPOINT_PREEMPT_OFF.  7.x calls them under SRCU-fast,
 * preemptible (PREEMPT_LAZY is Debian's default there).  memowner's probes
 * keep per-CPU state -- the re-entry guard, stack buffers, the sampling
 * countdown -- that a task preempted, or migrated, half-way through would
 * leave to the next task (its allocations then counted as recursion and
 * dropped) or clear on another CPU.  So where the tracepoint does not do it,
 * each tracepoint probe disables preemption itself for its whole run.
 * kprobe and kretprobe handlers always run with preemption disabled.
 */
#ifdef MEMOWNER_HAVE_TRACEPOINT_PREEMPT_OFF
#define MO_TP_NO_PREEMPT()	do { } while (0)
#else
#define MO_TP_NO_PREEMPT()	guard(preempt_notrace)()
#endif

/*
 * 5.10 (bullseye; the 5.1x LTS kernels of Ubuntu 22.04 and RHEL 9 are its
 * kin) lacks helpers memowner uses; each is given here in terms of what
 * 5.10 has, as a macro expanded after the kernel's headers.
 */
/* 6.0: test_bit_acquire(); an acquire load of the bit's word. */
#ifndef MEMOWNER_HAVE_TEST_BIT_ACQUIRE
#define test_bit_acquire(nr, addr)					\
	/* Acquire: pairs with the release that set the bit. */	\
	((smp_load_acquire(&(addr)[BIT_WORD(nr)]) >>			\
	  ((nr) & (BITS_PER_LONG - 1))) & 1UL)
#endif
/* 5.16: try_cmpxchg_release(); try_cmpxchg() is fully ordered, stronger. */
#ifndef MEMOWNER_HAVE_TRY_CMPXCHG_RELEASE
#define try_cmpxchg_release(ptr, oldp, new)	try_cmpxchg(ptr, oldp, new)
#endif
/* 5.17: interrupt_context_level(): 0 task, 1 softirq, 2 hardirq, 3 NMI. */
#ifndef MEMOWNER_HAVE_INTERRUPT_CONTEXT_LEVEL
#define interrupt_context_level()					\
	((unsigned char)(!!(preempt_count() & NMI_MASK) +		\
			 !!(preempt_count() & (NMI_MASK | HARDIRQ_MASK)) + \
			 !!(preempt_count() & (NMI_MASK | HARDIRQ_MASK |	\
					       SOFTIRQ_OFFSET))))
#endif
/*
 * 5.11: page_memcg_check().  On 5.10 page->mem_cgroup (public struct page)
 * holds the memcg, or for a slab page its obj_cgroups vector with bit 0
 * set, which names no single memcg.
 */
#ifndef MEMOWNER_HAVE_PAGE_MEMCG_CHECK
#define page_memcg_check(page) ({					\
	unsigned long __mo_v = (unsigned long)READ_ONCE((page)->mem_cgroup); \
	(struct mem_cgroup *)(__mo_v & 1UL ? 0UL : __mo_v); })
#endif
/* 5.11: nla_strscpy() was nla_strlcpy(). */
#ifndef MEMOWNER_HAVE_NLA_STRSCPY
#define nla_strscpy(dst, nla, size)	nla_strlcpy(dst, nla, size)
#endif
/*
 * 6.0: the extended ack names a missing attribute (NLMSGERR_ATTR_MISS_TYPE);
 * before, a missing attribute is told by the message alone, which every
 * caller of these sets.
 */
#ifndef MEMOWNER_HAVE_NL_ATTR_MISS
#define NL_SET_ERR_ATTR_MISS(extack, nest, type)	do { } while (0)
#define GENL_REQ_ATTR_CHECK(info, attr)	(!(info)->attrs[attr])
#endif
/*
 * 6.1's GENL_MCAST_CAP_SYS_ADMIN flag of a multicast group is the
 * cap_sys_admin bit in 5.10's stable updates (the same check at join).
 */
#ifdef MEMOWNER_HAVE_GENL_MCAST_FLAGS
#define MO_GENL_MCAST_ADMIN	.flags = GENL_MCAST_CAP_SYS_ADMIN
#else
#define MO_GENL_MCAST_ADMIN	.cap_sys_admin = 1
#endif
/*
 * 6.1 (resv_start_op) rejects a request whose genl header's reserved field
 * is not zero; before, memowner checks it itself (netlink.c).
 */

#endif /* _MEMOWNER_COMPAT_H */
