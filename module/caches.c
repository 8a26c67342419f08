// SPDX-License-Identifier: GPL-2.0
/*
 * Slab call sites from the owner records (see caches.h).
 *
 * One pass over the owner table accumulates the live slab records per site;
 * the sites are then merged by (cache, first frame of the site's stack),
 * which is the key of slub_debug's alloc_calls.  mo_owner_scan() copies
 * whole buckets, each under its own lock, so a probe is held off for one
 * bucket at a time, never for the pass; the pass itself runs on the copies
 * in process context and may sleep between batches.
 *
 * The result is a view of a table that changes under the pass: a record
 * inserted or freed during it may or may not be seen, like any object of
 * a site made after the pass began, which is left out (the per-site arrays
 * are sized when the pass begins).  Sampled records count with their
 * weight, as the sites' counters do.
 */
#include <linux/bitmap.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>

#include "caches.h"
#include "depot.h"
#include "owner.h"
#include "site.h"
#include "task.h"
#include "track.h"

#define SCAN_BATCH	4096

struct pass {
	struct mo_cache_row *acc;	/* per site */
	unsigned long *cpus;		/* per site */
	unsigned long nr_sites;
	unsigned int cpu_longs;
	u64 now_ns;
};

static void account(struct pass *p, const struct mo_obj *o)
{
	const struct mo_site *site;
	const struct mo_task *task;
	struct mo_cache_row *r;
	unsigned int cpu;
	u64 ts, age_ms;
	u32 w;

	if (mo_obj_src(o) != MEMOWNER_SRC_SLAB || !o->site ||
	    o->site > p->nr_sites)
		return;
	site = mo_site_at(o->site);
	if (!site || site->key.src != MEMOWNER_SRC_SLAB)
		return;
	r = &p->acc[o->site];
	w = mo_track_weight(o);
	ts = mo_obj_ts_ns(o);
	age_ms = p->now_ns > ts ? div_u64(p->now_ns - ts, NSEC_PER_MSEC) : 0;
	r->count += w;
	r->bytes += (u64)w * mo_obj_bytes(o);
	r->age_min_ms = min(r->age_min_ms, age_ms);
	r->age_max_ms = max(r->age_max_ms, age_ms);
	r->age_sum_ms += (u64)w * age_ms;
	task = mo_task_get(mo_obj_task(o));
	if (task) {
		r->pid_min = min_t(u32, r->pid_min, task->pid);
		r->pid_max = max_t(u32, r->pid_max, task->pid);
	}
	cpu = mo_obj_cpu(o);
	if (cpu < nr_cpu_ids)
		__set_bit(cpu, p->cpus + o->site * p->cpu_longs);
}

/* Each site's key, and the neutral values of minima. */
static void prepare(struct pass *p)
{
	const unsigned long *frames;
	unsigned long i;

	for (i = 1; i <= p->nr_sites; i++) {
		const struct mo_site *site = mo_site_at(i);
		struct mo_cache_row *r = &p->acc[i];

		r->age_min_ms = U64_MAX;
		r->pid_min = U32_MAX;
		if (!site)
			continue;
		r->stack = site->key.stack;
		r->cache = site->cache;
		if (mo_depot_fetch(site->key.stack, &frames))
			r->callsite = frames[0];
	}
}

static int cmp_key(const void *a, const void *b, const void *priv)
{
	const struct mo_cache_row *acc = priv;
	const struct mo_cache_row *x = &acc[*(const u32 *)a];
	const struct mo_cache_row *y = &acc[*(const u32 *)b];

	if (x->cache != y->cache)
		return x->cache < y->cache ? -1 : 1;
	if (x->callsite != y->callsite)
		return x->callsite < y->callsite ? -1 : 1;
	return 0;
}

static int cmp_count(const void *a, const void *b, const void *priv)
{
	const struct mo_cache_row *acc = priv;
	const struct mo_cache_row *x = &acc[*(const u32 *)a];
	const struct mo_cache_row *y = &acc[*(const u32 *)b];

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return cmp_key(a, b, priv);
}

/* Fold site @from into site @into (same key). */
static void merge(struct pass *p, u32 into, u32 from, u64 *best)
{
	struct mo_cache_row *r = &p->acc[into], *s = &p->acc[from];

	/* The stack named is that of the site with the most objects. */
	if (s->count > *best) {
		*best = s->count;
		r->stack = s->stack;
	}
	r->count += s->count;
	r->bytes += s->bytes;
	r->age_min_ms = min(r->age_min_ms, s->age_min_ms);
	r->age_max_ms = max(r->age_max_ms, s->age_max_ms);
	r->age_sum_ms += s->age_sum_ms;
	r->pid_min = min(r->pid_min, s->pid_min);
	r->pid_max = max(r->pid_max, s->pid_max);
	bitmap_or(p->cpus + into * p->cpu_longs, p->cpus + into * p->cpu_longs,
		  p->cpus + from * p->cpu_longs, nr_cpu_ids);
}

/* Merge the sites by key and copy the result out, by count. */
static int finish(struct pass *p, struct mo_caches *c)
{
	unsigned long i, j, nr = 0, groups = 0;
	u32 *idx;
	u64 best;
	int ret = -ENOMEM;

	idx = kvmalloc_array(p->nr_sites + 1, sizeof(*idx), GFP_KERNEL);
	if (!idx)
		return -ENOMEM;
	for (i = 1; i <= p->nr_sites; i++)
		if (p->acc[i].count)
			idx[nr++] = i;
	sort_r(idx, nr, sizeof(*idx), cmp_key, NULL, p->acc);
	for (i = 0; i < nr; i = j) {
		best = p->acc[idx[i]].count;
		for (j = i + 1; j < nr && !cmp_key(&idx[i], &idx[j], p->acc); j++)
			merge(p, idx[i], idx[j], &best);
		idx[groups++] = idx[i];
	}
	sort_r(idx, groups, sizeof(*idx), cmp_count, NULL, p->acc);

	c->rows = kvmalloc_array(max(groups, 1UL), sizeof(*c->rows),
				 GFP_KERNEL);
	c->cpus = kvcalloc(max(groups, 1UL) * p->cpu_longs, sizeof(long),
			   GFP_KERNEL);
	if (!c->rows || !c->cpus)
		goto out;
	for (i = 0; i < groups; i++) {
		struct mo_cache_row *r = &c->rows[i];

		*r = p->acc[idx[i]];
		if (r->pid_min > r->pid_max)	/* no task known */
			r->pid_min = 0;
		bitmap_copy(c->cpus + i * p->cpu_longs,
			    p->cpus + idx[i] * p->cpu_longs, nr_cpu_ids);
	}
	c->nr = groups;
	c->cpu_longs = p->cpu_longs;
	ret = 0;
out:
	kvfree(idx);
	return ret;
}

void mo_caches_free(struct mo_caches *c)
{
	if (!c)
		return;
	kvfree(c->rows);
	kvfree(c->cpus);
	kfree(c);
}

int mo_caches_run(struct mo_caches **out)
{
	struct pass p = {
		.nr_sites = mo_site_count(),
		.cpu_longs = BITS_TO_LONGS(nr_cpu_ids),
		.now_ns = mo_track_now_ns(),
	};
	unsigned long pos = 0;
	struct mo_caches *c;
	struct mo_obj *buf;
	unsigned int n, i;
	int ret = -ENOMEM;

	c = kzalloc(sizeof(*c), GFP_KERNEL);
	p.acc = kvcalloc(p.nr_sites + 1, sizeof(*p.acc), GFP_KERNEL);
	p.cpus = kvcalloc((p.nr_sites + 1) * p.cpu_longs, sizeof(long),
			  GFP_KERNEL);
	buf = kvmalloc_array(SCAN_BATCH, sizeof(*buf), GFP_KERNEL);
	if (!c || !p.acc || !p.cpus || !buf)
		goto out;

	prepare(&p);
	/* Scanning returns 0 only once past the last bucket. */
	while ((n = mo_owner_scan(&pos, buf, SCAN_BATCH))) {
		for (i = 0; i < n; i++)
			account(&p, &buf[i]);
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		cond_resched();
	}
	ret = finish(&p, c);
out:
	kvfree(buf);
	kvfree(p.cpus);
	kvfree(p.acc);
	if (ret) {
		mo_caches_free(c);
		c = NULL;
	}
	*out = c;
	return ret;
}
