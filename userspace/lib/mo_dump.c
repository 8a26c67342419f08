// SPDX-License-Identifier: GPL-2.0
/*
 * libmemowner: generic-netlink dumps and notifications parsed into plain
 * structs (see memowner_client.h).
 *
 * A dump is collected whole before the caller's callback sees a record:
 * when the kernel flags a message NLM_F_DUMP_INTR (the stack table changed
 * during the dump) the partial result is thrown away and the dump is asked
 * again, so a caller never sees a mix of two generations.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memowner_client.h"

#define MO_DUMP_TRIES 3

/* Records of one dump, stored by value (rec_size bytes each). */
struct mo_vec {
	char *data;
	size_t n, cap, rec_size;
	void (*rec_free)(void *rec);
	int (*parse)(struct nlattr **tb, struct mo_vec *v);
	int attr;		/* the nest holding a record */
	int intr;		/* a message was flagged NLM_F_DUMP_INTR */
	int err;
};

static void *mo_vec_push(struct mo_vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 64;
		char *d = realloc(v->data, cap * v->rec_size);

		if (!d)
			return NULL;
		v->data = d;
		v->cap = cap;
	}
	memset(v->data + v->n * v->rec_size, 0, v->rec_size);
	return v->data + v->n++ * v->rec_size;
}

static void mo_vec_clear(struct mo_vec *v)
{
	size_t i;

	if (v->rec_free)
		for (i = 0; i < v->n; i++)
			v->rec_free(v->data + i * v->rec_size);
	v->n = 0;
}

static int mo_vec_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[MEMOWNER_A_MAX + 1];
	struct mo_vec *v = arg;
	struct nlattr *a;
	int rem;

	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		v->intr = 1;
	if (v->err)
		return NL_SKIP;
	/* Several nests of the same type per message: walk them all. */
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != v->attr)
			continue;
		memset(tb, 0, sizeof(tb));
		tb[v->attr] = a;
		v->err = v->parse(tb, v);
		if (v->err)
			return NL_SKIP;
	}
	return NL_OK;
}

/*
 * Run the dump built by @build until it completes without NLM_F_DUMP_INTR,
 * then hand each record to @fn.
 */
static int mo_dump_run(struct mo_genl *g, struct nl_msg *(*build)(struct mo_genl *, void *),
		       void *barg, struct mo_vec *v,
		       int (*fn)(const void *rec, void *arg), void *arg,
		       char *extack, size_t extack_len)
{
	struct nl_msg *msg;
	size_t i;
	int ret = 0, tries;

	for (tries = 0; tries < MO_DUMP_TRIES; tries++) {
		mo_vec_clear(v);
		v->intr = 0;
		v->err = 0;
		msg = build(g, barg);
		if (!msg) {
			ret = -ENOMEM;
			break;
		}
		ret = mo_genl_transact(g, msg, mo_vec_cb, v, extack, extack_len);
		if (!ret)
			ret = v->err;
		if (ret || !v->intr)
			break;
	}
	for (i = 0; !ret && i < v->n; i++)
		ret = fn(v->data + i * v->rec_size, arg);
	mo_vec_clear(v);
	free(v->data);
	return ret;
}

static uint64_t mo_u64(struct nlattr *a)
{
	return a && nla_len(a) >= 8 ? nla_get_u64(a) : 0;
}

static uint32_t mo_u32(struct nlattr *a)
{
	return a && nla_len(a) >= 4 ? nla_get_u32(a) : 0;
}

static void mo_str(struct nlattr *a, char *buf, size_t len)
{
	buf[0] = '\0';
	if (a && nla_len(a) > 0)
		snprintf(buf, len, "%.*s", nla_len(a), (char *)nla_data(a));
}

/* A nest of MEMOWNER_A_STACK_FRAME strings. */
static int mo_parse_frames(struct nlattr *nest, struct mo_frames *f)
{
	struct nlattr *a;
	unsigned int n = 0;
	int rem;

	f->nr = 0;
	f->frame = NULL;
	if (!nest)
		return 0;
	nla_for_each_nested(a, nest, rem)
		n++;
	f->frame = calloc(n + 1, sizeof(*f->frame));
	if (!f->frame)
		return -ENOMEM;
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != MEMOWNER_A_STACK_FRAME)
			continue;
		f->frame[f->nr] = strndup(nla_data(a), nla_len(a));
		if (!f->frame[f->nr]) {
			mo_frames_free(f);
			return -ENOMEM;
		}
		f->nr++;
	}
	return 0;
}

static int mo_parse_stack_nest(struct nlattr *nest, struct mo_stack_rec *s)
{
	struct nlattr *tb[MEMOWNER_A_STACK_MAX + 1];
	struct nlattr *a;

	if (nla_parse_nested(tb, MEMOWNER_A_STACK_MAX, nest, NULL))
		return -EINVAL;
	s->id = mo_u32(tb[MEMOWNER_A_STACK_ID]);
	s->source = mo_u32(tb[MEMOWNER_A_STACK_SOURCE]);
	s->live_bytes = mo_u64(tb[MEMOWNER_A_STACK_LIVE_BYTES]);
	s->live_pages = mo_u64(tb[MEMOWNER_A_STACK_LIVE_PAGES]);
	s->live_objects = mo_u64(tb[MEMOWNER_A_STACK_LIVE_OBJECTS]);
	s->allocs = mo_u64(tb[MEMOWNER_A_STACK_ALLOCS]);
	s->frees = mo_u64(tb[MEMOWNER_A_STACK_FREES]);
	s->bytes_allocated = mo_u64(tb[MEMOWNER_A_STACK_BYTES_ALLOCATED]);
	s->extfrag = mo_u64(tb[MEMOWNER_A_STACK_EXTFRAG]);
	s->backing_bytes = mo_u64(tb[MEMOWNER_A_STACK_BACKING_BYTES]);
	a = tb[MEMOWNER_A_STACK_ADDRS];
	s->nr_addrs = 0;
	if (a) {
		s->nr_addrs = nla_len(a) / 8;
		if (s->nr_addrs > 64)
			s->nr_addrs = 64;
		memcpy(s->addrs, nla_data(a), s->nr_addrs * 8);
	}
	return mo_parse_frames(tb[MEMOWNER_A_STACK_FRAMES], &s->frames);
}

static void mo_stack_rec_free(void *rec)
{
	mo_frames_free(&((struct mo_stack_rec *)rec)->frames);
}

static int mo_stack_parse(struct nlattr **tb, struct mo_vec *v)
{
	struct mo_stack_rec *s = mo_vec_push(v);

	if (!s)
		return -ENOMEM;
	return mo_parse_stack_nest(tb[MEMOWNER_A_STACK], s);
}

struct mo_stacks_req {
	uint32_t sources;
	uint64_t min_bytes;
};

static struct nl_msg *mo_stacks_build(struct mo_genl *g, void *arg)
{
	struct mo_stacks_req *r = arg;
	struct nl_msg *msg = mo_genl_msg(g, MEMOWNER_CMD_GET_STACKS, NLM_F_DUMP);

	if (!msg)
		return NULL;
	if ((r->sources && nla_put_u32(msg, MEMOWNER_A_FILTER_SOURCES, r->sources)) ||
	    (r->min_bytes && nla_put_u64(msg, MEMOWNER_A_FILTER_MIN_BYTES, r->min_bytes))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int mo_dump_stacks(struct mo_genl *g, uint32_t sources, uint64_t min_bytes,
		   int (*fn)(const struct mo_stack_rec *, void *), void *arg,
		   char *extack, size_t extack_len)
{
	struct mo_stacks_req r = { .sources = sources, .min_bytes = min_bytes };
	struct mo_vec v = {
		.rec_size = sizeof(struct mo_stack_rec),
		.rec_free = mo_stack_rec_free,
		.parse = mo_stack_parse,
		.attr = MEMOWNER_A_STACK,
	};

	return mo_dump_run(g, mo_stacks_build, &r, &v,
			   (int (*)(const void *, void *))fn, arg,
			   extack, extack_len);
}

static int mo_page_parse(struct nlattr **tbl, struct mo_vec *v)
{
	struct nlattr *tb[MEMOWNER_A_PAGE_MAX + 1];
	struct mo_page_rec *p = mo_vec_push(v);

	if (!p)
		return -ENOMEM;
	if (nla_parse_nested(tb, MEMOWNER_A_PAGE_MAX, tbl[MEMOWNER_A_PAGE], NULL))
		return -EINVAL;
	p->pfn = mo_u64(tb[MEMOWNER_A_PAGE_PFN]);
	p->order = mo_u32(tb[MEMOWNER_A_PAGE_ORDER]);
	p->gfp = mo_u32(tb[MEMOWNER_A_PAGE_GFP]);
	p->migratetype = mo_u32(tb[MEMOWNER_A_PAGE_MIGRATETYPE]);
	p->pid = mo_u32(tb[MEMOWNER_A_PAGE_PID]);
	p->tgid = mo_u32(tb[MEMOWNER_A_PAGE_TGID]);
	p->stack = mo_u32(tb[MEMOWNER_A_PAGE_STACK]);
	p->ts_ns = mo_u64(tb[MEMOWNER_A_PAGE_TS_NS]);
	mo_str(tb[MEMOWNER_A_PAGE_COMM], p->comm, sizeof(p->comm));
	return 0;
}

static struct nl_msg *mo_plain_build(struct mo_genl *g, void *arg)
{
	return mo_genl_msg(g, *(uint8_t *)arg, NLM_F_DUMP);
}

int mo_dump_pages(struct mo_genl *g,
		  int (*fn)(const struct mo_page_rec *, void *), void *arg,
		  char *extack, size_t extack_len)
{
	uint8_t cmd = MEMOWNER_CMD_GET_PAGES;
	struct mo_vec v = {
		.rec_size = sizeof(struct mo_page_rec),
		.parse = mo_page_parse,
		.attr = MEMOWNER_A_PAGE,
	};

	return mo_dump_run(g, mo_plain_build, &cmd, &v,
			   (int (*)(const void *, void *))fn, arg,
			   extack, extack_len);
}

/* A CPU bitmap (__u64 words) as a count and a "0-1,3" list. */
static void mo_cpus(struct nlattr *a, struct mo_cache_rec *c)
{
	const uint64_t *w;
	size_t off = 0;
	int n, i, start = -1;

	c->nr_cpus = 0;
	c->cpus[0] = '\0';
	if (!a)
		return;
	w = nla_data(a);
	n = nla_len(a) / 8 * 64;
	for (i = 0; i <= n; i++) {
		int set = i < n && (w[i / 64] >> (i % 64) & 1);

		if (set) {
			c->nr_cpus++;
			if (start < 0)
				start = i;
			continue;
		}
		if (start < 0)
			continue;
		if (off < sizeof(c->cpus))
			off += snprintf(c->cpus + off, sizeof(c->cpus) - off,
					i - 1 > start ? "%s%d-%d" : "%s%d",
					off ? "," : "", start, i - 1);
		start = -1;
	}
}

static int mo_cache_parse(struct nlattr **tbl, struct mo_vec *v)
{
	struct nlattr *tb[MEMOWNER_A_CACHE_MAX + 1];
	struct mo_cache_rec *c = mo_vec_push(v);

	if (!c)
		return -ENOMEM;
	if (nla_parse_nested(tb, MEMOWNER_A_CACHE_MAX, tbl[MEMOWNER_A_CACHE], NULL))
		return -EINVAL;
	mo_str(tb[MEMOWNER_A_CACHE_NAME], c->name, sizeof(c->name));
	mo_str(tb[MEMOWNER_A_CACHE_CALLSITE], c->callsite, sizeof(c->callsite));
	c->stack = mo_u32(tb[MEMOWNER_A_CACHE_STACK]);
	c->count = mo_u64(tb[MEMOWNER_A_CACHE_COUNT]);
	c->bytes = mo_u64(tb[MEMOWNER_A_CACHE_BYTES]);
	c->age_min_ms = mo_u64(tb[MEMOWNER_A_CACHE_AGE_MIN_MS]);
	c->age_avg_ms = mo_u64(tb[MEMOWNER_A_CACHE_AGE_AVG_MS]);
	c->age_max_ms = mo_u64(tb[MEMOWNER_A_CACHE_AGE_MAX_MS]);
	c->pid_min = mo_u32(tb[MEMOWNER_A_CACHE_PID_MIN]);
	c->pid_max = mo_u32(tb[MEMOWNER_A_CACHE_PID_MAX]);
	mo_cpus(tb[MEMOWNER_A_CACHE_CPUS], c);
	return 0;
}

int mo_dump_caches(struct mo_genl *g,
		   int (*fn)(const struct mo_cache_rec *, void *), void *arg,
		   char *extack, size_t extack_len)
{
	uint8_t cmd = MEMOWNER_CMD_GET_CACHES;
	struct mo_vec v = {
		.rec_size = sizeof(struct mo_cache_rec),
		.parse = mo_cache_parse,
		.attr = MEMOWNER_A_CACHE,
	};

	return mo_dump_run(g, mo_plain_build, &cmd, &v,
			   (int (*)(const void *, void *))fn, arg,
			   extack, extack_len);
}

static int mo_leak_parse(struct nlattr **tbl, struct mo_vec *v)
{
	struct nlattr *tb[MEMOWNER_A_LEAK_MAX + 1];
	struct mo_leak_rec *l = mo_vec_push(v);

	if (!l)
		return -ENOMEM;
	if (nla_parse_nested(tb, MEMOWNER_A_LEAK_MAX, tbl[MEMOWNER_A_LEAK], NULL))
		return -EINVAL;
	l->stack = mo_u32(tb[MEMOWNER_A_LEAK_STACK]);
	l->source = mo_u32(tb[MEMOWNER_A_LEAK_SOURCE]);
	l->count = mo_u64(tb[MEMOWNER_A_LEAK_COUNT]);
	l->bytes = mo_u64(tb[MEMOWNER_A_LEAK_BYTES]);
	l->oldest_ms = mo_u64(tb[MEMOWNER_A_LEAK_OLDEST_MS]);
	return 0;
}

struct mo_leaks_req {
	uint64_t older_than_ms, min_bytes;
	uint32_t sources;
};

static struct nl_msg *mo_leaks_build(struct mo_genl *g, void *arg)
{
	struct mo_leaks_req *r = arg;
	struct nl_msg *msg = mo_genl_msg(g, MEMOWNER_CMD_GET_LEAKS, NLM_F_DUMP);

	if (!msg)
		return NULL;
	if (nla_put_u64(msg, MEMOWNER_A_FILTER_OLDER_THAN_MS, r->older_than_ms) ||
	    (r->sources && nla_put_u32(msg, MEMOWNER_A_FILTER_SOURCES, r->sources)) ||
	    (r->min_bytes && nla_put_u64(msg, MEMOWNER_A_FILTER_MIN_BYTES, r->min_bytes))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

int mo_dump_leaks(struct mo_genl *g, uint64_t older_than_ms, uint32_t sources,
		  uint64_t min_bytes,
		  int (*fn)(const struct mo_leak_rec *, void *), void *arg,
		  char *extack, size_t extack_len)
{
	struct mo_leaks_req r = {
		.older_than_ms = older_than_ms, .sources = sources,
		.min_bytes = min_bytes,
	};
	struct mo_vec v = {
		.rec_size = sizeof(struct mo_leak_rec),
		.parse = mo_leak_parse,
		.attr = MEMOWNER_A_LEAK,
	};

	return mo_dump_run(g, mo_leaks_build, &r, &v,
			   (int (*)(const void *, void *))fn, arg,
			   extack, extack_len);
}

int mo_parse_alert(struct nl_msg *msg, struct mo_alert *al)
{
	struct nlattr *top[MEMOWNER_A_MAX + 1];
	struct nlattr *tb[MEMOWNER_A_ALERT_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	memset(al, 0, sizeof(*al));
	if (gh->cmd != MEMOWNER_CMD_ALERT_NTF)
		return 0;
	if (mo_genl_parse(msg, top) || !top[MEMOWNER_A_ALERT] ||
	    nla_parse_nested(tb, MEMOWNER_A_ALERT_MAX, top[MEMOWNER_A_ALERT], NULL))
		return -EINVAL;
	al->rule = mo_u32(tb[MEMOWNER_A_ALERT_RULE]);
	al->owner_kind = mo_u32(tb[MEMOWNER_A_ALERT_OWNER_KIND]);
	al->owner_id = mo_u64(tb[MEMOWNER_A_ALERT_OWNER_ID]);
	mo_str(tb[MEMOWNER_A_ALERT_OWNER_NAME], al->owner_name,
	       sizeof(al->owner_name));
	al->stack = mo_u32(tb[MEMOWNER_A_ALERT_STACK]);
	al->metric = mo_u32(tb[MEMOWNER_A_ALERT_METRIC]);
	al->value = mo_u64(tb[MEMOWNER_A_ALERT_VALUE]);
	al->threshold = mo_u64(tb[MEMOWNER_A_ALERT_THRESHOLD]);
	al->ts_ns = mo_u64(tb[MEMOWNER_A_ALERT_TS_NS]);
	if (mo_parse_frames(tb[MEMOWNER_A_ALERT_FRAMES], &al->frames))
		return -ENOMEM;
	return 1;
}

void mo_alert_free(struct mo_alert *a)
{
	mo_frames_free(&a->frames);
}

int mo_parse_event(struct nl_msg *msg, struct mo_event *e)
{
	struct nlattr *top[MEMOWNER_A_MAX + 1];
	struct nlattr *tb[MEMOWNER_A_EVENT_MAX + 1];
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *a;
	unsigned int n = 0;
	int rem;

	memset(e, 0, sizeof(*e));
	if (gh->cmd != MEMOWNER_CMD_EVENT_NTF)
		return 0;
	if (mo_genl_parse(msg, top) || !top[MEMOWNER_A_EVENT] ||
	    nla_parse_nested(tb, MEMOWNER_A_EVENT_MAX, top[MEMOWNER_A_EVENT], NULL))
		return -EINVAL;
	e->type = mo_u32(tb[MEMOWNER_A_EVENT_TYPE]);
	e->pid = mo_u32(tb[MEMOWNER_A_EVENT_PID]);
	e->tgid = mo_u32(tb[MEMOWNER_A_EVENT_TGID]);
	mo_str(tb[MEMOWNER_A_EVENT_COMM], e->comm, sizeof(e->comm));
	e->rss_kb = mo_u64(tb[MEMOWNER_A_EVENT_RSS_KB]);
	e->latency_ns = mo_u64(tb[MEMOWNER_A_EVENT_LATENCY_NS]);
	e->order = mo_u32(tb[MEMOWNER_A_EVENT_ORDER]);
	e->gfp = mo_u32(tb[MEMOWNER_A_EVENT_GFP]);
	e->stack = mo_u32(tb[MEMOWNER_A_EVENT_STACK]);
	e->rate = mo_u64(tb[MEMOWNER_A_EVENT_RATE]);
	e->ts_ns = mo_u64(tb[MEMOWNER_A_EVENT_TS_NS]);
	if (mo_parse_frames(tb[MEMOWNER_A_EVENT_FRAMES], &e->frames))
		return -ENOMEM;
	if (tb[MEMOWNER_A_EVENT_TOP]) {
		nla_for_each_nested(a, tb[MEMOWNER_A_EVENT_TOP], rem)
			n++;
		e->top = calloc(n + 1, sizeof(*e->top));
		if (!e->top) {
			mo_event_free(e);
			return -ENOMEM;
		}
		nla_for_each_nested(a, tb[MEMOWNER_A_EVENT_TOP], rem) {
			if (nla_type(a) != MEMOWNER_A_STACK)
				continue;
			if (mo_parse_stack_nest(a, &e->top[e->nr_top])) {
				mo_event_free(e);
				return -EINVAL;
			}
			e->nr_top++;
		}
	}
	return 1;
}

void mo_event_free(struct mo_event *e)
{
	unsigned int i;

	mo_frames_free(&e->frames);
	for (i = 0; i < e->nr_top; i++)
		mo_frames_free(&e->top[i].frames);
	free(e->top);
	e->top = NULL;
	e->nr_top = 0;
}
