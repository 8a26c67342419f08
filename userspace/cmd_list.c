// SPDX-License-Identifier: GPL-2.0
/*
 * memowner stacks, pages, caches, modules, leaks: the listings.
 *
 * They follow the kernel's own tools where there is one:
 *   stacks   show_stacks blocks with page_owner_sort's --sort/--cull and
 *            --pid/--tgid/--name options;
 *   pages    the /sys/kernel/debug/page_owner text, byte for byte the
 *            format page_owner_sort parses;
 *   caches   /sys/kernel/slab/CACHE/alloc_calls lines under each cache.
 * Every listing has --json: one document, the same data.
 *
 * Groupings the kernel answers (SNAPSHOT by stack, call site, cache, module,
 * tgid; filters by tgid, cache, module, source) are asked of it; stacks
 * combines them (e.g. stack x tgid: one stack snapshot per process) and
 * aggregates the rest in userspace (by command name; by thread from the
 * page dump, the only records that carry the thread id).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define EXTACK_LEN 256

/* ---- shared helpers ---------------------------------------------------- */

static int bad_arg(const char *cmd, const char *what, const char *val)
{
	fprintf(stderr, "memowner: %s: %s '%s'\n", cmd, what, val);
	return CLI_USAGE;
}

static int parse_count(const char *s, uint64_t *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -EINVAL : 0;
}

/* "1,2,3" into a malloc'd array. */
static int parse_u32_list(const char *s, uint32_t **out, size_t *n)
{
	char *copy = strdup(s), *tok, *save = NULL;
	uint32_t *v = NULL, *nv;
	uint64_t x;
	size_t k = 0;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (parse_count(tok, &x) || x > UINT32_MAX) {
			ret = -EINVAL;
			break;
		}
		nv = realloc(v, (k + 1) * sizeof(*v));
		if (!nv) {
			ret = -ENOMEM;
			break;
		}
		v = nv;
		v[k++] = x;
	}
	free(copy);
	if (!ret && !k)
		ret = -EINVAL;
	if (ret) {
		free(v);
		return ret;
	}
	*out = v;
	*n = k;
	return 0;
}

/* "a,b" into a malloc'd, NULL-terminated array of strings. */
static int parse_str_list(const char *s, char ***out, size_t *n)
{
	char *copy = strdup(s), *tok, *save = NULL;
	char **v = NULL, **nv;
	size_t k = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		nv = realloc(v, (k + 2) * sizeof(*v));
		if (!nv)
			break;
		v = nv;
		v[k] = strdup(tok);
		if (!v[k])
			break;
		v[++k] = NULL;
	}
	free(copy);
	if (!k) {
		free(v);
		return -EINVAL;
	}
	*out = v;
	*n = k;
	return 0;
}

static void free_str_list(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static int u32_in(uint32_t x, const uint32_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return 1;
	return 0;
}

static int str_in(const char *s, char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

/* The module a frame "func+0x1e/0x40 [mod]" belongs to ("vmlinux" if none). */
static void frame_module(const char *frame, char *buf, size_t len)
{
	const char *open = frame ? strrchr(frame, '[') : NULL;
	const char *close = open ? strchr(open, ']') : NULL;

	if (!frame || !strcmp(frame, "?") || !frame[0]) {
		snprintf(buf, len, "%s", "");
		return;
	}
	if (!open || !close) {
		snprintf(buf, len, "vmlinux");
		return;
	}
	snprintf(buf, len, "%.*s", (int)(close - open - 1), open + 1);
}

static void json_frames(struct mo_json *j, const struct mo_frames *f)
{
	unsigned int i;

	mo_json_arr_begin(j, "frames");
	for (i = 0; f && i < f->nr; i++)
		mo_json_str(j, NULL, f->frame[i]);
	mo_json_arr_end(j);
}

static void print_frames(const struct mo_frames *f, uint32_t handle)
{
	unsigned int i;

	if (!f) {
		printf(" (stack %u: %s)\n", handle, strerror(errno));
		return;
	}
	for (i = 0; i < f->nr; i++)
		printf(" %s\n", f->frame[i]);
}

/* Open the device (for GET_STACK and SNAPSHOT) and, if asked, netlink. */
static int open_both(int *fd, struct mo_genl *g, struct mo_symcache **sc)
{
	if (cli_open_dev(fd))
		return 1;
	if (g && cli_open_genl(g)) {
		close(*fd);
		return 1;
	}
	*sc = mo_symcache_new(*fd);
	if (!*sc) {
		if (g)
			mo_genl_close(g);
		close(*fd);
		return cli_fail("symbol cache", -ENOMEM);
	}
	return 0;
}

static void close_both(int fd, struct mo_genl *g, struct mo_symcache *sc)
{
	mo_symcache_free(sc);
	if (g)
		mo_genl_close(g);
	close(fd);
}

/*
 * memowner files the pages in use before it was loaded, and allocations
 * whose stack it could not keep, under sentinel stacks whose one frame is
 * a function of memowner.ko -- so by module they would count as memowner's
 * own memory.  Grouped by module, they get rows of their own instead.
 */
static const struct {
	const char *frame, *name;
} sentinels[] = {
	{ "memowner_allocated_before_load+", "(before load)" },
	{ "memowner_stack_table_full+", "(stack table full)" },
	{ "memowner_stack_unavailable+", "(no stack)" },
};

static int row_name_is(const struct memowner_row *r, const char *name)
{
	return !strncmp((const char *)r->name, name, sizeof(r->name));
}

static void row_sub(struct memowner_row *a, const struct memowner_row *b, int sign)
{
	a->live_bytes += sign * b->live_bytes;
	a->live_pages += sign * b->live_pages;
	a->live_objects += sign * b->live_objects;
	a->allocs += sign * b->allocs;
	a->frees += sign * b->frees;
	a->bytes_allocated += sign * b->bytes_allocated;
	a->growth_bytes += sign * b->growth_bytes;
}

static int split_sentinels(int fd, struct mo_symcache *sc,
			   const struct mo_query *q,
			   struct memowner_row **rows, size_t *nr)
{
	struct mo_query sq = *q;
	struct memowner_row *st, *own = NULL, *r;
	size_t nst, i, k;
	int ret;

	if (q->module && strcmp(q->module, "memowner"))
		return 0;
	for (i = 0; i < *nr; i++)
		if (row_name_is(&(*rows)[i], "memowner"))
			own = &(*rows)[i];
	if (!own)
		return 0;
	sq.group = MEMOWNER_GROUP_STACK;
	sq.module = "memowner";
	sq.min_value = 0;
	ret = mo_snapshot(fd, &sq, 0, &st, &nst, NULL);
	if (ret)
		return ret;
	for (i = 0; i < nst; i++) {
		const struct mo_frames *f = mo_symcache_get(sc, st[i].stack);

		if (!f || f->nr != 1)
			continue;
		for (k = 0; k < ARRAY_SIZE(sentinels); k++)
			if (!strncmp(f->frame[0], sentinels[k].frame,
				     strlen(sentinels[k].frame)))
				break;
		if (k == ARRAY_SIZE(sentinels))
			continue;
		r = realloc(*rows, (*nr + 1) * sizeof(*r));
		if (!r) {
			free(st);
			return -ENOMEM;
		}
		own = r + (own - *rows);
		*rows = r;
		r = &r[(*nr)++];
		*r = st[i];
		r->id = 0;
		r->stack = 0;
		snprintf((char *)r->name, sizeof(r->name), "%s", sentinels[k].name);
		row_sub(own, &st[i], -1);
	}
	free(st);
	/* Nothing left of memowner's own: no row. */
	if (!own->live_bytes && !own->live_objects && !own->allocs && !own->frees)
		*own = (*rows)[--*nr];
	return 0;
}

static uint64_t row_value(const struct memowner_row *r, uint32_t sort)
{
	switch (sort) {
	case MEMOWNER_SORT_LIVE_PAGES:
		return r->live_pages;
	case MEMOWNER_SORT_LIVE_OBJECTS:
		return r->live_objects;
	case MEMOWNER_SORT_ALLOCS:
		return r->allocs;
	case MEMOWNER_SORT_GROWTH:
		return (int64_t)r->growth_bytes > 0 ? r->growth_bytes : 0;
	}
	return r->live_bytes;
}

static uint32_t row_sort_key;

static int row_cmp(const void *pa, const void *pb)
{
	const struct memowner_row *a = pa, *b = pb;
	uint64_t x = row_value(a, row_sort_key), y = row_value(b, row_sort_key);

	if (x != y)
		return x > y ? -1 : 1;
	return strncmp((const char *)a->name, (const char *)b->name,
		       sizeof(a->name));
}

/* ---- stacks -------------------------------------------------------------- */

/* Keys of --sort and --cull; the first ones are numbers. */
enum skey {
	K_BYTES, K_PAGES, K_OBJECTS, K_ALLOCS, K_FREES, K_GROWTH,
	K_NR_NUMERIC,
	K_PID = K_NR_NUMERIC, K_TGID, K_NAME, K_STACK, K_MODULE, K_CACHE,
	K_CALLSITE,
	K_NR
};

static const struct {
	const char *name, *alias;
} skeys[K_NR] = {
	[K_BYTES] = { "bytes", "m" },		/* page_owner_sort -m: memory */
	[K_PAGES] = { "pages", NULL },
	[K_OBJECTS] = { "objects", "times" },	/* page_owner_sort's "N times" */
	[K_ALLOCS] = { "allocs", NULL },
	[K_FREES] = { "frees", NULL },
	[K_GROWTH] = { "growth", NULL },
	[K_PID] = { "pid", "p" },
	[K_TGID] = { "tgid", "tg" },
	[K_NAME] = { "name", "n" },
	[K_STACK] = { "stacktrace", "st" },
	[K_MODULE] = { "module", NULL },
	[K_CACHE] = { "cache", NULL },
	[K_CALLSITE] = { "callsite", "cs" },
};

static int skey_lookup(const char *s)
{
	int i;

	for (i = 0; i < K_NR; i++)
		if (!strcmp(s, skeys[i].name) ||
		    (skeys[i].alias && !strcmp(s, skeys[i].alias)))
			return i;
	return -1;
}

/* One group of the listing, before and after culling. */
struct srow {
	uint32_t stack;		/* a stack handle of the group, 0: none */
	uint32_t source;	/* MEMOWNER_SRC_*, or MEMOWNER_SRC_MIXED */
	uint32_t pid, tgid;
	uint64_t callsite;	/* call-site id (a stack handle of it) */
	char comm[16];
	char module[MEMOWNER_NAME_LEN];
	char cache[MEMOWNER_NAME_LEN];
	uint64_t v[K_NR_NUMERIC];
	uint64_t merged;	/* rows culled into this one */
};

struct stacks_ctx {
	const char *cmd;
	unsigned int cull;		/* BIT(K_*) */
	int sort[K_NR], sign[K_NR], nsort;
	uint32_t sources;
	uint32_t *pids, *tgids;
	size_t npids, ntgids;
	char **names;
	size_t nnames;
	const char *cache, *module;
	uint64_t threshold;
	int have_threshold;
	uint64_t top;
	int from_pages;		/* rows come from the page dump */
	int totals;		/* allocs/frees/growth are known */
	int fd;
	struct mo_symcache *sc;
	struct srow *rows;
	size_t nr, cap;
};

static struct srow *srow_push(struct stacks_ctx *c)
{
	if (c->nr == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct srow *r = realloc(c->rows, cap * sizeof(*r));

		if (!r)
			return NULL;
		c->rows = r;
		c->cap = cap;
	}
	memset(&c->rows[c->nr], 0, sizeof(c->rows[0]));
	c->rows[c->nr].merged = 1;
	return &c->rows[c->nr++];
}

static void srow_module(struct stacks_ctx *c, struct srow *r)
{
	const struct mo_frames *f;

	if (r->module[0] || !r->stack)
		return;
	f = mo_symcache_get(c->sc, r->stack);
	if (f && f->nr)
		frame_module(f->frame[0], r->module, sizeof(r->module));
}

static const char *srow_callsite(struct stacks_ctx *c, const struct srow *r)
{
	const struct mo_frames *f;

	if (!r->stack)
		return "";
	f = mo_symcache_get(c->sc, r->stack);
	return f && f->nr ? f->frame[0] : "?";
}

/* Compare two rows on key @k (ascending). */
static int srow_cmp_key(struct stacks_ctx *c, const struct srow *a,
			const struct srow *b, int k)
{
	if (k < K_NR_NUMERIC) {
		if (k == K_GROWTH) {
			int64_t x = a->v[k], y = b->v[k];

			return x < y ? -1 : x > y;
		}
		return a->v[k] < b->v[k] ? -1 : a->v[k] > b->v[k];
	}
	switch (k) {
	case K_PID:
		return a->pid < b->pid ? -1 : a->pid > b->pid;
	case K_TGID:
		return a->tgid < b->tgid ? -1 : a->tgid > b->tgid;
	case K_NAME:
		return strcmp(a->comm, b->comm);
	case K_MODULE:
		return strcmp(a->module, b->module);
	case K_CACHE:
		return strcmp(a->cache, b->cache);
	case K_CALLSITE:
		if (c->from_pages)
			return strcmp(srow_callsite(c, a), srow_callsite(c, b));
		return a->callsite < b->callsite ? -1 : a->callsite > b->callsite;
	case K_STACK:
		return a->stack < b->stack ? -1 : a->stack > b->stack;
	}
	return 0;
}

/* The text of a stack, for sorting by stacktrace as page_owner_sort does. */
static int stack_text_cmp(struct stacks_ctx *c, const struct srow *a,
			  const struct srow *b)
{
	const struct mo_frames *fa = a->stack ? mo_symcache_get(c->sc, a->stack) : NULL;
	const struct mo_frames *fb;
	unsigned int i;
	int d;

	/* mo_symcache_get's result stays valid: entries are never evicted. */
	fb = b->stack ? mo_symcache_get(c->sc, b->stack) : NULL;
	if (!fa || !fb)
		return !!fa - !!fb;
	for (i = 0; i < fa->nr && i < fb->nr; i++) {
		d = strcmp(fa->frame[i], fb->frame[i]);
		if (d)
			return d;
	}
	return fa->nr < fb->nr ? -1 : fa->nr > fb->nr;
}

static struct stacks_ctx *qctx;	/* for qsort's comparators */

static int srow_cmp_cull(const void *pa, const void *pb)
{
	struct stacks_ctx *c = qctx;
	int k, d;

	for (k = K_NR_NUMERIC; k < K_NR; k++) {
		if (!(c->cull & (1u << k)))
			continue;
		d = srow_cmp_key(c, pa, pb, k);
		if (d)
			return d;
	}
	return 0;
}

static int srow_cmp_sort(const void *pa, const void *pb)
{
	struct stacks_ctx *c = qctx;
	const struct srow *a = pa, *b = pb;
	int i, d;

	for (i = 0; i < c->nsort; i++) {
		if (c->sort[i] == K_STACK)
			d = stack_text_cmp(c, a, b);
		else
			d = srow_cmp_key(c, a, b, c->sort[i]);
		if (d)
			return d * c->sign[i];
	}
	/* Ties: biggest first, then by handle, so output is stable. */
	if (a->v[K_BYTES] != b->v[K_BYTES])
		return a->v[K_BYTES] > b->v[K_BYTES] ? -1 : 1;
	return a->stack < b->stack ? -1 : a->stack > b->stack;
}

static void srow_merge(struct srow *into, const struct srow *r)
{
	int k;

	for (k = 0; k < K_NR_NUMERIC; k++)
		into->v[k] += r->v[k];
	if (into->source != r->source)
		into->source = MEMOWNER_SRC_MIXED;
	if (into->stack != r->stack)
		into->stack = 0;
	if (into->pid != r->pid)
		into->pid = 0;
	if (into->tgid != r->tgid)
		into->tgid = 0;
	if (strcmp(into->comm, r->comm))
		into->comm[0] = '\0';
	if (strcmp(into->module, r->module))
		into->module[0] = '\0';
	if (strcmp(into->cache, r->cache))
		into->cache[0] = '\0';
	into->merged += r->merged;
}

/* Rows with equal cull keys become one. */
static void stacks_cull(struct stacks_ctx *c)
{
	size_t i, n = 0;

	qctx = c;
	qsort(c->rows, c->nr, sizeof(*c->rows), srow_cmp_cull);
	for (i = 0; i < c->nr; i++) {
		if (n && !srow_cmp_cull(&c->rows[n - 1], &c->rows[i]))
			srow_merge(&c->rows[n - 1], &c->rows[i]);
		else
			c->rows[n++] = c->rows[i];
	}
	c->nr = n;
}

static void srow_from_row(struct srow *s, const struct memowner_row *r,
			  uint32_t group)
{
	s->stack = r->stack;
	s->source = r->source;
	s->v[K_BYTES] = r->live_bytes;
	s->v[K_PAGES] = r->live_pages;
	s->v[K_OBJECTS] = r->live_objects;
	s->v[K_ALLOCS] = r->allocs;
	s->v[K_FREES] = r->frees;
	s->v[K_GROWTH] = r->growth_bytes;
	switch (group) {
	case MEMOWNER_GROUP_CALLSITE:
		s->callsite = r->id;
		break;
	case MEMOWNER_GROUP_CACHE:
		snprintf(s->cache, sizeof(s->cache), "%s", (char *)r->name);
		break;
	case MEMOWNER_GROUP_MODULE:
		snprintf(s->module, sizeof(s->module), "%s", (char *)r->name);
		break;
	case MEMOWNER_GROUP_TGID:
		s->tgid = r->id;
		snprintf(s->comm, sizeof(s->comm), "%.15s", (char *)r->name);
		break;
	}
}

/* One snapshot into rows, tagged with the process and cache it was for. */
static int stacks_snapshot(struct stacks_ctx *c, uint32_t group, uint32_t tgid,
			   const char *comm, const char *cache)
{
	struct mo_query q = {
		.group = group,
		.sort = MEMOWNER_SORT_LIVE_BYTES,
		.sources = c->sources,
		.tgid = tgid,
		.cache = cache,
		.module = c->module,
	};
	struct memowner_row *rows;
	size_t nr, i;
	struct srow *s;
	int ret;

	ret = mo_snapshot(c->fd, &q, 0, &rows, &nr, NULL);
	if (!ret && group == MEMOWNER_GROUP_MODULE)
		ret = split_sentinels(c->fd, c->sc, &q, &rows, &nr);
	if (ret) {
		free(rows);
		return cli_fail("SNAPSHOT", ret);
	}
	for (i = 0; i < nr; i++) {
		s = srow_push(c);
		if (!s) {
			free(rows);
			return cli_fail("stacks", -ENOMEM);
		}
		srow_from_row(s, &rows[i], group);
		if (tgid) {
			s->tgid = tgid;
			snprintf(s->comm, sizeof(s->comm), "%s", comm);
		}
		if (cache)
			snprintf(s->cache, sizeof(s->cache), "%s", cache);
		if (group == MEMOWNER_GROUP_STACK ||
		    group == MEMOWNER_GROUP_CALLSITE)
			srow_module(c, s);
	}
	free(rows);
	return 0;
}

/* The processes (and their names) the listing covers. */
static int stacks_tgids(struct stacks_ctx *c, const char *cache,
			struct memowner_row **rows, size_t *nr)
{
	struct mo_query q = {
		.group = MEMOWNER_GROUP_TGID,
		.sources = c->sources,
		.cache = cache,
		.module = c->module,
	};
	size_t i, n = 0;
	int ret;

	ret = mo_snapshot(c->fd, &q, 0, rows, nr, NULL);
	if (ret)
		return cli_fail("SNAPSHOT", ret);
	for (i = 0; i < *nr; i++) {
		struct memowner_row *r = &(*rows)[i];

		if (c->ntgids && !u32_in(r->id, c->tgids, c->ntgids))
			continue;
		if (c->nnames && !str_in((char *)r->name, c->names, c->nnames))
			continue;
		(*rows)[n++] = *r;
	}
	*nr = n;
	return 0;
}

/*
 * Rows from snapshots: the innermost grouping the kernel does, repeated per
 * process and per cache when the culling or the filters need them.
 */
static int stacks_from_snapshots(struct stacks_ctx *c)
{
	unsigned int cull = c->cull;
	int by_task = cull & (1u << K_TGID | 1u << K_NAME);
	int by_cache = cull & (1u << K_CACHE);
	struct memowner_row *tg = NULL, *caches = NULL;
	size_t ntg = 0, ncaches = 0, i, j;
	uint32_t group;
	int ret = 0;

	if (cull & (1u << K_STACK))
		group = MEMOWNER_GROUP_STACK;
	else if (cull & (1u << K_CALLSITE))
		group = MEMOWNER_GROUP_CALLSITE;
	else if (cull & (1u << K_MODULE))
		group = MEMOWNER_GROUP_MODULE;
	else if (by_cache)
		group = MEMOWNER_GROUP_CACHE;
	else
		group = MEMOWNER_GROUP_TGID;

	/* Per-process snapshots only count live objects: no totals. */
	c->totals = !(by_task || c->ntgids || c->nnames ||
		      group == MEMOWNER_GROUP_TGID);

	if (by_cache && group != MEMOWNER_GROUP_CACHE) {
		struct mo_query q = {
			.group = MEMOWNER_GROUP_CACHE,
			.sources = c->sources,
			.cache = c->cache,
			.module = c->module,
		};

		ret = mo_snapshot(c->fd, &q, 0, &caches, &ncaches, NULL);
		if (ret)
			return cli_fail("SNAPSHOT", ret);
	}
	for (j = 0; j < (caches ? ncaches : 1) && !ret; j++) {
		const char *cache = caches ? (char *)caches[j].name : c->cache;

		if (group == MEMOWNER_GROUP_TGID ||
		    !(by_task || c->ntgids || c->nnames)) {
			size_t first = c->nr;

			ret = stacks_snapshot(c, group, 0, "", cache);
			if (ret || group != MEMOWNER_GROUP_TGID)
				continue;
			/* Process filters on process rows: in place. */
			for (i = first; i < c->nr; i++) {
				struct srow *s = &c->rows[i];

				if ((c->ntgids && !u32_in(s->tgid, c->tgids, c->ntgids)) ||
				    (c->nnames && !str_in(s->comm, c->names, c->nnames)))
					c->rows[i--] = c->rows[--c->nr];
			}
			continue;
		}
		ret = stacks_tgids(c, cache, &tg, &ntg);
		for (i = 0; !ret && i < ntg; i++)
			ret = stacks_snapshot(c, group, tg[i].id,
					      (char *)tg[i].name, cache);
		free(tg);
		tg = NULL;
	}
	free(caches);
	return ret;
}

struct pages_collect {
	struct stacks_ctx *c;
	long page_size;
	int err;
};

static int stacks_page_cb(const struct mo_page_rec *p, void *arg)
{
	struct pages_collect *pc = arg;
	struct stacks_ctx *c = pc->c;
	struct srow *s;

	if ((c->npids && !u32_in(p->pid, c->pids, c->npids)) ||
	    (c->ntgids && !u32_in(p->tgid, c->tgids, c->ntgids)) ||
	    (c->nnames && !str_in(p->comm, c->names, c->nnames)))
		return 0;
	s = srow_push(c);
	if (!s) {
		pc->err = -ENOMEM;
		return 1;
	}
	s->stack = p->stack;
	s->callsite = p->stack;
	s->source = MEMOWNER_SRC_PAGE;
	s->pid = p->pid;
	s->tgid = p->tgid;
	snprintf(s->comm, sizeof(s->comm), "%s", p->comm);
	s->v[K_PAGES] = 1ULL << p->order;
	s->v[K_BYTES] = s->v[K_PAGES] * pc->page_size;
	s->v[K_OBJECTS] = 1;
	srow_module(c, s);
	return 0;
}

/* Rows from the page dump: the only records that name the thread. */
static int stacks_from_pages(struct stacks_ctx *c)
{
	struct pages_collect pc = { .c = c, .page_size = sysconf(_SC_PAGESIZE) };
	char extack[EXTACK_LEN] = "";
	struct mo_genl g;
	int ret;

	if (cli_open_genl(&g))
		return 1;
	c->totals = 0;
	ret = mo_dump_pages(&g, stacks_page_cb, &pc, extack, sizeof(extack));
	mo_genl_close(&g);
	if (ret == 1)
		ret = pc.err;
	if (ret)
		return cli_fail_extack("page dump", ret, extack);
	/* Module filter: on the first frame, as the kernel's. */
	if (c->module) {
		size_t i, n = 0;

		for (i = 0; i < c->nr; i++)
			if (!strcmp(c->rows[i].module, c->module))
				c->rows[n++] = c->rows[i];
		c->nr = n;
	}
	return 0;
}

static int sort_value_key(const struct stacks_ctx *c)
{
	int i;

	for (i = 0; i < c->nsort; i++)
		if (c->sort[i] < K_NR_NUMERIC)
			return c->sort[i];
	return K_BYTES;
}

static void stacks_print_text(struct stacks_ctx *c)
{
	char buf[32];
	size_t i;

	for (i = 0; i < c->nr; i++) {
		const struct srow *r = &c->rows[i];

		printf("%" PRIu64 " bytes (%s), %" PRIu64 " pages, %" PRIu64 " objects",
		       r->v[K_BYTES], mo_fmt_bytes(r->v[K_BYTES], buf, sizeof(buf)),
		       r->v[K_PAGES], r->v[K_OBJECTS]);
		if (c->totals)
			printf(", %" PRIu64 " allocs, %" PRIu64 " frees, growth %+" PRId64,
			       r->v[K_ALLOCS], r->v[K_FREES], (int64_t)r->v[K_GROWTH]);
		printf(", source %s", mo_source_name(r->source));
		/* Labels as page_owner_sort prints its culled fields. */
		if (c->cull & (1u << K_PID) || c->npids)
			printf(", PID %u", r->pid);
		if (c->cull & (1u << K_TGID) || c->ntgids)
			printf(", TGID %u", r->tgid);
		if (c->cull & (1u << K_NAME) || c->nnames)
			printf(", task_comm_name: %s", r->comm);
		if (c->cull & (1u << K_MODULE) && r->module[0])
			printf(", module %s", r->module);
		if (c->cull & (1u << K_CACHE) && r->cache[0])
			printf(", cache %s", r->cache);
		if (c->cull & (1u << K_STACK)) {
			printf(", stack %u:\n", r->stack);
			print_frames(r->stack ? mo_symcache_get(c->sc, r->stack) : NULL,
				     r->stack);
		} else if (c->cull & (1u << K_CALLSITE)) {
			printf(", callsite:\n %s\n", srow_callsite(c, r));
		} else {
			printf("\n");
		}
		printf("\n");
	}
}

static void stacks_print_json(struct stacks_ctx *c, size_t total)
{
	struct mo_json j;
	size_t i;
	int k;

	mo_json_init(&j, stdout);
	mo_json_obj_begin(&j, NULL);
	mo_json_arr_begin(&j, "cull");
	for (k = K_NR_NUMERIC; k < K_NR; k++)
		if (c->cull & (1u << k))
			mo_json_str(&j, NULL, skeys[k].name);
	mo_json_arr_end(&j);
	mo_json_arr_begin(&j, "sort");
	for (k = 0; k < c->nsort; k++)
		mo_json_str(&j, NULL, skeys[c->sort[k]].name);
	mo_json_arr_end(&j);
	mo_json_u64(&j, "total_groups", total);
	mo_json_arr_begin(&j, "groups");
	for (i = 0; i < c->nr; i++) {
		const struct srow *r = &c->rows[i];

		mo_json_obj_begin(&j, NULL);
		mo_json_u64(&j, "live_bytes", r->v[K_BYTES]);
		mo_json_u64(&j, "live_pages", r->v[K_PAGES]);
		mo_json_u64(&j, "live_objects", r->v[K_OBJECTS]);
		if (c->totals) {
			mo_json_u64(&j, "allocs", r->v[K_ALLOCS]);
			mo_json_u64(&j, "frees", r->v[K_FREES]);
			mo_json_s64(&j, "growth_bytes", (int64_t)r->v[K_GROWTH]);
		}
		mo_json_str(&j, "source", mo_source_name(r->source));
		if (c->cull & (1u << K_PID) || c->npids)
			mo_json_u64(&j, "pid", r->pid);
		if (c->cull & (1u << K_TGID) || c->ntgids)
			mo_json_u64(&j, "tgid", r->tgid);
		if (c->cull & (1u << K_NAME) || c->nnames)
			mo_json_str(&j, "name", r->comm);
		if (r->module[0])
			mo_json_str(&j, "module", r->module);
		if (c->cull & (1u << K_CACHE))
			mo_json_str(&j, "cache", r->cache);
		if (c->cull & (1u << K_CALLSITE))
			mo_json_str(&j, "callsite", srow_callsite(c, r));
		if (c->cull & (1u << K_STACK)) {
			mo_json_u64(&j, "stack", r->stack);
			json_frames(&j, r->stack ? mo_symcache_get(c->sc, r->stack)
						 : NULL);
		}
		mo_json_obj_end(&j);
	}
	mo_json_arr_end(&j);
	mo_json_obj_end(&j);
	mo_json_end(&j);
}

static int parse_sort(struct stacks_ctx *c, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	c->nsort = 0;
	for (tok = strtok_r(copy, ",", &save); tok && !ret;
	     tok = strtok_r(NULL, ",", &save)) {
		int sign = 0, k;

		if (*tok == '-' || *tok == '+')
			sign = *tok++ == '-' ? -1 : 1;
		k = skey_lookup(tok);
		if (k < 0 || c->nsort == K_NR) {
			ret = -EINVAL;
			break;
		}
		/* Numbers biggest first, names in order, as top does. */
		if (!sign)
			sign = k < K_NR_NUMERIC ? -1 : 1;
		c->sort[c->nsort] = k;
		c->sign[c->nsort++] = sign;
	}
	free(copy);
	return ret || !c->nsort ? -EINVAL : 0;
}

static int parse_cull(struct stacks_ctx *c, const char *arg)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	int ret = 0, k;

	if (!copy)
		return -ENOMEM;
	c->cull = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		k = skey_lookup(tok);
		if (k < K_NR_NUMERIC) {
			ret = -EINVAL;
			break;
		}
		c->cull |= 1u << k;
	}
	free(copy);
	return ret || !c->cull ? -EINVAL : 0;
}

static void set_sort1(struct stacks_ctx *c, int k)
{
	c->nsort = 1;
	c->sort[0] = k;
	c->sign[0] = k < K_NR_NUMERIC ? -1 : 1;
}

static int cmd_stacks(const struct cli_opts *o, int argc, char **argv)
{
	enum { O_PID = 256, O_TGID, O_NAME, O_CULL, O_SORT, O_SOURCE,
	       O_THRESHOLD, O_CACHE, O_MODULE };
	static const struct option longopts[] = {
		{ "sort", required_argument, NULL, O_SORT },
		{ "cull", required_argument, NULL, O_CULL },
		{ "pid", required_argument, NULL, O_PID },
		{ "tgid", required_argument, NULL, O_TGID },
		{ "name", required_argument, NULL, O_NAME },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "threshold", required_argument, NULL, O_THRESHOLD },
		{ "cache", required_argument, NULL, O_CACHE },
		{ "module", required_argument, NULL, O_MODULE },
		{ "top", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct stacks_ctx c = { .cmd = "stacks", .cull = 1u << K_STACK };
	size_t i, n, total;
	int opt, ret = CLI_USAGE, vk;

	set_sort1(&c, K_BYTES);
	while ((opt = getopt_long(argc, argv, "n:mstpPa", longopts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			set_sort1(&c, K_BYTES);
			break;
		case 's':
			set_sort1(&c, K_STACK);
			break;
		case 't':
			set_sort1(&c, K_OBJECTS);
			break;
		case 'p':
			set_sort1(&c, K_PID);
			break;
		case 'P':
			set_sort1(&c, K_TGID);
			break;
		case 'a':
			set_sort1(&c, K_ALLOCS);
			break;
		case O_SORT:
			if (parse_sort(&c, optarg)) {
				bad_arg("stacks", "unknown sort key in", optarg);
				goto out;
			}
			break;
		case O_CULL:
			if (parse_cull(&c, optarg)) {
				bad_arg("stacks", "unknown cull key in", optarg);
				goto out;
			}
			break;
		case O_PID:
			free(c.pids);
			c.pids = NULL;
			if (parse_u32_list(optarg, &c.pids, &c.npids)) {
				bad_arg("stacks", "bad pid list", optarg);
				goto out;
			}
			break;
		case O_TGID:
			free(c.tgids);
			c.tgids = NULL;
			if (parse_u32_list(optarg, &c.tgids, &c.ntgids)) {
				bad_arg("stacks", "bad tgid list", optarg);
				goto out;
			}
			break;
		case O_NAME:
			free_str_list(c.names);
			c.names = NULL;
			if (parse_str_list(optarg, &c.names, &c.nnames)) {
				bad_arg("stacks", "bad name list", optarg);
				goto out;
			}
			break;
		case O_SOURCE:
			if (mo_parse_sources(optarg, &c.sources)) {
				bad_arg("stacks", "unknown source in", optarg);
				goto out;
			}
			break;
		case O_THRESHOLD:
			if (mo_parse_bytes(optarg, &c.threshold)) {
				bad_arg("stacks", "bad threshold", optarg);
				goto out;
			}
			c.have_threshold = 1;
			break;
		case O_CACHE:
			c.cache = optarg;
			break;
		case O_MODULE:
			c.module = optarg;
			break;
		case 'n':
			if (parse_count(optarg, &c.top) || !c.top) {
				bad_arg("stacks", "bad number of groups", optarg);
				goto out;
			}
			break;
		default:
			goto out;
		}
	}
	if (optind != argc) {
		bad_arg("stacks", "unexpected argument", argv[optind]);
		goto out;
	}
	/* Only page blocks carry the thread that allocated them. */
	c.from_pages = c.npids || (c.cull & (1u << K_PID));
	if (c.from_pages) {
		if (c.sources && c.sources != 1u << MEMOWNER_SRC_PAGE) {
			fprintf(stderr, "memowner: stacks: threads (--pid, --cull pid) are recorded for the page source only; use --tgid or --cull tgid for processes\n");
			goto out;
		}
		if (c.cache || (c.cull & (1u << K_CACHE))) {
			fprintf(stderr, "memowner: stacks: --cache and --cull cache do not go with --pid or --cull pid (page blocks have no cache)\n");
			goto out;
		}
		c.sources = 1u << MEMOWNER_SRC_PAGE;
	}
	for (i = 0; i < (size_t)c.nsort; i++) {
		int k = c.sort[i];

		/* Sorting by a key the groups do not have is meaningless. */
		if (k >= K_NR_NUMERIC && k != K_STACK && !(c.cull & (1u << k)) &&
		    !(k == K_PID && c.npids) && !(k == K_TGID && c.ntgids) &&
		    !(k == K_NAME && c.nnames)) {
			fprintf(stderr, "memowner: stacks: --sort %s needs --cull %s\n",
				skeys[k].name, skeys[k].name);
			goto out;
		}
		if (k == K_STACK && !(c.cull & (1u << K_STACK))) {
			fprintf(stderr, "memowner: stacks: --sort stacktrace needs --cull stacktrace\n");
			goto out;
		}
	}

	ret = open_both(&c.fd, NULL, &c.sc);
	if (ret)
		goto out;
	ret = c.from_pages ? stacks_from_pages(&c) : stacks_from_snapshots(&c);
	if (ret)
		goto close;
	stacks_cull(&c);
	for (i = 0; i < (size_t)c.nsort; i++)
		if (!c.totals && c.sort[i] >= K_ALLOCS && c.sort[i] <= K_GROWTH) {
			fprintf(stderr, "memowner: stacks: allocs, frees and growth are not known per process or thread; sorting by them has no effect here\n");
			break;
		}
	vk = sort_value_key(&c);
	if (c.have_threshold) {
		for (i = 0, n = 0; i < c.nr; i++)
			if ((vk == K_GROWTH ? (int64_t)c.rows[i].v[vk] >= (int64_t)c.threshold
					    : c.rows[i].v[vk] >= c.threshold))
				c.rows[n++] = c.rows[i];
		c.nr = n;
	}
	qctx = &c;
	qsort(c.rows, c.nr, sizeof(*c.rows), srow_cmp_sort);
	total = c.nr;
	if (c.top && c.nr > c.top)
		c.nr = c.top;
	if (o->json)
		stacks_print_json(&c, total);
	else
		stacks_print_text(&c);
	ret = 0;
close:
	close_both(c.fd, NULL, c.sc);
out:
	free(c.rows);
	free(c.pids);
	free(c.tgids);
	free_str_list(c.names);
	return ret;
}

const struct cli_cmd cli_cmd_stacks = {
	.name = "stacks",
	.args = "[--sort KEYS] [--cull KEYS] [--pid L] [--tgid L] [--name L] [--source S] [--cache C] [--module M] [--threshold N] [-n N]",
	.summary = "live memory by stack, process, module or cache (show_stacks, page_owner_sort)",
	.help =
"Lists what is allocated and not yet freed, one block per group: a line of\n"
"counters, then the frames of the stack (one per line, with a leading\n"
"space, as /sys/kernel/debug/page_owner and show_stacks print them), then\n"
"a blank line.  The options follow the kernel's page_owner_sort:\n"
"\n"
"  --sort [+|-]KEY[,...]  order of the groups; numbers sort biggest first,\n"
"                 names in ascending order, unless '+' (ascending) or '-'\n"
"                 (descending) says otherwise.  KEY: bytes (m), pages,\n"
"                 objects (times), allocs, frees, growth (live bytes since\n"
"                 the last MEMOWNER_IOC_MARK), and the culled keys\n"
"                 pid (p), tgid (tg), name (n), stacktrace (st), module,\n"
"                 cache, callsite (cs).  Default: bytes.\n"
"  -m, -s, -t, -p, -P, -a\n"
"                 page_owner_sort's shorthands: sort by memory (bytes),\n"
"                 stack trace, times (objects), pid, tgid; -a by allocs.\n"
"  --cull KEY[,...]  group by these keys (default: stacktrace): stacktrace,\n"
"                 pid, tgid, name (command), module (of the first frame),\n"
"                 cache (slab cache), callsite (first frame).  Groupings\n"
"                 the kernel makes (stack, call site, cache, module,\n"
"                 process) are asked of it; combinations and names are\n"
"                 summed here.  Per-process combinations (tgid or name\n"
"                 with another key) take one kernel pass per process.\n"
"  --pid L, --tgid L, --name L\n"
"                 only objects allocated by these threads, processes or\n"
"                 commands (comma-separated lists).\n"
"  --source S     only these sources: slab,page,percpu,vmalloc or all.\n"
"  --cache C      only objects of slab cache C.\n"
"  --module M     only stacks whose first frame is in module M (vmlinux\n"
"                 for the kernel itself).\n"
"  --threshold N  leave out groups whose first numeric sort key (bytes by\n"
"                 default) is below N; N takes K, M, G suffixes.\n"
"  -n, --top N    print the first N groups only.\n"
"\n"
"Threads: memowner records the allocating thread for page blocks only, so\n"
"--pid and --cull pid read the page dump (source page).  Per-process\n"
"listings (--tgid, --name, --cull tgid or name) count live objects; the\n"
"allocs/frees/growth totals are printed only when no process is involved.\n"
"\n"
"--json prints {\"cull\", \"sort\", \"total_groups\", \"groups\": [{live_bytes,\n"
"live_pages, live_objects, allocs, frees, growth_bytes, source, pid, tgid,\n"
"name, module, cache, callsite, stack, frames}]}, each field present when\n"
"the grouping has it.\n"
"\n"
"Examples:\n"
"  memowner stacks -n 10\n"
"  memowner stacks --cull tgid,stacktrace --name kworker/0:1\n"
"  memowner stacks --cull module --sort pages --threshold 1M\n",
	.handler = cmd_stacks,
};

/* ---- pages --------------------------------------------------------------- */

/*
 * GFP flag names as %pGg prints them on 6.1 (include/linux/gfp_types.h,
 * include/trace/events/mmflags.h), in the kernel's order: composite names
 * first, each consuming its bits, the rest printed in hex.
 */
static const struct {
	uint32_t mask;
	const char *name;
} gfp_names[] = {
	{ 0x1c24ca, "GFP_TRANSHUGE" },
	{ 0x1c20ca, "GFP_TRANSHUGE_LIGHT" },
	{ 0x100cca, "GFP_HIGHUSER_MOVABLE" },
	{ 0x100cc2, "GFP_HIGHUSER" },
	{ 0x100cc0, "GFP_USER" },
	{ 0x400cc0, "GFP_KERNEL_ACCOUNT" },
	{ 0xcc0, "GFP_KERNEL" },
	{ 0xc40, "GFP_NOFS" },
	{ 0xa20, "GFP_ATOMIC" },
	{ 0xc00, "GFP_NOIO" },
	{ 0x800, "GFP_NOWAIT" },
	{ 0x1, "GFP_DMA" },
	{ 0x2, "__GFP_HIGHMEM" },
	{ 0x4, "GFP_DMA32" },
	{ 0x20, "__GFP_HIGH" },
	{ 0x200, "__GFP_ATOMIC" },
	{ 0x40, "__GFP_IO" },
	{ 0x80, "__GFP_FS" },
	{ 0x2000, "__GFP_NOWARN" },
	{ 0x4000, "__GFP_RETRY_MAYFAIL" },
	{ 0x8000, "__GFP_NOFAIL" },
	{ 0x10000, "__GFP_NORETRY" },
	{ 0x40000, "__GFP_COMP" },
	{ 0x100, "__GFP_ZERO" },
	{ 0x80000, "__GFP_NOMEMALLOC" },
	{ 0x20000, "__GFP_MEMALLOC" },
	{ 0x100000, "__GFP_HARDWALL" },
	{ 0x200000, "__GFP_THISNODE" },
	{ 0x10, "__GFP_RECLAIMABLE" },
	{ 0x8, "__GFP_MOVABLE" },
	{ 0x400000, "__GFP_ACCOUNT" },
	{ 0x1000, "__GFP_WRITE" },
	{ 0xc00, "__GFP_RECLAIM" },
	{ 0x400, "__GFP_DIRECT_RECLAIM" },
	{ 0x800, "__GFP_KSWAPD_RECLAIM" },
	{ 0x800000, "__GFP_ZEROTAGS" },
};

/* %pGg of lib/vsprintf.c's format_flags(): "GFP_KERNEL|__GFP_COMP". */
static const char *gfp_str(uint32_t gfp, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; gfp && i < ARRAY_SIZE(gfp_names); i++) {
		if ((gfp & gfp_names[i].mask) != gfp_names[i].mask)
			continue;
		gfp &= ~gfp_names[i].mask;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				gfp_names[i].name, gfp ? "|" : "");
	}
	if (gfp)
		snprintf(buf + off, off < len ? len - off : 0, "0x%x", gfp);
	return buf;
}

/*
 * /proc/kpageflags bits that are page flags of the same name (%pGp prints
 * page->flags, which userspace cannot read; these are what it can).
 */
static const struct {
	int bit;
	const char *name;
} kpf_names[] = {
	{ 0, "locked" }, { 1, "error" }, { 2, "referenced" }, { 3, "uptodate" },
	{ 4, "dirty" }, { 5, "lru" }, { 6, "active" }, { 7, "slab" },
	{ 8, "writeback" }, { 9, "reclaim" }, { 15, "head" },
	{ 14, "swapbacked" }, { 18, "unevictable" }, { 19, "hwpoison" },
};

static const char *page_flags_str(int kpf_fd, uint64_t pfn, char *buf,
				  size_t len)
{
	uint64_t flags = 0;
	size_t i, off;

	if (kpf_fd >= 0 &&
	    pread(kpf_fd, &flags, sizeof(flags), pfn * 8) != sizeof(flags))
		flags = 0;
	off = snprintf(buf, len, "0x%" PRIx64 "(", flags);
	for (i = 0; i < ARRAY_SIZE(kpf_names); i++) {
		if (!(flags >> kpf_names[i].bit & 1))
			continue;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				buf[off - 1] == '(' ? "" : "|", kpf_names[i].name);
	}
	snprintf(buf + off, off < len ? len - off : 0, ")");
	return buf;
}

struct pages_ctx {
	struct mo_symcache *sc;
	struct mo_json *j;
	int kpf_fd;
	long pageblock_order;
	uint32_t *stacks;	/* handles seen, for the JSON's stack table */
	size_t nstacks, capstacks;
	uint64_t nr;
	int err;
	int started;		/* the JSON document is open */
	uint32_t *pids, *tgids;	/* filters, as page_owner_sort's */
	size_t npids, ntgids, nnames;
	char **names;
};

/* Handles seen, sorted and made unique at the end (mo_symcache has them). */
static int pages_note_stack(struct pages_ctx *pc, uint32_t h)
{
	if (pc->nstacks && pc->stacks[pc->nstacks - 1] == h)
		return 0;
	if (pc->nstacks == pc->capstacks) {
		size_t cap = pc->capstacks ? pc->capstacks * 2 : 64;
		uint32_t *s = realloc(pc->stacks, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		pc->stacks = s;
		pc->capstacks = cap;
	}
	pc->stacks[pc->nstacks++] = h;
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void u32_uniq(uint32_t *v, size_t *n)
{
	size_t i, k = 0;

	qsort(v, *n, sizeof(*v), u32_cmp);
	for (i = 0; i < *n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	*n = k;
}

/*
 * Opened with the first record (or at the end): the dump is collected whole
 * before the first callback, so a failed dump prints no half document.
 */
static void pages_json_start(struct pages_ctx *pc)
{
	if (pc->started)
		return;
	pc->started = 1;
	mo_json_init(pc->j, stdout);
	mo_json_obj_begin(pc->j, NULL);
	mo_json_arr_begin(pc->j, "pages");
}

static int pages_cb(const struct mo_page_rec *p, void *arg)
{
	struct pages_ctx *pc = arg;
	const struct mo_frames *f;
	char gfp[512], flags[256];

	if ((pc->npids && !u32_in(p->pid, pc->pids, pc->npids)) ||
	    (pc->ntgids && !u32_in(p->tgid, pc->tgids, pc->ntgids)) ||
	    (pc->nnames && !str_in(p->comm, pc->names, pc->nnames)))
		return 0;
	pc->nr++;
	gfp_str(p->gfp, gfp, sizeof(gfp));
	if (pc->j) {
		struct mo_json *j = pc->j;

		pages_json_start(pc);
		mo_json_obj_begin(j, NULL);
		mo_json_u64(j, "pfn", p->pfn);
		mo_json_u64(j, "order", p->order);
		mo_json_u64(j, "gfp", p->gfp);
		mo_json_str(j, "gfp_flags", gfp);
		mo_json_str(j, "migratetype", mo_migratetype_name(p->migratetype));
		mo_json_u64(j, "pid", p->pid);
		mo_json_u64(j, "tgid", p->tgid);
		mo_json_str(j, "comm", p->comm);
		mo_json_u64(j, "ts_ns", p->ts_ns);
		mo_json_u64(j, "stack", p->stack);
		mo_json_obj_end(j);
		pc->err = pages_note_stack(pc, p->stack);
		return pc->err ? 1 : 0;
	}
	/* mm/page_owner.c's print_page_owner(), as module/debugfs.c prints it. */
	/* The kernel's %#x prints 0 as "0x0", glibc's as "0". */
	printf("Page allocated via order %u, mask 0x%x(%s), pid %u, tgid %u (%s), ts %" PRIu64 " ns, free_ts 0 ns\n",
	       p->order, p->gfp, gfp, p->pid, p->tgid, p->comm, p->ts_ns);
	printf("PFN %" PRIu64 " type %s Block %" PRIu64 " type %s Flags %s\n",
	       p->pfn, mo_migratetype_name(p->migratetype),
	       p->pfn >> pc->pageblock_order, mo_migratetype_name(p->migratetype),
	       page_flags_str(pc->kpf_fd, p->pfn, flags, sizeof(flags)));
	f = mo_symcache_get(pc->sc, p->stack);
	if (f) {
		unsigned int i;

		for (i = 0; i < f->nr; i++)
			printf(" %s\n", f->frame[i]);
	}
	printf("\n");
	if (ferror(stdout)) {
		pc->err = -EPIPE;
		return 1;
	}
	return 0;
}

/* pageblock_order: from the kernel when it says, else x86's default. */
static long pageblock_order(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	unsigned long long sz = 0;
	long page = sysconf(_SC_PAGESIZE), order = 0;

	if (f) {
		if (fscanf(f, "%llu", &sz) != 1)
			sz = 0;
		fclose(f);
	}
	if (!sz)
		sz = 2ULL << 20;
	while ((unsigned long long)(page << order) < sz)
		order++;
	return order;
}

static int cmd_pages(const struct cli_opts *o, int argc, char **argv)
{
	enum { O_PID = 256, O_TGID, O_NAME };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, O_PID },
		{ "tgid", required_argument, NULL, O_TGID },
		{ "name", required_argument, NULL, O_NAME },
		{ NULL, 0, NULL, 0 },
	};
	struct pages_ctx pc = { .kpf_fd = -1 };
	char extack[EXTACK_LEN] = "";
	struct mo_json j;
	struct mo_genl g;
	int fd, ret = CLI_USAGE, opt;
	size_t i;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_PID:
			free(pc.pids);
			pc.pids = NULL;
			if (parse_u32_list(optarg, &pc.pids, &pc.npids)) {
				bad_arg("pages", "bad pid list", optarg);
				goto free;
			}
			break;
		case O_TGID:
			free(pc.tgids);
			pc.tgids = NULL;
			if (parse_u32_list(optarg, &pc.tgids, &pc.ntgids)) {
				bad_arg("pages", "bad tgid list", optarg);
				goto free;
			}
			break;
		case O_NAME:
			free_str_list(pc.names);
			pc.names = NULL;
			if (parse_str_list(optarg, &pc.names, &pc.nnames)) {
				bad_arg("pages", "bad name list", optarg);
				goto free;
			}
			break;
		default:
			goto free;
		}
	}
	if (optind != argc) {
		bad_arg("pages", "unexpected argument", argv[optind]);
		goto free;
	}
	ret = 1;
	if (open_both(&fd, &g, &pc.sc))
		goto free;
	pc.kpf_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	pc.pageblock_order = pageblock_order();
	if (o->json)
		pc.j = &j;
	ret = mo_dump_pages(&g, pages_cb, &pc, extack, sizeof(extack));
	if (ret == 1)
		ret = pc.err;
	if (ret) {
		ret = cli_fail_extack("page dump", ret, extack);
		goto out;
	}
	if (o->json) {
		pages_json_start(&pc);
		mo_json_arr_end(&j);
		u32_uniq(pc.stacks, &pc.nstacks);
		mo_json_arr_begin(&j, "stacks");
		for (i = 0; i < pc.nstacks; i++) {
			const struct mo_frames *f = mo_symcache_get(pc.sc, pc.stacks[i]);

			mo_json_obj_begin(&j, NULL);
			mo_json_u64(&j, "stack", pc.stacks[i]);
			json_frames(&j, f);
			mo_json_obj_end(&j);
		}
		mo_json_arr_end(&j);
		mo_json_u64(&j, "nr_pages_records", pc.nr);
		mo_json_obj_end(&j);
		mo_json_end(&j);
	}
	ret = fflush(stdout) ? cli_fail("write", -errno) : 0;
out:
	if (pc.kpf_fd >= 0)
		close(pc.kpf_fd);
	free(pc.stacks);
	close_both(fd, &g, pc.sc);
free:
	free(pc.pids);
	free(pc.tgids);
	free_str_list(pc.names);
	return ret;
}

const struct cli_cmd cli_cmd_pages = {
	.name = "pages",
	.args = "[--pid L] [--tgid L] [--name L]",
	.summary = "tracked page blocks in the page_owner format",
	.help =
"Prints every tracked page block as /sys/kernel/debug/page_owner does, so\n"
"the kernel's tools/mm/page_owner_sort reads it unchanged:\n"
"\n"
"  Page allocated via order O, mask 0xGFP(NAMES), pid P, tgid T (COMM), ts NS ns, free_ts 0 ns\n"
"  PFN N type MIGRATETYPE Block B type MIGRATETYPE Flags 0xF(NAMES)\n"
"   frame\n"
"   ...\n"
"  (blank line)\n"
"\n"
"Blocks are in PFN order.  Pages in use before memowner was loaded are\n"
"order-0 blocks of pid 0 with the \"before load\" stack.  The GFP names are\n"
"Linux 6.1's (%pGg); the Flags word is the page's /proc/kpageflags entry\n"
"(KPF_* bits; names of the ones that are page flags, e.g. slab), as\n"
"userspace cannot read page->flags; 0x0() when kpageflags is unreadable.\n"
"\n"
"  --pid L, --tgid L, --name L\n"
"                 only blocks allocated by these threads, processes or\n"
"                 commands (comma-separated lists, as page_owner_sort's).\n"
"\n"
"  memowner pages > po.txt\n"
"  page_owner_sort --cull stacktrace po.txt sorted.txt\n"
"\n"
"--json prints {\"pages\": [{pfn, order, gfp, gfp_flags, migratetype, pid,\n"
"tgid, comm, ts_ns, stack}], \"stacks\": [{stack, frames}],\n"
"\"nr_pages_records\"}: frames once per stack handle.\n",
	.handler = cmd_pages,
};

/* ---- caches -------------------------------------------------------------- */

struct cache_ctx {
	const char *pattern;
	struct mo_cache_rec *recs;
	size_t nr, cap;
};

static int caches_cb(const struct mo_cache_rec *r, void *arg)
{
	struct cache_ctx *cc = arg;

	if (cc->pattern && fnmatch(cc->pattern, r->name, 0))
		return 0;
	if (cc->nr == cc->cap) {
		size_t cap = cc->cap ? cc->cap * 2 : 64;
		struct mo_cache_rec *n = realloc(cc->recs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		cc->recs = n;
		cc->cap = cap;
	}
	cc->recs[cc->nr++] = *r;
	return 0;
}

/* Same cache, same call site: adjacent after this sort. */
static int rec_cmp_site(const void *pa, const void *pb)
{
	const struct mo_cache_rec *a = pa, *b = pb;
	int d = strcmp(a->name, b->name);

	return d ? d : strcmp(a->callsite, b->callsite);
}

#define MAX_CPUS 4096

/* "0-1,3" into a bitmap of MAX_CPUS bits. */
static void cpus_parse(const char *s, uint64_t *bits)
{
	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			break;
		if (*end == '-')
			b = strtoul(end + 1, &end, 10);
		for (; a <= b && a < MAX_CPUS; a++)
			bits[a / 64] |= 1ULL << (a % 64);
		s = *end == ',' ? end + 1 : end;
	}
}

static void cpus_union(struct mo_cache_rec *into, const char *other)
{
	uint64_t bits[MAX_CPUS / 64] = { 0 };
	size_t off = 0;
	int i, start = -1;

	cpus_parse(into->cpus, bits);
	cpus_parse(other, bits);
	into->nr_cpus = 0;
	into->cpus[0] = '\0';
	for (i = 0; i <= MAX_CPUS; i++) {
		int set = i < MAX_CPUS && (bits[i / 64] >> (i % 64) & 1);

		if (set) {
			into->nr_cpus++;
			if (start < 0)
				start = i;
			continue;
		}
		if (start < 0)
			continue;
		if (off < sizeof(into->cpus))
			off += snprintf(into->cpus + off, sizeof(into->cpus) - off,
					i - 1 > start ? "%s%d-%d" : "%s%d",
					off ? "," : "", start, i - 1);
		start = -1;
	}
}

/*
 * The kernel reports a cache's call site once per stack through it;
 * alloc_calls has one line per call site: merge them.
 */
static void caches_merge(struct cache_ctx *cc)
{
	size_t i, n = 0;

	qsort(cc->recs, cc->nr, sizeof(*cc->recs), rec_cmp_site);
	for (i = 0; i < cc->nr; i++) {
		struct mo_cache_rec *a = n ? &cc->recs[n - 1] : NULL;
		const struct mo_cache_rec *b = &cc->recs[i];

		if (!a || rec_cmp_site(a, b)) {
			cc->recs[n++] = *b;
			continue;
		}
		if (a->count + b->count)
			a->age_avg_ms = (a->age_avg_ms * a->count +
					 b->age_avg_ms * b->count) /
					(a->count + b->count);
		a->count += b->count;
		a->bytes += b->bytes;
		if (b->age_min_ms < a->age_min_ms)
			a->age_min_ms = b->age_min_ms;
		if (b->age_max_ms > a->age_max_ms)
			a->age_max_ms = b->age_max_ms;
		if (b->pid_min < a->pid_min)
			a->pid_min = b->pid_min;
		if (b->pid_max > a->pid_max)
			a->pid_max = b->pid_max;
		cpus_union(a, b->cpus);
	}
	cc->nr = n;
}

struct cache_sum {
	const char *name;
	uint64_t count, bytes;
	size_t first, n;	/* its records in the sorted array */
};

static int cache_sort_key;	/* 0 bytes, 1 objects, 2 name */

static int rec_cmp(const void *pa, const void *pb)
{
	const struct mo_cache_rec *a = pa, *b = pb;
	int d = strcmp(a->name, b->name);

	if (d)
		return d;
	/* alloc_calls: most objects first. */
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->callsite, b->callsite);
}

static int sum_cmp(const void *pa, const void *pb)
{
	const struct cache_sum *a = pa, *b = pb;

	if (cache_sort_key == 0 && a->bytes != b->bytes)
		return a->bytes > b->bytes ? -1 : 1;
	if (cache_sort_key == 1 && a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* /sys/kernel/slab/CACHE/alloc_calls, mm/slub.c's list_locations(). */
static void print_alloc_call(const struct mo_cache_rec *r, int cpus_online)
{
	printf("%7" PRIu64 " %s", r->count, r->callsite[0] ? r->callsite
							    : "<not-available>");
	if (r->age_min_ms != r->age_max_ms)
		printf(" age=%" PRIu64 "/%" PRIu64 "/%" PRIu64, r->age_min_ms,
		       r->age_avg_ms, r->age_max_ms);
	else
		printf(" age=%" PRIu64, r->age_min_ms);
	if (r->pid_min != r->pid_max)
		printf(" pid=%u-%u", r->pid_min, r->pid_max);
	else
		printf(" pid=%u", r->pid_min);
	if (cpus_online > 1 && r->nr_cpus)
		printf(" cpus=%s", r->cpus);
	printf("\n");
}

static int cmd_caches(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cache", required_argument, NULL, 'c' },
		{ "sort", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct cache_ctx cc = { 0 };
	char extack[EXTACK_LEN] = "", buf[32];
	struct cache_sum *sums = NULL;
	size_t i, k, nsums = 0;
	uint64_t top = 0;
	struct mo_json j;
	struct mo_genl g;
	int opt, ret, cpus = sysconf(_SC_NPROCESSORS_ONLN);

	cache_sort_key = 0;
	while ((opt = getopt_long(argc, argv, "c:s:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cc.pattern = optarg;
			break;
		case 's':
			if (!strcmp(optarg, "bytes"))
				cache_sort_key = 0;
			else if (!strcmp(optarg, "objects"))
				cache_sort_key = 1;
			else if (!strcmp(optarg, "name"))
				cache_sort_key = 2;
			else
				return bad_arg("caches", "unknown sort key", optarg);
			break;
		case 'n':
			if (parse_count(optarg, &top) || !top)
				return bad_arg("caches", "bad number of caches", optarg);
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc)
		return bad_arg("caches", "unexpected argument", argv[optind]);
	if (cli_open_genl(&g))
		return 1;
	ret = mo_dump_caches(&g, caches_cb, &cc, extack, sizeof(extack));
	mo_genl_close(&g);
	if (ret) {
		free(cc.recs);
		return cli_fail_extack("cache dump", ret, extack);
	}
	caches_merge(&cc);
	qsort(cc.recs, cc.nr, sizeof(*cc.recs), rec_cmp);
	sums = calloc(cc.nr + 1, sizeof(*sums));
	if (!sums) {
		free(cc.recs);
		return cli_fail("caches", -ENOMEM);
	}
	for (i = 0; i < cc.nr; i++) {
		if (!nsums || strcmp(sums[nsums - 1].name, cc.recs[i].name)) {
			sums[nsums].name = cc.recs[i].name;
			sums[nsums++].first = i;
		}
		sums[nsums - 1].n++;
		sums[nsums - 1].count += cc.recs[i].count;
		sums[nsums - 1].bytes += cc.recs[i].bytes;
	}
	qsort(sums, nsums, sizeof(*sums), sum_cmp);
	if (top && nsums > top)
		nsums = top;
	if (o->json) {
		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		mo_json_arr_begin(&j, "caches");
	}
	for (k = 0; k < nsums; k++) {
		const struct cache_sum *s = &sums[k];

		if (o->json) {
			mo_json_obj_begin(&j, NULL);
			mo_json_str(&j, "name", s->name);
			mo_json_u64(&j, "live_objects", s->count);
			mo_json_u64(&j, "live_bytes", s->bytes);
			mo_json_arr_begin(&j, "callsites");
		} else {
			printf("%s: %" PRIu64 " objects, %" PRIu64 " bytes (%s), %zu call sites\n",
			       s->name, s->count, s->bytes,
			       mo_fmt_bytes(s->bytes, buf, sizeof(buf)), s->n);
		}
		for (i = s->first; i < s->first + s->n; i++) {
			const struct mo_cache_rec *r = &cc.recs[i];

			if (!o->json) {
				print_alloc_call(r, cpus);
				continue;
			}
			mo_json_obj_begin(&j, NULL);
			mo_json_str(&j, "callsite", r->callsite);
			mo_json_u64(&j, "stack", r->stack);
			mo_json_u64(&j, "count", r->count);
			mo_json_u64(&j, "bytes", r->bytes);
			mo_json_u64(&j, "age_min_ms", r->age_min_ms);
			mo_json_u64(&j, "age_avg_ms", r->age_avg_ms);
			mo_json_u64(&j, "age_max_ms", r->age_max_ms);
			mo_json_u64(&j, "pid_min", r->pid_min);
			mo_json_u64(&j, "pid_max", r->pid_max);
			mo_json_str(&j, "cpus", r->cpus);
			mo_json_obj_end(&j);
		}
		if (o->json) {
			mo_json_arr_end(&j);
			mo_json_obj_end(&j);
		} else {
			printf("\n");
		}
	}
	if (o->json) {
		mo_json_arr_end(&j);
		mo_json_obj_end(&j);
		mo_json_end(&j);
	}
	free(sums);
	free(cc.recs);
	return 0;
}

const struct cli_cmd cli_cmd_caches = {
	.name = "caches",
	.args = "[--cache PATTERN] [--sort bytes|objects|name] [-n N]",
	.summary = "live slab objects per cache and call site (alloc_calls)",
	.help =
"Lists live slab objects per cache, and under each cache its call sites\n"
"in the format of /sys/kernel/slab/CACHE/alloc_calls (SLUB debugging):\n"
"\n"
"  kmalloc-256: 2000 objects, 512000 bytes (500K), 1 call sites\n"
"     2000 func+0x1e/0x40 [mod] age=MIN/AVG/MAX pid=MIN-MAX cpus=LIST\n"
"\n"
"Ages are in milliseconds (alloc_calls counts jiffies); a single value\n"
"when all are equal, as are pid=; cpus= only on SMP.  Call sites of a\n"
"cache are by object count, most first; a call site reached from several\n"
"stacks is one line, as in alloc_calls (JSON \"stack\" names one of them).\n"
"\n"
"  -c, --cache PATTERN  only caches whose name matches the shell pattern\n"
"                       (\"kmalloc-*\").\n"
"  -s, --sort KEY       order of the caches: bytes (default), objects, name.\n"
"  -n, --top N          the first N caches only.\n"
"\n"
"--json prints {\"caches\": [{name, live_objects, live_bytes, \"callsites\":\n"
"[{callsite, stack, count, bytes, age_min_ms, age_avg_ms, age_max_ms,\n"
"pid_min, pid_max, cpus}]}]}.\n",
	.handler = cmd_caches,
};

/* ---- modules ------------------------------------------------------------- */

static int cmd_modules(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sort", required_argument, NULL, 's' },
		{ "source", required_argument, NULL, 'S' },
		{ "module", required_argument, NULL, 'M' },
		{ "top", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct mo_query q = { .group = MEMOWNER_GROUP_MODULE };
	struct mo_symcache *sc;
	struct memowner_row *rows;
	size_t nr, i;
	uint64_t top = 0, total;
	char b1[32];
	struct mo_json j;
	int fd, opt, ret;

	while ((opt = getopt_long(argc, argv, "s:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (mo_parse_sort(optarg, &q.sort))
				return bad_arg("modules", "unknown sort key", optarg);
			break;
		case 'S':
			if (mo_parse_sources(optarg, &q.sources))
				return bad_arg("modules", "unknown source in", optarg);
			break;
		case 'M':
			q.module = optarg;
			break;
		case 'n':
			if (parse_count(optarg, &top) || !top)
				return bad_arg("modules", "bad number of modules", optarg);
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc)
		return bad_arg("modules", "unexpected argument", argv[optind]);
	if (cli_open_dev(&fd))
		return 1;
	sc = mo_symcache_new(fd);
	ret = sc ? mo_snapshot(fd, &q, 0, &rows, &nr, &total) : -ENOMEM;
	if (!ret) {
		ret = split_sentinels(fd, sc, &q, &rows, &nr);
		if (ret)
			free(rows);
	}
	mo_symcache_free(sc);
	close(fd);
	if (ret)
		return cli_fail("SNAPSHOT", ret);
	row_sort_key = q.sort;
	qsort(rows, nr, sizeof(*rows), row_cmp);
	total = nr;
	if (top && nr > top)
		nr = top;
	if (o->json) {
		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		mo_json_str(&j, "sort", mo_sort_name(q.sort));
		mo_json_u64(&j, "total_modules", total);
		mo_json_arr_begin(&j, "modules");
		for (i = 0; i < nr; i++) {
			mo_json_obj_begin(&j, NULL);
			mo_json_str(&j, "module", (char *)rows[i].name);
			mo_json_u64(&j, "live_bytes", rows[i].live_bytes);
			mo_json_u64(&j, "live_pages", rows[i].live_pages);
			mo_json_u64(&j, "live_objects", rows[i].live_objects);
			mo_json_u64(&j, "allocs", rows[i].allocs);
			mo_json_u64(&j, "frees", rows[i].frees);
			mo_json_u64(&j, "bytes_allocated", rows[i].bytes_allocated);
			mo_json_s64(&j, "growth_bytes", (int64_t)rows[i].growth_bytes);
			mo_json_str(&j, "source", mo_source_name(rows[i].source));
			mo_json_obj_end(&j);
		}
		mo_json_arr_end(&j);
		mo_json_obj_end(&j);
		mo_json_end(&j);
	} else {
		printf("%-24s %14s %8s %10s %10s %12s %12s %12s  %s\n", "MODULE",
		       "BYTES", "SIZE", "PAGES", "OBJECTS", "ALLOCS", "FREES",
		       "GROWTH", "SOURCE");
		for (i = 0; i < nr; i++)
			printf("%-24s %14" PRIu64 " %8s %10" PRIu64 " %10" PRIu64 " %12" PRIu64 " %12" PRIu64 " %+12" PRId64 "  %s\n",
			       (char *)rows[i].name, (uint64_t)rows[i].live_bytes,
			       mo_fmt_bytes(rows[i].live_bytes, b1, sizeof(b1)),
			       (uint64_t)rows[i].live_pages,
			       (uint64_t)rows[i].live_objects,
			       (uint64_t)rows[i].allocs, (uint64_t)rows[i].frees,
			       (int64_t)rows[i].growth_bytes,
			       mo_source_name(rows[i].source));
	}
	free(rows);
	return 0;
}

const struct cli_cmd cli_cmd_modules = {
	.name = "modules",
	.args = "[--sort KEY] [--source S] [--module M] [-n N]",
	.summary = "live memory per kernel module",
	.help =
"Live memory per kernel module: the module of each allocation's first\n"
"frame, the code that called the allocator (\"vmlinux\" for the kernel\n"
"itself), with its bytes, base pages, objects, and totals since load (or\n"
"the last reset): allocs, frees, and growth since the last mark.\n"
"\n"
"  -s, --sort KEY  bytes (default), pages, objects, allocs, growth;\n"
"                  biggest first.\n"
"      --source S  only these sources: slab,page,percpu,vmalloc or all.\n"
"      --module M  only module M.\n"
"  -n, --top N     the first N modules only.\n"
"\n"
"SOURCE is mixed when a module allocates from several sources.  Pages in\n"
"use before memowner was loaded, and allocations whose stack could not be\n"
"kept, have rows of their own: \"(before load)\", \"(stack table full)\",\n"
"\"(no stack)\" (they are not memowner's memory).\n"
"--json prints {\"sort\", \"total_modules\", \"modules\": [{module,\n"
"live_bytes, live_pages, live_objects, allocs, frees, bytes_allocated,\n"
"growth_bytes, source}]}.\n",
	.handler = cmd_modules,
};

/* ---- leaks --------------------------------------------------------------- */

struct leaks_ctx {
	struct mo_leak_rec *recs;
	size_t nr, cap;
};

static int leaks_cb(const struct mo_leak_rec *r, void *arg)
{
	struct leaks_ctx *lc = arg;

	if (lc->nr == lc->cap) {
		size_t cap = lc->cap ? lc->cap * 2 : 64;
		struct mo_leak_rec *n = realloc(lc->recs, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		lc->recs = n;
		lc->cap = cap;
	}
	lc->recs[lc->nr++] = *r;
	return 0;
}

static int leak_sort;	/* 0 bytes, 1 objects, 2 age */

static int leak_cmp(const void *pa, const void *pb)
{
	const struct mo_leak_rec *a = pa, *b = pb;
	uint64_t x = leak_sort == 1 ? a->count : leak_sort == 2 ? a->oldest_ms : a->bytes;
	uint64_t y = leak_sort == 1 ? b->count : leak_sort == 2 ? b->oldest_ms : b->bytes;

	if (x != y)
		return x > y ? -1 : 1;
	return a->stack < b->stack ? -1 : a->stack > b->stack;
}

static void fmt_age(uint64_t ms, char *buf, size_t len)
{
	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (ms < 120000)
		snprintf(buf, len, "%.1fs", ms / 1000.0);
	else if (ms < 7200000)
		snprintf(buf, len, "%.1fm", ms / 60000.0);
	else
		snprintf(buf, len, "%.1fh", ms / 3600000.0);
}

static int cmd_leaks(const struct cli_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "min-bytes", required_argument, NULL, 'b' },
		{ "source", required_argument, NULL, 'S' },
		{ "sort", required_argument, NULL, 's' },
		{ "top", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t older = 30000, min_bytes = 0, top = 0;
	char extack[EXTACK_LEN] = "", b1[32], b2[32];
	struct leaks_ctx lc = { 0 };
	struct mo_symcache *sc;
	uint32_t sources = 0;
	struct mo_json j;
	struct mo_genl g;
	int fd, opt, ret;
	size_t i;

	leak_sort = 0;
	while ((opt = getopt_long(argc, argv, "o:b:s:n:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			if (mo_parse_duration_ms(optarg, &older))
				return bad_arg("leaks", "bad duration", optarg);
			break;
		case 'b':
			if (mo_parse_bytes(optarg, &min_bytes))
				return bad_arg("leaks", "bad size", optarg);
			break;
		case 'S':
			if (mo_parse_sources(optarg, &sources))
				return bad_arg("leaks", "unknown source in", optarg);
			break;
		case 's':
			if (!strcmp(optarg, "bytes"))
				leak_sort = 0;
			else if (!strcmp(optarg, "objects"))
				leak_sort = 1;
			else if (!strcmp(optarg, "age"))
				leak_sort = 2;
			else
				return bad_arg("leaks", "unknown sort key", optarg);
			break;
		case 'n':
			if (parse_count(optarg, &top) || !top)
				return bad_arg("leaks", "bad number of stacks", optarg);
			break;
		default:
			return CLI_USAGE;
		}
	}
	if (optind != argc)
		return bad_arg("leaks", "unexpected argument", argv[optind]);
	if (open_both(&fd, &g, &sc))
		return 1;
	ret = mo_dump_leaks(&g, older, sources, min_bytes, leaks_cb, &lc,
			    extack, sizeof(extack));
	if (ret) {
		ret = cli_fail_extack("leak dump", ret, extack);
		goto out;
	}
	qsort(lc.recs, lc.nr, sizeof(*lc.recs), leak_cmp);
	if (o->json) {
		mo_json_init(&j, stdout);
		mo_json_obj_begin(&j, NULL);
		mo_json_u64(&j, "older_than_ms", older);
		mo_json_u64(&j, "min_bytes", min_bytes);
		mo_json_u64(&j, "total_stacks", lc.nr);
		mo_json_arr_begin(&j, "leaks");
	} else {
		fmt_age(older, b1, sizeof(b1));
		printf("# live objects older than %s, by stack%s\n\n", b1,
		       lc.nr ? "" : ": none");
	}
	for (i = 0; i < lc.nr && (!top || i < top); i++) {
		const struct mo_leak_rec *r = &lc.recs[i];
		const struct mo_frames *f = mo_symcache_get(sc, r->stack);

		if (o->json) {
			mo_json_obj_begin(&j, NULL);
			mo_json_u64(&j, "stack", r->stack);
			mo_json_str(&j, "source", mo_source_name(r->source));
			mo_json_u64(&j, "objects", r->count);
			mo_json_u64(&j, "bytes", r->bytes);
			mo_json_u64(&j, "oldest_ms", r->oldest_ms);
			json_frames(&j, f);
			mo_json_obj_end(&j);
			continue;
		}
		fmt_age(r->oldest_ms, b2, sizeof(b2));
		printf("%" PRIu64 " objects, %" PRIu64 " bytes (%s), oldest %s, source %s, stack %u:\n",
		       r->count, r->bytes, mo_fmt_bytes(r->bytes, b1, sizeof(b1)),
		       b2, mo_source_name(r->source), r->stack);
		print_frames(f, r->stack);
		printf("\n");
	}
	if (o->json) {
		mo_json_arr_end(&j);
		mo_json_obj_end(&j);
		mo_json_end(&j);
	}
out:
	free(lc.recs);
	close_both(fd, &g, sc);
	return ret;
}

const struct cli_cmd cli_cmd_leaks = {
	.name = "leaks",
	.args = "[--older-than DURATION] [--min-bytes B] [--source S] [--sort bytes|objects|age] [-n N]",
	.summary = "long-lived objects by stack (leak candidates)",
	.help =
"Objects allocated long ago and still not freed, summed by stack: leak\n"
"candidates.  Each block is a counters line (objects, bytes, age of the\n"
"oldest, source, stack handle), then the frames, then a blank line.\n"
"\n"
"  -o, --older-than D  only objects at least D old: 30s (default), 500ms,\n"
"                      5m, 1h; a bare number is milliseconds.\n"
"  -b, --min-bytes B   only stacks holding at least B bytes of such objects\n"
"                      (K, M, G suffixes).\n"
"      --source S      only these sources: slab,page,percpu,vmalloc or all.\n"
"  -s, --sort KEY      bytes (default), objects, age (of the oldest).\n"
"  -n, --top N         the first N stacks only.\n"
"\n"
"Ages count from the allocation.  Pages in use before memowner was loaded\n"
"have no record (nor age) and are never listed.  In sample mode counts\n"
"are estimates.\n"
"--json prints {\"older_than_ms\", \"min_bytes\", \"total_stacks\", \"leaks\":\n"
"[{stack, source, objects, bytes, oldest_ms, frames}]}.\n",
	.handler = cmd_leaks,
};
