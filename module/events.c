// SPDX-License-Identifier: GPL-2.0
/*
 * Memory events, on the netlink "events" multicast group:
 *
 *  OOM kill        oom:mark_victim: the victim (pid, comm, RSS) and the top
 *                  ten owners -- who ate the memory.  For a memory-cgroup
 *                  OOM (a kretprobe on out_of_memory() reads the
 *                  oom_control's memcg) only owners of memory of that
 *                  cgroup: pages charged to it, other objects allocated
 *                  by a task in it.
 *  reclaim stall   vmscan:mm_vmscan_direct_reclaim_begin/end: a direct
 *                  reclaim slower than reclaim_stall_ms, with the stalled
 *                  task and the stack of the allocation that stalled.
 *  fragmentation   kmem:mm_page_alloc_extfrag with a fallback smaller than
 *                  a pageblock ("fragmenting"): counted per stack, and an
 *                  event when at least extfrag_rate happen in a second,
 *                  sent once that second is over with the number of
 *                  fallbacks it saw (the rate, per second).
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
#include <linux/kprobes.h>
#include <linux/math64.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/oom.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
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

#include "control.h"
#include "depot.h"
#include "events.h"
#include "netlink.h"
#include "owner.h"
#include "probes.h"
#include "query.h"
#include "site.h"
#include "task.h"
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

/*
 * Rate window of extfrag events: the fallbacks of the current second, and
 * of the one before it (kept at the first fallback of a new second).  An
 * event found at the threshold waits (under ring_lock) for its second to
 * end: it carries the fallbacks of that whole second.
 */
static u64 extfrag_second, extfrag_prev_second;
static atomic_t extfrag_in_second;
static unsigned int extfrag_prev_count;
static bool extfrag_reported;
static struct mo_event extfrag_ev;
static u64 extfrag_ev_second;
static bool extfrag_pending;
static struct irq_work extfrag_kick;
static struct delayed_work extfrag_work;

/*
 * OOM top owners of a memory cgroup: per-site sums of a scan of the owner
 * records, and the scan's buffer (the event work's only, preallocated: no
 * allocation right after an OOM kill).
 */
#define OOM_SCAN_BATCH	256
static u64 *oom_site_bytes, *oom_site_objects;
static struct mo_obj *oom_scan_buf;
static struct mem_cgroup *oom_memcg;	/* out_of_memory()'s, under oom_lock */
static bool oom_kretprobe_on;
static const char *oom_kretprobe_state = "not attached: no memory cgroups";

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

/*
 * A new epoch: the fallbacks counted so far were the old epoch's.  The
 * hook stays attached (it follows the module, not the epoch), so one may
 * land during the reset and be kept: an atomic store per site loses none
 * of the new epoch's but that one.
 */
void mo_events_clear(void)
{
	unsigned long i;

	if (!site_extfrag)
		return;
	for (i = 0; i < nr_site_extfrag; i++)
		atomic64_set(&site_extfrag[i], 0);
}

size_t mo_events_memory(void)
{
	return nr_site_extfrag * (sizeof(*site_extfrag) +
				  sizeof(*oom_site_bytes) +
				  sizeof(*oom_site_objects)) +
	       OOM_SCAN_BATCH * sizeof(*oom_scan_buf);
}

static void event_put(struct mo_event *ev)
{
#ifdef CONFIG_MEMCG
	if (ev->memcg)
		css_put(&ev->memcg->css);
#endif
	ev->memcg = NULL;
}

/* Queue @ev for the work; a full ring drops it (and its memcg reference). */
static void push(struct mo_event *ev)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ring_lock, flags);
	if (ring_len == RING) {
		raw_spin_unlock_irqrestore(&ring_lock, flags);
		atomic64_inc(&nr_dropped);
		event_put(ev);
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
		event_put(&ev);
		atomic64_inc(&nr_sent);
	}
}

#ifdef CONFIG_MEMCG
/* Is the memory of @o charged to @memcg (or a descendant)? Under RCU. */
static bool obj_in_memcg(const struct mo_obj *o, struct mem_cgroup *memcg)
{
	const struct mo_task *t;
	struct mem_cgroup *m = NULL;
	struct task_struct *task;

	if (mo_obj_src(o) == MEMOWNER_SRC_PAGE) {
		if (pfn_valid(o->key))
			m = page_memcg_check(pfn_to_page(o->key));
	} else {
		/* Other objects: the allocating process is in the cgroup. */
		t = mo_task_get(mo_obj_task(o));
		task = t ? pid_task(find_pid_ns(t->tgid, &init_pid_ns),
				    PIDTYPE_PID) : NULL;
		if (task)
			m = mem_cgroup_from_task(task);
	}
	return m && mem_cgroup_is_descendant(m, memcg);
}

/*
 * The @n sites with the most live bytes of memory in @memcg: one scan of
 * the owner records (from the event work only: its buffers are its own).
 */
unsigned int mo_events_oom_top(struct mem_cgroup *memcg, struct mo_row *out,
			       unsigned int n)
{
	unsigned long pos = 0, i, nr = min(mo_site_count() + 1, nr_site_extfrag);
	unsigned int got, k, found = 0;
	struct mo_row row;

	if (!oom_site_bytes)
		return 0;
	memset(oom_site_bytes, 0, nr_site_extfrag * sizeof(*oom_site_bytes));
	memset(oom_site_objects, 0, nr_site_extfrag * sizeof(*oom_site_objects));
	while ((got = mo_owner_scan(&pos, oom_scan_buf, OOM_SCAN_BATCH))) {
		rcu_read_lock();
		for (k = 0; k < got; k++) {
			const struct mo_obj *o = &oom_scan_buf[k];

			if (o->site >= nr || !obj_in_memcg(o, memcg))
				continue;
			oom_site_bytes[o->site] += (u64)mo_track_weight(o) *
						   mo_obj_bytes(o);
			oom_site_objects[o->site] += mo_track_weight(o);
		}
		rcu_read_unlock();
		cond_resched();
	}
	for (i = 1; i < nr; i++) {
		const struct mo_site *s = mo_site_at(i);

		/* Owners: pages backing objects hold what is counted already. */
		if (!s || !oom_site_bytes[i] || mo_site_backing(&s->key))
			continue;
		memset(&row, 0, sizeof(row));
		row.id = s->key.stack;
		row.stack = s->key.stack;
		row.source = s->key.src;
		row.live_bytes = oom_site_bytes[i];
		row.live_pages = s->key.src == MEMOWNER_SRC_PAGE ||
				 s->key.src == MEMOWNER_SRC_VMALLOC ?
				 oom_site_bytes[i] >> PAGE_SHIFT : 0;
		row.live_objects = oom_site_objects[i];
		mo_query_top_add(out, &found, n, &row);
	}
	return found;
}

/*
 * out_of_memory() runs under oom_lock, and calls mark_victim() for its
 * victims: its oom_control's memcg (NULL for a global OOM) is read there.
 */
static int oom_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct oom_control *oc = (void *)regs_get_kernel_argument(regs, 0);

	WRITE_ONCE(oom_memcg, oc ? READ_ONCE(oc->memcg) : NULL);
	return 0;
}

static int oom_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	WRITE_ONCE(oom_memcg, NULL);
	return 0;
}

static struct kretprobe oom_kretprobe = {
	.kp.symbol_name = "out_of_memory",
	.entry_handler = oom_entry,
	.handler = oom_return,
	.maxactive = 4,
};

/*
 * The prototype oom_entry() reads its argument by (probes.h); proto_test.sh
 * builds it deliberately wrong (const) and expects the hook refused.
 */
#ifdef MEMOWNER_TEST_WRONG_PROTO
typedef bool mo_out_of_memory_t(const struct oom_control *oc);
#else
typedef bool mo_out_of_memory_t(struct oom_control *oc);
#endif
#ifdef MEMOWNER_DECL_out_of_memory
#define OOM_PROTO_OK	MO_PROTO_OK(out_of_memory, mo_out_of_memory_t)
#define OOM_DECLARED	true
#else
#define OOM_PROTO_OK	false
#define OOM_DECLARED	false
#endif
#else
unsigned int mo_events_oom_top(struct mem_cgroup *memcg, struct mo_row *out,
			       unsigned int n)
{
	return 0;
}
#endif

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

	MO_TP_NO_PREEMPT();
	fill_task(&ev, task);
	if (mm)
		ev.rss_kb = get_mm_rss(mm) << (PAGE_SHIFT - 10);
#ifdef CONFIG_MEMCG
	{
		struct mem_cgroup *memcg = READ_ONCE(oom_memcg);

		/* Pinned by the OOM in progress; the event holds its own. */
		if (memcg && css_tryget(&memcg->css))
			ev.memcg = memcg;
	}
#endif
	push(&ev);
}

static void probe_reclaim_begin(void *data, MO_RECLAIM_BEGIN_ARGS(order, gfp))
{
	int i;

	MO_TP_NO_PREEMPT();
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

	MO_TP_NO_PREEMPT();
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
		if (READ_ONCE(mo_cfg.active)) {
			ev.stack = mo_track_stack_in_allocator();
			ev.epoch = mo_control_epoch();
		}
		fill_task(&ev, current);
		ev.latency_ns = latency;
		push(&ev);
		return;
	}
}

/* @ev of second @sec: its rate is all of that second's fallbacks. */
static void extfrag_count_second(struct mo_event *ev, u64 sec)
{
	/* Fallbacks per second: all of that second's. */
	if (READ_ONCE(extfrag_second) == sec)
		ev->rate = max_t(u64, ev->rate, atomic_read(&extfrag_in_second));
	else if (READ_ONCE(extfrag_prev_second) == sec)
		ev->rate = max_t(u64, ev->rate, READ_ONCE(extfrag_prev_count));
}

static void probe_extfrag(void *data, struct page *page, int alloc_order,
			  int fallback_order, int alloc_mt, int fallback_mt)
{
	u64 sec = div_u64(local_clock(), NSEC_PER_SEC);
	struct mo_event ev, prev;
	unsigned long flags;
	bool queue, older;
	u32 site = 0;
	int n;

	MO_TP_NO_PREEMPT();
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
		WRITE_ONCE(extfrag_prev_count, atomic_read(&extfrag_in_second));
		WRITE_ONCE(extfrag_prev_second, READ_ONCE(extfrag_second));
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
	ev.rate = n;	/* so far: the work counts the whole second */
	ev.stack = site ? mo_site_at(site)->key.stack : 0;
	ev.epoch = mo_control_epoch();
	raw_spin_lock_irqsave(&ring_lock, flags);
	/*
	 * The event of an earlier second not sent yet (its work runs a
	 * jiffy after that second): that second is over, so it goes to the
	 * ring now, with that second's count, and this second's takes the
	 * slot.  (It was dropped: fallbacks on consecutive seconds lost
	 * every other second's event, 5 of 216 fallbacks on 7.3.)
	 */
	older = extfrag_pending && extfrag_ev_second != sec;
	if (older) {
		prev = extfrag_ev;
		extfrag_count_second(&prev, extfrag_ev_second);
		extfrag_pending = false;
	}
	queue = !extfrag_pending;
	if (queue) {
		extfrag_ev = ev;
		extfrag_ev_second = sec;
		extfrag_pending = true;
	}
	raw_spin_unlock_irqrestore(&ring_lock, flags);
	if (older)
		push(&prev);
	if (queue)
		irq_work_queue(&extfrag_kick);
	else
		atomic64_inc(&nr_dropped);
}

/* extfrag_send() a jiffy after the current second ends. */
static void extfrag_schedule(void)
{
	u32 rem;

	div_u64_rem(local_clock(), NSEC_PER_SEC, &rem);
	schedule_delayed_work(&extfrag_work,
			      nsecs_to_jiffies(NSEC_PER_SEC - rem) + 1);
}

/* From the probe: send the event once its second is over. */
static void extfrag_kick_fn(struct irq_work *w)
{
	extfrag_schedule();
}

static void extfrag_send(struct work_struct *work)
{
	unsigned long flags;
	struct mo_event ev;
	u64 sec;

	raw_spin_lock_irqsave(&ring_lock, flags);
	if (!extfrag_pending) {
		raw_spin_unlock_irqrestore(&ring_lock, flags);
		return;
	}
	/*
	 * The slot may hold a later second's event than the one this work
	 * was scheduled for (see probe_extfrag()): wait for its end.
	 */
	if (div_u64(local_clock(), NSEC_PER_SEC) <= extfrag_ev_second) {
		raw_spin_unlock_irqrestore(&ring_lock, flags);
		extfrag_schedule();
		return;
	}
	ev = extfrag_ev;
	sec = extfrag_ev_second;
	extfrag_pending = false;
	raw_spin_unlock_irqrestore(&ring_lock, flags);
	extfrag_count_second(&ev, sec);
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

static u64 extfrag_by_site(void)
{
	unsigned long i;
	u64 sum = 0;

	for (i = 0; site_extfrag && i < nr_site_extfrag; i++)
		sum += atomic64_read(&site_extfrag[i]);
	return sum;
}

void mo_events_report(struct seq_file *m)
{
	mo_hooks_report(m, "event", hooks, ARRAY_SIZE(hooks));
	seq_printf(m, "hook: event kretprobe out_of_memory %s",
		   oom_kretprobe_state);
#ifdef CONFIG_MEMCG
	if (oom_kretprobe_on)
		seq_printf(m, " missed=%lu",
			   (unsigned long)oom_kretprobe.nmissed +
			   oom_kretprobe.kp.nmissed);
#endif
	seq_putc(m, '\n');
	/* by_site: what the per-site counters hold now (this epoch's). */
	seq_printf(m, "events: sent=%llu dropped=%llu extfrag_fragmenting=%llu extfrag_by_site=%llu\n",
		   mo_events_sent(), mo_events_dropped(),
		   atomic64_read(&nr_extfrag), extfrag_by_site());
}

static void free_tables(void)
{
	vfree(site_extfrag);
	site_extfrag = NULL;
	vfree(oom_site_bytes);
	oom_site_bytes = NULL;
	vfree(oom_site_objects);
	oom_site_objects = NULL;
	vfree(oom_scan_buf);
	oom_scan_buf = NULL;
}

int mo_events_init(void)
{
	nr_site_extfrag = mo_site_capacity();
	site_extfrag = vzalloc(nr_site_extfrag * sizeof(*site_extfrag));
	oom_site_bytes = vzalloc(nr_site_extfrag * sizeof(*oom_site_bytes));
	oom_site_objects = vzalloc(nr_site_extfrag * sizeof(*oom_site_objects));
	oom_scan_buf = vmalloc(OOM_SCAN_BATCH * sizeof(*oom_scan_buf));
	if (!site_extfrag || !oom_site_bytes || !oom_site_objects ||
	    !oom_scan_buf) {
		free_tables();
		return -ENOMEM;
	}
	INIT_WORK(&event_work, send_events);
	init_irq_work(&kick, kick_fn);
	INIT_DELAYED_WORK(&extfrag_work, extfrag_send);
	init_irq_work(&extfrag_kick, extfrag_kick_fn);
#ifdef CONFIG_MEMCG
	oom_memcg = NULL;
	/*
	 * Without it every OOM is reported with the global top owners; a
	 * changed prototype is never hooked (oom_entry() would read the
	 * wrong register as the oom_control).
	 */
	if (!OOM_DECLARED) {
		oom_kretprobe_state = "not attached: no declaration";
	} else if (!OOM_PROTO_OK) {
		oom_kretprobe_state = "not attached: prototype changed";
	} else if (register_kretprobe(&oom_kretprobe)) {
		oom_kretprobe_state = "FAILED";
	} else {
		oom_kretprobe_on = true;
		oom_kretprobe_state = "attached";
	}
	if (!oom_kretprobe_on)
		pr_warn("out_of_memory kretprobe %s: OOM top owners are global\n",
			oom_kretprobe_state);
#endif
	mo_hooks_attach(hooks, ARRAY_SIZE(hooks));
	return 0;
}

/* No probe, irq_work or work of ours runs after this returns. */
void mo_events_stop(void)
{
	struct mo_event ev;

	mo_hooks_detach(hooks, ARRAY_SIZE(hooks));
#ifdef CONFIG_MEMCG
	if (oom_kretprobe_on)
		unregister_kretprobe(&oom_kretprobe);
	oom_kretprobe_on = false;
#endif
	irq_work_sync(&extfrag_kick);
	cancel_delayed_work_sync(&extfrag_work);
	irq_work_sync(&kick);
	cancel_work_sync(&event_work);
	/* Events left in the ring give their memcg reference back. */
	while (ring_len) {
		ev = ring[ring_head];
		ring_head = (ring_head + 1) % RING;
		ring_len--;
		event_put(&ev);
	}
}

/* After mo_events_stop() and once no reader is left (interfaces gone). */
void mo_events_exit(void)
{
	free_tables();
}
