/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libmemowner: the client library shared by memowner, memownerd and the
 * selftests.  Device ioctls and generic-netlink requests with the kernel's
 * extended-ack message captured, plus error hints for humans.
 *
 * All functions return 0 or a negative errno; none prints.
 */
#ifndef MEMOWNER_CLIENT_H
#define MEMOWNER_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <linux/memowner.h>

/* Open /dev/memowner read-write. Returns the fd or -errno. */
int mo_dev_open(void);
/* MEMOWNER_IOC_GET_INFO with the current struct size. */
int mo_dev_get_info(int fd, struct memowner_info *info);

struct mo_genl {
	struct nl_sock *sk;
	int family;		/* resolved family id */
};

/* Connect and resolve the "memowner" family (-ENOENT: module not loaded). */
int mo_genl_open(struct mo_genl *g);
void mo_genl_close(struct mo_genl *g);

/* A request message for @cmd of the memowner family; NULL on ENOMEM. */
struct nl_msg *mo_genl_msg(const struct mo_genl *g, uint8_t cmd, int flags);

/* Called for each reply message; return NL_OK, NL_SKIP or NL_STOP. */
typedef int (*mo_genl_reply_fn)(struct nl_msg *msg, void *arg);

/*
 * Send @msg (consumed) and receive every reply until the ack or the end of
 * the dump.  On a kernel error -- in the ack, or in the NLMSG_DONE of a
 * dump that failed once started -- returns it (negative errno) and copies
 * the extended-ack message, if any, into @extack (may be NULL).  Messages
 * of a dump flagged NLM_F_DUMP_INTR are delivered to @fn like the others.
 */
int mo_genl_transact(struct mo_genl *g, struct nl_msg *msg,
		     mo_genl_reply_fn fn, void *arg,
		     char *extack, size_t extack_len);

/*
 * Join multicast group @group ("alerts", "events") on @g's socket, which
 * should then serve notifications only (sequence checks are turned off).
 */
int mo_genl_subscribe(struct mo_genl *g, const char *group);

/*
 * Wait up to @timeout_ms for notifications and pass each to @fn.
 * Returns the number handled (0 on timeout) or -errno.
 */
int mo_genl_wait(struct mo_genl *g, int timeout_ms, mo_genl_reply_fn fn,
		 void *arg);

/* Parse the attributes of a memowner reply against MEMOWNER_A_MAX. */
int mo_genl_parse(struct nl_msg *msg, struct nlattr **tb);

/* A one-line hint for an errno returned by the functions above. */
const char *mo_hint(int err);

#endif /* MEMOWNER_CLIENT_H */
