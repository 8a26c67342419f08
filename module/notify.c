// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink notifications: threshold alerts ("alerts" group) and memory
 * events ("events" group).  Built in process context (the alert work, the
 * event work), only when someone listens, and never carrying a raw kernel
 * address: owners are named by stack handle and symbolized frames.
 */
#include <linux/kallsyms.h>
#include <net/genetlink.h>

#include "alerts.h"
#include "control.h"
#include "depot.h"
#include "events.h"
#include "netlink.h"
#include "params.h"
#include "query.h"

#define TOP_OWNERS	10
#define ALERT_FRAMES	4

static int put_frames(struct sk_buff *skb, int attr, u32 stack,
		      unsigned int max)
{
	const unsigned long *frames;
	unsigned int i, nr = mo_depot_fetch(stack, &frames);
	char sym[KSYM_SYMBOL_LEN];
	struct nlattr *nest;

	if (!nr)
		return 0;
	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < nr && i < max; i++) {
		mo_frame_name(frames[i], sym, sizeof(sym));
		if (nla_put_string(skb, MEMOWNER_A_STACK_FRAME, sym))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static void multicast(struct sk_buff *skb, void *hdr, unsigned int group,
		      gfp_t gfp)
{
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&memowner_genl_family, skb, 0, group, gfp);
}

/*
 * Memory events are sent right after an OOM kill or during a reclaim
 * stall: GFP_KERNEL there would enter direct reclaim, or the OOM killer
 * again, from the very work that reports it.  Their messages (one
 * NLMSG_GOODSIZE skb, and a clone per listener) are allocated without
 * reclaim, from the atomic reserves, and quietly: a failure loses that one
 * notification, and never blocks or kills for it.
 */
#define EVENT_GFP	(GFP_ATOMIC | __GFP_NOWARN)

void memowner_genl_alert(const struct mo_alert *a)
{
	struct sk_buff *skb;
	struct nlattr *nest;
	void *hdr;

	if (!memowner_genl_registered() ||
	    !genl_has_listeners(&memowner_genl_family, &init_net,
				MEMOWNER_GRP_ALERTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &memowner_genl_family, 0,
			  MEMOWNER_CMD_ALERT_NTF);
	if (!hdr)
		goto fail;
	nest = nla_nest_start(skb, MEMOWNER_A_ALERT);
	if (!nest ||
	    nla_put_u32(skb, MEMOWNER_A_ALERT_RULE, a->rule_id) ||
	    nla_put_u32(skb, MEMOWNER_A_ALERT_OWNER_KIND, a->owner_kind) ||
	    nla_put_u64_64bit(skb, MEMOWNER_A_ALERT_OWNER_ID, a->owner_id,
			      MEMOWNER_A_ALERT_PAD) ||
	    (a->owner_name[0] &&
	     nla_put_string(skb, MEMOWNER_A_ALERT_OWNER_NAME, a->owner_name)) ||
	    (a->stack && nla_put_u32(skb, MEMOWNER_A_ALERT_STACK, a->stack)) ||
	    put_frames(skb, MEMOWNER_A_ALERT_FRAMES, a->stack, ALERT_FRAMES) ||
	    nla_put_u32(skb, MEMOWNER_A_ALERT_METRIC, a->metric) ||
	    nla_put_u64_64bit(skb, MEMOWNER_A_ALERT_VALUE, a->value,
			      MEMOWNER_A_ALERT_PAD) ||
	    nla_put_u64_64bit(skb, MEMOWNER_A_ALERT_THRESHOLD, a->threshold,
			      MEMOWNER_A_ALERT_PAD) ||
	    nla_put_u64_64bit(skb, MEMOWNER_A_ALERT_TS_NS, a->ts_ns,
			      MEMOWNER_A_ALERT_PAD))
		goto fail;
	nla_nest_end(skb, nest);
	multicast(skb, hdr, MEMOWNER_GRP_ALERTS, GFP_KERNEL);
	return;
fail:
	nlmsg_free(skb);
}

/* The top owners: of the OOM's memory cgroup, else of everything. */
static int put_top(struct sk_buff *skb, const struct mo_event *ev)
{
	static struct mo_row top[TOP_OWNERS];	/* the event work's only */
	unsigned int i, n = ev->memcg ?
		mo_events_oom_top(ev->memcg, top, TOP_OWNERS) :
		mo_query_top_sites(top, TOP_OWNERS);
	struct nlattr *nest, *row;

	nest = nla_nest_start(skb, MEMOWNER_A_EVENT_TOP);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++) {
		row = nla_nest_start(skb, MEMOWNER_A_STACK);
		if (!row ||
		    nla_put_u32(skb, MEMOWNER_A_STACK_ID, top[i].stack) ||
		    nla_put_u32(skb, MEMOWNER_A_STACK_SOURCE, top[i].source) ||
		    nla_put_u64_64bit(skb, MEMOWNER_A_STACK_LIVE_BYTES,
				      top[i].live_bytes, MEMOWNER_A_STACK_PAD) ||
		    nla_put_u64_64bit(skb, MEMOWNER_A_STACK_LIVE_PAGES,
				      top[i].live_pages, MEMOWNER_A_STACK_PAD) ||
		    nla_put_u64_64bit(skb, MEMOWNER_A_STACK_LIVE_OBJECTS,
				      top[i].live_objects, MEMOWNER_A_STACK_PAD) ||
		    put_frames(skb, MEMOWNER_A_STACK_FRAMES, top[i].stack,
			       ALERT_FRAMES))
			return -EMSGSIZE;
		nla_nest_end(skb, row);
	}
	nla_nest_end(skb, nest);
	return 0;
}

static void genl_event(const struct mo_event *ev);

/*
 * Under the tables lock: the top owners and the stack are read from the
 * sites and the depot, and a stack taken before a new epoch emptied the
 * depot is left out.
 */
void memowner_genl_event(const struct mo_event *ev)
{
	struct mo_event e = *ev;

	mo_tables_read_lock();
	if (e.epoch != mo_control_epoch())
		e.stack = 0;
	genl_event(&e);
	mo_tables_read_unlock();
}

static void genl_event(const struct mo_event *ev)
{
	struct sk_buff *skb;
	struct nlattr *nest;
	void *hdr;

	if (!memowner_genl_registered() ||
	    !genl_has_listeners(&memowner_genl_family, &init_net,
				MEMOWNER_GRP_EVENTS))
		return;
	skb = genlmsg_new(NLMSG_GOODSIZE, EVENT_GFP);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &memowner_genl_family, 0,
			  MEMOWNER_CMD_EVENT_NTF);
	if (!hdr)
		goto fail;
	nest = nla_nest_start(skb, MEMOWNER_A_EVENT);
	if (!nest ||
	    nla_put_u32(skb, MEMOWNER_A_EVENT_TYPE, ev->type) ||
	    nla_put_u32(skb, MEMOWNER_A_EVENT_PID, ev->pid) ||
	    nla_put_u32(skb, MEMOWNER_A_EVENT_TGID, ev->tgid) ||
	    nla_put_string(skb, MEMOWNER_A_EVENT_COMM, ev->comm) ||
	    nla_put_u64_64bit(skb, MEMOWNER_A_EVENT_TS_NS, ev->ts_ns,
			      MEMOWNER_A_EVENT_PAD))
		goto fail;
	switch (ev->type) {
	case MEMOWNER_EVENT_OOM:
		if (nla_put_u64_64bit(skb, MEMOWNER_A_EVENT_RSS_KB, ev->rss_kb,
				      MEMOWNER_A_EVENT_PAD) ||
		    put_top(skb, ev))
			goto fail;
		break;
	case MEMOWNER_EVENT_RECLAIM_STALL:
		if (nla_put_u64_64bit(skb, MEMOWNER_A_EVENT_LATENCY_NS,
				      ev->latency_ns, MEMOWNER_A_EVENT_PAD))
			goto fail;
		fallthrough;
	case MEMOWNER_EVENT_EXTFRAG:
		if (nla_put_u32(skb, MEMOWNER_A_EVENT_ORDER, ev->order) ||
		    nla_put_u32(skb, MEMOWNER_A_EVENT_GFP, ev->gfp) ||
		    nla_put_u64_64bit(skb, MEMOWNER_A_EVENT_RATE, ev->rate,
				      MEMOWNER_A_EVENT_PAD) ||
		    (ev->stack &&
		     (nla_put_u32(skb, MEMOWNER_A_EVENT_STACK, ev->stack) ||
		      put_frames(skb, MEMOWNER_A_EVENT_FRAMES, ev->stack,
				 MEMOWNER_DEPTH_DEFAULT))))
			goto fail;
		break;
	}
	nla_nest_end(skb, nest);
	multicast(skb, hdr, MEMOWNER_GRP_EVENTS, EVENT_GFP);
	return;
fail:
	nlmsg_free(skb);
}
