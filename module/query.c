// SPDX-License-Identifier: GPL-2.0
/*
 * Queries over the tables, for readers (ioctl snapshot, netlink dumps).
 *
 * Two ways to the same rows:
 *  - from the sites' counters (fast: one pass over the sites), for the
 *    stack, call-site, cache and module groupings without task or age
 *    filter.  These include the pages from before load;
 *  - from the owner records (one pass over the owner table), when the
 *    grouping is by process or a tgid or age filter is given: only records
 *    carry the task and the time.  Sampled records count with their
 *    weight, as the counters do.
 * Rows are aggregated in a small hash table of their group key, then
 * sorted.  Everything here runs in process context on copies; probes go on.
 *
 * MARK and RESET keep per-site baselines (live bytes for growth; totals for
 * reset) instead of touching the counters, which only their own CPU
 * writes: a reader subtracts them.
 */
#include <linux/hashtable.h>
#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>

#include "control.h"
#include "depot.h"
#include "events.h"
#include "query.h"
#include "site.h"
#include "symbols.h"
#include "task.h"
#include "track.h"

/*
 * The module of each site's first frame, found once per site: symbolizing
 * a frame is far too slow to repeat for every site on every query and
 * every alert check.  Names are interned (a handful of modules own
 * memory); a site holds its name's index + 1, 0 until first asked.  A
 * site's key never changes, so neither does its module -- also after the
 * module unloads, when the cached name is the only right answer left.
 */
#define MODNAMES_MAX	1024
static char (*modnames)[MEMOWNER_NAME_LEN];
static unsigned int nr_modnames;
static u16 *site_modname;
static DEFINE_SPINLOCK(modnames_lock);

static struct mo_totals *base;	/* per site: totals at the last RESET */
static u64 *mark_bytes;		/* per site: live bytes at the last MARK */
static unsigned long nr_base;
static u64 mark_ns;
static DEFINE_MUTEX(baseline_lock);

u64 mo_row_value(const struct mo_row *r, u32 sort)
{
	switch (sort) {
	case MEMOWNER_SORT_LIVE_PAGES:
		return r->live_pages;
	case MEMOWNER_SORT_LIVE_OBJECTS:
		return r->live_objects;
	case MEMOWNER_SORT_ALLOCS:
		return r->allocs;
	case MEMOWNER_SORT_GROWTH:
		return r->growth_bytes > 0 ? r->growth_bytes : 0;
	default:
		return r->live_bytes;
	}
}

void mo_stack_module(u32 stack, char *buf, size_t len)
{
	char sym[KSYM_SYMBOL_LEN], *open, *close;
	const unsigned long *frames;

	if (!mo_depot_fetch(stack, &frames)) {
		strscpy(buf, "", len);
		return;
	}
	mo_frame_name(frames[0], sym, sizeof(sym));
	open = strrchr(sym, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!open || !close) {
		strscpy(buf, "vmlinux", len);
		return;
	}
	*close = '\0';
	strscpy(buf, open + 1, len);
}

const char *mo_site_module(u32 site)
{
	const struct mo_site *s = mo_site_at(site);
	char name[MEMOWNER_NAME_LEN];
	unsigned int i;
	u16 idx;

	if (!s || site >= nr_base)
		return "";
	idx = READ_ONCE(site_modname[site]);
	if (idx)
		return modnames[idx - 1];
	mo_stack_module(s->key.stack, name, sizeof(name));
	spin_lock(&modnames_lock);
	for (i = 0; i < nr_modnames; i++)
		if (!strcmp(modnames[i], name))
			break;
	if (i == nr_modnames) {
		if (i == MODNAMES_MAX) {
			/* Never seen: more modules than any kernel loads. */
			spin_unlock(&modnames_lock);
			return "";
		}
		strscpy(modnames[i], name, sizeof(modnames[i]));
		nr_modnames++;
	}
	/* Published after the name it points to. */
	smp_store_release(&site_modname[site], i + 1);
	spin_unlock(&modnames_lock);
	return modnames[i];
}

size_t mo_query_memory(void)
{
	return nr_base * (sizeof(*base) + sizeof(*mark_bytes) +
			  sizeof(*site_modname)) +
	       MODNAMES_MAX * sizeof(*modnames);
}

/*
 * Raw addresses go only to a reader with CAP_SYSLOG whom the kernel's own
 * kptr_restrict policy lets see them.  kptr_restrict is not exported, and
 * its address is not looked up: the question is asked of vsprintf's %pK,
 * here in the reader's own context (its ioctl, or its netlink request or
 * dump, run by its own task).  %pK prints zeros when the reader may not see
 * kernel pointers (kptr_restrict=2; or 1 without CAP_SYSLOG, or with
 * changed ids), a hashed value at kptr_restrict=0 -- where CAP_SYSLOG, as
 * for /proc/kallsyms, decides -- and the value itself when allowed.
 */
bool mo_may_see_addresses(bool cap_syslog)
{
	static const char probe;
	char buf[32];

	if (!cap_syslog || in_interrupt())
		return false;
	snprintf(buf, sizeof(buf), "%pK", &probe);
	return buf[0] && strspn(buf, "0") != strlen(buf) &&
	       !strstr(buf, "error");
}

/* ---- aggregation ------------------------------------------------------ */

#define AGG_BITS	10

struct agg_node {
	struct hlist_node node;
	u64 key;
	struct mo_row row;
};

struct agg {
	DECLARE_HASHTABLE(table, AGG_BITS);
	unsigned long nr;
};

static struct mo_row *agg_get(struct agg *a, u64 key, const char *name)
{
	struct agg_node *n;

	hash_for_each_possible(a->table, n, node, key)
		if (n->key == key && (!name || !strcmp(n->row.name, name)))
			return &n->row;
	n = kzalloc(sizeof(*n), GFP_KERNEL);
	if (!n)
		return NULL;
	n->key = key;
	n->row.source = ~0U - 1;	/* no source yet */
	if (name)
		strscpy(n->row.name, name, sizeof(n->row.name));
	hash_add(a->table, &n->node, key);
	a->nr++;
	return &n->row;
}

static void agg_source(struct mo_row *r, u32 src)
{
	if (r->source == ~0U - 1)
		r->source = src;
	else if (r->source != src)
		r->source = MEMOWNER_SRC_MIXED;
}

static void agg_free(struct agg *a)
{
	struct hlist_node *tmp;
	struct agg_node *n;
	int bkt;

	hash_for_each_safe(a->table, bkt, tmp, n, node) {
		hash_del(&n->node);
		kfree(n);
	}
}

static int cmp_rows(const void *a, const void *b, const void *priv)
{
	u32 sort_key = *(const u32 *)priv;
	u64 x = mo_row_value(a, sort_key), y = mo_row_value(b, sort_key);

	if (x != y)
		return x > y ? -1 : 1;
	/* Deterministic order among equals. */
	x = ((const struct mo_row *)a)->id;
	y = ((const struct mo_row *)b)->id;
	return x < y ? -1 : x > y;
}

/* Move the rows that pass min_value into a sorted array. */
static int agg_finish(struct agg *a, const struct mo_query *q,
		      struct mo_row **rows, unsigned long *nr)
{
	struct agg_node *n;
	struct mo_row *out;
	unsigned long i = 0;
	int bkt;

	out = kvmalloc_array(max(a->nr, 1UL), sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	hash_for_each(a->table, bkt, n, node) {
		if (n->row.source == ~0U - 1)
			n->row.source = MEMOWNER_SRC_MIXED;
		if (mo_row_value(&n->row, q->sort) < q->min_value)
			continue;
		out[i++] = n->row;
	}
	sort_r(out, i, sizeof(*out), cmp_rows, NULL, &q->sort);
	*rows = out;
	*nr = i;
	return 0;
}

static u64 pages_of(u32 src, u64 bytes)
{
	return src == MEMOWNER_SRC_PAGE || src == MEMOWNER_SRC_VMALLOC ?
	       bytes >> PAGE_SHIFT : 0;
}

/* Key and name of a site's group; false if the site is filtered out. */
static bool site_group(const struct mo_query *q, u32 i,
		       const struct mo_site *s, u64 *key, char *name, size_t len)
{
	const char *cache, *module = "";
	const unsigned long *frames;

	if (q->sources && !(q->sources & BIT(s->key.src)))
		return false;
	cache = mo_cache_name(s->cache);
	if (q->cache[0] && (!cache || strcmp(cache, q->cache)))
		return false;
	if (q->module[0] || q->group == MEMOWNER_GROUP_MODULE) {
		module = mo_site_module(i);
		if (q->module[0] && strcmp(module, q->module))
			return false;
	}
	name[0] = '\0';
	switch (q->group) {
	case MEMOWNER_GROUP_STACK:
		*key = s->key.stack;
		return true;
	case MEMOWNER_GROUP_CALLSITE:
		*key = mo_depot_fetch(s->key.stack, &frames) ? frames[0] : 0;
		return true;
	case MEMOWNER_GROUP_CACHE:
		if (!cache)
			return false;
		*key = s->cache;
		strscpy(name, cache, len);
		return true;
	case MEMOWNER_GROUP_MODULE:
		*key = jhash(module, strlen(module), 0);
		strscpy(name, module, len);
		return true;
	}
	return false;
}

static void row_add(struct mo_row *r, const struct mo_site *s, u32 site_idx,
		    u64 key, u32 group)
{
	if (!r->stack)
		r->stack = s->key.stack;
	if (group == MEMOWNER_GROUP_STACK || group == MEMOWNER_GROUP_CALLSITE)
		r->id = r->stack;	/* a handle, never an address */
	else if (group == MEMOWNER_GROUP_CACHE)
		r->id = key;
	agg_source(r, s->key.src);
}

static int query_sites(const struct mo_query *q, struct agg *a)
{
	unsigned long i, n = mo_site_count();
	char name[MEMOWNER_NAME_LEN];

	for (i = 1; i <= n; i++) {
		const struct mo_site *s = mo_site_at(i);
		struct mo_totals t, b = {};
		struct mo_row *r;
		u64 key, live, extfrag;

		if (!s || !site_group(q, i, s, &key, name, sizeof(name)))
			continue;
		mo_site_sum(i, &t);
		extfrag = mo_events_extfrag(i);
		/* Unused so far in this epoch (or a sentinel never hit). */
		if (!t.allocs && !t.frees && !extfrag)
			continue;
		if (i < nr_base)
			b = base[i];
		r = agg_get(a, key, q->group == MEMOWNER_GROUP_MODULE ? name : NULL);
		if (!r)
			return -ENOMEM;
		if (!r->name[0])
			strscpy(r->name, name, sizeof(r->name));
		row_add(r, s, i, key, q->group);
		live = mo_live_bytes(&t);
		r->extfrag += extfrag;
		/* Pages that hold counted objects: apart, never owned too. */
		if (mo_site_backing(&s->key)) {
			r->backing_bytes += live;
		} else {
			r->live_bytes += live;
			r->live_pages += pages_of(s->key.src, live);
			r->live_objects += mo_live_objects(&t);
			r->allocs += t.allocs - b.allocs;
			r->frees += t.frees - b.frees;
			r->bytes_allocated += t.bytes - b.bytes;
			r->growth_bytes += live -
				(i < nr_base ? READ_ONCE(mark_bytes[i]) : 0);
		}
		if (!(i & 1023))
			cond_resched();
	}
	return 0;
}

#define SCAN_BATCH	4096

static int query_records(const struct mo_query *q, struct agg *a)
{
	char name[MEMOWNER_NAME_LEN];
	unsigned long pos = 0, i;
	unsigned int n;
	struct mo_obj *buf;
	u64 now = mo_track_now_ns();
	int ret = 0;

	buf = kvmalloc_array(SCAN_BATCH, sizeof(*buf), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while ((n = mo_owner_scan(&pos, buf, SCAN_BATCH))) {
		for (i = 0; i < n; i++) {
			const struct mo_obj *o = &buf[i];
			const struct mo_site *s = mo_site_at(o->site);
			const struct mo_task *t = mo_task_get(mo_obj_task(o));
			u64 ts = mo_obj_ts_ns(o), age, key, bytes;
			struct mo_row *r;
			u32 w;

			if (!s)
				continue;
			age = now > ts ? now - ts : 0;
			if (q->older_than_ns && age < q->older_than_ns)
				continue;
			if (q->tgid && (!t || t->tgid != q->tgid))
				continue;
			if (q->group == MEMOWNER_GROUP_TGID) {
				if ((q->sources && !(q->sources & BIT(s->key.src))) ||
				    (q->cache[0] && strcmp(mo_cache_name(s->cache) ?: "",
							   q->cache)))
					continue;
				if (q->module[0] &&
				    strcmp(mo_site_module(o->site), q->module))
					continue;
				key = t ? t->tgid : 0;
				strscpy(name, t ? t->comm : "", sizeof(name));
			} else if (!site_group(q, o->site, s, &key, name,
					       sizeof(name))) {
				continue;
			}
			r = agg_get(a, key, q->group == MEMOWNER_GROUP_MODULE ?
					    name : NULL);
			if (!r) {
				ret = -ENOMEM;
				goto out;
			}
			if (!r->name[0])
				strscpy(r->name, name, sizeof(r->name));
			if (q->group == MEMOWNER_GROUP_TGID)
				r->id = key;
			else
				row_add(r, s, o->site, key, q->group);
			agg_source(r, s->key.src);
			w = mo_track_weight(o);
			bytes = (u64)w * mo_obj_bytes(o);
			if (mo_site_backing(&s->key)) {
				r->backing_bytes += bytes;
				continue;
			}
			r->live_objects += w;
			r->live_bytes += bytes;
			r->live_pages += pages_of(s->key.src, bytes);
			r->oldest_ns = max(r->oldest_ns, age);
		}
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out;
		}
		cond_resched();
	}
out:
	kvfree(buf);
	return ret;
}

int mo_query_run(const struct mo_query *q, struct mo_row **rows,
		 unsigned long *nr)
{
	struct agg *a;
	int ret;

	if (q->group > MEMOWNER_GROUP_MAX || q->sort > MEMOWNER_SORT_MAX)
		return -EINVAL;
	a = kzalloc(sizeof(*a), GFP_KERNEL);
	if (!a)
		return -ENOMEM;
	hash_init(a->table);
	if (q->group == MEMOWNER_GROUP_TGID || q->tgid || q->older_than_ns)
		ret = query_records(q, a);
	else
		ret = query_sites(q, a);
	if (!ret)
		ret = agg_finish(a, q, rows, nr);
	agg_free(a);
	kfree(a);
	return ret;
}

void mo_query_top_add(struct mo_row *out, unsigned int *found,
		      unsigned int n, const struct mo_row *row)
{
	unsigned int j;

	if (!n || (*found == n && row->live_bytes <= out[n - 1].live_bytes))
		return;
	/* Insertion into the list sorted by live bytes, descending. */
	j = *found < n ? (*found)++ : n - 1;
	while (j > 0 && out[j - 1].live_bytes < row->live_bytes) {
		out[j] = out[j - 1];
		j--;
	}
	out[j] = *row;
}

unsigned int mo_query_top_sites(struct mo_row *out, unsigned int n)
{
	unsigned long i, nr = mo_site_count();
	unsigned int found = 0;
	struct mo_totals t;
	struct mo_row row;

	for (i = 1; i <= nr; i++) {
		const struct mo_site *s = mo_site_at(i);
		u64 live;

		/* Owners only: backing pages hold what is counted already. */
		if (!s || mo_site_backing(&s->key))
			continue;
		mo_site_sum(i, &t);
		live = mo_live_bytes(&t);
		if (!live)
			continue;
		memset(&row, 0, sizeof(row));
		row.id = s->key.stack;
		row.stack = s->key.stack;
		row.source = s->key.src;
		row.live_bytes = live;
		row.live_pages = pages_of(s->key.src, live);
		row.live_objects = mo_live_objects(&t);
		row.allocs = t.allocs;
		row.frees = t.frees;
		row.bytes_allocated = t.bytes;
		mo_query_top_add(out, &found, n, &row);
	}
	return found;
}

/* ---- baselines ------------------------------------------------------- */

void mo_query_mark(void)
{
	unsigned long i, n;
	struct mo_totals t;

	mo_tables_read_lock();
	mutex_lock(&baseline_lock);
	n = min(mo_site_count() + 1, nr_base);
	for (i = 1; i < n; i++) {
		mo_site_sum(i, &t);
		WRITE_ONCE(mark_bytes[i], mo_live_bytes(&t));
	}
	mark_ns = ktime_get_boottime_ns();
	mutex_unlock(&baseline_lock);
	mo_tables_read_unlock();
}

void mo_query_reset(void)
{
	unsigned long i, n;

	mo_tables_read_lock();
	mutex_lock(&baseline_lock);
	n = min(mo_site_count() + 1, nr_base);
	for (i = 1; i < n; i++)
		mo_site_sum(i, &base[i]);
	mutex_unlock(&baseline_lock);
	mo_tables_read_unlock();
}

u64 mo_query_mark_ns(void)
{
	return mark_ns;
}

u32 mo_query_generation(void)
{
	/* New sites (and so new stacks in use) or a new epoch. */
	return (u32)mo_site_count() ^ (mo_control_epoch() << 24);
}

void mo_query_clear(void)
{
	mutex_lock(&baseline_lock);
	memset(base, 0, nr_base * sizeof(*base));
	memset(mark_bytes, 0, nr_base * sizeof(*mark_bytes));
	mark_ns = 0;
	/*
	 * The sites are emptied with it (control.c, tables locked for
	 * writing): an index names another site in the new epoch.
	 */
	memset(site_modname, 0, nr_base * sizeof(*site_modname));
	mutex_unlock(&baseline_lock);
}

int mo_query_init(unsigned long max_sites)
{
	nr_base = max_sites;
	base = vzalloc(nr_base * sizeof(*base));
	mark_bytes = vzalloc(nr_base * sizeof(*mark_bytes));
	site_modname = vzalloc(nr_base * sizeof(*site_modname));
	modnames = vzalloc(MODNAMES_MAX * sizeof(*modnames));
	nr_modnames = 0;
	if (!base || !mark_bytes || !site_modname || !modnames) {
		mo_query_exit();
		return -ENOMEM;
	}
	mark_ns = 0;
	return 0;
}

void mo_query_exit(void)
{
	vfree(base);
	vfree(mark_bytes);
	vfree(site_modname);
	vfree(modnames);
	base = NULL;
	mark_bytes = NULL;
	site_modname = NULL;
	modnames = NULL;
}
