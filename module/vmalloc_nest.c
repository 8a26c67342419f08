// SPDX-License-Identifier: GPL-2.0
/*
 * How this kernel's vmalloc entry points nest, learned once at load.
 *
 * vmalloc(), vzalloc(), kvmalloc() and most other callers reach
 * __vmalloc_node(), which calls __vmalloc_node_range() -- the function
 * every vmalloc allocation passes through, and the one memowner hooks
 * (probes.c).  But the call is the compiler's to inline: Debian's 5.10
 * build inlines __vmalloc_node_range() into __vmalloc_node(), so a hook on
 * __vmalloc_node_range() sees only its direct callers (module loading,
 * BPF, execmem), not vmalloc().  Where that is so, __vmalloc_node() must be
 * hooked too; where it is not, hooking both would count each allocation
 * twice (nested calls, or a tail call that jumps from one into the other).
 *
 * Which is true of the running kernel is a property of its build, not of
 * its headers, so it is measured: two kprobes on the two entry points,
 * registered for the purpose, count the hits of one vmalloc() of this task,
 * made here.  The range function hit: nested, the range hook suffices.
 * Only __vmalloc_node() hit: inlined, __vmalloc_node() is hooked as well
 * (direct callers of the range function still reach the range hook, and
 * nothing reaches both).  Neither hit: vmalloc() itself has both inlined
 * -- Debian's 5.10 build inlines them into every exported wrapper -- and
 * only the range function's direct callers are seen: a gap, shown as the
 * vmalloc source degraded.  A kprobe refused: not measured, the same gap.
 * Never a double count.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/vmalloc.h>

#include "vmalloc_nest.h"

#if defined(MEMOWNER_DECL___vmalloc_node_range_noprof)
#define MO_VM_RANGE	"__vmalloc_node_range_noprof"
#define MO_VM_NODE	"__vmalloc_node_noprof"
#else
#define MO_VM_RANGE	"__vmalloc_node_range"
#define MO_VM_NODE	"__vmalloc_node"
#endif

static enum mo_vmalloc_nest nest = MO_VMALLOC_NEST_UNKNOWN;

static const char *const nest_names[] = {
	[MO_VMALLOC_NEST_UNKNOWN] = "unknown",
	[MO_VMALLOC_NEST_NESTED] = "nested",
	[MO_VMALLOC_NEST_INLINED] = "inlined",
	[MO_VMALLOC_NEST_ALL_INLINED] = "all_inlined",
};

/* Only this task's hits, during the one vmalloc() below. */
static struct task_struct *learner;
static atomic_t hits_node, hits_range;

static int node_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (READ_ONCE(learner) == current)
		atomic_inc(&hits_node);
	return 0;
}

static int range_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (READ_ONCE(learner) == current)
		atomic_inc(&hits_range);
	return 0;
}

static struct kprobe kp_node = {
	.symbol_name = MO_VM_NODE, .pre_handler = node_pre,
};
static struct kprobe kp_range = {
	.symbol_name = MO_VM_RANGE, .pre_handler = range_pre,
};

void mo_vmalloc_nest_learn(void)
{
	struct kprobe *kps[] = { &kp_node, &kp_range };
	void *p;
	int ret;

	nest = MO_VMALLOC_NEST_UNKNOWN;
	atomic_set(&hits_node, 0);
	atomic_set(&hits_range, 0);
	ret = register_kprobes(kps, ARRAY_SIZE(kps));
	if (ret) {
		pr_info("vmalloc: %s, %s: kprobe refused (%d): %s not hooked\n",
			MO_VM_NODE, MO_VM_RANGE, ret, MO_VM_NODE);
		return;
	}
	WRITE_ONCE(learner, current);
	p = vmalloc(PAGE_SIZE);
	WRITE_ONCE(learner, NULL);
	unregister_kprobes(kps, ARRAY_SIZE(kps));
	vfree(p);
	if (!p)
		return;
	if (atomic_read(&hits_range) == 1)
		nest = MO_VMALLOC_NEST_NESTED;
	else if (!atomic_read(&hits_range))
		nest = atomic_read(&hits_node) == 1 ? MO_VMALLOC_NEST_INLINED :
		       !atomic_read(&hits_node) ? MO_VMALLOC_NEST_ALL_INLINED :
		       MO_VMALLOC_NEST_UNKNOWN;
	if (nest == MO_VMALLOC_NEST_ALL_INLINED)
		pr_warn("vmalloc: this kernel's vmalloc() has %s inlined: only the direct callers of %s are seen\n",
			MO_VM_RANGE, MO_VM_RANGE);
}

enum mo_vmalloc_nest mo_vmalloc_nest(void)
{
	return nest;
}

int mo_vmalloc_nest_hits(bool range)
{
	return atomic_read(range ? &hits_range : &hits_node);
}

const char *mo_vmalloc_nest_name(void)
{
	return nest_names[nest];
}
