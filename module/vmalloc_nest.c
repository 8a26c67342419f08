// SPDX-License-Identifier: GPL-2.0
/*
 * Which vmalloc entry points to hook, learned once at load.
 *
 * Every vmalloc allocation passes through __vmalloc_node_range() -- in the
 * source.  The binary is the compiler's: the exported wrappers (vmalloc(),
 * vzalloc(), vmalloc_user(), ...) call __vmalloc_node(), which calls the
 * range function, and any of those calls may be inlined.  Debian's 5.10
 * build inlines both into every wrapper, so a hook on the range function
 * alone sees only its direct callers (module loading, BPF), not vmalloc();
 * 6.1 to 7.3 call it out of line.  Hooking more than needed counts one
 * allocation twice (nested calls, or a tail call from one into the other).
 *
 * Which is true of the running kernel is a property of its build, not of
 * its headers, so it is measured: kprobes on the entry points count the
 * hits of one call of each wrapper by this task, made here (a page each,
 * freed at once; a hit counts only when the function's size argument is
 * the call's, so that an allocation made inside another -- the page array
 * of a large one -- is not taken for it).  Then, for each call, the hooks:
 *
 *   - the range function is always hooked (its direct callers);
 *   - a call that reaches no hook so far gets one on the innermost function
 *     it reached (__vmalloc_node() before the wrapper itself);
 *   - kvmalloc() enters through __vmalloc_node() or the range function
 *     from another file, so it cannot inline them: where no wrapper's call
 *     showed whether __vmalloc_node() reaches the range function, one
 *     kvmalloc() too large for kmalloc (4 MiB and a page) shows it;
 *   - every call must then reach exactly one hooked function.  One that
 *     reaches none is a gap (a kprobe refused, an undeclared or changed
 *     prototype), one that reaches two would count twice: either way only
 *     the range function is hooked and the vmalloc source is degraded.
 *
 * The verdict: nested (the range hook suffices: 6.1 to 7.3), inlined
 * (__vmalloc_node() hooked too), wrappers (some wrappers hooked: 5.10),
 * gap, or unknown (nothing could be measured).  Allocations that reach none
 * of these functions out of line -- code inside mm/vmalloc.c with all of
 * them inlined, such as a page array of more than 512 pages on 5.10 --
 * stay unseen; their frees are unknown frees (vfree of an untracked
 * address), counted and ignored.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "probes.h"
#include "vmalloc_nest.h"

#define MO_STR(s)	__stringify(s)

struct vm_fn {
	const char *name;	/* as reported: the function's source name */
	const char *sym;	/* the target's symbol, NULL: not declared */
	bool size_arg;		/* its first argument is the size */
};

/* The symbol and whether its first argument is unsigned long size. */
#define VM_FN(nm, symbol, type)						\
	{ .name = nm, .sym = MO_STR(symbol),				\
	  .size_arg = MO_PROTO_OK(symbol, type) }

/* Where the headers declare no such function, an entry of NULLs. */
static const struct vm_fn vm_fns[MO_VM_NR] = {
#ifdef MO_VM_SYM_RANGE
	[MO_VM_RANGE] = VM_FN("__vmalloc_node_range", MO_VM_SYM_RANGE,
			      mo_vmalloc_range_t),
#endif
#ifdef MO_VM_SYM_NODE
	[MO_VM_NODE] = VM_FN("__vmalloc_node", MO_VM_SYM_NODE,
			     mo_vmalloc_node_t),
#endif
#ifdef MO_VM_SYM_VMALLOC
	[MO_VM_VMALLOC] = VM_FN("vmalloc", MO_VM_SYM_VMALLOC, mo_vm_size_t),
#endif
#ifdef MO_VM_SYM_VZALLOC
	[MO_VM_VZALLOC] = VM_FN("vzalloc", MO_VM_SYM_VZALLOC, mo_vm_size_t),
#endif
#ifdef MO_VM_SYM_USER
	[MO_VM_USER] = VM_FN("vmalloc_user", MO_VM_SYM_USER, mo_vm_size_t),
#endif
#ifdef MO_VM_SYM_NODE_W
	[MO_VM_NODE_W] = VM_FN("vmalloc_node", MO_VM_SYM_NODE_W,
			       mo_vm_size_node_t),
#endif
#ifdef MO_VM_SYM_VZALLOC_NODE
	[MO_VM_VZALLOC_NODE] = VM_FN("vzalloc_node", MO_VM_SYM_VZALLOC_NODE,
				     mo_vm_size_node_t),
#endif
#ifdef MO_VM_SYM_32
	[MO_VM_32] = VM_FN("vmalloc_32", MO_VM_SYM_32, mo_vm_size_t),
#endif
#ifdef MO_VM_SYM_32_USER
	[MO_VM_32_USER] = VM_FN("vmalloc_32_user", MO_VM_SYM_32_USER,
				mo_vm_size_t),
#endif
#ifdef MO_VM_SYM_GFP
	[MO_VM_GFP] = VM_FN("__vmalloc", MO_VM_SYM_GFP, mo_vm_size_gfp_t),
#endif
#ifdef MO_VM_SYM_HUGE
	[MO_VM_HUGE] = VM_FN("vmalloc_huge", MO_VM_SYM_HUGE, mo_vm_size_gfp_t),
#endif
};

/* The kvmalloc() call's slot: MO_VM_NODE is not called directly. */
#define VM_CALL_KVMALLOC	MO_VM_NODE

static enum mo_vmalloc_nest nest = MO_VMALLOC_NEST_UNKNOWN;
static u32 hooked;		/* BIT(fn): to be hooked */
static u32 uncovered;		/* BIT(call): reaches no hook, or two */
static s64 learn_us;		/* what learning took at load */

static const char *const nest_names[] = {
	[MO_VMALLOC_NEST_UNKNOWN] = "unknown",
	[MO_VMALLOC_NEST_NESTED] = "nested",
	[MO_VMALLOC_NEST_INLINED] = "inlined",
	[MO_VMALLOC_NEST_WRAPPERS] = "wrappers",
	[MO_VMALLOC_NEST_GAP] = "gap",
};

/* Only this task's hits, of the call being measured (its size). */
static struct task_struct *learner;
static unsigned long learn_size;
static atomic_t hits[MO_VM_NR];
static struct kprobe probes[MO_VM_NR];

static int hit_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (READ_ONCE(learner) == current &&
	    regs_get_kernel_argument(regs, 0) == READ_ONCE(learn_size))
		atomic_inc(&hits[p - probes]);
	return 0;
}

/* One call of entry point fn (kvmalloc() in MO_VM_NODE's slot). */
static void *vm_call(int fn, unsigned long size)
{
	switch (fn) {
	case VM_CALL_KVMALLOC:
		return kvmalloc(size, GFP_KERNEL);
	case MO_VM_VMALLOC:
		return vmalloc(size);
	case MO_VM_VZALLOC:
		return vzalloc(size);
	case MO_VM_USER:
		return vmalloc_user(size);
	case MO_VM_NODE_W:
		return vmalloc_node(size, NUMA_NO_NODE);
	case MO_VM_VZALLOC_NODE:
		return vzalloc_node(size, NUMA_NO_NODE);
	case MO_VM_32:
		return vmalloc_32(size);
	case MO_VM_32_USER:
		return vmalloc_32_user(size);
	case MO_VM_GFP:
		return __vmalloc(size, GFP_KERNEL);
#ifdef MO_VM_SYM_HUGE
	case MO_VM_HUGE:
		return vmalloc_huge(size, GFP_KERNEL);
#endif
	default:
		return NULL;
	}
}

/* The probed entry points (on) one call of fn reached, -1: it failed. */
static long measure(int fn, unsigned long size, u32 on)
{
	u32 m = 0;
	void *p;
	int i;

	for (i = 0; i < MO_VM_NR; i++)
		atomic_set(&hits[i], 0);
	WRITE_ONCE(learn_size, size);
	WRITE_ONCE(learner, current);
	p = vm_call(fn, size);
	WRITE_ONCE(learner, NULL);
	kvfree(p);
	if (!p)
		return -1;
	for (i = 0; i < MO_VM_NR; i++)
		if ((on & BIT(i)) && atomic_read(&hits[i]))
			m |= BIT(i);
	return m;
}

/* Kprobes on the entry points of set: those registered. */
static u32 probes_on(u32 set)
{
	u32 on = 0;
	int i;

	for (i = 0; i < MO_VM_NR; i++) {
		memset(&probes[i], 0, sizeof(probes[i]));
		if (!(set & BIT(i)) || !vm_fns[i].sym || !vm_fns[i].size_arg)
			continue;
		probes[i].symbol_name = vm_fns[i].sym;
		probes[i].pre_handler = hit_pre;
		if (!register_kprobe(&probes[i]))
			on |= BIT(i);
	}
	return on;
}

static void probes_off(u32 on)
{
	struct kprobe *regd[MO_VM_NR];
	int i, n = 0;

	for (i = 0; i < MO_VM_NR; i++)
		if (on & BIT(i))
			regd[n++] = &probes[i];
	if (n)
		unregister_kprobes(regd, n);	/* one grace period */
}

/*
 * Two passes, so that a kernel whose wrappers all reach a hook (6.1 to
 * 7.3) pays for two kprobes, not one per wrapper: first the range function
 * and __vmalloc_node() probed, every wrapper called; then, only where some
 * wrapper's call reached neither, those wrappers probed and called again
 * (one of them may call another out of line: hooking both would count
 * its calls twice).  A wrapper that reached a hook in the first pass
 * calls no such wrapper: that one would have reached it too.
 */
static void decide(void)
{
	long reached[MO_VM_NR] = { 0 };
	u32 on, candidates = 0;
	bool node_known = false;
	int fn;

	on = probes_on(BIT(MO_VM_RANGE) | BIT(MO_VM_NODE));
	if (!(on & BIT(MO_VM_RANGE))) {
		probes_off(on);
		return;		/* unknown */
	}
	for (fn = MO_VM_VMALLOC; fn < MO_VM_NR; fn++) {
		if (!vm_fns[fn].sym)
			continue;	/* no such wrapper to call */
		reached[fn] = measure(fn, PAGE_SIZE, on);
		if (reached[fn] > 0 && (reached[fn] & BIT(MO_VM_NODE)))
			node_known = true;
		if (!reached[fn])
			candidates |= BIT(fn);
	}
	/* kvmalloc(): only where no wrapper showed __vmalloc_node's way. */
	if (!node_known)
		reached[VM_CALL_KVMALLOC] =
			measure(VM_CALL_KVMALLOC, KMALLOC_MAX_SIZE + PAGE_SIZE,
				on);
	probes_off(on);
	if (candidates) {
		on = probes_on(candidates);
		for (fn = MO_VM_VMALLOC; fn < MO_VM_NR; fn++)
			if (candidates & BIT(fn))
				reached[fn] = measure(fn, PAGE_SIZE, on);
		probes_off(on);
	}

	/* Each call's innermost function hooked, unless it reaches a hook. */
	for (fn = MO_VM_NODE; fn < MO_VM_NR; fn++) {
		if (fn == VM_CALL_KVMALLOC ? node_known : !vm_fns[fn].sym)
			continue;
		if (reached[fn] <= 0)
			uncovered |= BIT(fn);	/* failed, or reached none */
		else if (!(reached[fn] & hooked))
			hooked |= BIT(__ffs(reached[fn]));
	}
	/* ... and no call reaches two. */
	for (fn = MO_VM_NODE; fn < MO_VM_NR; fn++)
		if (reached[fn] > 0 && hweight32(reached[fn] & hooked) > 1)
			uncovered |= BIT(fn);
	if (uncovered) {
		hooked = BIT(MO_VM_RANGE);
		nest = MO_VMALLOC_NEST_GAP;
	} else if (hooked == BIT(MO_VM_RANGE)) {
		nest = MO_VMALLOC_NEST_NESTED;
	} else if (hooked == (BIT(MO_VM_RANGE) | BIT(MO_VM_NODE))) {
		nest = MO_VMALLOC_NEST_INLINED;
	} else {
		nest = MO_VMALLOC_NEST_WRAPPERS;
	}
}

void mo_vmalloc_nest_learn(void)
{
	ktime_t t0 = ktime_get();

	nest = MO_VMALLOC_NEST_UNKNOWN;
	hooked = BIT(MO_VM_RANGE);
	uncovered = 0;
	decide();
	learn_us = ktime_us_delta(ktime_get(), t0);
	if (nest == MO_VMALLOC_NEST_GAP || nest == MO_VMALLOC_NEST_UNKNOWN)
		pr_warn("vmalloc: some vmalloc entry point cannot be hooked exactly once (status: vmalloc_nest): only the direct callers of __vmalloc_node_range are seen\n");
}

bool mo_vmalloc_hook_needed(enum mo_vm_fn fn)
{
	return fn == MO_VM_RANGE || (hooked & BIT(fn));
}

bool mo_vmalloc_hook_covered(enum mo_vm_fn fn)
{
	return nest != MO_VMALLOC_NEST_GAP && nest != MO_VMALLOC_NEST_UNKNOWN &&
	       !(hooked & BIT(fn));
}

/* A set of entry points; MO_VM_NODE's call is kvmalloc()'s. */
static void show_set(struct seq_file *m, const char *what, u32 set,
		     bool calls)
{
	const char *sep = "";
	int i;

	seq_printf(m, " %s=", what);
	for (i = MO_VM_RANGE; i < MO_VM_NR; i++) {
		if (!(set & BIT(i)))
			continue;
		seq_printf(m, "%s%s", sep, calls && i == VM_CALL_KVMALLOC ?
			   "kvmalloc" : vm_fns[i].name);
		sep = ",";
	}
	if (!*sep)
		seq_puts(m, "none");
}

void mo_vmalloc_nest_show(struct seq_file *m)
{
	seq_printf(m, "vmalloc_nest: %s", nest_names[nest]);
	show_set(m, "hooks", hooked, false);
	show_set(m, "uncovered", uncovered, true);
	seq_printf(m, " learn_us=%lld\n", learn_us);
}
