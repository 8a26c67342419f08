// SPDX-License-Identifier: GPL-2.0
/*
 * memowner top: a live view of the owners of kernel memory, like top(1) and
 * slabtop(1), and its batch mode for logs and tests.
 *
 * Every refresh takes one MEMOWNER_IOC_SNAPSHOT of all owners of the view
 * (stacks, call sites, slab caches, modules or tasks) and derives what the
 * kernel does not keep: growth of live bytes since top started (or since
 * the user re-based it with 'z') and the allocation rate between two
 * refreshes.  Both need every owner, not only the rows on screen, so the
 * snapshot is always complete and sorting, filtering and the row limit are
 * applied here.  Growth is kept on our side rather than with
 * MEMOWNER_IOC_MARK, which is global and needs CAP_SYS_ADMIN: top must not
 * change what other readers see.
 *
 * One renderer turns the state into lines of text (struct tlines); the
 * curses screen paints those lines and batch mode prints them, so the two
 * can never disagree (as top and slabtop do it).  --json writes the same
 * rows as one JSON document per refresh instead.
 *
 * The live loop sleeps in ppoll() on the terminal until a key arrives or
 * the next refresh is due, with SIGINT, SIGTERM and SIGHUP blocked except
 * inside ppoll(), so that a signal is never lost between a check and the
 * wait.  On any of them the terminal is restored (endwin) and top dies of
 * the signal as if it had not been caught.  Resizes come from ncurses
 * itself (KEY_RESIZE, from its SIGWINCH handler).
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <curses.h>

#include "cli.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Sort keys: the kernel's four plus growth and the rate we compute. */
enum top_key {
	TK_BYTES,
	TK_PAGES,
	TK_OBJECTS,
	TK_ALLOCS,
	TK_GROWTH,
	TK_RATE,
	TK_NR
};

static const char *const top_key_names[TK_NR] = {
	"bytes", "pages", "objects", "allocs", "growth", "rate",
};

static const struct top_view {
	const char *name;	/* -v argument, header */
	const char *alias[3];	/* accepted as well */
	uint32_t group;		/* MEMOWNER_GROUP_* */
	const char *what;	/* "N owners" in the header */
	const char *one;	/* one owner */
} top_views[] = {
	{ "stacks", { "stack" }, MEMOWNER_GROUP_STACK, "stacks", "stack" },
	{ "callsites", { "callsite", "sites" }, MEMOWNER_GROUP_CALLSITE,
	  "call sites", "call site" },
	{ "caches", { "cache", "slab" }, MEMOWNER_GROUP_CACHE, "caches",
	  "cache" },
	{ "modules", { "module" }, MEMOWNER_GROUP_MODULE, "modules", "module" },
	{ "tasks", { "task", "tgid" }, MEMOWNER_GROUP_TGID, "tasks", "task" },
};
#define TOP_NR_VIEWS	ARRAY_SIZE(top_views)

/* ---- per-owner history: growth baselines and the previous allocs ---- */

struct hent {
	uint64_t id;
	char name[MEMOWNER_NAME_LEN];
	int used;
	uint64_t base_bytes;	/* live bytes when growth was based */
	uint64_t prev_allocs;
	unsigned int gen;	/* snapshot that set prev_allocs */
};

struct hist {
	struct hent *ents;
	size_t cap, used;
	unsigned int gen;	/* snapshots taken of this view */
	double t_last;		/* CLOCK_MONOTONIC of the last one */
	time_t since;		/* wall time growth counts from */
};

static uint64_t hash_key(uint64_t id, const char *name)
{
	uint64_t h = id * 0x9e3779b97f4a7c15ull;

	while (*name)
		h = (h ^ (unsigned char)*name++) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static struct hent *hist_slot(struct hent *ents, size_t cap, uint64_t id,
			      const char *name)
{
	size_t i = hash_key(id, name) & (cap - 1);

	while (ents[i].used && (ents[i].id != id || strcmp(ents[i].name, name)))
		i = (i + 1) & (cap - 1);
	return &ents[i];
}

static void hist_clear(struct hist *h)
{
	free(h->ents);
	memset(h, 0, sizeof(*h));
}

/* The entry of an owner, created (base 0) when new; NULL on ENOMEM. */
static struct hent *hist_get(struct hist *h, const struct memowner_row *r)
{
	const char *name = (const char *)r->name;
	struct hent *e;
	size_t i;

	if (2 * (h->used + 1) > h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 1024;
		struct hent *ents = calloc(cap, sizeof(*ents));

		if (!ents)
			return NULL;
		for (i = 0; i < h->cap; i++)
			if (h->ents[i].used)
				*hist_slot(ents, cap, h->ents[i].id,
					   h->ents[i].name) = h->ents[i];
		free(h->ents);
		h->ents = ents;
		h->cap = cap;
	}
	e = hist_slot(h->ents, h->cap, r->id, name);
	if (!e->used) {
		e->used = 1;
		e->id = r->id;
		snprintf(e->name, sizeof(e->name), "%s", name);
		h->used++;
	}
	return e;
}

/* ---- state ------------------------------------------------------------ */

struct top_row {
	struct memowner_row r;
	int64_t growth;		/* bytes since the baseline */
	double rate;		/* allocations per second; < 0: not known yet */
	char owner[320];	/* the owner as the OWNER column names it */
	char callers[192];	/* stacks view: "caller < caller ..." */
};

struct top {
	/* options */
	double interval;	/* seconds */
	long iterations;	/* 0: until quit */
	int batch, json, exact;
	enum top_key sort;
	unsigned int view;
	uint32_t sources, tgid;
	const char *cache, *module;
	char filter[128];
	long max_rows;		/* 0: as many as fit (batch: all) */
	int width;		/* batch line width */

	struct mo_symcache *syms;	/* opens the device on a miss */
	struct memowner_info info;
	struct hist hist[TOP_NR_VIEWS];

	/* the last snapshot, as taken */
	struct memowner_row *raw;
	size_t nraw;
	unsigned int raw_view;
	double *raw_rate;
	int64_t *raw_growth;
	time_t snap_time;
	long done;		/* refreshes taken */

	/* its rows sorted and filtered */
	struct top_row *rows;
	size_t nrows, nmatch;
	uint64_t tot_bytes, tot_pages, tot_objects;
	uint64_t tot_backing;	/* pages backing objects: not in tot_bytes */

	/* live mode */
	int live;
	int paused, help, expanded;
	size_t sel, scroll;
	struct {
		uint64_t id;
		char name[MEMOWNER_NAME_LEN];
		int valid;
	} sel_key, exp_key;
	int prompt;		/* 0, '/' filter, 'd' interval */
	char pbuf[128];
	char msg[160];
	int list_height;	/* rows the last screen had room for */
	size_t exp_scroll;	/* first frame shown when expanded */
};

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *top_version(const struct top *t, char *buf, size_t len)
{
	uint32_t v = t->info.version;

	snprintf(buf, len, "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
	return buf;
}

/* ---- owners' names ---------------------------------------------------- */

/*
 * Allocation wrappers: a stack whose first frame is one of these was
 * allocated for its caller (kmemdup() for a driver, kvmalloc_node() for a
 * subsystem...), so the caller names the owner, as page_owner_sort and
 * kmemleak readers look past them too.
 */
static const char *const alloc_wrappers[] = {
	"kmalloc", "__kmalloc", "__kmalloc_node", "__kmalloc_node_track_caller",
	"__kmalloc_track_caller", "kmalloc_trace", "kmalloc_node_trace",
	"kmalloc_large", "kmalloc_large_node", "kmalloc_order",
	"kmalloc_order_trace", "kzalloc", "kcalloc", "kmalloc_array",
	"kmem_cache_alloc", "kmem_cache_alloc_lru", "kmem_cache_alloc_node",
	"kmem_cache_alloc_bulk", "kmem_cache_zalloc", "__kmem_cache_alloc_node",
	"kmemdup", "kmemdup_nul", "kstrdup", "kstrndup", "kstrdup_const",
	"kvasprintf", "kvasprintf_const", "kasprintf", "krealloc", "__krealloc",
	"kvmalloc_node", "kvrealloc", "kvmemdup", "kvzalloc", "kvcalloc",
	"__alloc_pages", "alloc_pages", "alloc_pages_node", "__alloc_pages_node",
	"alloc_pages_exact", "alloc_pages_exact_nid", "__get_free_pages",
	"get_zeroed_page", "__folio_alloc", "folio_alloc", "vmalloc", "vzalloc",
	"__vmalloc", "__vmalloc_node", "__vmalloc_node_range", "vmalloc_node",
	"vzalloc_node", "vmalloc_user", "vmalloc_32", "vmalloc_huge",
	"pcpu_alloc", "__alloc_percpu", "__alloc_percpu_gfp",
	"__alloc_reserved_percpu",
};

/* The function name of "func.isra.0+0x1e/0x40 [mod]" into @buf. */
static const char *frame_func(const char *frame, char *buf, size_t len)
{
	size_t n = strcspn(frame, "+ .");

	if (n >= len)
		n = len - 1;
	memcpy(buf, frame, n);
	buf[n] = '\0';
	return buf;
}

/* Index of the first frame that is neither unknown nor a wrapper. */
static unsigned int first_meaningful(const struct mo_frames *f)
{
	char fn[128];
	unsigned int i;
	size_t k;

	for (i = 0; i < f->nr; i++) {
		if (!strcmp(f->frame[i], "?"))
			continue;
		frame_func(f->frame[i], fn, sizeof(fn));
		for (k = 0; k < ARRAY_SIZE(alloc_wrappers); k++)
			if (!strcmp(fn, alloc_wrappers[k]))
				break;
		if (k == ARRAY_SIZE(alloc_wrappers))
			return i;
	}
	return 0;
}

/*
 * Name the owner of @tr.  Stacks: the first meaningful frame, and its
 * callers by function name.  Call sites: frame 0, the frame the kernel
 * groups them by -- the rest of the stack is only one of its stacks, and
 * naming the row after a deeper frame would pin every caller of a wrapper
 * on one of them.
 */
static void name_owner(struct top *t, struct top_row *tr)
{
	const struct memowner_row *r = &tr->r;
	const struct mo_frames *f;
	unsigned int i, first;
	size_t off = 0;
	char fn[128];

	tr->callers[0] = '\0';
	switch (top_views[t->raw_view].group) {
	case MEMOWNER_GROUP_STACK:
	case MEMOWNER_GROUP_CALLSITE:
		f = t->syms ? mo_symcache_get(t->syms, r->stack) : NULL;
		if (!f || !f->nr) {
			snprintf(tr->owner, sizeof(tr->owner), "[stack %u]",
				 r->stack);
			return;
		}
		if (top_views[t->raw_view].group == MEMOWNER_GROUP_CALLSITE) {
			snprintf(tr->owner, sizeof(tr->owner), "%s",
				 f->frame[0]);
			return;
		}
		first = first_meaningful(f);
		snprintf(tr->owner, sizeof(tr->owner), "%s", f->frame[first]);
		for (i = first + 1; i < f->nr && off < sizeof(tr->callers); i++)
			off += snprintf(tr->callers + off,
					sizeof(tr->callers) - off, "%s%s",
					off ? " < " : "",
					frame_func(f->frame[i], fn, sizeof(fn)));
		return;
	case MEMOWNER_GROUP_TGID:
		snprintf(tr->owner, sizeof(tr->owner), "%" PRIu64 " %s",
			 (uint64_t)r->id, r->name[0] ? (const char *)r->name :
			 (r->id ? "-" : "[no task]"));
		return;
	default:
		snprintf(tr->owner, sizeof(tr->owner), "%s",
			 r->name[0] ? (const char *)r->name : "-");
	}
}

/* Whether @tr matches the '/' filter: its owner, or any of its frames. */
static int row_matches(struct top *t, const struct top_row *tr)
{
	const struct mo_frames *f;
	unsigned int i;

	if (!t->filter[0] || strcasestr(tr->owner, t->filter))
		return 1;
	if (top_views[t->raw_view].group != MEMOWNER_GROUP_STACK || !t->syms)
		return 0;
	f = mo_symcache_get(t->syms, tr->r.stack);
	for (i = 0; f && i < f->nr; i++)
		if (strcasestr(f->frame[i], t->filter))
			return 1;
	return 0;
}

/* ---- snapshots and the model ------------------------------------------ */

static uint64_t config_sig(const struct memowner_info *i)
{
	return ((uint64_t)i->sources << 40) ^ ((uint64_t)i->mode << 32) ^
	       ((uint64_t)i->depth << 16) ^ i->enabled ^ i->sample_bytes ^
	       i->loaded_ns;
}

/*
 * Take a snapshot of the current view and update the history: rates over
 * the time since the view's previous snapshot, growth against the
 * baselines (the first snapshot of a view is its own baseline).
 */
static int top_snapshot(struct top *t)
{
	const struct top_view *v = &top_views[t->view];
	struct mo_query q = {
		.group = v->group,
		.sort = MEMOWNER_SORT_LIVE_BYTES,
		.sources = t->sources,
		.tgid = t->tgid,
		.cache = t->cache,
		.module = t->module,
	};
	struct hist *h = &t->hist[t->view];
	struct memowner_row *rows;
	uint64_t old_sig = config_sig(&t->info);
	uint64_t old_loaded = t->info.loaded_ns;
	double now, dt;
	size_t nr, i;
	unsigned int k;
	int fd, ret;

	/*
	 * The device is open only for the snapshot: an open file would keep
	 * memowner.ko from unloading for as long as top runs.
	 */
	fd = mo_dev_open();
	if (fd < 0)
		return fd;
	ret = mo_dev_get_info(fd, &t->info);
	if (!ret)
		ret = mo_check_abi(&t->info);
	if (!ret)
		ret = mo_snapshot(fd, &q, 0, &rows, &nr, NULL);
	close(fd);
	if (ret)
		return ret;
	/* A new tracking epoch cleared every counter: start over. */
	if (t->done && config_sig(&t->info) != old_sig)
		for (k = 0; k < TOP_NR_VIEWS; k++)
			hist_clear(&t->hist[k]);
	/* Another load of the module: its stack handles are new ones. */
	if (t->done && t->info.loaded_ns != old_loaded) {
		mo_symcache_free(t->syms);
		t->syms = mo_symcache_new(-1);
		if (!t->syms) {
			free(rows);
			return -ENOMEM;
		}
	}
	now = mono_now();
	free(t->raw);
	free(t->raw_rate);
	free(t->raw_growth);
	t->raw = rows;
	t->nraw = nr;
	t->raw_view = t->view;
	t->raw_rate = calloc(nr ? nr : 1, sizeof(*t->raw_rate));
	t->raw_growth = calloc(nr ? nr : 1, sizeof(*t->raw_growth));
	if (!t->raw_rate || !t->raw_growth)
		return -ENOMEM;
	t->snap_time = time(NULL);
	if (!h->gen)
		h->since = t->snap_time;
	dt = h->gen ? now - h->t_last : 0;
	for (i = 0; i < nr; i++) {
		struct hent *e = hist_get(h, &rows[i]);

		if (!e)
			return -ENOMEM;
		if (!h->gen)
			e->base_bytes = rows[i].live_bytes;
		t->raw_growth[i] = (int64_t)(rows[i].live_bytes - e->base_bytes);
		/*
		 * Known only when the owner was in the previous snapshot and
		 * its total did not go back (RESET restarts totals).  Tasks
		 * carry no totals at all.
		 */
		if (h->gen && e->gen == h->gen && dt > 0 &&
		    rows[i].allocs >= e->prev_allocs &&
		    v->group != MEMOWNER_GROUP_TGID)
			t->raw_rate[i] = (rows[i].allocs - e->prev_allocs) / dt;
		else if (h->gen && dt > 0 && v->group != MEMOWNER_GROUP_TGID &&
			 !e->gen)
			/* New since the previous snapshot: all of it is new. */
			t->raw_rate[i] = rows[i].allocs / dt;
		else
			t->raw_rate[i] = -1;
		e->prev_allocs = rows[i].allocs;
		e->gen = h->gen + 1;
	}
	h->gen++;
	h->t_last = now;
	t->done++;
	return 0;
}

/* "z": growth counts from now, for the view on screen. */
static void top_rebase(struct top *t)
{
	struct hist *h = &t->hist[t->raw_view];
	size_t i;

	for (i = 0; i < h->cap; i++)
		h->ents[i].base_bytes = 0;
	for (i = 0; i < t->nraw; i++) {
		struct hent *e = hist_get(h, &t->raw[i]);

		if (e)
			e->base_bytes = t->raw[i].live_bytes;
		t->raw_growth[i] = 0;
	}
	h->since = time(NULL);
}

static double row_key(const struct top_row *tr, enum top_key k)
{
	switch (k) {
	case TK_PAGES:
		return tr->r.live_pages;
	case TK_OBJECTS:
		return tr->r.live_objects;
	case TK_ALLOCS:
		return tr->r.allocs;
	case TK_GROWTH:
		return tr->growth;
	case TK_RATE:
		return tr->rate;
	default:
		return tr->r.live_bytes;
	}
}

static enum top_key sort_key;

/* Descending by the key, then by live bytes, then stable by identity. */
static int row_cmp(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;
	double kx = row_key(x, sort_key), ky = row_key(y, sort_key);

	if (kx != ky)
		return kx < ky ? 1 : -1;
	if (x->r.live_bytes != y->r.live_bytes)
		return x->r.live_bytes < y->r.live_bytes ? 1 : -1;
	if (x->r.id != y->r.id)
		return x->r.id < y->r.id ? -1 : 1;
	return strcmp((const char *)x->r.name, (const char *)y->r.name);
}

static int same_key(const struct memowner_row *r, uint64_t id,
		    const char *name)
{
	return r->id == id && !strcmp((const char *)r->name, name);
}

/*
 * Rows of the last snapshot, named, filtered and sorted; totals of all
 * of them.  Owners are named only when shown or filtered: naming needs
 * the stack of each, the first time.
 */
static int top_model(struct top *t)
{
	size_t i, n = 0;

	free(t->rows);
	t->rows = calloc(t->nraw ? t->nraw : 1, sizeof(*t->rows));
	if (!t->rows)
		return -ENOMEM;
	t->tot_bytes = t->tot_pages = t->tot_objects = t->tot_backing = 0;
	for (i = 0; i < t->nraw; i++) {
		struct top_row *tr = &t->rows[n];

		t->tot_bytes += t->raw[i].live_bytes;
		t->tot_backing += t->raw[i].backing_bytes;
		t->tot_pages += t->raw[i].live_pages;
		t->tot_objects += t->raw[i].live_objects;
		tr->r = t->raw[i];
		tr->rate = t->raw_rate[i];
		tr->growth = t->raw_growth[i];
		if (t->filter[0]) {
			name_owner(t, tr);
			if (!row_matches(t, tr))
				continue;
		}
		n++;
	}
	sort_key = t->sort;
	qsort(t->rows, n, sizeof(*t->rows), row_cmp);
	t->nmatch = n;
	if (t->max_rows && (size_t)t->max_rows < n)
		n = t->max_rows;
	t->nrows = n;
	if (!t->filter[0])
		for (i = 0; i < n; i++)
			name_owner(t, &t->rows[i]);
	/* Keep the selection on its owner when rows move. */
	if (t->sel_key.valid)
		for (i = 0; i < n; i++)
			if (same_key(&t->rows[i].r, t->sel_key.id,
				     t->sel_key.name)) {
				t->sel = i;
				break;
			}
	if (t->sel >= n)
		t->sel = n ? n - 1 : 0;
	return 0;
}

/* ---- rendering to lines ----------------------------------------------- */

enum { LA_TEXT, LA_HEADER, LA_TITLE, LA_SELECTED, LA_PROMPT };

struct tline {
	char *text;
	int attr;
};

struct tlines {
	struct tline *v;
	size_t n, cap;
	int width;		/* cut lines here; 0: never */
};

static void tl_add(struct tlines *l, int attr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void tl_add(struct tlines *l, int attr, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct tline *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	if (!s)
		return;
	l->v[l->n].text = s;
	l->v[l->n].attr = attr;
	l->n++;
}

static void tl_free(struct tlines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].text);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static const char *fmt_bytes(const struct top *t, uint64_t v, char *buf,
			     size_t len)
{
	if (t->exact)
		snprintf(buf, len, "%" PRIu64, v);
	else
		mo_fmt_bytes(v, buf, len);
	return buf;
}

static const char *fmt_growth(const struct top *t, int64_t v, char *buf,
			      size_t len)
{
	char b[24];

	if (!v)
		return snprintf(buf, len, "0"), buf;
	snprintf(buf, len, "%c%s", v < 0 ? '-' : '+',
		 fmt_bytes(t, v < 0 ? -(uint64_t)v : (uint64_t)v, b,
			   sizeof(b)));
	return buf;
}

static const char *fmt_rate(double r, char *buf, size_t len)
{
	if (r < 0)
		snprintf(buf, len, "-");
	else if (r < 100000)
		snprintf(buf, len, "%.1f", r);
	else
		snprintf(buf, len, "%.0f", r);
	return buf;
}

static const char *fmt_hms(time_t when, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&when, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
	return buf;
}

/* Seconds since the module was loaded (both on CLOCK_BOOTTIME). */
static void fmt_uptime(const struct top *t, char *buf, size_t len)
{
	struct timespec ts;
	uint64_t s;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	s = ((uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec -
	     t->info.loaded_ns) / 1000000000ull;
	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 " days, %02" PRIu64 ":%02" PRIu64,
			 s / 86400, s / 3600 % 24, s / 60 % 60);
	else
		snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
			 s / 3600, s / 60 % 60, s % 60);
}

/* The three summary lines, as top has them. */
static void render_header(struct top *t, struct tlines *l)
{
	const struct top_view *v = &top_views[t->raw_view];
	char ver[32], up[48], now[16], since[16], src[64], b1[32], b2[32];
	char filt[200] = "";

	fmt_uptime(t, up, sizeof(up));
	tl_add(l, LA_HEADER,
	       "memowner top - %s, memowner.ko %s up %s, mode %s, depth %u, sources %s%s",
	       fmt_hms(t->snap_time, now, sizeof(now)),
	       top_version(t, ver, sizeof(ver)), up,
	       mo_mode_name(t->info.mode), t->info.depth,
	       mo_sources_str(t->info.sources, src, sizeof(src)),
	       t->info.enabled ? "" : " (tracking disabled)");
	tl_add(l, LA_HEADER,
	       "Tracked: %s live, %" PRIu64 " pages, %" PRIu64 " objects in %zu %s  Tables: %u stacks, %" PRIu64 " records, %" PRIu64 " drops, %s own",
	       fmt_bytes(t, t->tot_bytes, b1, sizeof(b1)), t->tot_pages,
	       t->tot_objects, t->nraw, v->what, t->info.nr_stacks,
	       (uint64_t)t->info.live_objects, (uint64_t)t->info.nr_drops,
	       fmt_bytes(t, t->info.mem_bytes, b2, sizeof(b2)));
	if (t->filter[0])
		snprintf(filt, sizeof(filt), "  Filter: %s (%zu match)",
			 t->filter, t->nmatch);
	/* What changes with keys first, so that a narrow screen shows it. */
	tl_add(l, LA_HEADER,
	       "View: %s  Sort: %s  Interval: %gs%s  Growth since %s%s",
	       v->name, top_key_names[t->sort], t->interval,
	       t->paused ? " [paused]" : "",
	       fmt_hms(t->hist[t->raw_view].since, since, sizeof(since)),
	       filt);
}

#define COLS_FMT	"%11s %8s %9s %10s %11s %9s %-7s %s"

static void render_row(struct top *t, struct tlines *l, const struct top_row *tr,
		       int attr)
{
	char b[32], g[32], rate[32], allocs[24], pages[24], objs[24];
	char line[1024];
	int tasks = top_views[t->raw_view].group == MEMOWNER_GROUP_TGID;
	int n;

	snprintf(pages, sizeof(pages), "%" PRIu64, (uint64_t)tr->r.live_pages);
	snprintf(objs, sizeof(objs), "%" PRIu64, (uint64_t)tr->r.live_objects);
	if (tasks)
		snprintf(allocs, sizeof(allocs), "-");
	else
		snprintf(allocs, sizeof(allocs), "%" PRIu64,
			 (uint64_t)tr->r.allocs);
	n = snprintf(line, sizeof(line), COLS_FMT,
		     fmt_bytes(t, tr->r.live_bytes, b, sizeof(b)), pages, objs,
		     allocs, fmt_growth(t, tr->growth, g, sizeof(g)),
		     fmt_rate(tr->rate, rate, sizeof(rate)),
		     mo_source_name(tr->r.source), tr->owner);
	/*
	 * Whole callers while they fit the width; the owner itself is never
	 * cut here (the screen clips what it cannot show).
	 */
	if (tr->callers[0] && n > 0 && (size_t)n < sizeof(line)) {
		const char *p = tr->callers, *next;
		int room = l->width - n, len;

		for (; *p; p = next) {
			next = strstr(p, " < ");
			len = next ? next - p : (int)strlen(p);
			if (len + 3 > room || (size_t)(n + len + 4) > sizeof(line))
				break;
			n += snprintf(line + n, sizeof(line) - n, " < %.*s",
				      len, p);
			room -= len + 3;
			if (!next)
				break;
			next += 3;
		}
	}
	tl_add(l, attr, "%s", line);
}

static void render_list(struct top *t, struct tlines *l, int height)
{
	size_t i, first = 0, last = t->nrows;
	int room;

	tl_add(l, LA_TEXT, "%s", "");
	tl_add(l, LA_TITLE, COLS_FMT, "LIVE", "PAGES", "OBJECTS", "ALLOCS",
	       "GROWTH", "ALLOC/S", "SOURCE", "OWNER");
	if (height > 0) {
		/* Header, blank, title, and the prompt/message line. */
		room = height - (int)l->n - 1;
		if (room < 1)
			room = 1;
		t->list_height = room;
		if (t->sel < t->scroll)
			t->scroll = t->sel;
		if (t->sel >= t->scroll + room)
			t->scroll = t->sel - room + 1;
		if (t->scroll > t->nrows)
			t->scroll = 0;
		first = t->scroll;
		if (last > first + room)
			last = first + room;
	}
	for (i = first; i < last; i++)
		render_row(t, l, &t->rows[i],
			   t->live && i == t->sel ? LA_SELECTED : LA_TEXT);
	if (!t->nrows)
		tl_add(l, LA_TEXT, "%s", t->filter[0] ?
		       "(no owner matches the filter)" : "(no owners)");
}

/* Enter: the selected owner with every frame of its stack. */
static void render_expanded(struct top *t, struct tlines *l, int height)
{
	const struct top_view *v = &top_views[t->raw_view];
	const struct memowner_row *r = NULL;
	const struct mo_frames *f;
	char b[32], ba[32], g[32], rate[32];
	unsigned int i, first, last;
	struct top_row tr;
	size_t k;
	int room;

	for (k = 0; k < t->nraw && !r; k++)
		if (same_key(&t->raw[k], t->exp_key.id, t->exp_key.name))
			r = &t->raw[k];
	tl_add(l, LA_TEXT, "%s", "");
	if (!r) {
		tl_add(l, LA_TEXT, "%s", "This owner is no longer in the snapshot.");
		return;
	}
	k--;
	memset(&tr, 0, sizeof(tr));
	tr.r = *r;
	name_owner(t, &tr);
	tl_add(l, LA_TITLE, "%s %s", v->one, tr.owner);
	tl_add(l, LA_TEXT,
	       "live %s, %" PRIu64 " pages, %" PRIu64 " objects; %" PRIu64 " allocs, %" PRIu64 " frees, %s allocated; growth %s; %s allocs/s; source %s",
	       fmt_bytes(t, r->live_bytes, b, sizeof(b)),
	       (uint64_t)r->live_pages, (uint64_t)r->live_objects,
	       (uint64_t)r->allocs, (uint64_t)r->frees,
	       fmt_bytes(t, r->bytes_allocated, ba, sizeof(ba)),
	       fmt_growth(t, t->raw_growth[k], g, sizeof(g)),
	       fmt_rate(t->raw_rate[k], rate, sizeof(rate)),
	       mo_source_name(r->source));
	tl_add(l, LA_TEXT, "%s", "");
	if (v->group == MEMOWNER_GROUP_TGID || !r->stack) {
		tl_add(l, LA_TEXT, "%s",
		       "A task has no single stack: see its stacks with 'memowner top -v stacks --tgid TGID'.");
		return;
	}
	f = mo_symcache_get(t->syms, r->stack);
	if (!f) {
		tl_add(l, LA_TEXT, "stack %u: %s", r->stack, strerror(errno));
		return;
	}
	if (v->group == MEMOWNER_GROUP_STACK)
		tl_add(l, LA_TEXT, "Stack %u, %u frames:", r->stack, f->nr);
	else
		tl_add(l, LA_TEXT, "Stack %u (one of this %s's stacks), %u frames:",
		       r->stack, v->one, f->nr);
	/* On a screen too short for every frame, Up and Down scroll them. */
	first = 0;
	last = f->nr;
	if (height > 0) {
		room = height - (int)l->n - 2;
		if (room < 1)
			room = 1;
		if ((unsigned int)room < f->nr) {
			if (t->exp_scroll > f->nr - room)
				t->exp_scroll = f->nr - room;
			first = t->exp_scroll;
			last = first + room;
		} else {
			t->exp_scroll = 0;
		}
	}
	for (i = first; i < last; i++)
		tl_add(l, LA_TEXT, "  #%-2u %s", i, f->frame[i]);
	if (first || last < f->nr)
		tl_add(l, LA_TEXT, "(frames #%u to #%u of %u: Up, Down to scroll)",
		       first, last - 1, f->nr);
}

static const char *const top_keys_help[] = {
	"Keys:",
	"  b p o a g r   sort by live bytes, pages, objects, allocs, growth, alloc rate",
	"  < >           previous / next sort key",
	"  1 2 3 4 5     view stacks, call sites, slab caches, modules, tasks",
	"  s c C m t     the same views; v: next view",
	"  Up Down       select a row (PgUp PgDn Home End)",
	"  Enter         expand the selected row to its full stack (Up, Down scroll",
	"                a long one); Esc, Enter or Left: back",
	"  /             filter rows by a substring of the owner (or of any frame",
	"                of a stack); an empty filter shows every row",
	"  d             change the refresh interval",
	"  z             count growth from now",
	"  u             exact bytes / human units",
	"  space P       pause / resume refreshing",
	"  Ctrl-L        redraw the screen",
	"  h ?           this help; any key: back",
	"  q             quit",
};

/*
 * The whole screen (or one batch iteration) as lines.  @height limits the
 * rows to what fits (0: every row, for batch mode).
 */
static void top_render(struct top *t, struct tlines *l, int height)
{
	size_t i;

	render_header(t, l);
	if (t->help) {
		tl_add(l, LA_TEXT, "%s", "");
		for (i = 0; i < ARRAY_SIZE(top_keys_help); i++)
			tl_add(l, LA_TEXT, "%s", top_keys_help[i]);
	} else if (t->expanded) {
		render_expanded(t, l, height);
	} else {
		render_list(t, l, height);
	}
	if (!t->live)
		return;
	if (t->prompt == '/')
		tl_add(l, LA_PROMPT, "Filter (substring, empty for all): %s",
		       t->pbuf);
	else if (t->prompt == 'd')
		tl_add(l, LA_PROMPT, "Refresh interval in seconds: %s", t->pbuf);
	else if (t->msg[0])
		tl_add(l, LA_PROMPT, "%s", t->msg);
}

/* ---- batch mode -------------------------------------------------------- */

static int print_text(struct top *t)
{
	struct tlines l = { .width = t->width };
	size_t i;

	if (t->done > 1)
		putchar('\n');
	top_render(t, &l, 0);
	for (i = 0; i < l.n; i++)
		printf("%s\n", l.v[i].text);
	tl_free(&l);
	return fflush(stdout) || ferror(stdout) ? -errno : 0;
}

/* One JSON document per refresh, on one line (JSON lines). */
static int print_json(struct top *t)
{
	const struct top_view *v = &top_views[t->raw_view];
	const struct mo_frames *f;
	struct mo_json j;
	char ver[32], src[64], *tok, *save = NULL;
	size_t i;
	unsigned int k;

	mo_json_init(&j, stdout);
	mo_json_obj_begin(&j, NULL);
	mo_json_u64(&j, "iteration", t->done);
	mo_json_u64(&j, "time", t->snap_time);
	mo_json_str(&j, "version", top_version(t, ver, sizeof(ver)));
	mo_json_str(&j, "mode", mo_mode_name(t->info.mode));
	mo_json_u64(&j, "depth", t->info.depth);
	mo_json_bool(&j, "enabled", t->info.enabled);
	mo_json_arr_begin(&j, "sources");
	mo_sources_str(t->info.sources, src, sizeof(src));
	for (tok = strtok_r(src, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (strcmp(tok, "none"))
			mo_json_str(&j, NULL, tok);
	mo_json_arr_end(&j);
	mo_json_str(&j, "view", v->name);
	mo_json_str(&j, "sort", top_key_names[t->sort]);
	mo_json_double(&j, "interval_s", t->interval);
	mo_json_u64(&j, "growth_since", t->hist[t->raw_view].since);
	if (t->filter[0])
		mo_json_str(&j, "filter", t->filter);
	mo_json_obj_begin(&j, "totals");
	mo_json_u64(&j, "live_bytes", t->tot_bytes);
	mo_json_u64(&j, "live_pages", t->tot_pages);
	mo_json_u64(&j, "live_objects", t->tot_objects);
	mo_json_u64(&j, "backing_bytes", t->tot_backing);
	mo_json_u64(&j, "owners", t->nraw);
	mo_json_u64(&j, "matching", t->nmatch);
	mo_json_u64(&j, "stacks", t->info.nr_stacks);
	mo_json_u64(&j, "records", t->info.live_objects);
	mo_json_u64(&j, "drops", t->info.nr_drops);
	mo_json_u64(&j, "mem_bytes", t->info.mem_bytes);
	mo_json_obj_end(&j);
	mo_json_arr_begin(&j, "rows");
	for (i = 0; i < t->nrows; i++) {
		const struct top_row *tr = &t->rows[i];

		mo_json_obj_begin(&j, NULL);
		mo_json_str(&j, "owner", tr->owner);
		mo_json_u64(&j, "id", tr->r.id);
		if (tr->r.name[0])
			mo_json_str(&j, "name", (const char *)tr->r.name);
		if (v->group != MEMOWNER_GROUP_TGID)
			mo_json_u64(&j, "stack", tr->r.stack);
		mo_json_str(&j, "source", mo_source_name(tr->r.source));
		mo_json_u64(&j, "live_bytes", tr->r.live_bytes);
		mo_json_u64(&j, "live_pages", tr->r.live_pages);
		mo_json_u64(&j, "live_objects", tr->r.live_objects);
		mo_json_u64(&j, "backing_bytes", tr->r.backing_bytes);
		if (v->group != MEMOWNER_GROUP_TGID) {
			mo_json_u64(&j, "allocs", tr->r.allocs);
			mo_json_u64(&j, "frees", tr->r.frees);
			mo_json_u64(&j, "bytes_allocated",
				    tr->r.bytes_allocated);
		}
		mo_json_s64(&j, "growth_bytes", tr->growth);
		if (tr->rate < 0)
			mo_json_null(&j, "alloc_rate");
		else
			mo_json_double(&j, "alloc_rate", tr->rate);
		if (v->group == MEMOWNER_GROUP_STACK ||
		    v->group == MEMOWNER_GROUP_CALLSITE) {
			f = mo_symcache_get(t->syms, tr->r.stack);
			mo_json_arr_begin(&j, "frames");
			for (k = 0; f && k < f->nr; k++)
				mo_json_str(&j, NULL, f->frame[k]);
			mo_json_arr_end(&j);
		}
		mo_json_obj_end(&j);
	}
	mo_json_arr_end(&j);
	mo_json_obj_end(&j);
	mo_json_end(&j);
	return ferror(stdout) ? -EIO : 0;
}

static void sleep_s(double s)
{
	struct timespec ts = {
		.tv_sec = (time_t)s,
		.tv_nsec = (long)((s - (time_t)s) * 1e9),
	};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int run_batch(struct top *t)
{
	int ret;

	for (;;) {
		ret = top_snapshot(t);
		if (!ret)
			ret = top_model(t);
		if (ret)
			return cli_fail("top: snapshot", ret);
		ret = t->json ? print_json(t) : print_text(t);
		if (ret)
			return ret == -EPIPE ? 0 : cli_fail("top: stdout", ret);
		if (t->iterations && t->done >= t->iterations)
			return 0;
		sleep_s(t->interval);
	}
}

/* ---- live mode --------------------------------------------------------- */

static volatile sig_atomic_t top_signal;

static void on_signal(int sig)
{
	top_signal = sig;
}

static const int term_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void screen_draw(struct top *t)
{
	struct tlines l = { .width = COLS };
	size_t i;

	top_render(t, &l, LINES);
	erase();
	for (i = 0; i < l.n && (int)i < LINES; i++) {
		int a = A_NORMAL;

		switch (l.v[i].attr) {
		case LA_HEADER:
			a = A_NORMAL;
			break;
		case LA_TITLE:
		case LA_SELECTED:
			a = A_REVERSE;
			break;
		case LA_PROMPT:
			a = A_BOLD;
			break;
		}
		attrset(a);
		mvaddnstr((int)i, 0, l.v[i].text, COLS);
		if (a == A_REVERSE)
			mvchgat((int)i, 0, -1, A_REVERSE, 0, NULL);
	}
	attrset(A_NORMAL);
	/* The prompt's cursor at the end of what is typed. */
	if (t->prompt && l.n && (int)l.n <= LINES) {
		curs_set(1);
		move((int)l.n - 1, (int)strlen(l.v[l.n - 1].text) < COLS ?
		     (int)strlen(l.v[l.n - 1].text) : COLS - 1);
	} else {
		curs_set(0);
	}
	refresh();
	tl_free(&l);
}

static void remember_sel(struct top *t)
{
	t->sel_key.valid = t->sel < t->nrows;
	if (t->sel_key.valid) {
		t->sel_key.id = t->rows[t->sel].r.id;
		snprintf(t->sel_key.name, sizeof(t->sel_key.name), "%s",
			 (const char *)t->rows[t->sel].r.name);
	}
}

static void move_sel(struct top *t, long delta)
{
	long s = (long)t->sel + delta;

	if (s < 0 || !t->nrows)
		s = 0;
	else if (s >= (long)t->nrows)
		s = (long)t->nrows - 1;
	t->sel = s;
	remember_sel(t);
}

/* A line being typed after '/' or 'd'; returns 1 when it is done. */
static int prompt_key(struct top *t, int ch)
{
	size_t n = strlen(t->pbuf);

	switch (ch) {
	case 27:			/* Esc: cancel */
		t->prompt = 0;
		return 0;
	case '\n':
	case '\r':
	case KEY_ENTER:
		return 1;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (n)
			t->pbuf[n - 1] = '\0';
		return 0;
	case 21:			/* Ctrl-U: erase the line */
		t->pbuf[0] = '\0';
		return 0;
	}
	if (ch >= 32 && ch < 127 && n + 1 < sizeof(t->pbuf)) {
		t->pbuf[n] = (char)ch;
		t->pbuf[n + 1] = '\0';
	}
	return 0;
}

static void prompt_done(struct top *t)
{
	char *end;
	double d;

	if (t->prompt == '/') {
		snprintf(t->filter, sizeof(t->filter), "%s", t->pbuf);
		t->sel = 0;
		t->scroll = 0;
		t->sel_key.valid = 0;
	} else if (t->prompt == 'd' && t->pbuf[0]) {
		d = strtod(t->pbuf, &end);
		if (*end || !isfinite(d) || d < 0.05 || d > 86400)
			snprintf(t->msg, sizeof(t->msg),
				 "Interval '%s' not changed: 0.05 to 86400 seconds",
				 t->pbuf);
		else
			t->interval = d;
	}
	t->prompt = 0;
}

enum { K_NONE, K_REDRAW, K_MODEL, K_SNAPSHOT, K_QUIT };

static int set_view(struct top *t, unsigned int view)
{
	if (view == t->view)
		return K_NONE;
	t->view = view;
	t->sel = t->scroll = 0;
	t->sel_key.valid = 0;
	t->expanded = 0;
	return K_SNAPSHOT;
}

static int set_sort(struct top *t, enum top_key k)
{
	t->sort = k;
	return K_MODEL;
}

/* One key; what has to be redone (K_*). */
static int handle_key(struct top *t, int ch)
{
	static const char view_keys[] = "scCmt";
	static const char sort_keys[] = "bpoagr";
	const char *p;

	if (t->prompt) {
		if (prompt_key(t, ch)) {
			int was = t->prompt;

			prompt_done(t);
			return was == '/' ? K_MODEL : K_REDRAW;
		}
		return K_REDRAW;
	}
	if (ch == KEY_RESIZE)
		return K_REDRAW;
	t->msg[0] = '\0';
	/* Any key leaves the help but quit and redraw. */
	if (t->help && ch != 'q' && ch != 12) {
		t->help = 0;
		return K_REDRAW;
	}
	if (t->expanded) {
		switch (ch) {
		case 27:
		case '\n':
		case '\r':
		case KEY_ENTER:
		case KEY_LEFT:
		case KEY_BACKSPACE:
			t->expanded = 0;
			return K_REDRAW;
		case KEY_UP:
		case 'k':
			if (t->exp_scroll)
				t->exp_scroll--;
			return K_REDRAW;
		case KEY_DOWN:
		case 'j':
			/* render_expanded() stops it at the last frame. */
			t->exp_scroll++;
			return K_REDRAW;
		case KEY_HOME:
			t->exp_scroll = 0;
			return K_REDRAW;
		}
	}
	switch (ch) {
	case 'q':
		return K_QUIT;
	case 'h':
	case '?':
		t->help = 1;
		return K_REDRAW;
	case '<':
		return set_sort(t, (t->sort + TK_NR - 1) % TK_NR);
	case '>':
		return set_sort(t, (t->sort + 1) % TK_NR);
	case '1': case '2': case '3': case '4': case '5':
		return set_view(t, ch - '1');
	case 'v':
		return set_view(t, (t->view + 1) % TOP_NR_VIEWS);
	case ' ':
	case 'P':
		t->paused = !t->paused;
		return K_REDRAW;
	case 'z':
		top_rebase(t);
		return K_MODEL;
	case 'u':
		t->exact = !t->exact;
		return K_REDRAW;
	case 12:		/* Ctrl-L */
		clearok(curscr, TRUE);
		return K_REDRAW;
	case '/':
	case 'd':
		t->prompt = ch;
		if (ch == '/')
			snprintf(t->pbuf, sizeof(t->pbuf), "%s", t->filter);
		else
			snprintf(t->pbuf, sizeof(t->pbuf), "%g", t->interval);
		return K_REDRAW;
	case KEY_UP:
	case 'k':
		move_sel(t, -1);
		return K_REDRAW;
	case KEY_DOWN:
	case 'j':
		move_sel(t, 1);
		return K_REDRAW;
	case KEY_PPAGE:
		move_sel(t, -(long)(t->list_height > 1 ? t->list_height - 1 : 1));
		return K_REDRAW;
	case KEY_NPAGE:
		move_sel(t, t->list_height > 1 ? t->list_height - 1 : 1);
		return K_REDRAW;
	case KEY_HOME:
		move_sel(t, -(long)t->nrows);
		return K_REDRAW;
	case KEY_END:
		move_sel(t, (long)t->nrows);
		return K_REDRAW;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (t->sel >= t->nrows)
			return K_NONE;
		t->exp_key.id = t->rows[t->sel].r.id;
		snprintf(t->exp_key.name, sizeof(t->exp_key.name), "%s",
			 (const char *)t->rows[t->sel].r.name);
		t->exp_key.valid = 1;
		t->expanded = 1;
		t->exp_scroll = 0;
		return K_REDRAW;
	}
	if (ch > 0 && ch < 256 && (p = strchr(view_keys, ch)))
		return set_view(t, p - view_keys);
	if (ch > 0 && ch < 256 && (p = strchr(sort_keys, ch)))
		return set_sort(t, p - sort_keys);
	if (ch != ERR && ch != 27) {
		snprintf(t->msg, sizeof(t->msg), "Unknown key; h for help");
		return K_REDRAW;
	}
	return K_NONE;
}

/* Restore the terminal, then die of @sig as if top had not caught it. */
static void die_of(int sig)
{
	sigset_t set;

	endwin();
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

static int run_live(struct top *t)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, waitmask;
	double due = 0;
	SCREEN *scr;
	size_t i;
	int ret = 0, todo = K_SNAPSHOT;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr,
			"memowner: top: the live view needs a terminal on stdin and stdout; use -b for batch mode\n");
		return 1;
	}
	/*
	 * Ours before ncurses starts, so that it leaves them alone; blocked
	 * except inside ppoll(), so that none is lost before the wait.
	 */
	sigemptyset(&block);
	for (i = 0; i < ARRAY_SIZE(term_signals); i++) {
		sigaction(term_signals[i], &sa, NULL);
		sigaddset(&block, term_signals[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	for (i = 0; i < ARRAY_SIZE(term_signals); i++)
		sigdelset(&waitmask, term_signals[i]);

	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr,
			"memowner: top: cannot drive terminal '%s' (no terminfo entry?); set TERM, or use -b for batch mode\n",
			getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	set_term(scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* A lone Esc should not wait a second for a key sequence. */
	set_escdelay(25);
	curs_set(0);
	t->live = 1;

	for (;;) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		struct timespec ts, *tsp = NULL;
		double now = mono_now(), wait;
		int ch;

		if (todo == K_SNAPSHOT || (!t->paused && now >= due)) {
			if (t->iterations && t->done >= t->iterations)
				break;
			ret = top_snapshot(t);
			if (!ret)
				ret = top_model(t);
			if (ret)
				break;
			due = mono_now() + t->interval;
		} else if (todo == K_MODEL) {
			ret = top_model(t);
			if (ret)
				break;
		}
		if (todo != K_NONE)
			screen_draw(t);
		todo = K_NONE;

		if (!t->paused) {
			wait = due - mono_now();
			if (wait < 0)
				wait = 0;
			ts.tv_sec = (time_t)wait;
			ts.tv_nsec = (long)((wait - ts.tv_sec) * 1e9);
			tsp = &ts;
		}
		if (ppoll(&pfd, 1, tsp, &waitmask) < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (top_signal)
			die_of(top_signal);
		/* The terminal is gone: nothing left to show. */
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			break;
		if (!tsp || mono_now() < due)
			todo = K_NONE;
		else
			todo = K_SNAPSHOT;
		while ((ch = getch()) != ERR) {
			int k = handle_key(t, ch);

			if (k == K_QUIT)
				goto out;
			if (k > todo)
				todo = k;
			if (ch == KEY_RESIZE)
				clearok(curscr, TRUE);
		}
	}
out:
	endwin();
	delscreen(scr);
	sigprocmask(SIG_SETMASK, &waitmask, NULL);
	if (ret)
		return cli_fail("top: snapshot", ret);
	return 0;
}

/* ---- options ------------------------------------------------------------ */

static int parse_view(const char *s, unsigned int *view)
{
	unsigned int i, k;

	for (i = 0; i < TOP_NR_VIEWS; i++) {
		if (!strcasecmp(s, top_views[i].name))
			goto found;
		for (k = 0; k < ARRAY_SIZE(top_views[i].alias); k++)
			if (top_views[i].alias[k] &&
			    !strcasecmp(s, top_views[i].alias[k]))
				goto found;
	}
	return -EINVAL;
found:
	*view = i;
	return 0;
}

static int parse_long(const char *s, long min, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return !*s || *end || errno || *v < min || *v > max ? -EINVAL : 0;
}

static int cmd_top(const struct cli_opts *o, int argc, char **argv)
{
	enum {
		OPT_SOURCE = 256, OPT_CACHE, OPT_MODULE, OPT_TGID, OPT_FILTER,
		OPT_JSON,
	};
	static const struct option longopts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "batch", no_argument, NULL, 'b' },
		{ "sort", required_argument, NULL, 's' },
		{ "view", required_argument, NULL, 'v' },
		{ "rows", required_argument, NULL, 'N' },
		{ "units", required_argument, NULL, 'u' },
		{ "width", required_argument, NULL, 'w' },
		{ "source", required_argument, NULL, OPT_SOURCE },
		{ "sources", required_argument, NULL, OPT_SOURCE },
		{ "cache", required_argument, NULL, OPT_CACHE },
		{ "module", required_argument, NULL, OPT_MODULE },
		{ "tgid", required_argument, NULL, OPT_TGID },
		{ "filter", required_argument, NULL, OPT_FILTER },
		{ "json", no_argument, NULL, OPT_JSON },
		{ NULL, 0, NULL, 0 },
	};
	struct top t = {
		.interval = 2.0,
		.sort = TK_BYTES,
		.exact = -1,
	};
	const char *units = NULL;
	unsigned int k;
	char *end;
	long v;
	int opt, ret;

	t.json = o->json;
	/* Our own messages, "memowner: top: ...", rather than getopt's. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":d:n:bs:v:N:u:w:", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'd':
			errno = 0;
			t.interval = strtod(optarg, &end);
			if (!*optarg || *end || errno || !isfinite(t.interval) ||
			    t.interval < 0.05 || t.interval > 86400) {
				fprintf(stderr,
					"memowner: top: bad interval '%s' (seconds, 0.05 to 86400)\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case 'n':
			if (parse_long(optarg, 1, LONG_MAX, &t.iterations)) {
				fprintf(stderr,
					"memowner: top: bad iteration count '%s'\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case 'b':
			t.batch = 1;
			break;
		case 's':
			for (k = 0; k < TK_NR; k++)
				if (!strcasecmp(optarg, top_key_names[k]))
					break;
			if (k == TK_NR) {
				fprintf(stderr,
					"memowner: top: unknown sort key '%s' (bytes, pages, objects, allocs, growth, rate)\n",
					optarg);
				return CLI_USAGE;
			}
			t.sort = k;
			break;
		case 'v':
			if (parse_view(optarg, &t.view)) {
				fprintf(stderr,
					"memowner: top: unknown view '%s' (stacks, callsites, caches, modules, tasks)\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case 'N':
			if (parse_long(optarg, 1, MEMOWNER_SNAPSHOT_MAX_ROWS,
				       &t.max_rows)) {
				fprintf(stderr, "memowner: top: bad row count '%s'\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case 'u':
			if (strcmp(optarg, "human") && strcmp(optarg, "exact")) {
				fprintf(stderr,
					"memowner: top: unknown units '%s' (human, exact)\n",
					optarg);
				return CLI_USAGE;
			}
			units = optarg;
			break;
		case 'w':
			if (parse_long(optarg, 40, 4096, &v)) {
				fprintf(stderr,
					"memowner: top: bad width '%s' (40 to 4096)\n",
					optarg);
				return CLI_USAGE;
			}
			t.width = v;
			break;
		case OPT_SOURCE:
			if (mo_parse_sources(optarg, &t.sources)) {
				fprintf(stderr,
					"memowner: top: unknown source in '%s' (slab, page, percpu, vmalloc, all)\n",
					optarg);
				return CLI_USAGE;
			}
			break;
		case OPT_CACHE:
			t.cache = optarg;
			break;
		case OPT_MODULE:
			t.module = optarg;
			break;
		case OPT_TGID:
			if (parse_long(optarg, 1, INT_MAX, &v)) {
				fprintf(stderr, "memowner: top: bad tgid '%s'\n",
					optarg);
				return CLI_USAGE;
			}
			t.tgid = v;
			break;
		case OPT_FILTER:
			snprintf(t.filter, sizeof(t.filter), "%s", optarg);
			break;
		case OPT_JSON:
			t.json = 1;
			break;
		case ':':
			fprintf(stderr, "memowner: top: option '%s' needs an argument\n",
				argv[optind - 1]);
			return CLI_USAGE;
		default:
			fprintf(stderr, "memowner: top: unknown option '%s'\n",
				argv[optind - 1]);
			return CLI_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "memowner: top: unexpected argument '%s'\n",
			argv[optind]);
		return CLI_USAGE;
	}
	/* JSON cannot go to a screen. */
	if (t.json)
		t.batch = 1;
	/* Logs and scripts want exact figures; a screen wants them short. */
	t.exact = units ? !strcmp(units, "exact") : t.batch;
	if (!t.width) {
		const char *c = getenv("COLUMNS");

		if (!c || parse_long(c, 40, 4096, &v))
			v = 200;
		t.width = v;
	}

	/* Fail early, with the hint, when the module is not there. */
	if (cli_get_info(&t.info))
		return 1;
	t.syms = mo_symcache_new(-1);
	if (!t.syms)
		return cli_fail("top", -ENOMEM);
	ret = t.batch ? run_batch(&t) : run_live(&t);

	mo_symcache_free(t.syms);
	for (k = 0; k < TOP_NR_VIEWS; k++)
		hist_clear(&t.hist[k]);
	free(t.raw);
	free(t.raw_rate);
	free(t.raw_growth);
	free(t.rows);
	return ret;
}

const struct cli_cmd cli_cmd_top = {
	.name = "top",
	.args = "[-b] [-n N] [-d SEC] [-s KEY] [-v VIEW] [-N ROWS] [-u UNITS] [-w COLS] [--source LIST] [--cache NAME] [--module NAME] [--tgid TGID] [--filter TEXT]",
	.summary = "live view of the top owners of kernel memory (like top, slabtop)",
	.help =
	"DESCRIPTION\n"
	"    Shows the owners of tracked kernel memory, refreshed every interval:\n"
	"    allocation stacks, call sites, slab caches, kernel modules or tasks,\n"
	"    sorted by a key.  Three summary lines -- time, module version and\n"
	"    time since load, mode, depth, sources; totals of the view's owners\n"
	"    and of memowner's tables (stacks, records, drops, memowner's own\n"
	"    memory); view, sort, interval, growth baseline, filter -- are\n"
	"    followed by one row per owner:\n"
	"      LIVE     live bytes (allocated, not freed; slab sizes as ksize())\n"
	"      PAGES    base pages of them (page and vmalloc sources)\n"
	"      OBJECTS  live objects\n"
	"      ALLOCS   allocations since load or the last reset ('-' for tasks)\n"
	"      GROWTH   change of live bytes since top started or 'z'\n"
	"      ALLOC/S  allocations per second between the last two refreshes\n"
	"               ('-' until a second refresh, and for tasks)\n"
	"      SOURCE   slab, page, percpu, vmalloc, or mixed\n"
	"      OWNER    stacks: the first frame that is not an allocation\n"
	"               wrapper (kmemdup, kvmalloc_node...), then its callers;\n"
	"               call sites: the call site; caches, modules: the name;\n"
	"               tasks: tgid and command\n"
	"\n"
	"    In batch mode (-b) each refresh is printed the way the screen shows\n"
	"    it -- the same lines, every row unless -N -- with an empty line\n"
	"    between refreshes, for logs and scripts.  With --json (before or\n"
	"    after 'top'), each refresh is one JSON document on a line of its own\n"
	"    (JSON lines): iteration, time, version, mode, depth, enabled,\n"
	"    sources, view, sort, interval_s, growth_since, filter, totals\n"
	"    {live_bytes, live_pages, live_objects, backing_bytes, owners,\n"
	"    matching, stacks, records, drops, mem_bytes} and rows [{owner, id,\n"
	"    name, stack, source, live_bytes, live_pages, live_objects,\n"
	"    backing_bytes, allocs, frees, bytes_allocated, growth_bytes,\n"
	"    alloc_rate (null until known), frames}]; --json implies -b.\n"
	"    live_* count owned memory, each byte once: the objects, vmalloc\n"
	"    areas, per-CPU allocations and pages an owner holds; the pages the\n"
	"    slab, vmalloc and per-CPU allocators took to hold them are its\n"
	"    backing_bytes.\n"
	"\n"
	"OPTIONS\n"
	"    -d, --delay SEC      refresh interval in seconds, fractions allowed\n"
	"                         (0.05 to 86400; default 2)\n"
	"    -n, --iterations N   stop after N refreshes (default: until 'q')\n"
	"    -b, --batch          batch mode: print to stdout, no terminal needed\n"
	"    -s, --sort KEY       bytes (default), pages, objects, allocs, growth,\n"
	"                         rate\n"
	"    -v, --view VIEW      stacks (default), callsites, caches, modules,\n"
	"                         tasks\n"
	"    -N, --rows ROWS      at most ROWS rows (default: what fits the screen;\n"
	"                         batch: all)\n"
	"    -u, --units UNITS    human (1.2M; default on the screen) or exact\n"
	"                         (bytes; default in batch mode)\n"
	"    -w, --width COLS     batch line width, for the callers of a stack\n"
	"                         (default $COLUMNS, else 200)\n"
	"        --source LIST    only these sources: slab,page,percpu,vmalloc|all\n"
	"        --cache NAME     only objects of this slab cache\n"
	"        --module NAME    only allocations whose first frame is in this\n"
	"                         module (\"vmlinux\" for the kernel itself)\n"
	"        --tgid TGID      only allocations made by this process\n"
	"        --filter TEXT    only rows whose owner (stacks: or any frame)\n"
	"                         contains TEXT, ignoring case (as the '/' key)\n"
	"        --json           one JSON document per refresh (implies -b)\n"
	"\n"
	"KEYS\n"
	"    b p o a g r   sort by live bytes, pages, objects, allocs, growth, rate\n"
	"    < >           previous / next sort key\n"
	"    1 2 3 4 5     view stacks, call sites, slab caches, modules, tasks\n"
	"    s c C m t     the same views; v: the next view\n"
	"    Up Down       select a row; PgUp PgDn Home End; also k j\n"
	"    Enter         expand the selected row: its figures and every frame of\n"
	"                  its stack (call sites, caches, modules: one of their\n"
	"                  stacks; Up and Down scroll a stack taller than the\n"
	"                  screen); Esc, Enter or Left: back to the list\n"
	"    /             filter by a substring of the owner; empty: no filter\n"
	"    d             change the refresh interval\n"
	"    z             count growth from now (this view)\n"
	"    u             toggle exact bytes and human units\n"
	"    space, P      pause / resume refreshing (keys still work)\n"
	"    Ctrl-L        redraw the screen\n"
	"    h, ?          help\n"
	"    q             quit\n"
	"\n"
	"NOTES\n"
	"    The screen follows the terminal's size.  On exit, and on SIGINT,\n"
	"    SIGTERM or SIGHUP, the terminal is restored first; on a signal top\n"
	"    then dies of it.  Growth is counted by top itself (no MARK), so it\n"
	"    changes nothing for other readers.  top opens /dev/memowner only\n"
	"    to take a snapshot, so memowner.ko can be unloaded while top runs:\n"
	"    its next refresh then ends it with status 1 and a hint; a module\n"
	"    reloaded between two refreshes is followed (a new baseline).\n"
	"\n"
	"EXIT STATUS\n"
	"    0 done or quit, 1 error, 2 bad arguments.\n"
	"\n"
	"EXAMPLES\n"
	"    memowner top -v caches -s growth\n"
	"    memowner top -b -n 2 -d 0.5 --module memowner_test\n"
	"    memowner --json top -n 1 -N 10 -v modules\n",
	.handler = cmd_top,
};
