/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory events (OOM kills, direct-reclaim stalls, external fragmentation)
 * on the netlink "events" multicast group.
 */
#ifndef _MEMOWNER_EVENTS_H
#define _MEMOWNER_EVENTS_H

#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/types.h>

struct mem_cgroup;
struct mo_row;

struct mo_event {
	u32 type;		/* MEMOWNER_EVENT_* */
	pid_t pid;
	pid_t tgid;
	char comm[TASK_COMM_LEN];
	u64 rss_kb;		/* OOM */
	u64 latency_ns;		/* reclaim stall */
	u32 order;
	u32 gfp;
	u32 stack;		/* allocation that stalled / fragmented */
	u32 epoch;		/* the stack's (a new epoch empties the depot) */
	u64 rate;		/* extfrag: fallbacks in the last second */
	u64 ts_ns;		/* CLOCK_BOOTTIME */
	struct mem_cgroup *memcg; /* OOM in a memory cgroup: held (css) */
};

int mo_events_init(void);
/* Detach the hooks, wait for the notification work: before the family goes. */
void mo_events_stop(void);
/* Free the per-site counters: after mo_events_stop() and the interfaces. */
void mo_events_exit(void);
void mo_events_report(struct seq_file *m);

u64 mo_events_sent(void);
u64 mo_events_dropped(void);
/* Fragmenting fallbacks attributed to @site. */
u64 mo_events_extfrag(u32 site);
/* Zero every site's fallback count: a new epoch (control.c). */
void mo_events_clear(void);
size_t mo_events_memory(void);	/* bytes of the per-site counters */
/* OOM of @memcg: its top @n owners into @out (from the event work only). */
unsigned int mo_events_oom_top(struct mem_cgroup *memcg, struct mo_row *out,
			       unsigned int n);

#endif /* _MEMOWNER_EVENTS_H */
