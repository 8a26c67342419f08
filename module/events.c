// SPDX-License-Identifier: GPL-2.0
/*
 * Memory events, on the netlink "events" multicast group:
 *
 *  OOM kill        oom:mark_victim: the victim (pid, comm, RSS) and the top
 *                  ten owners at that moment -- who ate the memory.
 *  reclaim stall   vmscan:mm_vmscan_direct_reclaim_begin/end: a direct
 *                  reclaim slower than reclaim_stall_ms, with the stalled
 *                  task and the stack of the allocation that stalled.
 *  fragmentation   kmem:mm_page_alloc_extfrag with a fallback smaller than
 *                  a pageblock ("fragmenting"): counted per stack, and an
 *                  event when more than extfrag_rate happen in a second.
 *
 * Probes only record into a small ring under a raw spinlock and ask for
 * the work item through an irq_work (safe from any context, also under
 * zone->lock where the extfrag tracepoint fires); the work builds and sends
 * the notifications in process context.  A full ring drops and counts.
 *
 * What a probe costs follows the tracking configuration, which these hooks
 * (attached for the module's life, not per epoch) read racily: with
 * tracking disabled no stack is ever taken (events carry none); a reclaim
 * stall takes its stack at the end, and only when it is reported (the
 * allocation is still the one on the stack); a fragmenting fallback is
 * attributed to its site (unwind + site insert under zone->lock) only in
 * stack and callsite mode -- in sample mode it is only counted, and the
 * event, at most one a second, takes the one stack it names.
 *
 * Lifetime: mo_events_stop() detaches the hooks and waits for the
 * irq_work and the work, before the netlink family they send on is
 * unregistered; mo_events_exit() frees the per-site counters after every
 * reader (the interfaces) is gone.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/spinlock.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <trace/events/kmem.h>
#include <trace/events/oom.h>
#include <trace/events/vmscan.h>

#include "depot.h"
#include "events.h"
#include "netlink.h"
#include "probes.h"
#include "site.h"
#include "track.h"

static unsigned int reclaim_stall_ms = 100;
module_param(reclaim_stall_ms, uint, 0444);
MODULE_PARM_DESC(reclaim_stall_ms, "direct reclaim slower than this is reported as an event, in ms (default 100; 0 reports every one)");

static unsigned int extfrag_rate = 1000;
module_param(extfrag_rate, uint, 0444);
MODULE_PARM_DESC(extfrag_rate, "fragmenting page-allocator fallbacks per second that make an event (default 1000)");

#define RING		32
#define SLOTS		64

static struct mo_event ring[RING];
static unsigned int ring_head, ring_len;
static DEFINE_RAW_SPINLOCK(ring_lock);
static atomic64_t nr_dropped, nr_sent, nr_extfrag;
static struct work_struct event_work;
static struct irq_work kick;

/* Direct reclaims in progress, one slot per task. */
struct reclaim_slot {
	struct task_struct *task;
	u64 start;
	u32 order;
	u32 gfp;
};
static struct reclaim_slot slots[SLOTS];

/* Per site: fragmenting fallbacks. */
static atomic64_t *site_extfrag;
static unsigned long nr_site_extfrag;

/* Rate window of extfrag events. */
static u64 extfrag_second;
static atomic_t extfrag_in_second;
static bool extfrag_reported;

u64 mo_events_sent(void)
{
	return atomic64_read(&nr_sent);
}

u64 mo_events_dropped(void)
{
	return atomic64_read(&nr_dropped);
}

u64 mo_events_extfrag(u32 site)
{
	if (!site_extfrag || site >= nr_site_extfrag)
		return 0;
	return atomic64_read(&site_extfrag[site]);
}

size_t mo_events_memory(void)
{
	return nr_site_extfrag * sizeof(*site_extfrag);
}

static void push(const struct mo_event *ev)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ring_lock, flags);
	if (ring_len == RING) {
		raw_spin_unlock_irqrestore(&ring_lock, flags);
		atomic64_inc(&nr_dropped);
		return;
	}
	ring[(ring_head + ring_len) % RING] = *ev;
	ring_len++;
	raw_spin_unlock_irqrestore(&ring_lock, flags);
	irq_work_queue(&kick);
}

static void kick_fn(struct irq_work *w)
{
	schedule_work(&event_work);
}

static void send_events(struct work_struct *work)
{
	struct mo_event ev;
	unsigned long flags;

	for (;;) {
		raw_spin_lock_irqsave(&ring_lock, flags);
		if (!ring_len) {
			raw_spin_unlock_irqrestore(&ring_lock, flags);
			break;
		}
		ev = ring[ring_head];
		ring_head = (ring_head + 1) % RING;
		ring_len--;
		raw_spin_unlock_irqrestore(&ring_lock, flags);
		memowner_genl_event(&ev);
		atomic64_inc(&nr_sent);
	}
}

/*
 * No get_task_comm(): it takes task_lock, which the OOM killer already
 * holds around mark_victim.  A racy copy at worst shows a rename half-way.
 */
static void fill_task(struct mo_event *ev, struct task_struct *t)
{
	ev->pid = t->pid;
	ev->tgid = t->tgid;
	memcpy(ev->comm, t->comm, TASK_COMM_LEN);
	ev->comm[TASK_COMM_LEN - 1] = '\0';
	ev->ts_ns = ktime_get_boottime_ns();
}


/*
 * The OOM victim is marked with task_lock held and its mm pinned, so its
 * RSS can be read here; the top owners are computed by the work.
 */
static void probe_mark_victim(void *data, struct task_struct *task, uid_t uid)
{
	struct mo_event ev = { .type = MEMOWNER_EVENT_OOM };
	struct mm_struct *mm = READ_ONCE(task->mm);

	fill_task(&ev, task);
	if (mm)
		ev.rss_kb = get_mm_rss(mm) << (PAGE_SHIFT - 10);
	push(&ev);
}

static void probe_reclaim_begin(void *data, MO_RECLAIM_BEGIN_ARGS(order, gfp))
{
	int i;

	for (i = 0; i < SLOTS; i++) {
		if (cmpxchg(&slots[i].task, NULL, current) == NULL) {
			slots[i].start = local_clock();
			slots[i].order = order;
			slots[i].gfp = (__force u32)gfp;
			return;
		}
	}
	atomic64_inc(&nr_dropped);
}

static void probe_reclaim_end(void *data, MO_RECLAIM_END_ARGS(nr_reclaimed))
{
	struct mo_event ev = { .type = MEMOWNER_EVENT_RECLAIM_STALL };
	u64 latency;
	int i;

	for (i = 0; i < SLOTS; i++) {
		if (READ_ONCE(slots[i].task) != current)
			continue;
		latency = local_clock() - slots[i].start;
		ev.order = slots[i].order;
		ev.gfp = slots[i].gfp;
		smp_store_release(&slots[i].task, NULL);	/* slot reusable */
		if (latency < (u64)reclaim_stall_ms * NSEC_PER_MSEC)
			return;
		/*
		 * Still inside the allocation that stalled: its owner is
		 * below the allocator as at the begin.  No stack untracked.
		 */
		if (READ_ONCE(mo_cfg.active))
			ev.stack = mo_track_stack_in_allocator();
		fill_task(&ev, current);
		ev.latency_ns = latency;
		push(&ev);
		return;
	}
}

static void probe_extfrag(void *data, struct page *page, int alloc_order,
			  int fallback_order, int alloc_mt, int fallback_mt)
{
	u64 sec = local_clock() / NSEC_PER_SEC;
	struct mo_event ev;
	u32 site = 0;
	int n;

	if (fallback_order >= pageblock_order)
		return;		/* not fragmenting */
	atomic64_inc(&nr_extfrag);
	/* Per-site attribution unwinds under zone->lock: only where asked. */
	if (READ_ONCE(mo_cfg.mode) != MEMOWNER_MODE_SAMPLE) {
		site = mo_track_site_in_allocator(MEMOWNER_SRC_PAGE, alloc_mt);
		if (site && site < nr_site_extfrag)
			atomic64_inc(&site_extfrag[site]);
	}
	if (READ_ONCE(extfrag_second) != sec) {
		WRITE_ONCE(extfrag_second, sec);
		atomic_set(&extfrag_in_second, 0);
		WRITE_ONCE(extfrag_reported, false);
	}
	n = atomic_inc_return(&extfrag_in_second);
	if (n < extfrag_rate || READ_ONCE(extfrag_reported))
		return;
	WRITE_ONCE(extfrag_reported, true);
	/* Sample mode: the one stack the event names (0 when untracked). */
	if (!site)
		site = mo_track_site_in_allocator(MEMOWNER_SRC_PAGE, alloc_mt);
	memset(&ev, 0, sizeof(ev));
	ev.type = MEMOWNER_EVENT_EXTFRAG;
	fill_task(&ev, current);
	ev.order = alloc_order;
	ev.rate = n;
	ev.stack = site ? mo_site_at(site)->key.stack : 0;
	push(&ev);
}

static struct mo_hook hooks[] = {
	{ "mark_victim", probe_mark_victim },
	{ "mm_vmscan_direct_reclaim_begin", probe_reclaim_begin },
	{ "mm_vmscan_direct_reclaim_end", probe_reclaim_end },
	{ "mm_page_alloc_extfrag", probe_extfrag },
};

static void __maybe_unused check_prototypes(void)
{
	check_trace_callback_type_mark_victim(probe_mark_victim);
	check_trace_callback_type_mm_vmscan_direct_reclaim_begin(probe_reclaim_begin);
	check_trace_callback_type_mm_vmscan_direct_reclaim_end(probe_reclaim_end);
	check_trace_callback_type_mm_page_alloc_extfrag(probe_extfrag);
}

void mo_events_report(struct seq_file *m)
{
	mo_hooks_report(m, "event", hooks, ARRAY_SIZE(hooks));
	seq_printf(m, "events: sent=%llu dropped=%llu extfrag_fragmenting=%llu\n",
		   mo_events_sent(), mo_events_dropped(),
		   atomic64_read(&nr_extfrag));
}

int mo_events_init(void)
{
	nr_site_extfrag = mo_site_capacity();
	site_extfrag = vzalloc(nr_site_extfrag * sizeof(*site_extfrag));
	if (!site_extfrag)
		return -ENOMEM;
	INIT_WORK(&event_work, send_events);
	init_irq_work(&kick, kick_fn);
	mo_hooks_attach(hooks, ARRAY_SIZE(hooks));
	return 0;
}

/* No probe, irq_work or work of ours runs after this returns. */
void mo_events_stop(void)
{
	mo_hooks_detach(hooks, ARRAY_SIZE(hooks));
	irq_work_sync(&kick);
	cancel_work_sync(&event_work);
}

/* After mo_events_stop() and once no reader is left (interfaces gone). */
void mo_events_exit(void)
{
	vfree(site_extfrag);
	site_extfrag = NULL;
}
