// SPDX-License-Identifier: GPL-2.0
/*
 * The generic-netlink family "memowner"; its contract is the YAML spec in
 * Documentation/netlink/specs/memowner.yaml and uapi/linux/memowner.h.
 *
 * The family is not network-namespace aware (netnsok is false): kernel
 * memory ownership is a whole-machine fact, only visible from the initial
 * namespace.  Privilege is checked against the sender's credentials of the
 * message (netlink_capable), never against "current".
 */
#include <linux/capability.h>
#include <linux/module.h>
#include <net/genetlink.h>

#include "info.h"
#include "netlink.h"

static const struct nla_policy memowner_genl_policy[MEMOWNER_A_MAX + 1] = {
	[MEMOWNER_A_INFO_VERSION] = { .type = NLA_REJECT },
	[MEMOWNER_A_INFO_ABI_VERSION] = { .type = NLA_REJECT },
	[MEMOWNER_A_INFO_FEATURES] = { .type = NLA_REJECT },
	[MEMOWNER_A_INFO_LOADED_NS] = { .type = NLA_REJECT },
	[MEMOWNER_A_INFO_NR_OPENS] = { .type = NLA_REJECT },
	[MEMOWNER_A_INFO_NR_IOCTLS] = { .type = NLA_REJECT },
	[MEMOWNER_A_INFO_NR_REQUESTS] = { .type = NLA_REJECT },
	[MEMOWNER_A_INFO_MEM_BYTES] = { .type = NLA_REJECT },
	[MEMOWNER_A_PAD] = { .type = NLA_REJECT },
};

/* Read-only operations: CAP_PERFMON or CAP_SYS_ADMIN of the sender. */
static bool memowner_genl_may_read(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_SYS_ADMIN) ||
	       netlink_capable(skb, CAP_PERFMON);
}

static int memowner_genl_get_info(struct sk_buff *skb, struct genl_info *info)
{
	struct memowner_info mi = {};
	struct sk_buff *msg;
	void *hdr;

	if (!memowner_genl_may_read(skb)) {
		NL_SET_ERR_MSG(info->extack,
			       "memowner: needs CAP_PERFMON or CAP_SYS_ADMIN");
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
			      MEMOWNER_A_PAD))
		goto nla_failure;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nla_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static const struct genl_ops memowner_genl_ops[] = {
	{
		.cmd = MEMOWNER_CMD_GET_INFO,
		.doit = memowner_genl_get_info,
	},
};

/* Indexed by enum memowner_genl_group. */
static const struct genl_multicast_group memowner_genl_mcgrps[] = {
	[MEMOWNER_GRP_ALERTS] = { .name = MEMOWNER_MCGRP_ALERTS },
	[MEMOWNER_GRP_EVENTS] = { .name = MEMOWNER_MCGRP_EVENTS },
};

struct genl_family memowner_genl_family __ro_after_init = {
	.name = MEMOWNER_GENL_NAME,
	.version = MEMOWNER_GENL_VERSION,
	.maxattr = MEMOWNER_A_MAX,
	.policy = memowner_genl_policy,
	.netnsok = false,
	.module = THIS_MODULE,
	.ops = memowner_genl_ops,
	.n_ops = ARRAY_SIZE(memowner_genl_ops),
	.mcgrps = memowner_genl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(memowner_genl_mcgrps),
	/* Every command validates reserved header bytes and attributes strictly. */
	.resv_start_op = MEMOWNER_CMD_GET_INFO,
};

int __init memowner_genl_init(void)
{
	return genl_register_family(&memowner_genl_family);
}

void memowner_genl_exit(void)
{
	genl_unregister_family(&memowner_genl_family);
}
