// SPDX-License-Identifier: GPL-2.0
/*
 * Threshold alerts.
 *
 * A delayed work item runs every alert_period_ms, in process context: one
 * pass over the sites sums the live bytes (and pages) of every owner a
 * rule names; per-process rules add a pass over the owner records.  Each
 * rule then decides:
 *
 *	armed && value >= high && min_interval elapsed  -> alert, disarm
 *	!armed && value <= low                          -> re-arm
 *
 * so an owner that stays above its threshold alerts once, and one that
 * flaps around it at most once per min_interval.  Growth-rate rules keep a
 * small ring of past values and compare with the one about window_ms old.
 *
 * rules_lock (a mutex) guards the rule table against the ioctl/netlink
 * paths that add and remove rules; the probes never touch it.
 *
 * Lifetime: the work re-arms itself and add() arms it, both under
 * rules_lock and only while the module is not going (mo_control_going());
 * mo_alerts_stop() then cancels it for good, before the netlink family it
 * multicasts on is unregistered and the tables it reads are freed.
 *
 * A check walks sites x rules (x CPUs in each sum): it yields every
 * RESCHED_SITES sites, so a large table never holds a CPU for long.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "alerts.h"
#include "control.h"
#include "depot.h"
#include "netlink.h"
#include "owner.h"
#include "query.h"
#include "site.h"
#include "task.h"
#include "track.h"

static unsigned int alert_period_ms = 100;
module_param(alert_period_ms, uint, 0444);
MODULE_PARM_DESC(alert_period_ms, "how often threshold rules are checked, in ms (10..60000, default 100)");

#define RING	64	/* growth-rate history per rule */
#define RESCHED_SITES	256	/* sites between two reschedule points */

struct mo_rule {
	bool used;
	bool armed;
	struct memowner_threshold t;
	char name[MEMOWNER_NAME_LEN];
	u64 value;		/* metric at the last check */
	u64 live;		/* live bytes (or pages) at the last check */
	u64 nr_alerts;
	unsigned long last_alert;	/* jiffies */
	u32 stack;		/* a stack of the owner, for the alert */
	/* A stack rule's frames, kept over a new epoch (mo_alerts_restack) */
	unsigned long frames[MEMOWNER_DEPTH_MAX];
	unsigned int nr_frames;
	bool lost;		/* its handle named no stack at an epoch */
	u64 hist_val[RING];
	u64 hist_ts[RING];	/* ns */
	unsigned int hist_n, hist_head;
};

static struct mo_rule *rules;
static u32 next_id = 1;
static DEFINE_MUTEX(rules_lock);
static struct delayed_work check_work;
static atomic64_t nr_sent;
static u64 meas[2 * MEMOWNER_MAX_THRESHOLDS];	/* under rules_lock */
static u64 biggest[MEMOWNER_MAX_THRESHOLDS];	/* under rules_lock */

u64 mo_alerts_sent(void)
{
	return atomic64_read(&nr_sent);
}

static bool rule_has_site(struct mo_rule *r, u32 i, const struct mo_site *s)
{
	const char *cache;

	switch (r->t.owner_kind) {
	case MEMOWNER_OWNER_STACK:
		return !r->lost && s->key.stack == r->t.owner_id;
	case MEMOWNER_OWNER_CACHE:
		cache = mo_cache_name(s->cache);
		return cache && !strcmp(cache, r->name);
	case MEMOWNER_OWNER_MODULE:
		return !strcmp(mo_site_module(i), r->name);
	case MEMOWNER_OWNER_GLOBAL:
		return true;
	}
	return false;
}

/* Live bytes and pages of every rule's owner. */
static void measure(u64 *bytes, u64 *pages, bool *need_records)
{
	unsigned long i, n = mo_site_count();
	struct mo_totals t;
	int k;

	*need_records = false;
	for (k = 0; k < MEMOWNER_MAX_THRESHOLDS; k++) {
		bytes[k] = pages[k] = 0;
		biggest[k] = 0;
		if (rules[k].used && rules[k].t.owner_kind == MEMOWNER_OWNER_TGID)
			*need_records = true;
	}
	for (i = 1; i <= n; i++) {
		const struct mo_site *s = mo_site_at(i);
		bool summed = false;
		u64 live = 0;

		if (!(i % RESCHED_SITES))
			cond_resched();

		for (k = 0; k < MEMOWNER_MAX_THRESHOLDS; k++) {
			struct mo_rule *r = &rules[k];

			/* Owned memory: pages backing objects are not. */
			if (!r->used || r->t.owner_kind == MEMOWNER_OWNER_TGID ||
			    !s || mo_site_backing(&s->key) ||
			    !rule_has_site(r, i, s))
				continue;
			if (!summed) {
				mo_site_sum(i, &t);
				live = mo_live_bytes(&t);
				summed = true;
			}
			bytes[k] += live;
			if (s->key.src == MEMOWNER_SRC_PAGE ||
			    s->key.src == MEMOWNER_SRC_VMALLOC)
				pages[k] += live >> PAGE_SHIFT;
			/* The alert names the owner's biggest stack. */
			if (live > biggest[k]) {
				biggest[k] = live;
				r->stack = s->key.stack;
			}
		}
	}
}

/* Per-process rules: one pass over the owner records. */
#define SCAN_BATCH	1024
static void measure_records(u64 *bytes, u64 *pages)
{
	unsigned long pos = 0;
	struct mo_obj *buf;
	unsigned int n, i;
	int k;

	buf = kvmalloc_array(SCAN_BATCH, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return;
	while ((n = mo_owner_scan(&pos, buf, SCAN_BATCH))) {
		for (i = 0; i < n; i++) {
			const struct mo_task *task = mo_task_get(mo_obj_task(&buf[i]));
			const struct mo_site *s = mo_site_at(buf[i].site);
			u64 b;

			if (!task || (s && mo_site_backing(&s->key)))
				continue;
			b = (u64)mo_track_weight(&buf[i]) * mo_obj_bytes(&buf[i]);
			for (k = 0; k < MEMOWNER_MAX_THRESHOLDS; k++) {
				if (!rules[k].used ||
				    rules[k].t.owner_kind != MEMOWNER_OWNER_TGID ||
				    task->tgid != rules[k].t.owner_id)
					continue;
				bytes[k] += b;
				if (mo_obj_src(&buf[i]) == MEMOWNER_SRC_PAGE ||
				    mo_obj_src(&buf[i]) == MEMOWNER_SRC_VMALLOC)
					pages[k] += b >> PAGE_SHIFT;
			}
		}
		cond_resched();
	}
	kvfree(buf);
}

/* Growth in bytes/s against the value about window_ms ago. */
static u64 growth_rate(struct mo_rule *r, u64 live, u64 now)
{
	u64 window = (u64)r->t.window_ms * NSEC_PER_MSEC, step = window / (RING / 2);
	unsigned int i, idx, best = RING;
	u64 rate = 0;

	/* Record a sample every window/32, so the ring spans two windows. */
	if (!r->hist_n ||
	    now - r->hist_ts[(r->hist_head + RING - 1) % RING] >= step) {
		r->hist_val[r->hist_head] = live;
		r->hist_ts[r->hist_head] = now;
		r->hist_head = (r->hist_head + 1) % RING;
		r->hist_n = min(r->hist_n + 1, (unsigned int)RING);
	}
	/* The most recent sample at least one window old, else the oldest. */
	for (i = 0; i < r->hist_n; i++) {
		idx = (r->hist_head + RING - 1 - i) % RING;
		best = idx;
		if (now - r->hist_ts[idx] >= window)
			break;
	}
	/* 128-bit intermediate: delta * 10^9 overflows above ~18.4 GB. */
	if (best < RING && now > r->hist_ts[best] && live > r->hist_val[best])
		rate = mul_u64_u64_div_u64(live - r->hist_val[best],
					   NSEC_PER_SEC, now - r->hist_ts[best]);
	return rate;
}

static void fire(struct mo_rule *r, u64 now_ns)
{
	struct mo_alert a = {
		.rule_id = r->t.id,
		.owner_kind = r->t.owner_kind,
		.owner_id = r->t.owner_id,
		.stack = r->t.owner_kind == MEMOWNER_OWNER_STACK ?
			 (u32)r->t.owner_id : r->stack,
		.metric = r->t.metric,
		.value = r->value,
		.threshold = r->t.high,
		.ts_ns = now_ns,
	};

	strscpy(a.owner_name, r->name, sizeof(a.owner_name));
	r->armed = false;
	r->last_alert = jiffies;
	r->nr_alerts++;
	atomic64_inc(&nr_sent);
	memowner_genl_alert(&a);
}

static void check(struct work_struct *work)
{
	u64 *bytes, *pages, now = ktime_get_boottime_ns();
	bool need_records, any = false;
	int k;

	mo_tables_read_lock();	/* before rules_lock: control.c */
	mutex_lock(&rules_lock);
	for (k = 0; k < MEMOWNER_MAX_THRESHOLDS; k++)
		any |= rules[k].used;
	/* No rule, nothing to watch: add() starts the work again. */
	if (!any)
		goto out;
	bytes = meas;
	pages = meas + MEMOWNER_MAX_THRESHOLDS;
	measure(bytes, pages, &need_records);
	if (need_records)
		measure_records(bytes, pages);
	for (k = 0; k < MEMOWNER_MAX_THRESHOLDS; k++) {
		struct mo_rule *r = &rules[k];

		if (!r->used)
			continue;
		switch (r->t.metric) {
		case MEMOWNER_METRIC_LIVE_PAGES:
			r->value = pages[k];
			break;
		case MEMOWNER_METRIC_GROWTH_RATE:
			r->value = growth_rate(r, bytes[k], now);
			break;
		default:
			r->value = bytes[k];
		}
		if (!r->armed && r->value <= r->t.low)
			r->armed = true;
		if (r->armed && r->value >= r->t.high &&
		    (!r->nr_alerts ||
		     time_after_eq(jiffies, r->last_alert +
				   msecs_to_jiffies(r->t.min_interval_ms))))
			fire(r, now);
	}
	if (!mo_control_is_going())
		schedule_delayed_work(&check_work,
				      msecs_to_jiffies(alert_period_ms));
out:
	mutex_unlock(&rules_lock);
	mo_tables_read_unlock();
}

/*
 * A new epoch empties the depot (control.c, with the tables locked for
 * writing): a stack rule keeps its stack by its frames -- the first @keep
 * of them, as many as the new configuration records -- and gets the
 * handle they have in the new depot.  A handle that named no stack cannot
 * be carried over: the rule then matches nothing ("lost").
 */
void mo_alerts_restack_save(unsigned int keep)
{
	const unsigned long *frames;
	unsigned int nr;
	int k;

	mutex_lock(&rules_lock);
	for (k = 0; k < MEMOWNER_MAX_THRESHOLDS; k++) {
		struct mo_rule *r = &rules[k];

		r->stack = 0;	/* the biggest stack: of the old epoch */
		if (!r->used || r->t.owner_kind != MEMOWNER_OWNER_STACK ||
		    r->lost)
			continue;
		nr = mo_depot_fetch((u32)r->t.owner_id, &frames);
		r->nr_frames = min(nr, keep);
		memcpy(r->frames, frames, r->nr_frames * sizeof(*frames));
		r->lost = !nr;
	}
	mutex_unlock(&rules_lock);
}

void mo_alerts_restack_restore(void)
{
	int k;

	mutex_lock(&rules_lock);
	for (k = 0; k < MEMOWNER_MAX_THRESHOLDS; k++) {
		struct mo_rule *r = &rules[k];

		if (r->used && r->t.owner_kind == MEMOWNER_OWNER_STACK &&
		    !r->lost)
			r->t.owner_id = mo_depot_save(r->frames, r->nr_frames);
	}
	mutex_unlock(&rules_lock);
}

static int validate(const struct memowner_threshold *t, const char *name)
{
	if (t->flags || t->id || t->__pad)
		return -EINVAL;
	if (t->owner_kind > MEMOWNER_OWNER_MAX || t->metric > MEMOWNER_METRIC_MAX)
		return -EINVAL;
	switch (t->owner_kind) {
	case MEMOWNER_OWNER_STACK:
	case MEMOWNER_OWNER_TGID:
		if (!t->owner_id || t->owner_id > U32_MAX || name[0])
			return -EINVAL;
		break;
	case MEMOWNER_OWNER_CACHE:
	case MEMOWNER_OWNER_MODULE:
		if (t->owner_id || !name[0])
			return -EINVAL;
		break;
	case MEMOWNER_OWNER_GLOBAL:
		if (t->owner_id || name[0])
			return -EINVAL;
		break;
	}
	if (t->metric == MEMOWNER_METRIC_GROWTH_RATE) {
		if (t->window_ms < MEMOWNER_WINDOW_MS_MIN ||
		    t->window_ms > MEMOWNER_WINDOW_MS_MAX)
			return -EINVAL;
	} else if (t->window_ms) {
		return -EINVAL;
	}
	if (!t->high || t->low >= t->high || t->min_interval_ms > 3600000)
		return -EINVAL;
	return 0;
}

int mo_alerts_add(struct memowner_threshold *t, const char *name)
{
	int k, ret = validate(t, name);

	if (ret)
		return ret;
	mutex_lock(&rules_lock);
	if (mo_control_is_going()) {
		ret = -ENODEV;
		goto out;
	}
	for (k = 0; k < MEMOWNER_MAX_THRESHOLDS && rules[k].used; k++)
		;
	if (k == MEMOWNER_MAX_THRESHOLDS) {
		ret = -ENOSPC;
		goto out;
	}
	memset(&rules[k], 0, sizeof(rules[k]));
	rules[k].t = *t;
	rules[k].t.id = next_id++;
	rules[k].t.owner_name = 0;
	strscpy(rules[k].name, name, sizeof(rules[k].name));
	rules[k].armed = true;
	rules[k].used = true;
	t->id = rules[k].t.id;
	/* Checked from the next period on (no-op if already pending). */
	schedule_delayed_work(&check_work, 0);
out:
	mutex_unlock(&rules_lock);
	return ret;
}

int mo_alerts_del(u32 id)
{
	int k, ret = -ENOENT;

	mutex_lock(&rules_lock);
	if (mo_control_is_going())
		ret = -ENODEV;
	for (k = 0; ret == -ENOENT && k < MEMOWNER_MAX_THRESHOLDS; k++) {
		if (rules[k].used && rules[k].t.id == id) {
			rules[k].used = false;
			ret = 0;
			break;
		}
	}
	mutex_unlock(&rules_lock);
	return ret;
}

unsigned int mo_alerts_list(struct memowner_threshold_state *out,
			    unsigned int max)
{
	unsigned int n = 0;
	int k;

	mutex_lock(&rules_lock);
	for (k = 0; k < MEMOWNER_MAX_THRESHOLDS; k++) {
		struct mo_rule *r = &rules[k];

		if (!r->used)
			continue;
		if (n < max) {
			struct memowner_threshold_state *s = &out[n];

			memset(s, 0, sizeof(*s));
			s->id = r->t.id;
			s->owner_kind = r->t.owner_kind;
			s->owner_id = r->t.owner_id;
			s->metric = r->t.metric;
			s->window_ms = r->t.window_ms;
			s->high = r->t.high;
			s->low = r->t.low;
			s->min_interval_ms = r->t.min_interval_ms;
			s->armed = r->armed;
			s->nr_alerts = r->nr_alerts;
			s->value = r->value;
			strscpy(s->name, r->name, sizeof(s->name));
		}
		n++;
	}
	mutex_unlock(&rules_lock);
	return n;
}

int mo_alerts_init(void)
{
	if (alert_period_ms < 10 || alert_period_ms > 60000) {
		pr_err("alert_period_ms=%u: expected 10..60000\n", alert_period_ms);
		return -EINVAL;
	}
	rules = vzalloc(MEMOWNER_MAX_THRESHOLDS * sizeof(*rules));
	if (!rules)
		return -ENOMEM;
	atomic64_set(&nr_sent, 0);
	INIT_DELAYED_WORK(&check_work, check);
	return 0;
}

/*
 * After mo_control_going(): add() can no longer arm the work, and a check
 * running now does not re-arm it (both read "going" under rules_lock,
 * which is taken here once so that neither is half-way).
 */
void mo_alerts_stop(void)
{
	mutex_lock(&rules_lock);
	mutex_unlock(&rules_lock);
	cancel_delayed_work_sync(&check_work);
}

void mo_alerts_exit(void)
{
	cancel_delayed_work_sync(&check_work);
	vfree(rules);
	rules = NULL;
}
