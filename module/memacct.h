/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every allocation memowner makes, counted: force-included (Kbuild) after
 * compat.h into every memowner source, this header wraps the kernel's
 * allocation and free functions so that each non-NULL allocation counts
 * one and each free of a non-NULL pointer one less.  memowner_info_exit()
 * runs last at unload and reports "unloaded with leaks" when the count is
 * not zero: a table whose vfree() was dropped, a per-open or per-request
 * buffer that was never freed.  No source file needs to name it.
 *
 * The kernel's headers are included first, so that their own inline
 * helpers (kvmalloc_array() calling kvmalloc_node()...) are left alone and
 * only memowner's calls expand to the counting forms.  Memory the kernel
 * allocates for memowner and frees itself (seq_file buffers, netlink
 * skbs) is not counted on either side.
 */
#ifndef _MEMOWNER_MEMACCT_H
#define _MEMOWNER_MEMACCT_H

/* The prefix every memowner file sets, before printk.h can default it. */
#ifndef pr_fmt
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#endif

#include <linux/atomic.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

/* Live allocations and allocations made since load (info.c). */
extern atomic_long_t memowner_acct_live, memowner_acct_made;

#define MO_ACCT_ALLOC(expr) ({						\
	typeof(expr) __mo_acct_p = (expr);				\
	if (__mo_acct_p) {						\
		atomic_long_inc(&memowner_acct_live);			\
		atomic_long_inc(&memowner_acct_made);			\
	}								\
	__mo_acct_p; })

static inline void memowner_acct_free(const void *p)
{
	if (p)
		atomic_long_dec(&memowner_acct_live);
}

static inline void memowner_acct_kfree(const void *p)
{
	memowner_acct_free(p);
	kfree(p);
}

static inline void memowner_acct_kvfree(const void *p)
{
	memowner_acct_free(p);
	kvfree(p);
}

static inline void memowner_acct_vfree(const void *p)
{
	memowner_acct_free(p);
	vfree(p);
}

static inline void memowner_acct_free_percpu(void __percpu *p)
{
	/* Through unsigned long: __seg_gs pointers (gcc 14+, 6.15+) do not cast. */
	memowner_acct_free((const void *)(__force unsigned long)p);
	free_percpu(p);
}

#if defined(kfree) || defined(kvfree) || defined(vfree) || defined(free_percpu)
#error "memacct.h: a free function became a macro: wrap it like the allocators"
#endif
#define kfree(p)		memowner_acct_kfree(p)
#define kvfree(p)		memowner_acct_kvfree(p)
#define vfree(p)		memowner_acct_vfree(p)
#define free_percpu(p)		memowner_acct_free_percpu(p)

/*
 * Each allocator memowner may call becomes a function-like macro that
 * counts -- where it is a function (or an inline of the headers).  A name
 * that is a macro is left alone: it expands to one of these functions (the
 * allocation-profiling kernels' alloc_hooks(X_noprof(...)), kvzalloc() as
 * kvmalloc(..., __GFP_ZERO)...), which counts, so no allocation is counted
 * twice whatever the kernel makes a macro.  The list is the union of the
 * names over the kernels memowner supports, spelled out because the
 * preprocessor cannot test a name given as an argument.  An allocator
 * missing here that memowner starts to use shows as a count below zero at
 * unload (its free is counted): add it here.
 */
#ifndef kmalloc
#define kmalloc(...) MO_ACCT_ALLOC(kmalloc(__VA_ARGS__))
#endif
#ifndef kzalloc
#define kzalloc(...) MO_ACCT_ALLOC(kzalloc(__VA_ARGS__))
#endif
#ifndef kcalloc
#define kcalloc(...) MO_ACCT_ALLOC(kcalloc(__VA_ARGS__))
#endif
#ifndef kmalloc_array
#define kmalloc_array(...) MO_ACCT_ALLOC(kmalloc_array(__VA_ARGS__))
#endif
#ifndef kmalloc_node
#define kmalloc_node(...) MO_ACCT_ALLOC(kmalloc_node(__VA_ARGS__))
#endif
#ifndef kzalloc_node
#define kzalloc_node(...) MO_ACCT_ALLOC(kzalloc_node(__VA_ARGS__))
#endif
#ifndef kcalloc_node
#define kcalloc_node(...) MO_ACCT_ALLOC(kcalloc_node(__VA_ARGS__))
#endif
#ifndef kmalloc_array_node
#define kmalloc_array_node(...) MO_ACCT_ALLOC(kmalloc_array_node(__VA_ARGS__))
#endif
#ifndef kvmalloc
#define kvmalloc(...) MO_ACCT_ALLOC(kvmalloc(__VA_ARGS__))
#endif
#ifndef kvzalloc
#define kvzalloc(...) MO_ACCT_ALLOC(kvzalloc(__VA_ARGS__))
#endif
#ifndef kvmalloc_array
#define kvmalloc_array(...) MO_ACCT_ALLOC(kvmalloc_array(__VA_ARGS__))
#endif
#ifndef kvcalloc
#define kvcalloc(...) MO_ACCT_ALLOC(kvcalloc(__VA_ARGS__))
#endif
#ifndef kvmalloc_node
#define kvmalloc_node(...) MO_ACCT_ALLOC(kvmalloc_node(__VA_ARGS__))
#endif
#ifndef kvzalloc_node
#define kvzalloc_node(...) MO_ACCT_ALLOC(kvzalloc_node(__VA_ARGS__))
#endif
#ifndef kvcalloc_node
#define kvcalloc_node(...) MO_ACCT_ALLOC(kvcalloc_node(__VA_ARGS__))
#endif
#ifndef kvmalloc_array_node
#define kvmalloc_array_node(...) MO_ACCT_ALLOC(kvmalloc_array_node(__VA_ARGS__))
#endif
#ifndef vmalloc
#define vmalloc(...) MO_ACCT_ALLOC(vmalloc(__VA_ARGS__))
#endif
#ifndef vzalloc
#define vzalloc(...) MO_ACCT_ALLOC(vzalloc(__VA_ARGS__))
#endif
#ifndef vmalloc_node
#define vmalloc_node(...) MO_ACCT_ALLOC(vmalloc_node(__VA_ARGS__))
#endif
#ifndef vzalloc_node
#define vzalloc_node(...) MO_ACCT_ALLOC(vzalloc_node(__VA_ARGS__))
#endif
#ifndef vmalloc_user
#define vmalloc_user(...) MO_ACCT_ALLOC(vmalloc_user(__VA_ARGS__))
#endif
#ifndef vmalloc_32
#define vmalloc_32(...) MO_ACCT_ALLOC(vmalloc_32(__VA_ARGS__))
#endif
#ifndef vmalloc_32_user
#define vmalloc_32_user(...) MO_ACCT_ALLOC(vmalloc_32_user(__VA_ARGS__))
#endif
#ifndef vmalloc_huge
#define vmalloc_huge(...) MO_ACCT_ALLOC(vmalloc_huge(__VA_ARGS__))
#endif
#ifndef __vmalloc
#define __vmalloc(...) MO_ACCT_ALLOC(__vmalloc(__VA_ARGS__))
#endif
#ifndef __vmalloc_node
#define __vmalloc_node(...) MO_ACCT_ALLOC(__vmalloc_node(__VA_ARGS__))
#endif
#ifndef vmalloc_array
#define vmalloc_array(...) MO_ACCT_ALLOC(vmalloc_array(__VA_ARGS__))
#endif
#ifndef vcalloc
#define vcalloc(...) MO_ACCT_ALLOC(vcalloc(__VA_ARGS__))
#endif
#ifndef kmemdup
#define kmemdup(...) MO_ACCT_ALLOC(kmemdup(__VA_ARGS__))
#endif
#ifndef kstrdup
#define kstrdup(...) MO_ACCT_ALLOC(kstrdup(__VA_ARGS__))
#endif
#ifndef kstrndup
#define kstrndup(...) MO_ACCT_ALLOC(kstrndup(__VA_ARGS__))
#endif
#ifndef kmalloc_noprof
#define kmalloc_noprof(...) MO_ACCT_ALLOC(kmalloc_noprof(__VA_ARGS__))
#endif
#ifndef kzalloc_noprof
#define kzalloc_noprof(...) MO_ACCT_ALLOC(kzalloc_noprof(__VA_ARGS__))
#endif
#ifndef kcalloc_noprof
#define kcalloc_noprof(...) MO_ACCT_ALLOC(kcalloc_noprof(__VA_ARGS__))
#endif
#ifndef kmalloc_array_noprof
#define kmalloc_array_noprof(...) MO_ACCT_ALLOC(kmalloc_array_noprof(__VA_ARGS__))
#endif
#ifndef kmalloc_node_noprof
#define kmalloc_node_noprof(...) MO_ACCT_ALLOC(kmalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef kzalloc_node_noprof
#define kzalloc_node_noprof(...) MO_ACCT_ALLOC(kzalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef kcalloc_node_noprof
#define kcalloc_node_noprof(...) MO_ACCT_ALLOC(kcalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef kmalloc_array_node_noprof
#define kmalloc_array_node_noprof(...) MO_ACCT_ALLOC(kmalloc_array_node_noprof(__VA_ARGS__))
#endif
#ifndef kvmalloc_noprof
#define kvmalloc_noprof(...) MO_ACCT_ALLOC(kvmalloc_noprof(__VA_ARGS__))
#endif
#ifndef kvzalloc_noprof
#define kvzalloc_noprof(...) MO_ACCT_ALLOC(kvzalloc_noprof(__VA_ARGS__))
#endif
#ifndef kvmalloc_array_noprof
#define kvmalloc_array_noprof(...) MO_ACCT_ALLOC(kvmalloc_array_noprof(__VA_ARGS__))
#endif
#ifndef kvcalloc_noprof
#define kvcalloc_noprof(...) MO_ACCT_ALLOC(kvcalloc_noprof(__VA_ARGS__))
#endif
#ifndef kvmalloc_node_noprof
#define kvmalloc_node_noprof(...) MO_ACCT_ALLOC(kvmalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef kvzalloc_node_noprof
#define kvzalloc_node_noprof(...) MO_ACCT_ALLOC(kvzalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef kvcalloc_node_noprof
#define kvcalloc_node_noprof(...) MO_ACCT_ALLOC(kvcalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef kvmalloc_array_node_noprof
#define kvmalloc_array_node_noprof(...) MO_ACCT_ALLOC(kvmalloc_array_node_noprof(__VA_ARGS__))
#endif
#ifndef vmalloc_noprof
#define vmalloc_noprof(...) MO_ACCT_ALLOC(vmalloc_noprof(__VA_ARGS__))
#endif
#ifndef vzalloc_noprof
#define vzalloc_noprof(...) MO_ACCT_ALLOC(vzalloc_noprof(__VA_ARGS__))
#endif
#ifndef vmalloc_node_noprof
#define vmalloc_node_noprof(...) MO_ACCT_ALLOC(vmalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef vzalloc_node_noprof
#define vzalloc_node_noprof(...) MO_ACCT_ALLOC(vzalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef vmalloc_user_noprof
#define vmalloc_user_noprof(...) MO_ACCT_ALLOC(vmalloc_user_noprof(__VA_ARGS__))
#endif
#ifndef vmalloc_32_noprof
#define vmalloc_32_noprof(...) MO_ACCT_ALLOC(vmalloc_32_noprof(__VA_ARGS__))
#endif
#ifndef vmalloc_32_user_noprof
#define vmalloc_32_user_noprof(...) MO_ACCT_ALLOC(vmalloc_32_user_noprof(__VA_ARGS__))
#endif
#ifndef vmalloc_huge_noprof
#define vmalloc_huge_noprof(...) MO_ACCT_ALLOC(vmalloc_huge_noprof(__VA_ARGS__))
#endif
#ifndef __vmalloc_noprof
#define __vmalloc_noprof(...) MO_ACCT_ALLOC(__vmalloc_noprof(__VA_ARGS__))
#endif
#ifndef __vmalloc_node_noprof
#define __vmalloc_node_noprof(...) MO_ACCT_ALLOC(__vmalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef vmalloc_array_noprof
#define vmalloc_array_noprof(...) MO_ACCT_ALLOC(vmalloc_array_noprof(__VA_ARGS__))
#endif
#ifndef vcalloc_noprof
#define vcalloc_noprof(...) MO_ACCT_ALLOC(vcalloc_noprof(__VA_ARGS__))
#endif
#ifndef kmemdup_noprof
#define kmemdup_noprof(...) MO_ACCT_ALLOC(kmemdup_noprof(__VA_ARGS__))
#endif
#ifndef kstrdup_noprof
#define kstrdup_noprof(...) MO_ACCT_ALLOC(kstrdup_noprof(__VA_ARGS__))
#endif
#ifndef kstrndup_noprof
#define kstrndup_noprof(...) MO_ACCT_ALLOC(kstrndup_noprof(__VA_ARGS__))
#endif
#ifndef __kvmalloc_node_noprof
#define __kvmalloc_node_noprof(...) MO_ACCT_ALLOC(__kvmalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef __kmalloc_noprof
#define __kmalloc_noprof(...) MO_ACCT_ALLOC(__kmalloc_noprof(__VA_ARGS__))
#endif
#ifndef __kmalloc_node_noprof
#define __kmalloc_node_noprof(...) MO_ACCT_ALLOC(__kmalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef kvmalloc_node_align_noprof
#define kvmalloc_node_align_noprof(...) MO_ACCT_ALLOC(kvmalloc_node_align_noprof(__VA_ARGS__))
#endif
/*
 * 7.x: kmalloc_noprof() and friends are macros over inline functions that
 * take the allocation-token argument (__kmalloc_token()).
 */
#ifndef _kmalloc_noprof
#define _kmalloc_noprof(...) MO_ACCT_ALLOC(_kmalloc_noprof(__VA_ARGS__))
#endif
#ifndef _kzalloc_noprof
#define _kzalloc_noprof(...) MO_ACCT_ALLOC(_kzalloc_noprof(__VA_ARGS__))
#endif
#ifndef _kmalloc_array_noprof
#define _kmalloc_array_noprof(...) MO_ACCT_ALLOC(_kmalloc_array_noprof(__VA_ARGS__))
#endif
#ifndef _kmalloc_node_noprof
#define _kmalloc_node_noprof(...) MO_ACCT_ALLOC(_kmalloc_node_noprof(__VA_ARGS__))
#endif
#ifndef _kmalloc_array_node_noprof
#define _kmalloc_array_node_noprof(...) MO_ACCT_ALLOC(_kmalloc_array_node_noprof(__VA_ARGS__))
#endif
#ifndef _kvmalloc_array_node_noprof
#define _kvmalloc_array_node_noprof(...) MO_ACCT_ALLOC(_kvmalloc_array_node_noprof(__VA_ARGS__))
#endif
#ifndef _kmalloc_nolock_noprof
#define _kmalloc_nolock_noprof(...) MO_ACCT_ALLOC(_kmalloc_nolock_noprof(__VA_ARGS__))
#endif
/* Per-CPU memory: alloc_percpu() and the like are macros over these. */
#ifndef __alloc_percpu
#define __alloc_percpu(...) MO_ACCT_ALLOC(__alloc_percpu(__VA_ARGS__))
#endif
#ifndef __alloc_percpu_gfp
#define __alloc_percpu_gfp(...) MO_ACCT_ALLOC(__alloc_percpu_gfp(__VA_ARGS__))
#endif
#ifndef pcpu_alloc_noprof
#define pcpu_alloc_noprof(...) MO_ACCT_ALLOC(pcpu_alloc_noprof(__VA_ARGS__))
#endif

#endif /* _MEMOWNER_MEMACCT_H */
