/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attaching memowner to the kernel's allocators: tracepoints and kprobes.
 */
#ifndef _MEMOWNER_PROBES_H
#define _MEMOWNER_PROBES_H

#include <linux/seq_file.h>
#include <linux/types.h>

/*
 * Does the target's declaration of @fn have the prototype @type a kprobe
 * handler reads registers by?  A compile-time constant (probes.c, the
 * why; events.c's out_of_memory kretprobe uses it too).
 */
#define MO_PROTO_OK(fn, type)	__builtin_types_compatible_p(typeof(fn), type)

/* A tracepoint found by name, its probe, and how attaching went. */
struct mo_hook {
	const char *name;
	void *func;
	struct tracepoint *tp;
	int err;
	bool attached;
};

/* Attach/detach a table of hooks (failures are kept and reported). */
void mo_hooks_attach(struct mo_hook *hooks, unsigned int n);
void mo_hooks_detach(struct mo_hook *hooks, unsigned int n);
void mo_hooks_report(struct seq_file *m, const char *what,
		     const struct mo_hook *hooks, unsigned int n);

/*
 * Attach every hook of @sources (BIT(MEMOWNER_SRC_*)); failures are kept
 * and reported.  -ENODEV when no source can be tracked.
 */
int mo_probes_attach(u32 sources);
/* Detach everything and wait until no probe runs. */
void mo_probes_detach(void);

void mo_probes_report(struct seq_file *m);
u64 mo_probes_missed(void);		/* kprobe/kretprobe calls missed */
u32 mo_probes_sources_tracked(void);	/* BIT(MEMOWNER_SRC_*) */
u32 mo_probes_sources_degraded(void);	/* asked for, some hook missing */
unsigned int mo_probes_failed(void);	/* hooks that did not attach */

#endif /* _MEMOWNER_PROBES_H */
