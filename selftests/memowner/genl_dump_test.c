// SPDX-License-Identifier: GPL-2.0
/*
 * The commands of the "memowner" generic-netlink family beyond GET_INFO:
 * GET_STACKS, GET_STACK, GET_PAGES, GET_CACHES, GET_LEAKS and SET_CONFIG.
 * Each answer is checked against what memowner_test.ko allocated; a dump
 * of 10,000 stacks must resume across many messages and agree with the
 * SNAPSHOT ioctl; each validation failure is checked on its own (errno and
 * an extended-ack message); who may do what; and no raw kernel address
 * reaches a reader without CAP_SYSLOG.
 *
 * memowner.ko is reloaded with the parameters each test needs, so the
 * module files must be given: $MEMOWNER_KO and $MEMOWNER_TEST_KO.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

#define SRC(s)		(1U << MEMOWNER_SRC_##s)
#define KPTR_RESTRICT	"/proc/sys/kernel/kptr_restrict"

/* ---- replies ------------------------------------------------------------ */

struct stk {
	__u32 id, source;
	__u64 live_bytes, live_pages, live_objects;
	__u64 allocs, frees, bytes_allocated;
	unsigned int nframes, naddrs;
	char first[256];	/* the first frame */
	char text[8192];	/* every frame, one per line */
	__u64 addrs[64];
};

static __u64 get_u64(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

static __u32 get_u32(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static int parse_stack(struct nlattr *nest, struct stk *s)
{
	struct nlattr *tb[MEMOWNER_A_STACK_MAX + 1], *f;
	size_t len = 0;
	int rem;

	s->nframes = s->naddrs = 0;
	s->text[0] = s->first[0] = '\0';
	if (nla_parse_nested(tb, MEMOWNER_A_STACK_MAX, nest, NULL) ||
	    !tb[MEMOWNER_A_STACK_ID] || !tb[MEMOWNER_A_STACK_FRAMES])
		return -1;
	s->id = get_u32(tb[MEMOWNER_A_STACK_ID]);
	s->source = get_u32(tb[MEMOWNER_A_STACK_SOURCE]);
	s->live_bytes = get_u64(tb[MEMOWNER_A_STACK_LIVE_BYTES]);
	s->live_pages = get_u64(tb[MEMOWNER_A_STACK_LIVE_PAGES]);
	s->live_objects = get_u64(tb[MEMOWNER_A_STACK_LIVE_OBJECTS]);
	s->allocs = get_u64(tb[MEMOWNER_A_STACK_ALLOCS]);
	s->frees = get_u64(tb[MEMOWNER_A_STACK_FREES]);
	s->bytes_allocated = get_u64(tb[MEMOWNER_A_STACK_BYTES_ALLOCATED]);
	nla_for_each_nested(f, tb[MEMOWNER_A_STACK_FRAMES], rem) {
		if (nla_type(f) != MEMOWNER_A_STACK_FRAME)
			return -1;
		if (!s->nframes++)
			snprintf(s->first, sizeof(s->first), "%s",
				 nla_get_string(f));
		len += snprintf(s->text + len, sizeof(s->text) - len, "%s\n",
				nla_get_string(f));
		if (len >= sizeof(s->text))
			len = sizeof(s->text) - 1;
	}
	if (tb[MEMOWNER_A_STACK_ADDRS]) {
		s->naddrs = nla_len(tb[MEMOWNER_A_STACK_ADDRS]) / sizeof(__u64);
		if (s->naddrs > 64)
			return -1;
		memcpy(s->addrs, nla_data(tb[MEMOWNER_A_STACK_ADDRS]),
		       s->naddrs * sizeof(__u64));
	}
	return 0;
}

/* Does frame text @text hold a frame of function @fn? */
static bool has_fn(const char *text, const char *fn)
{
	char pat[128];
	const char *p;

	snprintf(pat, sizeof(pat), "%s+0x", fn);
	for (p = strstr(text, pat); p; p = strstr(p + 1, pat))
		if (p == text || p[-1] == '\n')
			return true;
	return false;
}

/* "ffff" and 12 more hex digits anywhere in @len bytes. */
static bool text_has_pointer(const char *p, int len)
{
	int i, j;

	for (i = 0; i + 16 <= len; i++) {
		if (strncasecmp(p + i, "ffff", 4))
			continue;
		for (j = 4; j < 16 && isxdigit((unsigned char)p[i + j]); j++)
			;
		if (j == 16)
			return true;
	}
	return false;
}

/* A dump (or a do) and what its messages held. */
struct dumpctl {
	int objtype;			/* MEMOWNER_A_STACK, ... */
	int (*obj)(struct nlattr *nest, void *arg);
	void *arg;
	void (*on_msg)(struct dumpctl *d);
	int msgs, intr, objs, no_gen, bad;
	__u32 first_gen, last_gen;
	int gen_changes;
	int pointers;			/* values that look like kernel pointers */
	int addrs;			/* MEMOWNER_A_STACK_ADDRS attributes */
};

/* Look at every leaf attribute for kernel pointers, descending nests. */
static void scan(struct dumpctl *d, struct nlattr *head, int len, int parent)
{
	struct nlattr *a;
	__u64 v;
	int rem, i;

	nla_for_each_attr(a, head, len, rem) {
		if (a->nla_type & NLA_F_NESTED) {
			scan(d, nla_data(a), nla_len(a), nla_type(a));
			continue;
		}
		if (parent == MEMOWNER_A_STACK &&
		    nla_type(a) == MEMOWNER_A_STACK_ADDRS) {
			d->addrs++;
			continue;
		}
		if (text_has_pointer(nla_data(a), nla_len(a)))
			d->pointers++;
		for (i = 0; i + 8 <= nla_len(a); i += 8) {
			memcpy(&v, (char *)nla_data(a) + i, 8);
			if ((v >> 48) == 0xffff)
				d->pointers++;
		}
	}
}

static int dump_msg_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh = nlmsg_data(nlh);
	struct dumpctl *d = arg;
	struct nlattr *a;
	bool gen = false;
	int rem;

	d->msgs++;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		d->intr++;
	scan(d, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0), 0);
	nla_for_each_attr(a, genlmsg_attrdata(gh, 0), genlmsg_attrlen(gh, 0),
			  rem) {
		if (nla_type(a) == MEMOWNER_A_GENERATION) {
			__u32 g = nla_get_u32(a);

			if (gen || nla_len(a) != 4)
				d->bad++;
			gen = true;
			if (d->msgs == 1)
				d->first_gen = g;
			else if (g != d->last_gen)
				d->gen_changes++;
			d->last_gen = g;
		} else if (nla_type(a) == d->objtype) {
			d->objs++;
			if (d->obj && d->obj(a, d->arg))
				d->bad++;
		} else {
			d->bad++;
		}
	}
	if (!gen && (nlh->nlmsg_flags & NLM_F_MULTI))
		d->no_gen++;
	if (d->on_msg)
		d->on_msg(d);
	return NL_OK;
}

static bool is_dump(int cmd)
{
	return cmd == MEMOWNER_CMD_GET_STACKS || cmd == MEMOWNER_CMD_GET_PAGES ||
	       cmd == MEMOWNER_CMD_GET_CACHES || cmd == MEMOWNER_CMD_GET_LEAKS;
}

static struct nl_msg *request(struct mo_genl *g, int cmd)
{
	return mo_genl_msg(g, cmd, is_dump(cmd) ? NLM_F_DUMP : 0);
}

/* Send @msg and collect into @d; 0 or the kernel's -errno. */
static int run(struct mo_genl *g, struct nl_msg *msg, struct dumpctl *d,
	       char *extack, size_t len)
{
	return mo_genl_transact(g, msg, dump_msg_cb, d, extack, len);
}

/* ---- what a test collects ------------------------------------------------ */

/* Stacks whose frames hold @fn, summed. */
struct fnsum {
	const char *fn;
	int stacks, live_stacks;
	__u64 live_bytes, live_pages, live_objects, allocs, frees, bytes_allocated;
	__u32 id, source;
	unsigned int nframes, naddrs;
	char text[8192];
	__u64 addr0;
	/* first frames in module [memowner_test] */
	int module_rows;
};

static int fnsum_cb(struct nlattr *nest, void *arg)
{
	struct fnsum *f = arg;
	static struct stk s;

	if (parse_stack(nest, &s))
		return -1;
	if (strstr(s.first, "[memowner_test]"))
		f->module_rows++;
	if (!has_fn(s.text, f->fn))
		return 0;
	f->stacks++;
	if (s.live_objects)
		f->live_stacks++;
	f->live_bytes += s.live_bytes;
	f->live_pages += s.live_pages;
	f->live_objects += s.live_objects;
	f->allocs += s.allocs;
	f->frees += s.frees;
	f->bytes_allocated += s.bytes_allocated;
	f->id = s.id;
	f->source = s.source;
	f->nframes = s.nframes;
	f->naddrs = s.naddrs;
	f->addr0 = s.naddrs ? s.addrs[0] : 0;
	snprintf(f->text, sizeof(f->text), "%s", s.text);
	return 0;
}

/* GET_STACKS, optionally filtered (sources 0 / min_bytes ~0: absent). */
static int get_stacks(struct mo_genl *g, __u32 sources, __u64 min_bytes,
		      struct fnsum *f, struct dumpctl *d)
{
	struct nl_msg *msg = request(g, MEMOWNER_CMD_GET_STACKS);
	char extack[256];
	int ret;

	memset(d, 0, sizeof(*d));
	d->objtype = MEMOWNER_A_STACK;
	d->obj = fnsum_cb;
	d->arg = f;
	if (!msg)
		return -ENOMEM;
	if (sources)
		nla_put_u32(msg, MEMOWNER_A_FILTER_SOURCES, sources);
	if (min_bytes != ~0ULL)
		nla_put_u64(msg, MEMOWNER_A_FILTER_MIN_BYTES, min_bytes);
	ret = run(g, msg, d, extack, sizeof(extack));
	if (ret)
		fprintf(stderr, "# GET_STACKS: %d %s\n", ret, extack);
	return ret;
}

static int one_stack_cb(struct nlattr *nest, void *arg)
{
	return parse_stack(nest, arg);
}

/* GET_STACK of @handle into @s. */
static int get_stack(struct mo_genl *g, __u32 handle, struct stk *s,
		     struct dumpctl *d, char *extack, size_t len)
{
	struct nl_msg *msg = request(g, MEMOWNER_CMD_GET_STACK);

	memset(d, 0, sizeof(*d));
	d->objtype = MEMOWNER_A_STACK;
	d->obj = one_stack_cb;
	d->arg = s;
	if (!msg)
		return -ENOMEM;
	nla_put_u32(msg, MEMOWNER_A_STACK_HANDLE, handle);
	return run(g, msg, d, extack, len);
}

static void my_comm(char *comm, size_t len)
{
	char *buf = read_file("/proc/self/comm");

	snprintf(comm, len, "%s", buf ? buf : "");
	comm[strcspn(comm, "\n")] = '\0';
	free(buf);
}

static int set_config(struct mo_genl *g, int attr, __u64 value, int len,
		      char *extack, size_t elen)
{
	struct nl_msg *msg = request(g, MEMOWNER_CMD_SET_CONFIG);
	struct nlattr *nest;

	if (!msg)
		return -ENOMEM;
	nest = nla_nest_start(msg, MEMOWNER_A_CONFIG | NLA_F_NESTED);
	if (len == 1)
		nla_put_u8(msg, attr, value);
	else if (len == 4)
		nla_put_u32(msg, attr, value);
	else
		nla_put_u64(msg, attr, value);
	nla_nest_end(msg, nest);
	return mo_genl_transact(g, msg, NULL, NULL, extack, elen);
}

static void get_dev_info(struct memowner_info *i)
{
	int fd = mo_dev_open();

	memset(i, 0xff, sizeof(*i));
	if (fd < 0)
		return;
	mo_dev_get_info(fd, i);
	close(fd);
}

/* ---- fixture --------------------------------------------------------------- */

FIXTURE(nl) {
	struct mo_genl g;
	char extack[256];
};

FIXTURE_SETUP(nl)
{
	if (!have_modules())
		return;		/* each test skips */
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	ASSERT_EQ(0, mo_genl_open(&self->g));
}

FIXTURE_TEARDOWN(nl)
{
	if (!have_modules())
		return;
	tm("reset");
	mo_genl_close(&self->g);
}

#define REQUIRE() do {							\
	if (!have_modules())						\
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules"); \
} while (0)

/* ---- GET_STACKS, GET_STACK ------------------------------------------------ */

TEST_F(nl, stacks)
{
	struct fnsum f = { .fn = "memowner_test_kmalloc" };
	struct dumpctl d;
	struct held h;

	REQUIRE();
	ASSERT_EQ(0, tm("alloc kmalloc 1000 100"));
	ASSERT_EQ(0, tm_held("kmalloc", &h));
	/* Slab only: the slab's own pages have the function in their stacks. */
	ASSERT_EQ(0, get_stacks(&self->g, SRC(SLAB), ~0ULL, &f, &d));
	EXPECT_EQ(0, d.bad);
	EXPECT_EQ(0, d.no_gen);
	EXPECT_EQ(0, d.pointers);
	ASSERT_EQ(1, f.stacks);
	EXPECT_EQ(MEMOWNER_SRC_SLAB, f.source);
	EXPECT_EQ(1000, f.live_objects);
	EXPECT_EQ(h.bytes_alloc, f.live_bytes);
	EXPECT_EQ(0, f.live_pages);
	EXPECT_EQ(1000, f.allocs);
	EXPECT_EQ(0, f.frees);
	EXPECT_EQ(h.bytes_alloc, f.bytes_allocated);
	EXPECT_LT(2, f.nframes);
	TH_LOG("%d messages, %d objects, %d flagged DUMP_INTR", d.msgs, d.objs,
	       d.intr);

	/* Filters: by source, by live bytes. */
	memset(&f, 0, sizeof(f));
	f.fn = "memowner_test_kmalloc";
	ASSERT_EQ(0, get_stacks(&self->g, SRC(PERCPU) | SRC(VMALLOC), ~0ULL, &f, &d));
	EXPECT_EQ(0, f.stacks);
	ASSERT_EQ(0, get_stacks(&self->g, SRC(PAGE), ~0ULL, &f, &d));
	if (f.stacks)		/* the slab's own pages, if it needed new ones */
		EXPECT_EQ(MEMOWNER_SRC_PAGE, f.source);
	memset(&f, 0, sizeof(f));
	f.fn = "memowner_test_kmalloc";
	ASSERT_EQ(0, get_stacks(&self->g, SRC(SLAB), h.bytes_alloc, &f, &d));
	EXPECT_EQ(1, f.stacks);
	memset(&f, 0, sizeof(f));
	f.fn = "memowner_test_kmalloc";
	ASSERT_EQ(0, get_stacks(&self->g, SRC(SLAB), h.bytes_alloc + 1, &f, &d));
	EXPECT_EQ(0, f.stacks);

	/* After the free: no live objects, the totals stay. */
	ASSERT_EQ(0, tm("free kmalloc"));
	memset(&f, 0, sizeof(f));
	f.fn = "memowner_test_kmalloc";
	ASSERT_EQ(0, get_stacks(&self->g, SRC(SLAB), ~0ULL, &f, &d));
	ASSERT_EQ(1, f.stacks);
	EXPECT_EQ(0, f.live_objects);
	EXPECT_EQ(0, f.live_bytes);
	EXPECT_EQ(1000, f.allocs);
	EXPECT_EQ(1000, f.frees);
}

TEST_F(nl, stacks_pages)
{
	struct fnsum f = { .fn = "memowner_test_pages" };
	struct dumpctl d;

	REQUIRE();
	ASSERT_EQ(0, tm("alloc pages 10 2"));
	ASSERT_EQ(0, get_stacks(&self->g, SRC(PAGE), ~0ULL, &f, &d));
	ASSERT_EQ(1, f.stacks);
	EXPECT_EQ(MEMOWNER_SRC_PAGE, f.source);
	EXPECT_EQ(10, f.live_objects);
	EXPECT_EQ(40, f.live_pages);
	EXPECT_EQ(40 * sysconf(_SC_PAGESIZE), f.live_bytes);
}

TEST_F(nl, stack)
{
	struct fnsum f = { .fn = "memowner_test_kmalloc" };
	struct dumpctl d;
	struct stk *s = calloc(1, sizeof(*s));
	struct held h;

	REQUIRE();
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, tm("alloc kmalloc 300 64"));
	ASSERT_EQ(0, tm_held("kmalloc", &h));
	ASSERT_EQ(0, get_stacks(&self->g, SRC(SLAB), ~0ULL, &f, &d));
	ASSERT_EQ(1, f.stacks);

	ASSERT_EQ(0, get_stack(&self->g, f.id, s, &d, self->extack,
			       sizeof(self->extack))) TH_LOG("%s", self->extack);
	EXPECT_EQ(1, d.msgs);
	EXPECT_EQ(1, d.objs);
	EXPECT_EQ(0, d.bad);
	EXPECT_EQ(0, d.pointers);
	EXPECT_EQ(f.id, s->id);
	EXPECT_EQ(MEMOWNER_SRC_SLAB, s->source);
	EXPECT_EQ(300, s->live_objects);
	EXPECT_EQ(h.bytes_alloc, s->live_bytes);
	EXPECT_EQ(300, s->allocs);
	EXPECT_EQ(0, s->frees);
	EXPECT_STREQ(f.text, s->text);
	EXPECT_TRUE(has_fn(s->text, "memowner_test_kmalloc"));

	/* Unknown handles: ENOENT, with a reason. */
	EXPECT_EQ(-ENOENT, get_stack(&self->g, 0x7ffffff0, s, &d, self->extack,
				     sizeof(self->extack)));
	EXPECT_NE(0, self->extack[0]);
	TH_LOG("kernel said: %s", self->extack);
	EXPECT_EQ(-ENOENT, get_stack(&self->g, 0, s, &d, self->extack,
				     sizeof(self->extack)));
	EXPECT_NE(0, self->extack[0]);
	free(s);
}

/* ---- GET_PAGES ------------------------------------------------------------- */

struct pagecheck {
	unsigned long pfns[64];
	int nr, found, order_ok, owner_ok, ts_ok, stack_ok, before_load;
	__u32 stack, before_stack;
	pid_t pid;
	char comm[32];
	__u64 last_pfn;
	int unordered;
};

static int page_cb(struct nlattr *nest, void *arg)
{
	struct nlattr *tb[MEMOWNER_A_PAGE_MAX + 1];
	struct pagecheck *p = arg;
	__u64 pfn;
	int i;

	if (nla_parse_nested(tb, MEMOWNER_A_PAGE_MAX, nest, NULL))
		return -1;
	for (i = MEMOWNER_A_PAGE_PFN; i <= MEMOWNER_A_PAGE_STACK; i++)
		if (!tb[i])
			return -1;
	pfn = nla_get_u64(tb[MEMOWNER_A_PAGE_PFN]);
	if (p->last_pfn && pfn <= p->last_pfn)
		p->unordered++;
	p->last_pfn = pfn;
	if (!nla_get_u32(tb[MEMOWNER_A_PAGE_PID]) &&
	    !nla_get_u32(tb[MEMOWNER_A_PAGE_ORDER]) &&
	    !nla_get_u64(tb[MEMOWNER_A_PAGE_TS_NS]) &&
	    !strcmp(nla_get_string(tb[MEMOWNER_A_PAGE_COMM]), "")) {
		p->before_load++;
		p->before_stack = nla_get_u32(tb[MEMOWNER_A_PAGE_STACK]);
	}
	for (i = 0; i < p->nr; i++) {
		if (p->pfns[i] != pfn)
			continue;
		p->found++;
		p->order_ok += nla_get_u32(tb[MEMOWNER_A_PAGE_ORDER]) == 2;
		p->owner_ok += nla_get_u32(tb[MEMOWNER_A_PAGE_PID]) == (__u32)p->pid &&
			       nla_get_u32(tb[MEMOWNER_A_PAGE_TGID]) == (__u32)p->pid &&
			       !strcmp(nla_get_string(tb[MEMOWNER_A_PAGE_COMM]), p->comm);
		p->ts_ok += nla_get_u64(tb[MEMOWNER_A_PAGE_TS_NS]) > 0;
		if (!p->stack)
			p->stack = nla_get_u32(tb[MEMOWNER_A_PAGE_STACK]);
		p->stack_ok += p->stack == nla_get_u32(tb[MEMOWNER_A_PAGE_STACK]);
	}
	return 0;
}

TEST_F(nl, pages)
{
	struct pagecheck *p = calloc(1, sizeof(*p));
	struct stk *s = calloc(1, sizeof(*s));
	char *pfns, *line;
	struct dumpctl d = { .objtype = MEMOWNER_A_PAGE, .obj = page_cb };
	struct nl_msg *msg;

	REQUIRE();
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, tm("alloc pages 8 2"));
	pfns = read_file(TDBG "pfns");
	ASSERT_NE(NULL, pfns);
	for (line = strtok(pfns, "\n"); line && p->nr < 64; line = strtok(NULL, "\n"))
		p->pfns[p->nr++] = strtoul(line, NULL, 10);
	free(pfns);
	ASSERT_EQ(8, p->nr);
	p->pid = getpid();
	my_comm(p->comm, sizeof(p->comm));

	d.arg = p;
	msg = request(&self->g, MEMOWNER_CMD_GET_PAGES);
	ASSERT_EQ(0, run(&self->g, msg, &d, self->extack, sizeof(self->extack)))
		TH_LOG("%s", self->extack);
	TH_LOG("%d page blocks in %d messages", d.objs, d.msgs);
	EXPECT_EQ(0, d.bad);
	EXPECT_EQ(0, d.no_gen);
	EXPECT_EQ(0, d.pointers);
	EXPECT_EQ(0, p->unordered);
	EXPECT_LT(1, d.msgs);
	EXPECT_EQ(8, p->found);
	EXPECT_EQ(8, p->order_ok);
	EXPECT_EQ(8, p->owner_ok);
	EXPECT_EQ(8, p->ts_ok);
	EXPECT_EQ(8, p->stack_ok);
	/* Their stack holds the allocating function. */
	ASSERT_EQ(0, get_stack(&self->g, p->stack, s, &d, NULL, 0));
	EXPECT_TRUE(has_fn(s->text, "memowner_test_pages")) TH_LOG("%s", s->text);
	/* Pages from before load, under their sentinel stack. */
	EXPECT_LT(0, p->before_load);
	ASSERT_EQ(0, get_stack(&self->g, p->before_stack, s, &d, NULL, 0));
	EXPECT_TRUE(has_fn(s->text, "memowner_allocated_before_load"))
		TH_LOG("%s", s->text);
	free(s);
	free(p);
}

/* ---- GET_CACHES ------------------------------------------------------------ */

struct cachecheck {
	const char *name, *fn;
	int rows, bad_age, bad_cpus;
	__u64 count, bytes, age_min, age_avg, age_max;
	__u32 pid_min, pid_max, stack;
	unsigned long cpus;		/* CPUs 0..63 */
	int ncpus;
};

static int cache_cb(struct nlattr *nest, void *arg)
{
	struct nlattr *tb[MEMOWNER_A_CACHE_MAX + 1];
	struct cachecheck *c = arg;
	char pat[128];
	int i, len;

	if (nla_parse_nested(tb, MEMOWNER_A_CACHE_MAX, nest, NULL))
		return -1;
	for (i = MEMOWNER_A_CACHE_NAME; i <= MEMOWNER_A_CACHE_CPUS; i++)
		if (!tb[i])
			return -1;
	len = nla_len(tb[MEMOWNER_A_CACHE_CPUS]);
	if (len % 8 || len * 8 < c->ncpus)
		c->bad_cpus++;
	if (nla_get_u64(tb[MEMOWNER_A_CACHE_AGE_MIN_MS]) >
	    nla_get_u64(tb[MEMOWNER_A_CACHE_AGE_AVG_MS]) ||
	    nla_get_u64(tb[MEMOWNER_A_CACHE_AGE_AVG_MS]) >
	    nla_get_u64(tb[MEMOWNER_A_CACHE_AGE_MAX_MS]))
		c->bad_age++;
	snprintf(pat, sizeof(pat), "%s+0x", c->fn);
	if (strcmp(nla_get_string(tb[MEMOWNER_A_CACHE_NAME]), c->name) ||
	    strncmp(nla_get_string(tb[MEMOWNER_A_CACHE_CALLSITE]), pat,
		    strlen(pat)))
		return 0;
	c->rows++;
	c->count = nla_get_u64(tb[MEMOWNER_A_CACHE_COUNT]);
	c->bytes = nla_get_u64(tb[MEMOWNER_A_CACHE_BYTES]);
	c->age_min = nla_get_u64(tb[MEMOWNER_A_CACHE_AGE_MIN_MS]);
	c->age_avg = nla_get_u64(tb[MEMOWNER_A_CACHE_AGE_AVG_MS]);
	c->age_max = nla_get_u64(tb[MEMOWNER_A_CACHE_AGE_MAX_MS]);
	c->pid_min = nla_get_u32(tb[MEMOWNER_A_CACHE_PID_MIN]);
	c->pid_max = nla_get_u32(tb[MEMOWNER_A_CACHE_PID_MAX]);
	c->stack = nla_get_u32(tb[MEMOWNER_A_CACHE_STACK]);
	memcpy(&c->cpus, nla_data(tb[MEMOWNER_A_CACHE_CPUS]), 8);
	return 0;
}

static int get_caches(struct mo_genl *g, struct cachecheck *c,
		      struct dumpctl *d)
{
	memset(d, 0, sizeof(*d));
	d->objtype = MEMOWNER_A_CACHE;
	d->obj = cache_cb;
	d->arg = c;
	c->ncpus = sysconf(_SC_NPROCESSORS_CONF);
	return run(g, request(g, MEMOWNER_CMD_GET_CACHES), d, NULL, 0);
}

TEST_F(nl, caches)
{
	struct cachecheck c = {
		.name = "memowner_test_200", .fn = "memowner_test_cache_alloc",
	};
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu = ncpus > 1 ? 1 : 0;
	struct stk *s = calloc(1, sizeof(*s));
	struct timespec t0, t1;
	struct dumpctl d;
	struct held h;
	long ms;

	REQUIRE();
	ASSERT_NE(NULL, s);
	/* A fresh test module: its caches are made anew (8 sizes per load). */
	ASSERT_EQ(0, unload_module("memowner_test"));
	ASSERT_EQ(0, test_module_ensure());
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ASSERT_EQ(0, tm("alloc cache 300 200"));
	ASSERT_EQ(0, tm_held("cache", &h));
	usleep(300000);
	ASSERT_EQ(0, get_caches(&self->g, &c, &d));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	TH_LOG("%d cache rows in %d messages", d.objs, d.msgs);
	EXPECT_EQ(0, d.bad);
	EXPECT_EQ(0, d.no_gen);
	EXPECT_EQ(0, d.pointers);
	EXPECT_EQ(0, c.bad_cpus);
	EXPECT_EQ(0, c.bad_age);
	ASSERT_EQ(1, c.rows);
	EXPECT_EQ(300, c.count);
	EXPECT_EQ(h.bytes_req, c.bytes);
	EXPECT_EQ(getpid(), c.pid_min);
	EXPECT_EQ(getpid(), c.pid_max);
	/* Ages: at least the sleep, at most the whole test (jiffies: 20 ms). */
	EXPECT_LE(250, c.age_min);
	EXPECT_GE(ms + 40, c.age_max);
	EXPECT_NE(0, c.cpus);
	EXPECT_EQ(0, c.cpus >> ncpus);
	ASSERT_EQ(0, get_stack(&self->g, c.stack, s, &d, NULL, 0));
	EXPECT_TRUE(has_fn(s->text, "memowner_test_cache_alloc"));

	/* Made on one CPU by a worker: that CPU only, the worker's pid. */
	memset(&c, 0, sizeof(c));
	c.name = "memowner_test_96";
	c.fn = "memowner_test_cache_alloc";
	ASSERT_EQ(0, tm("alloc cache 40 96 cpu=%d", cpu));
	ASSERT_EQ(0, get_caches(&self->g, &c, &d));
	ASSERT_EQ(1, c.rows);
	EXPECT_EQ(40, c.count);
	EXPECT_EQ(1UL << cpu, c.cpus);
	EXPECT_NE(getpid(), c.pid_min);
	EXPECT_EQ(c.pid_min, c.pid_max);

	/* Freed: gone. */
	ASSERT_EQ(0, tm("free cache"));
	memset(&c, 0, sizeof(c));
	c.name = "memowner_test_200";
	c.fn = "memowner_test_cache_alloc";
	ASSERT_EQ(0, get_caches(&self->g, &c, &d));
	EXPECT_EQ(0, c.rows);
	free(s);
}

/* ---- GET_LEAKS ------------------------------------------------------------- */

struct leakcheck {
	__u32 stack;
	int rows, bad_source;
	__u64 count, bytes, oldest_ms;
};

static int leak_cb(struct nlattr *nest, void *arg)
{
	struct nlattr *tb[MEMOWNER_A_LEAK_MAX + 1];
	struct leakcheck *l = arg;
	int i;

	if (nla_parse_nested(tb, MEMOWNER_A_LEAK_MAX, nest, NULL))
		return -1;
	for (i = MEMOWNER_A_LEAK_STACK; i <= MEMOWNER_A_LEAK_OLDEST_MS; i++)
		if (!tb[i])
			return -1;
	if (nla_get_u32(tb[MEMOWNER_A_LEAK_STACK]) != l->stack)
		return 0;
	l->rows++;
	l->bad_source += nla_get_u32(tb[MEMOWNER_A_LEAK_SOURCE]) != MEMOWNER_SRC_SLAB;
	l->count = nla_get_u64(tb[MEMOWNER_A_LEAK_COUNT]);
	l->bytes = nla_get_u64(tb[MEMOWNER_A_LEAK_BYTES]);
	l->oldest_ms = nla_get_u64(tb[MEMOWNER_A_LEAK_OLDEST_MS]);
	return 0;
}

static int get_leaks(struct mo_genl *g, __u64 older_than_ms, __u32 sources,
		     struct leakcheck *l, struct dumpctl *d)
{
	struct nl_msg *msg = request(g, MEMOWNER_CMD_GET_LEAKS);

	memset(d, 0, sizeof(*d));
	d->objtype = MEMOWNER_A_LEAK;
	d->obj = leak_cb;
	d->arg = l;
	l->rows = 0;
	nla_put_u64(msg, MEMOWNER_A_FILTER_OLDER_THAN_MS, older_than_ms);
	if (sources)
		nla_put_u32(msg, MEMOWNER_A_FILTER_SOURCES, sources);
	return run(g, msg, d, NULL, 0);
}

TEST_F(nl, leaks)
{
	struct fnsum f = { .fn = "memowner_test_kmalloc" };
	struct leakcheck l = { 0 };
	struct dumpctl d;
	struct held h;

	REQUIRE();
	ASSERT_EQ(0, tm("alloc kmalloc 100 64"));
	ASSERT_EQ(0, tm_held("kmalloc", &h));
	ASSERT_EQ(0, get_stacks(&self->g, SRC(SLAB), ~0ULL, &f, &d));
	ASSERT_EQ(1, f.stacks);
	l.stack = f.id;

	/* Not old enough yet. */
	ASSERT_EQ(0, get_leaks(&self->g, 5000, 0, &l, &d));
	EXPECT_EQ(0, l.rows);
	usleep(1200000);
	ASSERT_EQ(0, get_leaks(&self->g, 500, 0, &l, &d));
	TH_LOG("%d leak rows in %d messages", d.objs, d.msgs);
	EXPECT_EQ(0, d.bad);
	EXPECT_EQ(0, d.no_gen);
	EXPECT_EQ(0, d.pointers);
	ASSERT_EQ(1, l.rows);
	EXPECT_EQ(0, l.bad_source);
	EXPECT_EQ(100, l.count);
	EXPECT_EQ(h.bytes_alloc, l.bytes);
	EXPECT_LE(1100, l.oldest_ms);
	EXPECT_GE(60000, l.oldest_ms);
	/* A large threshold, or another source: not a leak. */
	ASSERT_EQ(0, get_leaks(&self->g, 3600000, 0, &l, &d));
	EXPECT_EQ(0, l.rows);
	ASSERT_EQ(0, get_leaks(&self->g, 500, SRC(PAGE), &l, &d));
	EXPECT_EQ(0, l.rows);
	/* Younger objects of the same stack do not count. */
	ASSERT_EQ(0, tm("alloc kmalloc 50 64"));
	ASSERT_EQ(0, get_leaks(&self->g, 500, SRC(SLAB), &l, &d));
	ASSERT_EQ(1, l.rows);
	EXPECT_EQ(100, l.count);
	ASSERT_EQ(0, tm("free kmalloc"));
	ASSERT_EQ(0, get_leaks(&self->g, 0, 0, &l, &d));
	EXPECT_EQ(0, l.rows);
}

/* ---- SET_CONFIG ------------------------------------------------------------ */

TEST_F(nl, set_config)
{
	struct memowner_info i;
	struct dumpctl d;
	struct fnsum f = { .fn = "memowner_test_kmalloc" };
	__u32 gen;
	char *status;

	REQUIRE();
	ASSERT_EQ(0, get_stacks(&self->g, 0, ~0ULL, &f, &d));
	gen = d.first_gen;
	ASSERT_EQ(0, set_config(&self->g, MEMOWNER_A_CONFIG_MODE,
				MEMOWNER_MODE_CALLSITE, 4, self->extack,
				sizeof(self->extack))) TH_LOG("%s", self->extack);
	get_dev_info(&i);
	EXPECT_EQ(MEMOWNER_MODE_CALLSITE, i.mode);
	status = read_file(DBG "status");
	ASSERT_NE(NULL, status);
	EXPECT_NE(NULL, strstr(status, "mode: callsite\n"));
	free(status);
	/* A new epoch: a new generation. */
	ASSERT_EQ(0, get_stacks(&self->g, 0, ~0ULL, &f, &d));
	EXPECT_NE(gen, d.first_gen);

	ASSERT_EQ(0, set_config(&self->g, MEMOWNER_A_CONFIG_DEPTH, 8, 4, NULL, 0));
	ASSERT_EQ(0, set_config(&self->g, MEMOWNER_A_CONFIG_SOURCES,
				SRC(SLAB) | SRC(PAGE), 4, NULL, 0));
	ASSERT_EQ(0, set_config(&self->g, MEMOWNER_A_CONFIG_SAMPLE_BYTES,
				1ULL << 40, 8, NULL, 0));
	get_dev_info(&i);
	EXPECT_EQ(MEMOWNER_MODE_CALLSITE, i.mode);
	EXPECT_EQ(8, i.depth);
	EXPECT_EQ(SRC(SLAB) | SRC(PAGE), i.sources);
	EXPECT_EQ(1ULL << 40, i.sample_bytes);
	EXPECT_EQ(1, i.enabled);
	ASSERT_EQ(0, set_config(&self->g, MEMOWNER_A_CONFIG_ENABLED, 0, 1, NULL, 0));
	get_dev_info(&i);
	EXPECT_EQ(0, i.enabled);
	ASSERT_EQ(0, set_config(&self->g, MEMOWNER_A_CONFIG_ENABLED, 1, 1, NULL, 0));
	ASSERT_EQ(0, set_config(&self->g, MEMOWNER_A_CONFIG_MODE,
				MEMOWNER_MODE_STACK, 4, NULL, 0));
	get_dev_info(&i);
	EXPECT_EQ(1, i.enabled);
	EXPECT_EQ(MEMOWNER_MODE_STACK, i.mode);

	/* Tracking goes on in the new configuration. */
	memset(&f, 0, sizeof(f));
	f.fn = "memowner_test_kmalloc";
	ASSERT_EQ(0, tm("alloc kmalloc 10 64"));
	ASSERT_EQ(0, get_stacks(&self->g, SRC(SLAB), ~0ULL, &f, &d));
	EXPECT_EQ(10, f.live_objects);
	EXPECT_GE(8, f.nframes);
}

/* ---- 10,000 stacks ---------------------------------------------------------- */

static int snapshot_total(__u32 sources, const char *module, __u64 *total)
{
	struct memowner_snapshot s = {
		.size = sizeof(s), .group = MEMOWNER_GROUP_STACK,
		.sort = MEMOWNER_SORT_LIVE_BYTES, .sources = sources,
		.module = (unsigned long)module,
		.row_size = sizeof(struct memowner_row),
	};
	int fd = mo_dev_open(), ret;

	if (fd < 0)
		return fd;
	ret = ioctl(fd, MEMOWNER_IOC_SNAPSHOT, &s) ? -errno : 0;
	close(fd);
	*total = s.total;
	return ret;
}

TEST(ten_thousand_stacks)
{
	struct fnsum *f = calloc(1, sizeof(*f));
	__u64 total, total2;
	struct dumpctl d;
	struct mo_genl g;
	struct held h;
	int attempt;

	REQUIRE();
	ASSERT_NE(NULL, f);
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=stack max_stacks=32768"));
	ASSERT_EQ(0, mo_genl_open(&g));
	ASSERT_EQ(0, tm("paths 10000 32"));
	ASSERT_EQ(0, tm_held("paths", &h));
	ASSERT_EQ(10000, h.count);

	for (attempt = 0; attempt < 5; attempt++) {
		memset(f, 0, sizeof(*f));
		f->fn = "memowner_test_paths_leaf";
		ASSERT_EQ(0, snapshot_total(SRC(SLAB), "memowner_test", &total));
		ASSERT_EQ(0, get_stacks(&g, SRC(SLAB), ~0ULL, f, &d));
		ASSERT_EQ(0, snapshot_total(SRC(SLAB), "memowner_test", &total2));
		TH_LOG("%d stacks in %d messages (%d flagged DUMP_INTR); %d of the leaf, %d in memowner_test; SNAPSHOT: %llu",
		       d.objs, d.msgs, d.intr, f->stacks, f->module_rows,
		       (unsigned long long)total);
		if (total == total2)
			break;
	}
	EXPECT_EQ(0, d.bad);
	EXPECT_EQ(0, d.no_gen);
	EXPECT_EQ(0, d.pointers);
	EXPECT_LT(10, d.msgs);
	EXPECT_EQ(10000, f->stacks);
	EXPECT_EQ(10000, f->live_stacks);
	EXPECT_EQ(10000, f->live_objects);
	EXPECT_EQ(h.bytes_alloc, f->live_bytes);
	/* The same filter (slab, first frame in memowner_test) as SNAPSHOT. */
	EXPECT_EQ(total, f->module_rows);
	EXPECT_LE(10000, total);

	ASSERT_EQ(0, tm("free paths"));
	memset(f, 0, sizeof(*f));
	f->fn = "memowner_test_paths_leaf";
	ASSERT_EQ(0, get_stacks(&g, SRC(SLAB), ~0ULL, f, &d));
	EXPECT_EQ(10000, f->stacks);
	EXPECT_EQ(0, f->live_stacks);
	mo_genl_close(&g);
	free(f);
	ASSERT_EQ(0, memowner_reload("mode=stack"));
}

/* A change of the tables while a dump is read: NLM_F_DUMP_INTR. */
static void make_stacks_once(struct dumpctl *d)
{
	if (d->msgs == 1)
		tm("paths 16 8");
}

TEST_F(nl, dump_interrupted)
{
	struct fnsum f = { .fn = "nothing" };
	struct dumpctl d;
	struct nl_msg *msg;

	REQUIRE();
	/* Enough stacks for many messages. */
	ASSERT_EQ(0, tm("paths 512 8"));
	ASSERT_EQ(0, get_stacks(&self->g, 0, ~0ULL, &f, &d));
	ASSERT_LT(3, d.msgs);
	memset(&d, 0, sizeof(d));
	d.objtype = MEMOWNER_A_STACK;
	d.obj = fnsum_cb;
	d.arg = &f;
	d.on_msg = make_stacks_once;
	msg = request(&self->g, MEMOWNER_CMD_GET_STACKS);
	ASSERT_EQ(0, run(&self->g, msg, &d, NULL, 0));
	TH_LOG("%d messages, %d flagged, %d generation changes", d.msgs,
	       d.intr, d.gen_changes);
	EXPECT_LT(0, d.intr);
	EXPECT_LT(0, d.gen_changes);
	EXPECT_EQ(0, d.bad);
}

/* ---- requests counted -------------------------------------------------------- */

static int requests_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MEMOWNER_A_MAX + 1];

	if (!mo_genl_parse(msg, tb) && tb[MEMOWNER_A_INFO_NR_REQUESTS])
		*(__u64 *)arg = nla_get_u64(tb[MEMOWNER_A_INFO_NR_REQUESTS]);
	return NL_OK;
}

static __u64 nr_requests(struct mo_genl *g)
{
	__u64 n = 0;

	mo_genl_transact(g, request(g, MEMOWNER_CMD_GET_INFO), requests_cb, &n,
			 NULL, 0);
	return n;
}

TEST_F(nl, requests_counted)
{
	struct fnsum f = { .fn = "nothing" };
	struct stk *s = calloc(1, sizeof(*s));
	struct dumpctl d;
	__u64 before;

	REQUIRE();
	ASSERT_NE(NULL, s);
	before = nr_requests(&self->g);
	ASSERT_EQ(0, get_stacks(&self->g, 0, ~0ULL, &f, &d));
	ASSERT_EQ(0, get_stack(&self->g, f.id ? f.id : 1, s, &d, NULL, 0));
	/* A refused request is not served. */
	EXPECT_EQ(-ENOENT, get_stack(&self->g, 0x7ffffff0, s, &d, NULL, 0));
	EXPECT_EQ(before + 3, nr_requests(&self->g));
	free(s);
}

/* ---- validation ------------------------------------------------------------- */

/* Send @msg, expect -@err with a message from the kernel. */
#define EXPECT_REFUSED(_err, _msg) do {					\
	char __ea[256] = "";						\
	struct nl_msg *__m = (_msg);					\
									\
	ASSERT_NE(NULL, __m);						\
	EXPECT_EQ(-(_err), mo_genl_transact(&self->g, __m, NULL, NULL,	\
					    __ea, sizeof(__ea)));	\
	EXPECT_NE(0, __ea[0]);						\
	TH_LOG("kernel said: %s", __ea);				\
} while (0)

static struct nl_msg *with_u32(struct mo_genl *g, int cmd, int attr, __u32 v)
{
	struct nl_msg *msg = request(g, cmd);

	if (msg && nla_put_u32(msg, attr, v)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static struct nl_msg *with_u64(struct mo_genl *g, int cmd, int attr, __u64 v)
{
	struct nl_msg *msg = request(g, cmd);

	if (msg && nla_put_u64(msg, attr, v)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * SET_CONFIG with one attribute of @len bytes in the config nest; the nest
 * without NLA_F_NESTED unless @nest_flag (libnl sets it by itself).
 */
static struct nl_msg *config_msg(struct mo_genl *g, int attr, __u64 v, int len,
				 int nest_flag)
{
	struct nl_msg *msg = request(g, MEMOWNER_CMD_SET_CONFIG);
	struct nlattr *nest;

	if (!msg)
		return NULL;
	nest = nla_nest_start(msg, MEMOWNER_A_CONFIG);
	nest->nla_type = MEMOWNER_A_CONFIG | nest_flag;
	if (len)
		nla_put(msg, attr, len, &v);	/* little-endian host */
	nla_nest_end(msg, nest);
	return msg;
}

TEST_F(nl, rejects_unknown_attribute)
{
	REQUIRE();
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_STACKS,
					MEMOWNER_A_MAX + 1, 1));
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_SET_CONFIG,
					MEMOWNER_A_MAX + 5, 1));
	EXPECT_REFUSED(EINVAL, config_msg(&self->g, MEMOWNER_A_CONFIG_MAX + 1,
					  1, 4, NLA_F_NESTED));
}

/* An attribute of the family, but not one this command takes. */
TEST_F(nl, rejects_attribute_of_another_command)
{
	REQUIRE();
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_PAGES,
					MEMOWNER_A_FILTER_SOURCES, 1));
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_CACHES,
					MEMOWNER_A_STACK_HANDLE, 1));
	EXPECT_REFUSED(EINVAL, with_u64(&self->g, MEMOWNER_CMD_GET_STACKS,
					MEMOWNER_A_FILTER_OLDER_THAN_MS, 1));
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_INFO,
					MEMOWNER_A_STACK_HANDLE, 1));
}

TEST_F(nl, rejects_wrong_length)
{
	REQUIRE();
	/* u32 handle sent as u64; u64 filter as u32; u8 enabled as u32. */
	EXPECT_REFUSED(EINVAL, with_u64(&self->g, MEMOWNER_CMD_GET_STACK,
					MEMOWNER_A_STACK_HANDLE, 1));
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_STACKS,
					MEMOWNER_A_FILTER_MIN_BYTES, 1));
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_LEAKS,
					MEMOWNER_A_FILTER_OLDER_THAN_MS, 1));
	EXPECT_REFUSED(EINVAL, config_msg(&self->g, MEMOWNER_A_CONFIG_ENABLED,
					  1, 4, NLA_F_NESTED));
	EXPECT_REFUSED(EINVAL, config_msg(&self->g, MEMOWNER_A_CONFIG_DEPTH,
					  8, 8, NLA_F_NESTED));
	/* A nest without NLA_F_NESTED, a scalar with it. */
	EXPECT_REFUSED(EINVAL, config_msg(&self->g, MEMOWNER_A_CONFIG_DEPTH,
					  8, 4, 0));
	EXPECT_REFUSED(EINVAL, config_msg(&self->g, MEMOWNER_A_CONFIG_DEPTH |
					  NLA_F_NESTED, 8, 4, NLA_F_NESTED));
}

/* Out of a range: ERANGE, as the kernel's policies answer. */
TEST_F(nl, rejects_out_of_range_config)
{
	struct memowner_info before, after;

	REQUIRE();
	get_dev_info(&before);
	EXPECT_REFUSED(ERANGE, config_msg(&self->g, MEMOWNER_A_CONFIG_DEPTH,
					  0, 4, NLA_F_NESTED));
	EXPECT_REFUSED(ERANGE, config_msg(&self->g, MEMOWNER_A_CONFIG_DEPTH,
					  65, 4, NLA_F_NESTED));
	EXPECT_REFUSED(ERANGE, config_msg(&self->g, MEMOWNER_A_CONFIG_MODE,
					  MEMOWNER_MODE_MAX + 1, 4, NLA_F_NESTED));
	EXPECT_REFUSED(ERANGE, config_msg(&self->g, MEMOWNER_A_CONFIG_SAMPLE_BYTES,
					  0, 8, NLA_F_NESTED));
	EXPECT_REFUSED(ERANGE, config_msg(&self->g, MEMOWNER_A_CONFIG_SAMPLE_BYTES,
					  (1ULL << 40) + 1, 8, NLA_F_NESTED));
	EXPECT_REFUSED(ERANGE, config_msg(&self->g, MEMOWNER_A_CONFIG_ENABLED,
					  2, 1, NLA_F_NESTED));
	get_dev_info(&after);
	EXPECT_EQ(0, memcmp(&before.sources, &after.sources,
			    offsetof(struct memowner_info, live_objects) -
			    offsetof(struct memowner_info, sources)));
}

TEST_F(nl, rejects_unknown_source_bit)
{
	REQUIRE();
	EXPECT_REFUSED(EINVAL, config_msg(&self->g, MEMOWNER_A_CONFIG_SOURCES,
					  1U << MEMOWNER_SRC_MAX << 1, 4,
					  NLA_F_NESTED));
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_STACKS,
					MEMOWNER_A_FILTER_SOURCES,
					__MEMOWNER_SRC_F_ALL + 1));
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_LEAKS,
					MEMOWNER_A_FILTER_SOURCES, 1U << 31));
}

TEST_F(nl, rejects_missing_attribute)
{
	struct nl_msg *msg;
	struct nlattr *nest;

	REQUIRE();
	/* GET_LEAKS needs its age; GET_STACK its handle; SET_CONFIG a nest. */
	EXPECT_REFUSED(EINVAL, request(&self->g, MEMOWNER_CMD_GET_LEAKS));
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_LEAKS,
					MEMOWNER_A_FILTER_SOURCES, 1));
	EXPECT_REFUSED(EINVAL, request(&self->g, MEMOWNER_CMD_GET_STACK));
	EXPECT_REFUSED(EINVAL, request(&self->g, MEMOWNER_CMD_SET_CONFIG));
	/* An empty config nest names no setting. */
	msg = request(&self->g, MEMOWNER_CMD_SET_CONFIG);
	ASSERT_NE(NULL, msg);
	nest = nla_nest_start(msg, MEMOWNER_A_CONFIG | NLA_F_NESTED);
	nla_nest_end(msg, nest);
	EXPECT_REFUSED(EINVAL, msg);
}

TEST_F(nl, rejects_reply_attribute)
{
	char ea[256];
	int ret;

	REQUIRE();
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_STACKS,
					MEMOWNER_A_GENERATION, 1));
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_PAGES,
					MEMOWNER_A_INFO_ABI_VERSION, 1));
	EXPECT_REFUSED(EINVAL, with_u32(&self->g, MEMOWNER_CMD_GET_STACK,
					MEMOWNER_A_STACK, 1));
	EXPECT_REFUSED(EINVAL, config_msg(&self->g, MEMOWNER_A_CONFIG_PAD, 0, 8,
					  NLA_F_NESTED));
	/* The reason names it. */
	ret = mo_genl_transact(&self->g, with_u32(&self->g,
				MEMOWNER_CMD_GET_CACHES, MEMOWNER_A_LEAK, 1),
			       NULL, NULL, ea, sizeof(ea));
	EXPECT_EQ(-EINVAL, ret);
	EXPECT_NE(NULL, strstr(ea, "reply attribute")) TH_LOG("%s", ea);
}

/* Dumps are dumps, and only dumps. */
TEST_F(nl, dump_commands_need_dump)
{
	REQUIRE();
	EXPECT_EQ(-EOPNOTSUPP, mo_genl_transact(&self->g,
			mo_genl_msg(&self->g, MEMOWNER_CMD_GET_STACKS, 0),
			NULL, NULL, NULL, 0));
	EXPECT_EQ(-EOPNOTSUPP, mo_genl_transact(&self->g,
			mo_genl_msg(&self->g, MEMOWNER_CMD_SET_CONFIG, NLM_F_DUMP),
			NULL, NULL, NULL, 0));
}

/* ---- privileges ------------------------------------------------------------- */

static __u32 known_stack;	/* a valid handle, found before forking */

/* Run @cmd with a valid request; 0 or -errno, the kernel's words in @ea. */
static int try_cmd(struct mo_genl *g, int cmd, struct dumpctl *d, char *ea,
		   size_t len)
{
	struct nl_msg *msg = request(g, cmd);
	struct nlattr *nest;

	memset(d, 0, sizeof(*d));
	d->objtype = -1;
	if (!msg)
		return -ENOMEM;
	switch (cmd) {
	case MEMOWNER_CMD_GET_STACK:
		nla_put_u32(msg, MEMOWNER_A_STACK_HANDLE, known_stack);
		break;
	case MEMOWNER_CMD_GET_LEAKS:
		nla_put_u64(msg, MEMOWNER_A_FILTER_OLDER_THAN_MS, 0);
		break;
	case MEMOWNER_CMD_SET_CONFIG:
		nest = nla_nest_start(msg, MEMOWNER_A_CONFIG | NLA_F_NESTED);
		nla_put_u32(msg, MEMOWNER_A_CONFIG_MODE, MEMOWNER_MODE_STACK);
		nla_nest_end(msg, nest);
		break;
	}
	return mo_genl_transact(g, msg, dump_msg_cb, d, ea, len);
}

static const int all_cmds[] = {
	MEMOWNER_CMD_GET_INFO, MEMOWNER_CMD_GET_STACKS, MEMOWNER_CMD_GET_STACK,
	MEMOWNER_CMD_GET_PAGES, MEMOWNER_CMD_GET_CACHES, MEMOWNER_CMD_GET_LEAKS,
	MEMOWNER_CMD_SET_CONFIG,
};

/* Every command refused with EPERM and a message naming a capability. */
static int all_denied(void)
{
	struct dumpctl d;
	struct mo_genl g;
	char ea[256];
	unsigned int i;

	if (mo_genl_open(&g))
		return 20;
	for (i = 0; i < sizeof(all_cmds) / sizeof(all_cmds[0]); i++) {
		if (try_cmd(&g, all_cmds[i], &d, ea, sizeof(ea)) != -EPERM) {
			fprintf(stderr, "# command %d not refused\n", all_cmds[i]);
			return 30 + i;
		}
		if (!strstr(ea, "CAP_")) {
			fprintf(stderr, "# command %d: '%s'\n", all_cmds[i], ea);
			return 40 + i;
		}
		if (d.objs)
			return 50 + i;
	}
	mo_genl_close(&g);
	return 0;
}

static int denied_as_nobody(void)
{
	return mo_become_nobody() ? 10 : all_denied();
}

static int denied_without_caps(void)
{
	return mo_keep_caps(MO_CAP(CAP_SYSLOG) | MO_CAP(CAP_NET_ADMIN)) ?
	       10 : all_denied();
}

/* CAP_PERFMON: every read, with symbols only; SET_CONFIG refused. */
static int perfmon_reads(void)
{
	struct dumpctl d;
	struct mo_genl g;
	char ea[256];
	unsigned int i;
	int ret;

	if (mo_keep_caps(MO_CAP(CAP_PERFMON)))
		return 10;
	if (mo_genl_open(&g))
		return 11;
	for (i = 0; i < sizeof(all_cmds) / sizeof(all_cmds[0]); i++) {
		ret = try_cmd(&g, all_cmds[i], &d, ea, sizeof(ea));
		if (all_cmds[i] == MEMOWNER_CMD_SET_CONFIG) {
			if (ret != -EPERM || !strstr(ea, "CAP_SYS_ADMIN"))
				return 20;
			continue;
		}
		if (ret) {
			fprintf(stderr, "# command %d: %d %s\n", all_cmds[i], ret, ea);
			return 30 + i;
		}
		if (!d.msgs)
			return 40 + i;
		if (d.addrs || d.pointers) {
			fprintf(stderr, "# command %d: %d addrs, %d pointers\n",
				all_cmds[i], d.addrs, d.pointers);
			return 50 + i;
		}
	}
	mo_genl_close(&g);
	return 0;
}

/* CAP_PERFMON and CAP_SYSLOG: raw addresses too, one per frame. */
static struct stk syslog_stack;

static int syslog_reads_addresses(void)
{
	struct dumpctl d;
	struct mo_genl g;
	struct fnsum *f = calloc(1, sizeof(*f));

	if (!f || mo_keep_caps(MO_CAP(CAP_PERFMON) | MO_CAP(CAP_SYSLOG)))
		return 10;
	if (mo_genl_open(&g))
		return 11;
	if (get_stack(&g, known_stack, &syslog_stack, &d, NULL, 0))
		return 12;
	if (!syslog_stack.naddrs ||
	    syslog_stack.naddrs != syslog_stack.nframes)
		return 13;
	if (syslog_stack.addrs[0] >> 48 != 0xffff)
		return 14;
	f->fn = "memowner_test_kmalloc";
	if (get_stacks(&g, SRC(SLAB), ~0ULL, f, &d) || f->stacks != 1)
		return 15;
	if (f->naddrs != f->nframes || f->addr0 != syslog_stack.addrs[0])
		return 16;
	if (!d.addrs || d.addrs != d.objs)
		return 17;
	return 0;
}

/* Join the "alerts" group: 0 or a libnl error. */
static int join_alerts(void)
{
	struct mo_genl g;
	int grp, ret;

	if (mo_genl_open(&g))
		return -1;
	grp = genl_ctrl_resolve_grp(g.sk, MEMOWNER_GENL_NAME,
				    MEMOWNER_MCGRP_ALERTS);
	ret = grp < 0 ? grp : nl_socket_add_membership(g.sk, grp);
	mo_genl_close(&g);
	return ret;
}

static int join_as_nobody(void)
{
	return mo_become_nobody() ? 10 : join_alerts() ? 0 : 11;
}

static int join_with_perfmon(void)
{
	return mo_keep_caps(MO_CAP(CAP_PERFMON)) ? 10 : join_alerts() ? 0 : 11;
}

/* Notifications are for CAP_SYS_ADMIN only. */
TEST(multicast_needs_sys_admin)
{
	EXPECT_EQ(0, join_alerts());
	EXPECT_EQ(0, mo_run_child(join_as_nobody));
	EXPECT_EQ(0, mo_run_child(join_with_perfmon));
}

static int kptr_restrict(void)
{
	char *s = read_file(KPTR_RESTRICT);
	int v = s ? atoi(s) : -1;

	free(s);
	return v;
}

TEST_F(nl, privileges)
{
	struct fnsum f = { .fn = "memowner_test_kmalloc" };
	struct stk *s = calloc(1, sizeof(*s));
	struct dumpctl d;
	char old[16];
	int kr;

	REQUIRE();
	ASSERT_NE(NULL, s);
	ASSERT_EQ(0, tm("alloc kmalloc 10 64"));
	ASSERT_EQ(0, get_stacks(&self->g, SRC(SLAB), ~0ULL, &f, &d));
	ASSERT_EQ(1, f.stacks);
	known_stack = f.id;

	EXPECT_EQ(0, mo_run_child(denied_as_nobody));
	EXPECT_EQ(0, mo_run_child(denied_without_caps));
	EXPECT_EQ(0, mo_run_child(perfmon_reads));

	kr = kptr_restrict();
	ASSERT_LE(0, kr);
	if (kr < 2) {
		EXPECT_EQ(0, mo_run_child(syslog_reads_addresses));
	}
	/* kptr_restrict=2 hides them from everyone, as %pK does. */
	snprintf(old, sizeof(old), "%d", kr);
	ASSERT_EQ(0, write_str(KPTR_RESTRICT, "2"));
	ASSERT_EQ(0, get_stack(&self->g, known_stack, s, &d, NULL, 0));
	EXPECT_EQ(0, s->naddrs);
	EXPECT_EQ(0, d.addrs);
	EXPECT_EQ(0, d.pointers);
	ASSERT_EQ(0, write_str(KPTR_RESTRICT, old));
	if (kr < 2) {
		/* Root has CAP_SYSLOG. */
		ASSERT_EQ(0, get_stack(&self->g, known_stack, s, &d, NULL, 0));
		EXPECT_EQ(s->nframes, s->naddrs);
	}
	free(s);
}

MO_TEST_MAIN
