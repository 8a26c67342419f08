// SPDX-License-Identifier: GPL-2.0
/*
 * The generic-netlink family "memowner"; its contract is the YAML spec in
 * Documentation/netlink/specs/memowner.yaml and uapi/linux/memowner.h.
 *
 * The family is not network-namespace aware (netnsok is false): kernel
 * memory ownership is a whole-machine fact, only visible from the initial
 * namespace.  Privilege is checked against the sender's credentials of the
 * message (netlink_capable), never against "current": reading needs
 * CAP_PERFMON or CAP_SYS_ADMIN; SET_CONFIG and joining a multicast group
 * CAP_SYS_ADMIN; raw addresses (MEMOWNER_A_STACK_ADDRS) CAP_SYSLOG with
 * kptr_restrict below 2.  Frames are otherwise given as symbols only,
 * never as numbers.
 *
 * Every operation has its own policy: only its request attributes pass,
 * reply attributes are rejected with a reason, and validation is strict
 * (resv_start_op).
 *
 * Dumps compute their rows once, in the start callback, into a private
 * copy that the done callback frees; dumpit emits as many rows as fit into
 * each message and keeps a cursor, so a dump resumes exactly where the
 * previous message ended.  Each message carries the table generation, and
 * genl_dump_check_consistent() flags NLM_F_DUMP_INTR when it changed since
 * the dump started: new stacks or owner sites exist that the dump lacks,
 * or a new tracking epoch cleared the counters it shows.  GET_PAGES reads
 * the owner table live, by PFN cursor.
 *
 * The family runs with parallel_ops: dumps of the page and owner tables
 * are long, and must not hold the genl mutex that every other generic
 * netlink family of the machine needs.  Nothing here relies on it: the
 * tables are read lock-free or under their own locks, and reconfiguration
 * is serialised by the control code.
 */
#include <linux/bitmap.h>
#include <linux/capability.h>
#include <linux/kallsyms.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>

#include "alerts.h"
#include "caches.h"
#include "control.h"
#include "depot.h"
#include "info.h"
#include "netlink.h"
#include "owner.h"
#include "params.h"
#include "preload.h"
#include "query.h"
#include "site.h"
#include "task.h"
#include "track.h"

/* ---- policies ---------------------------------------------------------- */

#define REPLY_ONLY { .type = NLA_REJECT, \
		     .reject_message = "memowner: reply attribute in a request" }

/* Every policy rejects the attributes only replies carry, with a reason. */
#define REPLY_ATTRS							\
	[MEMOWNER_A_INFO_VERSION] = REPLY_ONLY,				\
	[MEMOWNER_A_INFO_ABI_VERSION] = REPLY_ONLY,			\
	[MEMOWNER_A_INFO_FEATURES] = REPLY_ONLY,			\
	[MEMOWNER_A_INFO_LOADED_NS] = REPLY_ONLY,			\
	[MEMOWNER_A_INFO_NR_OPENS] = REPLY_ONLY,			\
	[MEMOWNER_A_INFO_NR_IOCTLS] = REPLY_ONLY,			\
	[MEMOWNER_A_INFO_NR_REQUESTS] = REPLY_ONLY,			\
	[MEMOWNER_A_INFO_MEM_BYTES] = REPLY_ONLY,			\
	[MEMOWNER_A_INFO_SOURCES_TRACKED] = REPLY_ONLY,			\
	[MEMOWNER_A_INFO_SOURCES_DEGRADED] = REPLY_ONLY,		\
	[MEMOWNER_A_PAD] = REPLY_ONLY,					\
	[MEMOWNER_A_STACK] = REPLY_ONLY,				\
	[MEMOWNER_A_PAGE] = REPLY_ONLY,					\
	[MEMOWNER_A_CACHE] = REPLY_ONLY,				\
	[MEMOWNER_A_LEAK] = REPLY_ONLY,					\
	[MEMOWNER_A_GENERATION] = REPLY_ONLY,				\
	[MEMOWNER_A_ALERT] = REPLY_ONLY,				\
	[MEMOWNER_A_EVENT] = REPLY_ONLY

#define FILTER_SOURCES_POLICY NLA_POLICY_MASK(NLA_U32, __MEMOWNER_SRC_F_ALL)

/* GET_INFO, GET_PAGES, GET_CACHES: no request attribute. */
static const struct nla_policy no_request_policy[MEMOWNER_A_MAX + 1] = {
	REPLY_ATTRS,
};

static const struct nla_policy get_stacks_policy[MEMOWNER_A_MAX + 1] = {
	REPLY_ATTRS,
	[MEMOWNER_A_FILTER_SOURCES] = FILTER_SOURCES_POLICY,
	[MEMOWNER_A_FILTER_MIN_BYTES] = { .type = NLA_U64 },
};

static const struct nla_policy get_stack_policy[MEMOWNER_A_MAX + 1] = {
	REPLY_ATTRS,
	[MEMOWNER_A_STACK_HANDLE] = { .type = NLA_U32 },
};

static const struct nla_policy get_leaks_policy[MEMOWNER_A_MAX + 1] = {
	REPLY_ATTRS,
	[MEMOWNER_A_FILTER_SOURCES] = FILTER_SOURCES_POLICY,
	[MEMOWNER_A_FILTER_MIN_BYTES] = { .type = NLA_U64 },
	[MEMOWNER_A_FILTER_OLDER_THAN_MS] = { .type = NLA_U64 },
};

/* 6.1's policy holds a non-const pointer to the range. */
static struct netlink_range_validation sample_bytes_range = {
	.min = 1,
	.max = MEMOWNER_SAMPLE_MAX,
};

static const struct nla_policy config_policy[MEMOWNER_A_CONFIG_MAX + 1] = {
	[MEMOWNER_A_CONFIG_SOURCES] =
		NLA_POLICY_MASK(NLA_U32, __MEMOWNER_SRC_F_ALL),
	[MEMOWNER_A_CONFIG_MODE] = NLA_POLICY_MAX(NLA_U32, MEMOWNER_MODE_MAX),
	[MEMOWNER_A_CONFIG_DEPTH] =
		NLA_POLICY_RANGE(NLA_U32, 1, MEMOWNER_DEPTH_MAX),
	[MEMOWNER_A_CONFIG_SAMPLE_BYTES] =
		NLA_POLICY_FULL_RANGE(NLA_U64, &sample_bytes_range),
	[MEMOWNER_A_CONFIG_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[MEMOWNER_A_CONFIG_PAD] = REPLY_ONLY,
};

static const struct nla_policy set_config_policy[MEMOWNER_A_MAX + 1] = {
	REPLY_ATTRS,
	[MEMOWNER_A_CONFIG] = NLA_POLICY_NESTED(config_policy),
};

static const struct nla_policy threshold_policy[MEMOWNER_A_THRESHOLD_MAX + 1] = {
	[MEMOWNER_A_THRESHOLD_RULE] = REPLY_ONLY,
	[MEMOWNER_A_THRESHOLD_OWNER_KIND] =
		NLA_POLICY_MAX(NLA_U32, MEMOWNER_OWNER_MAX),
	[MEMOWNER_A_THRESHOLD_OWNER_ID] = { .type = NLA_U64 },
	[MEMOWNER_A_THRESHOLD_OWNER_NAME] = { .type = NLA_NUL_STRING,
					      .len = MEMOWNER_NAME_LEN - 1 },
	[MEMOWNER_A_THRESHOLD_METRIC] =
		NLA_POLICY_MAX(NLA_U32, MEMOWNER_METRIC_MAX),
	[MEMOWNER_A_THRESHOLD_WINDOW_MS] = { .type = NLA_U32 },
	[MEMOWNER_A_THRESHOLD_HIGH] = { .type = NLA_U64 },
	[MEMOWNER_A_THRESHOLD_LOW] = { .type = NLA_U64 },
	[MEMOWNER_A_THRESHOLD_MIN_INTERVAL_MS] = { .type = NLA_U32 },
	[MEMOWNER_A_THRESHOLD_ARMED] = REPLY_ONLY,
	[MEMOWNER_A_THRESHOLD_NR_ALERTS] = REPLY_ONLY,
	[MEMOWNER_A_THRESHOLD_VALUE] = REPLY_ONLY,
	[MEMOWNER_A_THRESHOLD_PAD] = REPLY_ONLY,
};

static const struct nla_policy threshold_add_policy[MEMOWNER_A_MAX + 1] = {
	REPLY_ATTRS,
	[MEMOWNER_A_THRESHOLD] = NLA_POLICY_NESTED(threshold_policy),
	[MEMOWNER_A_THRESHOLD_ID] = REPLY_ONLY,
};

static const struct nla_policy threshold_del_policy[MEMOWNER_A_MAX + 1] = {
	REPLY_ATTRS,
	[MEMOWNER_A_THRESHOLD_ID] = { .type = NLA_U32 },
};

/* ---- privilege --------------------------------------------------------- */

#define MSG_READ_PERM	"memowner: reading needs CAP_PERFMON or CAP_SYS_ADMIN"
#define MSG_ADMIN_PERM	"memowner: SET_CONFIG needs CAP_SYS_ADMIN"
#define MSG_RULE_PERM	"memowner: changing alert rules needs CAP_SYS_ADMIN"
#define MSG_GOING	"memowner: the module is being unloaded"

/* Read-only operations: CAP_PERFMON or CAP_SYS_ADMIN of the sender. */
static bool may_read(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_SYS_ADMIN) ||
	       netlink_capable(skb, CAP_PERFMON);
}

/* May the sender of @skb see raw kernel addresses? */
static bool may_see_addresses(const struct sk_buff *skb)
{
	return mo_may_see_addresses(netlink_capable(skb, CAP_SYSLOG));
}

/* ---- dump state -------------------------------------------------------- */

/* A dump's state, in the callback's scratch space. */
struct mo_dump {
	void *data;		/* rows (struct mo_row) or struct mo_caches */
	unsigned long nr;	/* rows */
	unsigned long pos;	/* the next row, or the next PFN */
	const char *err_msg;	/* the error of start, for dumpit to report */
	int err;
	bool addrs;		/* the reader may see raw addresses */
};

static struct mo_dump *mo_dump(struct netlink_callback *cb)
{
	BUILD_BUG_ON(sizeof(struct mo_dump) >
		     sizeof_field(struct netlink_callback, ctx));
	return (struct mo_dump *)cb->ctx;
}

/*
 * Fail a dump's start with @err and @msg (a string literal).  Where the
 * start callback has the request's extended ack, the request fails there.
 * Where it has none (6.1), the error is kept and the first dumpit call
 * returns it: netlink then ends the dump with an NLMSG_DONE carrying the
 * errno and the message.  Nothing is computed in either case.
 */
#ifdef MEMOWNER_HAVE_DUMP_START_EXTACK
#define dump_fail(cb, _err, msg) ({					\
	NL_SET_ERR_MSG((cb)->extack, msg);				\
	_err;								\
})
#else
#define dump_fail(cb, _err, msg) ({					\
	mo_dump(cb)->err_msg = msg;					\
	mo_dump(cb)->err = _err;					\
	0;								\
})
#endif

/* The common part of a dump's start: privilege, then the generation. */
#ifndef MEMOWNER_HAVE_RESV_START_OP
#define MSG_RESERVED	"memowner: the genetlink header's reserved field is not zero"
#define MSG_FLAGS	"memowner: ambiguous or reserved bits set in nlmsg_flags"

/*
 * What resv_start_op makes the kernel check from 6.1 (genl_header_check(),
 * compat.h): a zero reserved field, and no nlmsg_flags beyond REQUEST,
 * ACK, ECHO and both DUMP bits.  Here it runs after the core found the op
 * (an unknown one, or a dump of a doit-only one, is EOPNOTSUPP first).
 */
enum { GENL_HDR_OK, GENL_HDR_RESERVED, GENL_HDR_FLAGS };

static int genl_header_bad(const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *hdr = nlmsg_data(nlh);
	u16 flags = nlh->nlmsg_flags;

	if (nlh->nlmsg_len >= nlmsg_msg_size(GENL_HDRLEN) && hdr->reserved)
		return GENL_HDR_RESERVED;
	if ((flags & NLM_F_DUMP) == NLM_F_DUMP)
		flags &= ~NLM_F_DUMP;
	if (flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))
		return GENL_HDR_FLAGS;
	return GENL_HDR_OK;
}

static int genl_reserved_doit(memowner_genl_ops_t *ops, struct sk_buff *skb,
			      struct genl_info *info)
{
	/* NL_SET_ERR_MSG() takes a literal (a static copy) before 5.13. */
	switch (genl_header_bad(info->nlhdr)) {
	case GENL_HDR_RESERVED:
		NL_SET_ERR_MSG(info->extack, MSG_RESERVED);
		return -EINVAL;
	case GENL_HDR_FLAGS:
		NL_SET_ERR_MSG(info->extack, MSG_FLAGS);
		return -EINVAL;
	}
	return 0;
}
#endif

static int dump_begin(struct netlink_callback *cb)
{
	struct mo_dump *d = mo_dump(cb);

#ifndef MEMOWNER_HAVE_RESV_START_OP
	switch (genl_header_bad(cb->nlh)) {
	case GENL_HDR_RESERVED:
		return dump_fail(cb, -EINVAL, MSG_RESERVED);
	case GENL_HDR_FLAGS:
		return dump_fail(cb, -EINVAL, MSG_FLAGS);
	}
#endif
	if (!may_read(cb->skb))
		return dump_fail(cb, -EPERM, MSG_READ_PERM);
	d->addrs = may_see_addresses(cb->skb);
	/* A change before the first message is a change under the dump. */
	cb->prev_seq = mo_query_generation();
	atomic64_inc(&memowner_stats.nr_requests);
	return 0;
}

/* The error start left for dumpit, if any (see dump_fail()). */
static int dump_error(struct netlink_callback *cb)
{
	struct mo_dump *d = mo_dump(cb);

	/* NL_SET_ERR_MSG() wants a literal; the literal was stored. */
	if (d->err && cb->extack)
		cb->extack->_msg = d->err_msg;
	return d->err;
}

/* Start one message of a dump: header and generation. */
static void *msg_begin(struct sk_buff *skb, struct netlink_callback *cb,
		       u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &memowner_genl_family, NLM_F_MULTI, cmd);
	if (!hdr)
		return NULL;
	cb->seq = mo_query_generation();
	genl_dump_check_consistent(cb, hdr);
	if (nla_put_u32(skb, MEMOWNER_A_GENERATION, cb->seq)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

/*
 * End a message that holds @n objects: its length, or -EMSGSIZE when not
 * even one object fitted into an empty message.
 */
static int msg_end(struct sk_buff *skb, void *hdr, unsigned long n)
{
	if (!n) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return skb->len;
}

/*
 * One message of a dump of d->nr objects from d->pos on, each added by
 * @put (object @i of d->data); the cursor moves past what fitted.
 */
static int dump_objects(struct sk_buff *skb, struct netlink_callback *cb,
			u8 cmd, int (*put)(struct sk_buff *skb,
					   const struct mo_dump *d,
					   unsigned long i))
{
	struct mo_dump *d = mo_dump(cb);
	unsigned long n = 0;
	void *hdr;
	int ret;

	if (d->err)
		return dump_error(cb);
	if (d->pos >= d->nr)
		return 0;
	/*
	 * The rows name stacks and sites: read under the tables lock, with the
	 * generation of this message (a new epoch since the rows were made
	 * flags the dump NLM_F_DUMP_INTR).
	 */
	mo_tables_read_lock();
	hdr = msg_begin(skb, cb, cmd);
	if (!hdr) {
		mo_tables_read_unlock();
		return -EMSGSIZE;
	}
	for (; d->pos < d->nr; d->pos++, n++)
		if (put(skb, d, d->pos))
			break;
	ret = msg_end(skb, hdr, n);
	mo_tables_read_unlock();
	return ret;
}

static int dump_done(struct netlink_callback *cb)
{
	kvfree(mo_dump(cb)->data);
	return 0;
}

/* ---- stacks ------------------------------------------------------------ */

/* Apply the request's filters to @q and run it into the dump's rows. */
static int run_query(struct netlink_callback *cb, struct nlattr **attrs,
		     struct mo_query *q)
{
	struct mo_dump *d = mo_dump(cb);
	struct mo_row *rows;
	int ret;

	if (attrs[MEMOWNER_A_FILTER_SOURCES])
		q->sources = nla_get_u32(attrs[MEMOWNER_A_FILTER_SOURCES]);
	if (attrs[MEMOWNER_A_FILTER_MIN_BYTES])
		q->min_value = nla_get_u64(attrs[MEMOWNER_A_FILTER_MIN_BYTES]);
	mo_tables_read_lock();
	ret = mo_query_run(q, &rows, &d->nr);
	mo_tables_read_unlock();
	if (ret)
		return ret;
	d->data = rows;
	return 0;
}

/* "%pS" of @addr, or "?" where no symbol names it: never a raw address. */
static int put_frames(struct sk_buff *skb, u32 stack, bool addrs)
{
	const unsigned long *frames;
	unsigned int i, nr = mo_depot_fetch(stack, &frames);
	char name[KSYM_SYMBOL_LEN];
	struct nlattr *nest, *attr;
	u64 *out;

	nest = nla_nest_start(skb, MEMOWNER_A_STACK_FRAMES);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < nr; i++) {
		mo_frame_name(frames[i], name, sizeof(name));
		if (nla_put_string(skb, MEMOWNER_A_STACK_FRAME, name))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	if (!addrs)
		return 0;
	attr = nla_reserve_64bit(skb, MEMOWNER_A_STACK_ADDRS,
				 nr * sizeof(u64), MEMOWNER_A_STACK_PAD);
	if (!attr)
		return -EMSGSIZE;
	out = nla_data(attr);
	for (i = 0; i < nr; i++)
		out[i] = mo_frame_addr(frames[i]);
	return 0;
}

static int put_u64(struct sk_buff *skb, int type, u64 value, int pad)
{
	return nla_put_u64_64bit(skb, type, value, pad);
}

/* One MEMOWNER_A_STACK nest; on failure the skb is as it was. */
static int put_stack(struct sk_buff *skb, const struct mo_row *r, bool addrs)
{
	const int pad = MEMOWNER_A_STACK_PAD;
	struct nlattr *nest;

	nest = nla_nest_start(skb, MEMOWNER_A_STACK);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MEMOWNER_A_STACK_ID, r->stack) ||
	    nla_put_u32(skb, MEMOWNER_A_STACK_SOURCE, r->source) ||
	    put_u64(skb, MEMOWNER_A_STACK_LIVE_BYTES, r->live_bytes, pad) ||
	    put_u64(skb, MEMOWNER_A_STACK_LIVE_PAGES, r->live_pages, pad) ||
	    put_u64(skb, MEMOWNER_A_STACK_LIVE_OBJECTS, r->live_objects, pad) ||
	    put_u64(skb, MEMOWNER_A_STACK_ALLOCS, r->allocs, pad) ||
	    put_u64(skb, MEMOWNER_A_STACK_FREES, r->frees, pad) ||
	    put_u64(skb, MEMOWNER_A_STACK_BYTES_ALLOCATED, r->bytes_allocated,
		    pad) ||
	    put_u64(skb, MEMOWNER_A_STACK_EXTFRAG, r->extfrag, pad) ||
	    put_u64(skb, MEMOWNER_A_STACK_BACKING_BYTES, r->backing_bytes,
		    pad) ||
	    put_frames(skb, r->stack, addrs)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int get_stacks_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = mo_genl_dump_attrs(cb);
	struct mo_dump *d = mo_dump(cb);
	struct mo_query q = {
		.group = MEMOWNER_GROUP_STACK,
		.sort = MEMOWNER_SORT_LIVE_BYTES,
	};
	int ret;

	ret = dump_begin(cb);
	if (ret || d->err)
		return ret;
	return run_query(cb, attrs, &q);
}

static int stacks_put(struct sk_buff *skb, const struct mo_dump *d,
		      unsigned long i)
{
	return put_stack(skb, (const struct mo_row *)d->data + i, d->addrs);
}

static int get_stacks_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_objects(skb, cb, MEMOWNER_CMD_GET_STACKS, stacks_put);
}

/* One stack's row: its sites' counters, through the query. */
static int stack_row(u32 handle, struct mo_row *row)
{
	struct mo_query q = {
		.group = MEMOWNER_GROUP_STACK,
		.sort = MEMOWNER_SORT_LIVE_BYTES,
	};
	unsigned long i, nr;
	struct mo_row *rows;
	int ret;

	ret = mo_query_run(&q, &rows, &nr);
	if (ret)
		return ret;
	/* A stack no site of this epoch uses has no row: all zero. */
	*row = (struct mo_row){
		.id = handle, .stack = handle, .source = MEMOWNER_SRC_MIXED,
	};
	for (i = 0; i < nr; i++) {
		if (rows[i].stack == handle) {
			*row = rows[i];
			break;
		}
	}
	kvfree(rows);
	return 0;
}

static int get_stack(struct sk_buff *skb, struct genl_info *info);

static int get_stack_doit(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	/* The handle, its row and its frames, all of one epoch. */
	mo_tables_read_lock();
	ret = get_stack(skb, info);
	mo_tables_read_unlock();
	return ret;
}

static int get_stack(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *attr = info->attrs[MEMOWNER_A_STACK_HANDLE];
	const unsigned long *frames;
	size_t size = NLMSG_GOODSIZE;
	struct sk_buff *msg;
	struct mo_row row;
	bool addrs;
	void *hdr;
	u32 handle;
	int ret;

	if (!may_read(skb)) {
		NL_SET_ERR_MSG(info->extack, MSG_READ_PERM);
		return -EPERM;
	}
	if (GENL_REQ_ATTR_CHECK(info, MEMOWNER_A_STACK_HANDLE)) {
		NL_SET_ERR_MSG(info->extack,
			       "memowner: MEMOWNER_A_STACK_HANDLE is required");
		return -EINVAL;
	}
	handle = nla_get_u32(attr);
	if (!handle || !mo_depot_fetch(handle, &frames)) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "memowner: no stack has this handle");
		return -ENOENT;
	}
	atomic64_inc(&memowner_stats.nr_requests);
	addrs = may_see_addresses(skb);
	ret = stack_row(handle, &row);
	if (ret)
		return ret;

	/* Most stacks fit a page; the deepest, with long names, may not. */
	for (;;) {
		msg = genlmsg_new(size, GFP_KERNEL);
		if (!msg)
			return -ENOMEM;
		hdr = genlmsg_put_reply(msg, info, &memowner_genl_family, 0,
					MEMOWNER_CMD_GET_STACK);
		if (hdr && !put_stack(msg, &row, addrs))
			break;
		nlmsg_free(msg);
		if (size > NLMSG_GOODSIZE)
			return -EMSGSIZE;
		size = (MEMOWNER_DEPTH_MAX + 4) * (KSYM_SYMBOL_LEN + 16);
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ---- pages ------------------------------------------------------------- */

/* One MEMOWNER_A_PAGE nest; @o is NULL for a page from before load. */
static int put_page_block(struct sk_buff *skb, unsigned long pfn,
			  const struct mo_obj *o)
{
	const struct mo_site *site = o ? mo_site_at(o->site) : NULL;
	const struct mo_task *task = o ? mo_task_get(mo_obj_task(o)) : NULL;
	u32 stack = site ? site->key.stack :
			   mo_depot_sentinel(MO_STACK_BEFORE_LOAD);
	const int pad = MEMOWNER_A_PAGE_PAD;
	struct nlattr *nest;

	nest = nla_nest_start(skb, MEMOWNER_A_PAGE);
	if (!nest)
		return -EMSGSIZE;
	if (put_u64(skb, MEMOWNER_A_PAGE_PFN, pfn, pad) ||
	    nla_put_u32(skb, MEMOWNER_A_PAGE_ORDER, o ? mo_obj_order(o) : 0) ||
	    nla_put_u32(skb, MEMOWNER_A_PAGE_GFP, site ? site->key.gfp : 0) ||
	    nla_put_u32(skb, MEMOWNER_A_PAGE_MIGRATETYPE,
			site ? site->key.migratetype : 0) ||
	    nla_put_u32(skb, MEMOWNER_A_PAGE_PID, task ? task->pid : 0) ||
	    nla_put_u32(skb, MEMOWNER_A_PAGE_TGID, task ? task->tgid : 0) ||
	    nla_put_string(skb, MEMOWNER_A_PAGE_COMM, task ? task->comm : "") ||
	    put_u64(skb, MEMOWNER_A_PAGE_TS_NS, o ? mo_obj_ts_ns(o) : 0, pad) ||
	    nla_put_u32(skb, MEMOWNER_A_PAGE_STACK, stack)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int get_pages_start(struct netlink_callback *cb)
{
	return dump_begin(cb);
}

/*
 * Walk the PFNs from the cursor: a tracked block is reported at its first
 * PFN and skipped whole; a page from before load is one page.  The table
 * is read live: a block allocated or freed during the dump may or may not
 * be seen.
 */
static int pages_msg(struct sk_buff *skb, struct netlink_callback *cb,
		     unsigned long max_pfn);

static int get_pages_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	unsigned long max_pfn = mo_preload_max_pfn();
	struct mo_dump *d = mo_dump(cb);
	int ret;

	if (d->err)
		return dump_error(cb);
	if (d->pos >= max_pfn)
		return 0;
	mo_tables_read_lock();	/* each block names its site and stack */
	ret = pages_msg(skb, cb, max_pfn);
	mo_tables_read_unlock();
	return ret;
}

static int pages_msg(struct sk_buff *skb, struct netlink_callback *cb,
		     unsigned long max_pfn)
{
	unsigned long pfn, n = 0, walked = 0;
	struct mo_dump *d = mo_dump(cb);
	struct mo_obj o;
	void *hdr;
	bool found;

	hdr = msg_begin(skb, cb, MEMOWNER_CMD_GET_PAGES);
	if (!hdr)
		return -EMSGSIZE;
	for (pfn = d->pos; pfn < max_pfn; d->pos = pfn) {
		found = mo_owner_lookup(pfn, MEMOWNER_SRC_PAGE, &o);
		if (found || mo_preload_test(pfn)) {
			if (put_page_block(skb, pfn, found ? &o : NULL))
				return msg_end(skb, hdr, n);
			n++;
		}
		pfn += found ? 1UL << mo_obj_order(&o) : 1;
		if (!(++walked & 4095)) {
			if (fatal_signal_pending(current)) {
				genlmsg_cancel(skb, hdr);
				return -EINTR;
			}
			cond_resched();
		}
	}
	d->pos = pfn;
	if (!n) {
		/* Nothing after the last block: end of the dump. */
		genlmsg_cancel(skb, hdr);
		return 0;
	}
	genlmsg_end(skb, hdr);
	return skb->len;
}

/* ---- caches ------------------------------------------------------------ */

static int put_cache(struct sk_buff *skb, const struct mo_caches *c,
		     unsigned long i)
{
	const struct mo_cache_row *r = &c->rows[i];
	const char *cache = mo_cache_name(r->cache);
	unsigned int nbits = nr_cpu_ids;
	const int pad = MEMOWNER_A_CACHE_PAD;
	char callsite[KSYM_SYMBOL_LEN];
	struct nlattr *nest, *attr;

	if (r->callsite)
		mo_frame_name(r->callsite, callsite, sizeof(callsite));
	else
		strscpy(callsite, "?", sizeof(callsite));
	nest = nla_nest_start(skb, MEMOWNER_A_CACHE);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, MEMOWNER_A_CACHE_NAME, cache ?: "?") ||
	    nla_put_string(skb, MEMOWNER_A_CACHE_CALLSITE, callsite) ||
	    nla_put_u32(skb, MEMOWNER_A_CACHE_STACK, r->stack) ||
	    put_u64(skb, MEMOWNER_A_CACHE_COUNT, r->count, pad) ||
	    put_u64(skb, MEMOWNER_A_CACHE_BYTES, r->bytes, pad) ||
	    put_u64(skb, MEMOWNER_A_CACHE_AGE_MIN_MS, r->age_min_ms, pad) ||
	    put_u64(skb, MEMOWNER_A_CACHE_AGE_AVG_MS,
		    div64_u64(r->age_sum_ms, r->count), pad) ||
	    put_u64(skb, MEMOWNER_A_CACHE_AGE_MAX_MS, r->age_max_ms, pad) ||
	    nla_put_u32(skb, MEMOWNER_A_CACHE_PID_MIN, r->pid_min) ||
	    nla_put_u32(skb, MEMOWNER_A_CACHE_PID_MAX, r->pid_max))
		goto cancel;
	/* __u64 words, CPU n at bit n % 64 of word n / 64. */
	attr = nla_reserve_64bit(skb, MEMOWNER_A_CACHE_CPUS,
				 BITS_TO_U64(nbits) * sizeof(u64), pad);
	if (!attr)
		goto cancel;
#ifdef MEMOWNER_HAVE_BITMAP_TO_ARR64
	bitmap_to_arr64(nla_data(attr), mo_caches_cpus(c, i), nbits);
#else
	/* 5.10: no bitmap_to_arr64(); a 64-bit bitmap's longs are its words. */
	BUILD_BUG_ON(BITS_PER_LONG != 64);
	bitmap_copy(nla_data(attr), mo_caches_cpus(c, i), nbits);
#endif
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int get_caches_start(struct netlink_callback *cb)
{
	struct mo_dump *d = mo_dump(cb);
	struct mo_caches *c;
	int ret;

	ret = dump_begin(cb);
	if (ret || d->err)
		return ret;
	mo_tables_read_lock();
	ret = mo_caches_run(&c);
	mo_tables_read_unlock();
	if (ret)
		return ret;
	d->data = c;
	d->nr = c->nr;
	return 0;
}

static int caches_put(struct sk_buff *skb, const struct mo_dump *d,
		      unsigned long i)
{
	return put_cache(skb, d->data, i);
}

static int get_caches_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_objects(skb, cb, MEMOWNER_CMD_GET_CACHES, caches_put);
}

static int get_caches_done(struct netlink_callback *cb)
{
	mo_caches_free(mo_dump(cb)->data);
	return 0;
}

/* ---- leaks ------------------------------------------------------------- */

static int put_leak(struct sk_buff *skb, const struct mo_row *r)
{
	const int pad = MEMOWNER_A_LEAK_PAD;
	struct nlattr *nest;

	nest = nla_nest_start(skb, MEMOWNER_A_LEAK);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MEMOWNER_A_LEAK_STACK, r->stack) ||
	    nla_put_u32(skb, MEMOWNER_A_LEAK_SOURCE, r->source) ||
	    put_u64(skb, MEMOWNER_A_LEAK_COUNT, r->live_objects, pad) ||
	    put_u64(skb, MEMOWNER_A_LEAK_BYTES, r->live_bytes, pad) ||
	    put_u64(skb, MEMOWNER_A_LEAK_OLDEST_MS,
		    div_u64(r->oldest_ns, NSEC_PER_MSEC), pad)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int get_leaks_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = mo_genl_dump_attrs(cb);
	struct mo_dump *d = mo_dump(cb);
	struct mo_query q = {
		.group = MEMOWNER_GROUP_STACK,
		.sort = MEMOWNER_SORT_LIVE_BYTES,
	};
	u64 ms;
	int ret;

	ret = dump_begin(cb);
	if (ret || d->err)
		return ret;
	if (!attrs[MEMOWNER_A_FILTER_OLDER_THAN_MS]) {
		NL_SET_ERR_ATTR_MISS(cb->extack, NULL,
				     MEMOWNER_A_FILTER_OLDER_THAN_MS);
		return dump_fail(cb, -EINVAL,
				 "memowner: GET_LEAKS needs MEMOWNER_A_FILTER_OLDER_THAN_MS");
	}
	ms = nla_get_u64(attrs[MEMOWNER_A_FILTER_OLDER_THAN_MS]);
	/* At least 1 ns: the owner records are read, they hold the ages. */
	q.older_than_ns = ms > div_u64(U64_MAX, NSEC_PER_MSEC) ? U64_MAX :
			  max_t(u64, ms * NSEC_PER_MSEC, 1);
	return run_query(cb, attrs, &q);
}

static int leaks_put(struct sk_buff *skb, const struct mo_dump *d,
		     unsigned long i)
{
	return put_leak(skb, (const struct mo_row *)d->data + i);
}

static int get_leaks_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_objects(skb, cb, MEMOWNER_CMD_GET_LEAKS, leaks_put);
}

/* ---- info and configuration -------------------------------------------- */

static int memowner_genl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct memowner_info mi = {};
	struct sk_buff *msg;
	void *hdr;

	if (!may_read(skb)) {
		NL_SET_ERR_MSG(info->extack, MSG_READ_PERM);
		return -EPERM;
	}
	atomic64_inc(&memowner_stats.nr_requests);
	memowner_info_fill(&mi);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &memowner_genl_family, 0,
				MEMOWNER_CMD_GET_INFO);
	if (!hdr)
		goto nla_failure;
	if (nla_put_string(msg, MEMOWNER_A_INFO_VERSION, MEMOWNER_VERSION) ||
	    nla_put_u32(msg, MEMOWNER_A_INFO_ABI_VERSION, mi.abi_version) ||
	    nla_put_u64_64bit(msg, MEMOWNER_A_INFO_FEATURES, mi.features,
			      MEMOWNER_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMOWNER_A_INFO_LOADED_NS, mi.loaded_ns,
			      MEMOWNER_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMOWNER_A_INFO_NR_OPENS, mi.nr_opens,
			      MEMOWNER_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMOWNER_A_INFO_NR_IOCTLS, mi.nr_ioctls,
			      MEMOWNER_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMOWNER_A_INFO_NR_REQUESTS, mi.nr_requests,
			      MEMOWNER_A_PAD) ||
	    nla_put_u64_64bit(msg, MEMOWNER_A_INFO_MEM_BYTES, mi.mem_bytes,
			      MEMOWNER_A_PAD) ||
	    nla_put_u32(msg, MEMOWNER_A_INFO_SOURCES_TRACKED,
			mi.sources_tracked) ||
	    nla_put_u32(msg, MEMOWNER_A_INFO_SOURCES_DEGRADED,
			mi.sources_degraded))
		goto nla_failure;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int set_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MEMOWNER_A_CONFIG_MAX + 1];
	struct memowner_config cfg = { .size = sizeof(cfg) };
	int ret;

	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, MSG_ADMIN_PERM);
		return -EPERM;
	}
	if (GENL_REQ_ATTR_CHECK(info, MEMOWNER_A_CONFIG)) {
		NL_SET_ERR_MSG(info->extack,
			       "memowner: SET_CONFIG needs MEMOWNER_A_CONFIG");
		return -EINVAL;
	}
	/* Validated with the request; parsed again into a table. */
	ret = nla_parse_nested(tb, MEMOWNER_A_CONFIG_MAX,
			       info->attrs[MEMOWNER_A_CONFIG], config_policy,
			       info->extack);
	if (ret)
		return ret;
	if (tb[MEMOWNER_A_CONFIG_SOURCES]) {
		cfg.flags |= MEMOWNER_CONFIG_F_SOURCES;
		cfg.sources = nla_get_u32(tb[MEMOWNER_A_CONFIG_SOURCES]);
	}
	if (tb[MEMOWNER_A_CONFIG_MODE]) {
		cfg.flags |= MEMOWNER_CONFIG_F_MODE;
		cfg.mode = nla_get_u32(tb[MEMOWNER_A_CONFIG_MODE]);
	}
	if (tb[MEMOWNER_A_CONFIG_DEPTH]) {
		cfg.flags |= MEMOWNER_CONFIG_F_DEPTH;
		cfg.depth = nla_get_u32(tb[MEMOWNER_A_CONFIG_DEPTH]);
	}
	if (tb[MEMOWNER_A_CONFIG_SAMPLE_BYTES]) {
		cfg.flags |= MEMOWNER_CONFIG_F_SAMPLE_BYTES;
		cfg.sample_bytes = nla_get_u64(tb[MEMOWNER_A_CONFIG_SAMPLE_BYTES]);
	}
	if (tb[MEMOWNER_A_CONFIG_ENABLED]) {
		cfg.flags |= MEMOWNER_CONFIG_F_ENABLED;
		cfg.enabled = nla_get_u8(tb[MEMOWNER_A_CONFIG_ENABLED]);
	}
	if (!cfg.flags) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MEMOWNER_A_CONFIG],
				    "memowner: MEMOWNER_A_CONFIG names no setting");
		return -EINVAL;
	}
	atomic64_inc(&memowner_stats.nr_requests);
	ret = mo_control_set(&cfg);
	if (ret == -ENODEV)
		NL_SET_ERR_MSG(info->extack, MSG_GOING);
	else if (ret == -ENOMEM)
		NL_SET_ERR_MSG(info->extack,
			       "memowner: no memory for a stack table of that depth; nothing changed");
	else if (ret)
		NL_SET_ERR_MSG(info->extack,
			       "memowner: the configuration was not applied");
	return ret;
}

/* ---- alert rules ---------------------------------------------------------- */

static int threshold_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[MEMOWNER_A_THRESHOLD_MAX + 1];
	struct memowner_threshold t = { .size = sizeof(t) };
	char name[MEMOWNER_NAME_LEN] = "";
	struct sk_buff *msg;
	void *hdr;
	int ret;

	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, MSG_RULE_PERM);
		return -EPERM;
	}
	if (GENL_REQ_ATTR_CHECK(info, MEMOWNER_A_THRESHOLD)) {
		NL_SET_ERR_MSG(info->extack,
			       "memowner: THRESHOLD_ADD needs MEMOWNER_A_THRESHOLD");
		return -EINVAL;
	}
	ret = nla_parse_nested(tb, MEMOWNER_A_THRESHOLD_MAX,
			       info->attrs[MEMOWNER_A_THRESHOLD],
			       threshold_policy, info->extack);
	if (ret)
		return ret;
	if (!tb[MEMOWNER_A_THRESHOLD_OWNER_KIND] ||
	    !tb[MEMOWNER_A_THRESHOLD_METRIC] || !tb[MEMOWNER_A_THRESHOLD_HIGH]) {
		NL_SET_ERR_MSG(info->extack,
			       "memowner: a rule needs an owner kind, a metric and a high mark");
		return -EINVAL;
	}
	t.owner_kind = nla_get_u32(tb[MEMOWNER_A_THRESHOLD_OWNER_KIND]);
	t.metric = nla_get_u32(tb[MEMOWNER_A_THRESHOLD_METRIC]);
	t.high = nla_get_u64(tb[MEMOWNER_A_THRESHOLD_HIGH]);
	if (tb[MEMOWNER_A_THRESHOLD_OWNER_ID])
		t.owner_id = nla_get_u64(tb[MEMOWNER_A_THRESHOLD_OWNER_ID]);
	if (tb[MEMOWNER_A_THRESHOLD_OWNER_NAME])
		nla_strscpy(name, tb[MEMOWNER_A_THRESHOLD_OWNER_NAME], sizeof(name));
	if (tb[MEMOWNER_A_THRESHOLD_WINDOW_MS])
		t.window_ms = nla_get_u32(tb[MEMOWNER_A_THRESHOLD_WINDOW_MS]);
	if (tb[MEMOWNER_A_THRESHOLD_LOW])
		t.low = nla_get_u64(tb[MEMOWNER_A_THRESHOLD_LOW]);
	if (tb[MEMOWNER_A_THRESHOLD_MIN_INTERVAL_MS])
		t.min_interval_ms =
			nla_get_u32(tb[MEMOWNER_A_THRESHOLD_MIN_INTERVAL_MS]);

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	atomic64_inc(&memowner_stats.nr_requests);
	ret = mo_alerts_add(&t, name);
	if (ret) {
		if (ret == -ENOSPC)
			NL_SET_ERR_MSG(info->extack, "memowner: too many alert rules");
		else if (ret == -ENODEV)
			NL_SET_ERR_MSG(info->extack, MSG_GOING);
		else
			NL_SET_ERR_MSG(info->extack,
				       "memowner: invalid rule (owner, window, or marks: low < high)");
		nlmsg_free(msg);
		return ret;
	}
	hdr = genlmsg_put_reply(msg, info, &memowner_genl_family, 0,
				MEMOWNER_CMD_THRESHOLD_ADD);
	if (!hdr || nla_put_u32(msg, MEMOWNER_A_THRESHOLD_ID, t.id)) {
		nlmsg_free(msg);
		mo_alerts_del(t.id);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int threshold_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, MSG_RULE_PERM);
		return -EPERM;
	}
	if (GENL_REQ_ATTR_CHECK(info, MEMOWNER_A_THRESHOLD_ID)) {
		NL_SET_ERR_MSG(info->extack,
			       "memowner: THRESHOLD_DEL needs MEMOWNER_A_THRESHOLD_ID");
		return -EINVAL;
	}
	atomic64_inc(&memowner_stats.nr_requests);
	ret = mo_alerts_del(nla_get_u32(info->attrs[MEMOWNER_A_THRESHOLD_ID]));
	if (ret == -ENODEV)
		NL_SET_ERR_MSG(info->extack, MSG_GOING);
	else if (ret)
		NL_SET_ERR_MSG_ATTR(info->extack,
				    info->attrs[MEMOWNER_A_THRESHOLD_ID],
				    "memowner: no such rule");
	return ret;
}

static int put_threshold(struct sk_buff *skb,
			 const struct memowner_threshold_state *s)
{
	const int pad = MEMOWNER_A_THRESHOLD_PAD;
	struct nlattr *nest;

	nest = nla_nest_start(skb, MEMOWNER_A_THRESHOLD);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, MEMOWNER_A_THRESHOLD_RULE, s->id) ||
	    nla_put_u32(skb, MEMOWNER_A_THRESHOLD_OWNER_KIND, s->owner_kind) ||
	    put_u64(skb, MEMOWNER_A_THRESHOLD_OWNER_ID, s->owner_id, pad) ||
	    (s->name[0] && nla_put_string(skb, MEMOWNER_A_THRESHOLD_OWNER_NAME,
					  s->name)) ||
	    nla_put_u32(skb, MEMOWNER_A_THRESHOLD_METRIC, s->metric) ||
	    nla_put_u32(skb, MEMOWNER_A_THRESHOLD_WINDOW_MS, s->window_ms) ||
	    put_u64(skb, MEMOWNER_A_THRESHOLD_HIGH, s->high, pad) ||
	    put_u64(skb, MEMOWNER_A_THRESHOLD_LOW, s->low, pad) ||
	    nla_put_u32(skb, MEMOWNER_A_THRESHOLD_MIN_INTERVAL_MS,
			s->min_interval_ms) ||
	    nla_put_u8(skb, MEMOWNER_A_THRESHOLD_ARMED, s->armed) ||
	    put_u64(skb, MEMOWNER_A_THRESHOLD_NR_ALERTS, s->nr_alerts, pad) ||
	    put_u64(skb, MEMOWNER_A_THRESHOLD_VALUE, s->value, pad)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int threshold_get_start(struct netlink_callback *cb)
{
	struct memowner_threshold_state *states;
	struct mo_dump *d = mo_dump(cb);
	int ret;

	ret = dump_begin(cb);
	if (ret || d->err)
		return ret;
	states = kvcalloc(MEMOWNER_MAX_THRESHOLDS, sizeof(*states), GFP_KERNEL);
	if (!states)
		return -ENOMEM;
	d->nr = mo_alerts_list(states, MEMOWNER_MAX_THRESHOLDS);
	d->data = states;
	return 0;
}

static int thresholds_put(struct sk_buff *skb, const struct mo_dump *d,
			  unsigned long i)
{
	return put_threshold(skb,
			     (const struct memowner_threshold_state *)d->data + i);
}

static int threshold_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return dump_objects(skb, cb, MEMOWNER_CMD_THRESHOLD_GET, thresholds_put);
}

/* ---- family ------------------------------------------------------------ */

static const struct genl_ops memowner_genl_ops[] = {
	{
		.cmd = MEMOWNER_CMD_GET_INFO,
		.doit = memowner_genl_get_info,
		.policy = no_request_policy,
		.maxattr = MEMOWNER_A_MAX,
	},
	{
		.cmd = MEMOWNER_CMD_GET_STACKS,
		.start = get_stacks_start,
		.dumpit = get_stacks_dumpit,
		.done = dump_done,
		.policy = get_stacks_policy,
		.maxattr = MEMOWNER_A_MAX,
	},
	{
		.cmd = MEMOWNER_CMD_GET_STACK,
		.doit = get_stack_doit,
		.policy = get_stack_policy,
		.maxattr = MEMOWNER_A_MAX,
	},
	{
		.cmd = MEMOWNER_CMD_GET_PAGES,
		.start = get_pages_start,
		.dumpit = get_pages_dumpit,
		.done = dump_done,
		.policy = no_request_policy,
		.maxattr = MEMOWNER_A_MAX,
	},
	{
		.cmd = MEMOWNER_CMD_GET_CACHES,
		.start = get_caches_start,
		.dumpit = get_caches_dumpit,
		.done = get_caches_done,
		.policy = no_request_policy,
		.maxattr = MEMOWNER_A_MAX,
	},
	{
		.cmd = MEMOWNER_CMD_GET_LEAKS,
		.start = get_leaks_start,
		.dumpit = get_leaks_dumpit,
		.done = dump_done,
		.policy = get_leaks_policy,
		.maxattr = MEMOWNER_A_MAX,
	},
	{
		.cmd = MEMOWNER_CMD_SET_CONFIG,
		.doit = set_config_doit,
		.policy = set_config_policy,
		.maxattr = MEMOWNER_A_MAX,
	},
	{
		.cmd = MEMOWNER_CMD_THRESHOLD_ADD,
		.doit = threshold_add_doit,
		.policy = threshold_add_policy,
		.maxattr = MEMOWNER_A_MAX,
	},
	{
		.cmd = MEMOWNER_CMD_THRESHOLD_DEL,
		.doit = threshold_del_doit,
		.policy = threshold_del_policy,
		.maxattr = MEMOWNER_A_MAX,
	},
	{
		.cmd = MEMOWNER_CMD_THRESHOLD_GET,
		.start = threshold_get_start,
		.dumpit = threshold_get_dumpit,
		.done = dump_done,
		.policy = no_request_policy,
		.maxattr = MEMOWNER_A_MAX,
	},
};

/*
 * Indexed by enum memowner_genl_group.  Joining needs CAP_SYS_ADMIN: the
 * notifications name owners as the read commands do, and joining has no
 * hook on 6.1 that could also let CAP_PERFMON in.
 */
static const struct genl_multicast_group memowner_genl_mcgrps[] = {
	[MEMOWNER_GRP_ALERTS] = { .name = MEMOWNER_MCGRP_ALERTS,
				  MO_GENL_MCAST_ADMIN },
	[MEMOWNER_GRP_EVENTS] = { .name = MEMOWNER_MCGRP_EVENTS,
				  MO_GENL_MCAST_ADMIN },
};

struct genl_family memowner_genl_family __ro_after_init = {
	.name = MEMOWNER_GENL_NAME,
	.version = MEMOWNER_GENL_VERSION,
	.maxattr = MEMOWNER_A_MAX,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = memowner_genl_ops,
	.n_ops = ARRAY_SIZE(memowner_genl_ops),
	.mcgrps = memowner_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(memowner_genl_mcgrps),
	/* Every command validates reserved header bytes and attributes strictly. */
#ifdef MEMOWNER_HAVE_RESV_START_OP
	.resv_start_op = MEMOWNER_CMD_GET_INFO,
#else
	.pre_doit = genl_reserved_doit,
#endif
};

/*
 * Set once the family is registered: before that its multicast group ids
 * are not yet assigned (offset 0 names other families' groups), so the
 * notifiers send nothing.  The producers are stopped before the family is
 * unregistered (main.c), so nothing sends after.
 */
static bool registered;

bool memowner_genl_registered(void)
{
	/* Pairs with the release in memowner_genl_init(). */
	return smp_load_acquire(&registered);
}

int __init memowner_genl_init(void)
{
	int ret = genl_register_family(&memowner_genl_family);

	if (ret)
		return ret;
	/* The family's group ids are set before it is seen registered. */
	smp_store_release(&registered, true);
	return 0;
}

/* Waits for every doit in flight (cb_lock); no new request gets in. */
void memowner_genl_exit(void)
{
	WRITE_ONCE(registered, false);
	genl_unregister_family(&memowner_genl_family);
}
