/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether this kernel's __vmalloc_node() calls __vmalloc_node_range() or
 * has it inlined, measured at load (vmalloc_nest.c): whether the vmalloc
 * source needs a hook on __vmalloc_node() beside the range hook.
 */
#ifndef _MEMOWNER_VMALLOC_NEST_H
#define _MEMOWNER_VMALLOC_NEST_H

#include <linux/types.h>

enum mo_vmalloc_nest {
	MO_VMALLOC_NEST_UNKNOWN,	/* not measured: no second hook */
	MO_VMALLOC_NEST_NESTED,		/* the range hook sees every call */
	MO_VMALLOC_NEST_INLINED,	/* __vmalloc_node() needs its own */
	MO_VMALLOC_NEST_ALL_INLINED,	/* vmalloc() itself: a gap */
};

/* Process context, before the probes attach. */
void mo_vmalloc_nest_learn(void);
enum mo_vmalloc_nest mo_vmalloc_nest(void);
const char *mo_vmalloc_nest_name(void);
/* Hits of __vmalloc_node() (or of the range function) in the measurement. */
int mo_vmalloc_nest_hits(bool range);

#endif /* _MEMOWNER_VMALLOC_NEST_H */
