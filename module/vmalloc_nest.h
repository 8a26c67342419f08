/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which of the kernel's vmalloc entry points memowner must hook so that
 * every vmalloc allocation is seen once, measured at load
 * (vmalloc_nest.c).
 */
#ifndef _MEMOWNER_VMALLOC_NEST_H
#define _MEMOWNER_VMALLOC_NEST_H

#include <linux/seq_file.h>
#include <linux/types.h>
#include <linux/vmalloc.h>

/*
 * The symbol of each entry point in the target kernel: fn_noprof where the
 * headers declare that (memory allocation profiling, 6.10: fn is a macro
 * then), else fn; undefined where neither is declared (Kbuild's
 * MEMOWNER_DECL_ probes).  MO_VM_HUGE only where vmalloc_huge() exists.
 */
#if defined(MEMOWNER_DECL_vmalloc_noprof)
#define MO_VM_SYM_VMALLOC	vmalloc_noprof
#elif defined(MEMOWNER_DECL_vmalloc)
#define MO_VM_SYM_VMALLOC	vmalloc
#endif
#if defined(MEMOWNER_DECL_vzalloc_noprof)
#define MO_VM_SYM_VZALLOC	vzalloc_noprof
#elif defined(MEMOWNER_DECL_vzalloc)
#define MO_VM_SYM_VZALLOC	vzalloc
#endif
#if defined(MEMOWNER_DECL_vmalloc_user_noprof)
#define MO_VM_SYM_USER		vmalloc_user_noprof
#elif defined(MEMOWNER_DECL_vmalloc_user)
#define MO_VM_SYM_USER		vmalloc_user
#endif
#if defined(MEMOWNER_DECL_vmalloc_node_noprof)
#define MO_VM_SYM_NODE_W	vmalloc_node_noprof
#elif defined(MEMOWNER_DECL_vmalloc_node)
#define MO_VM_SYM_NODE_W	vmalloc_node
#endif
#if defined(MEMOWNER_DECL_vzalloc_node_noprof)
#define MO_VM_SYM_VZALLOC_NODE	vzalloc_node_noprof
#elif defined(MEMOWNER_DECL_vzalloc_node)
#define MO_VM_SYM_VZALLOC_NODE	vzalloc_node
#endif
#if defined(MEMOWNER_DECL_vmalloc_32_noprof)
#define MO_VM_SYM_32		vmalloc_32_noprof
#elif defined(MEMOWNER_DECL_vmalloc_32)
#define MO_VM_SYM_32		vmalloc_32
#endif
#if defined(MEMOWNER_DECL_vmalloc_32_user_noprof)
#define MO_VM_SYM_32_USER	vmalloc_32_user_noprof
#elif defined(MEMOWNER_DECL_vmalloc_32_user)
#define MO_VM_SYM_32_USER	vmalloc_32_user
#endif
#if defined(MEMOWNER_DECL___vmalloc_noprof)
#define MO_VM_SYM_GFP		__vmalloc_noprof
#elif defined(MEMOWNER_DECL___vmalloc)
#define MO_VM_SYM_GFP		__vmalloc
#endif
#if defined(MEMOWNER_DECL_vmalloc_huge_noprof)
#define MO_VM_SYM_HUGE		vmalloc_huge_noprof
#elif defined(MEMOWNER_DECL_vmalloc_huge)
#define MO_VM_SYM_HUGE		vmalloc_huge
#endif
#if defined(MEMOWNER_DECL___vmalloc_node_range_noprof)
#define MO_VM_SYM_RANGE		__vmalloc_node_range_noprof
#elif defined(MEMOWNER_DECL___vmalloc_node_range)
#define MO_VM_SYM_RANGE		__vmalloc_node_range
#endif
#if defined(MEMOWNER_DECL___vmalloc_node_noprof)
#define MO_VM_SYM_NODE		__vmalloc_node_noprof
#elif defined(MEMOWNER_DECL___vmalloc_node)
#define MO_VM_SYM_NODE		__vmalloc_node
#endif

/* The prototypes the handlers read registers by (probes.c checks them). */
typedef void *(mo_vmalloc_range_t)(unsigned long size, unsigned long align,
				   unsigned long start, unsigned long end,
				   gfp_t gfp_mask, pgprot_t prot,
				   unsigned long vm_flags, int node,
				   const void *caller);
typedef void *(mo_vmalloc_node_t)(unsigned long size, unsigned long align,
				  gfp_t gfp_mask, int node, const void *caller);
typedef void *(mo_vm_size_t)(unsigned long size);
typedef void *(mo_vm_size_node_t)(unsigned long size, int node);
typedef void *(mo_vm_size_gfp_t)(unsigned long size, gfp_t gfp_mask);

/* The entry points that can be hooked, the innermost first. */
enum mo_vm_fn {
	MO_VM_NONE,		/* not a vmalloc entry point */
	MO_VM_RANGE,		/* __vmalloc_node_range(): always hooked */
	MO_VM_NODE,		/* __vmalloc_node(): kvmalloc()'s way in */
	MO_VM_VMALLOC,		/* the exported wrappers ... */
	MO_VM_VZALLOC,
	MO_VM_USER,
	MO_VM_NODE_W,		/* vmalloc_node() */
	MO_VM_VZALLOC_NODE,
	MO_VM_32,
	MO_VM_32_USER,
	MO_VM_GFP,		/* __vmalloc() */
	MO_VM_HUGE,		/* vmalloc_huge(), 6.1 on */
	MO_VM_NR
};

enum mo_vmalloc_nest {
	MO_VMALLOC_NEST_UNKNOWN,	/* not measured: only the range hook */
	MO_VMALLOC_NEST_NESTED,		/* the range hook sees every call */
	MO_VMALLOC_NEST_INLINED,	/* __vmalloc_node() needs its own */
	MO_VMALLOC_NEST_WRAPPERS,	/* wrappers need theirs: all seen */
	MO_VMALLOC_NEST_GAP,		/* some call reaches no hook */
};

/* Process context, before the probes attach. */
void mo_vmalloc_nest_learn(void);
/* Whether fn is to be hooked (MO_VM_RANGE always is). */
bool mo_vmalloc_hook_needed(enum mo_vm_fn fn);
/* Not needed because another hook sees its calls (not: unmeasured). */
bool mo_vmalloc_hook_covered(enum mo_vm_fn fn);
/* The status line: "vmalloc_nest: VERDICT hooks=... uncovered=..." */
void mo_vmalloc_nest_show(struct seq_file *m);

#endif /* _MEMOWNER_VMALLOC_NEST_H */
