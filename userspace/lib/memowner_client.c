// SPDX-License-Identifier: GPL-2.0
/*
 * libmemowner: see memowner_client.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>

#include "memowner_client.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int mo_dev_open(void)
{
	int fd = open(MEMOWNER_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int mo_dev_get_info(int fd, struct memowner_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	return ioctl(fd, MEMOWNER_IOC_GET_INFO, info) ? -errno : 0;
}

/* A notification read among the replies of a request (see struct mo_genl). */
struct mo_pending {
	struct mo_pending *next;
	struct nl_msg *msg;
};

static void mo_pending_init(struct mo_genl *g)
{
	g->pending = NULL;
	g->pending_tail = &g->pending;
	g->nr_pending = 0;
	g->pending_dropped = 0;
}

/* Take the oldest queued notification (the caller owns its reference). */
static struct nl_msg *mo_pending_pop(struct mo_genl *g)
{
	struct mo_pending *p = g->pending;
	struct nl_msg *msg;

	if (!p)
		return NULL;
	g->pending = p->next;
	if (!g->pending)
		g->pending_tail = &g->pending;
	g->nr_pending--;
	msg = p->msg;
	free(p);
	return msg;
}

static void mo_pending_push(struct mo_genl *g, struct nl_msg *msg)
{
	struct mo_pending *p;

	if (!g->pending_tail)		/* a struct mo_genl set up by hand */
		mo_pending_init(g);
	if (g->nr_pending >= MO_PENDING_MAX) {
		nlmsg_free(mo_pending_pop(g));
		g->pending_dropped++;
	}
	p = malloc(sizeof(*p));
	if (!p) {
		g->pending_dropped++;
		return;
	}
	nlmsg_get(msg);
	p->msg = msg;
	p->next = NULL;
	*g->pending_tail = p;
	g->pending_tail = &p->next;
	g->nr_pending++;
}

int mo_genl_open(struct mo_genl *g)
{
	int one = 1, ret;

	mo_pending_init(g);
	g->sk = nl_socket_alloc();
	if (!g->sk)
		return -ENOMEM;
	ret = genl_connect(g->sk);
	if (ret) {
		ret = -EIO;
		goto err;
	}
	/* Ask for the kernel's own words with every error. */
	setsockopt(nl_socket_get_fd(g->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(g->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	g->family = genl_ctrl_resolve(g->sk, MEMOWNER_GENL_NAME);
	if (g->family < 0) {
		ret = -ENOENT;
		goto err;
	}
	return 0;
err:
	nl_socket_free(g->sk);
	g->sk = NULL;
	return ret;
}

void mo_genl_close(struct mo_genl *g)
{
	if (g->pending_tail) {
		struct nl_msg *msg;

		while ((msg = mo_pending_pop(g)))
			nlmsg_free(msg);
	}
	if (g->sk)
		nl_socket_free(g->sk);
	g->sk = NULL;
}

struct nl_msg *mo_genl_msg(const struct mo_genl *g, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0,
			 flags, cmd, MEMOWNER_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

struct mo_req {
	struct mo_genl *g;
	uint32_t seq;		/* of the request: its replies carry it */
	mo_genl_reply_fn fn;
	void *arg;
	int err;
	int done;
	char *extack;
	size_t extack_len;
};

/*
 * Sort what the socket reads while a request is answered: its replies
 * (and the ack) carry the request's sequence number; a notification of a
 * joined group has sequence number 0 and no port (the kernel sent it to
 * a group, not to us) and is queued for mo_genl_wait(); anything else is
 * a late reply to an earlier request and is dropped.  Without this, a
 * notification arriving during a dump failed the dump (libnl's default
 * sequence check: -NLE_SEQ_MISMATCH) or reached the dump's callback.
 */
static int mo_req_seq_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct mo_req *r = arg;

	if (nlh->nlmsg_seq == r->seq)
		return NL_OK;
	if (nlh->nlmsg_seq == 0 && nlh->nlmsg_pid == 0)
		mo_pending_push(r->g, msg);
	return NL_SKIP;
}

static int mo_valid_cb(struct nl_msg *msg, void *arg)
{
	struct mo_req *r = arg;

	return r->fn ? r->fn(msg, r->arg) : NL_OK;
}

/* Copy NLMSGERR_ATTR_MSG out of the ack TLVs at @tlvs (@len bytes). */
static void mo_copy_tlv_msg(struct mo_req *r, void *tlvs, int len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];

	if (!r->extack || len <= 0 ||
	    nla_parse(tb, NLMSGERR_ATTR_MAX, tlvs, len, NULL))
		return;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(r->extack, r->extack_len, "%s",
			 (char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
}

/*
 * The end of a dump, or the ack of a request.  A dump that failed after
 * it started ends with an NLMSG_DONE whose payload is the negative errno,
 * followed by the extended-ack TLVs.
 */
static int mo_finish_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct mo_req *r = arg;
	int err;

	r->done = 1;
	if (nlh->nlmsg_type != NLMSG_DONE ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(err)))
		return NL_STOP;
	memcpy(&err, NLMSG_DATA(nlh), sizeof(err));
	if (err >= 0)
		return NL_STOP;
	r->err = err;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		mo_copy_tlv_msg(r, (char *)NLMSG_DATA(nlh) + NLMSG_ALIGN(sizeof(err)),
				(int)nlh->nlmsg_len -
				NLMSG_LENGTH(NLMSG_ALIGN(sizeof(err))));
	return NL_STOP;
}

/*
 * A dump message flagged NLM_F_DUMP_INTR (the data changed during the
 * dump): delivered like any other, the reply callback sees the flag.
 */
static int mo_dump_intr_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* Copy NLMSGERR_ATTR_MSG out of an error message carrying ack TLVs. */
static void mo_copy_extack(struct nlmsgerr *e, struct mo_req *r)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t ack_len = sizeof(*e);

	if (!r->extack || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		ack_len += e->msg.nlmsg_len - sizeof(e->msg);
	mo_copy_tlv_msg(r, (char *)e + ack_len,
			(int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)ack_len);
}

static int mo_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct mo_req *r = arg;

	(void)nla;
	r->err = e->error;
	r->done = 1;
	mo_copy_extack(e, r);
	return NL_STOP;
}

int mo_genl_transact(struct mo_genl *g, struct nl_msg *msg,
		     mo_genl_reply_fn fn, void *arg,
		     char *extack, size_t extack_len)
{
	struct mo_req r = {
		.g = g, .fn = fn, .arg = arg,
		.extack = extack, .extack_len = extack_len,
	};
	struct nl_cb *cb;
	int ret;

	if (extack && extack_len)
		extack[0] = '\0';
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nlmsg_hdr(msg)->nlmsg_flags |= NLM_F_ACK;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, mo_valid_cb, &r);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, mo_finish_cb, &r);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, mo_finish_cb, &r);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, mo_dump_intr_cb, &r);
	nl_cb_err(cb, NL_CB_CUSTOM, mo_err_cb, &r);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, mo_req_seq_cb, &r);

	ret = nl_send_auto(g->sk, msg);
	r.seq = nlmsg_hdr(msg)->nlmsg_seq;	/* set by nl_send_auto() */
	nlmsg_free(msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return -EIO;
	}
	while (!r.done) {
		ret = nl_recvmsgs(g->sk, cb);
		if (ret < 0 && !r.done) {
			r.err = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	return r.err;
}

int mo_genl_subscribe(struct mo_genl *g, const char *group)
{
	struct nl_sock *sk;
	int id;

	/*
	 * The group's id is asked on a socket of its own: @g's may already
	 * belong to a group, and a notification arriving in between would be
	 * read -- and lost -- among the controller's replies.
	 */
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return -EIO;
	}
	id = genl_ctrl_resolve_grp(sk, MEMOWNER_GENL_NAME, group);
	nl_socket_free(sk);
	if (id < 0)
		return -ENOENT;
	nl_socket_disable_seq_check(g->sk);
	/* Groups of admin-only families refuse a bind without CAP_SYS_ADMIN. */
	switch (nl_socket_add_membership(g->sk, id)) {
	case 0:
		return 0;
	case -NLE_PERM:
		return -EPERM;
	case -NLE_NOACCESS:
		return -EACCES;
	default:
		return -EIO;
	}
}

struct mo_wait {
	mo_genl_reply_fn fn;
	void *arg;
	int n;
};

static int mo_wait_cb(struct nl_msg *msg, void *arg)
{
	struct mo_wait *w = arg;

	w->n++;
	return w->fn ? w->fn(msg, w->arg) : NL_OK;
}

static int mo_no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

int mo_genl_wait(struct mo_genl *g, int timeout_ms, mo_genl_reply_fn fn,
		 void *arg)
{
	struct mo_wait w = { .fn = fn, .arg = arg };
	struct pollfd pfd = { .fd = nl_socket_get_fd(g->sk), .events = POLLIN };
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret;

	/* Those read during a request first, in their order, without waiting. */
	if (g->pending_tail && g->pending) {
		while ((msg = mo_pending_pop(g))) {
			ret = mo_wait_cb(msg, &w);
			nlmsg_free(msg);
			if (ret == NL_STOP)
				break;
		}
		return w.n;
	}
	ret = poll(&pfd, 1, timeout_ms);
	if (ret <= 0)
		return ret < 0 ? -errno : 0;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, mo_wait_cb, &w);
	/* Notifications carry no sequence number of ours. */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, mo_no_seq_check, NULL);
	ret = nl_recvmsgs(g->sk, cb);
	nl_cb_put(cb);
	return ret < 0 ? -EIO : w.n;
}

int mo_genl_parse(struct nl_msg *msg, struct nlattr **tb)
{
	int ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, MEMOWNER_A_MAX, NULL);

	return ret ? -EINVAL : 0;
}

const char *mo_hint(int err)
{
	switch (err) {
	case -ENOENT:
	case -ENODEV:
	case -ENXIO:
		return "memowner.ko is not loaded: run 'modprobe memowner' (or insmod module/memowner.ko)";
	case -EPERM:
	case -EACCES:
		return "permission denied: memowner needs root (CAP_SYS_ADMIN, or CAP_PERFMON to read)";
	case -ENOTTY:
	case -EPROTO:
		return "interface mismatch: the loaded memowner.ko is older or newer than this tool";
	default:
		return strerror(-err);
	}
}
