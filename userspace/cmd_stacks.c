// SPDX-License-Identifier: GPL-2.0
/*
 * memowner stacks: live memory by stack, process, module or cache, in
 * show_stacks blocks, with page_owner_sort's --sort/--cull and
 * --pid/--tgid/--name options.
 *
 * Groupings the kernel answers (SNAPSHOT by stack, call site, cache, module,
 * tgid; filters by tgid, cache, module, source) are asked of it; stacks
 * combines them (e.g. stack x tgid: one stack snapshot per process) and
 * aggregates the rest in userspace (by command name; by thread from the
 * page dump, the only records that carry the thread id).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "list.h"

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
		ret = list_split_sentinels(c->fd, c->sc, &q, &rows, &nr);
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

		if (c->ntgids && !list_u32_in(r->id, c->tgids, c->ntgids))
			continue;
		if (c->nnames && !list_str_in((char *)r->name, c->names, c->nnames))
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

				if ((c->ntgids && !list_u32_in(s->tgid, c->tgids, c->ntgids)) ||
				    (c->nnames && !list_str_in(s->comm, c->names, c->nnames)))
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

	if ((c->npids && !list_u32_in(p->pid, c->pids, c->npids)) ||
	    (c->ntgids && !list_u32_in(p->tgid, c->tgids, c->ntgids)) ||
	    (c->nnames && !list_str_in(p->comm, c->names, c->nnames)))
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
			list_print_frames(r->stack ? mo_symcache_get(c->sc, r->stack) : NULL,
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
			list_json_frames(&j, r->stack ? mo_symcache_get(c->sc, r->stack)
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
				list_bad_arg("stacks", "unknown sort key in", optarg);
				goto out;
			}
			break;
		case O_CULL:
			if (parse_cull(&c, optarg)) {
				list_bad_arg("stacks", "unknown cull key in", optarg);
				goto out;
			}
			break;
		case O_PID:
			free(c.pids);
			c.pids = NULL;
			if (list_parse_u32_list(optarg, &c.pids, &c.npids)) {
				list_bad_arg("stacks", "bad pid list", optarg);
				goto out;
			}
			break;
		case O_TGID:
			free(c.tgids);
			c.tgids = NULL;
			if (list_parse_u32_list(optarg, &c.tgids, &c.ntgids)) {
				list_bad_arg("stacks", "bad tgid list", optarg);
				goto out;
			}
			break;
		case O_NAME:
			list_free_str_list(c.names);
			c.names = NULL;
			if (list_parse_str_list(optarg, &c.names, &c.nnames)) {
				list_bad_arg("stacks", "bad name list", optarg);
				goto out;
			}
			break;
		case O_SOURCE:
			if (mo_parse_sources(optarg, &c.sources)) {
				list_bad_arg("stacks", "unknown source in", optarg);
				goto out;
			}
			break;
		case O_THRESHOLD:
			if (mo_parse_bytes(optarg, &c.threshold)) {
				list_bad_arg("stacks", "bad threshold", optarg);
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
			if (list_parse_count(optarg, &c.top) || !c.top) {
				list_bad_arg("stacks", "bad number of groups", optarg);
				goto out;
			}
			break;
		default:
			goto out;
		}
	}
	if (optind != argc) {
		list_bad_arg("stacks", "unexpected argument", argv[optind]);
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

	ret = list_open_both(&c.fd, NULL, &c.sc);
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
	list_close_both(c.fd, NULL, c.sc);
out:
	free(c.rows);
	free(c.pids);
	free(c.tgids);
	list_free_str_list(c.names);
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
