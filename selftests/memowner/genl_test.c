// SPDX-License-Identifier: GPL-2.0
/*
 * The "memowner" generic-netlink family: resolution through libnl, the
 * get-info request, policy rejections with extended acks, and privilege.
 */
#include <string.h>
#include <netlink/genl/ctrl.h>

#include "memowner_selftest.h"
#include "kselftest_harness.h"

struct info_reply {
	int seen;
	char version[32];
	__u32 abi;
	__u64 features, loaded_ns, nr_requests, mem_bytes;
};

static int info_cb(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MEMOWNER_A_MAX + 1];
	struct info_reply *r = arg;

	if (mo_genl_parse(msg, tb) || !tb[MEMOWNER_A_INFO_VERSION] ||
	    !tb[MEMOWNER_A_INFO_ABI_VERSION] || !tb[MEMOWNER_A_INFO_FEATURES] ||
	    !tb[MEMOWNER_A_INFO_LOADED_NS] || !tb[MEMOWNER_A_INFO_NR_REQUESTS] ||
	    !tb[MEMOWNER_A_INFO_MEM_BYTES])
		return NL_SKIP;
	r->seen++;
	snprintf(r->version, sizeof(r->version), "%s",
		 nla_get_string(tb[MEMOWNER_A_INFO_VERSION]));
	r->abi = nla_get_u32(tb[MEMOWNER_A_INFO_ABI_VERSION]);
	r->features = nla_get_u64(tb[MEMOWNER_A_INFO_FEATURES]);
	r->loaded_ns = nla_get_u64(tb[MEMOWNER_A_INFO_LOADED_NS]);
	r->nr_requests = nla_get_u64(tb[MEMOWNER_A_INFO_NR_REQUESTS]);
	r->mem_bytes = nla_get_u64(tb[MEMOWNER_A_INFO_MEM_BYTES]);
	return NL_OK;
}

FIXTURE(genl) {
	struct mo_genl g;
	char extack[256];
};

FIXTURE_SETUP(genl)
{
	ASSERT_EQ(0, mo_genl_open(&self->g));
}

FIXTURE_TEARDOWN(genl)
{
	mo_genl_close(&self->g);
}

TEST_F(genl, family_resolves)
{
	EXPECT_LT(0, self->g.family);
	/* A different name does not resolve to it. */
	EXPECT_GT(0, genl_ctrl_resolve(self->g.sk, "memowner-nonexistent"));
}

TEST_F(genl, get_info)
{
	struct info_reply r = { 0 }, r2 = { 0 };
	struct memowner_info di;
	unsigned int maj, min, patch;
	int fd;

	ASSERT_EQ(0, mo_genl_transact(&self->g,
				      mo_genl_msg(&self->g, MEMOWNER_CMD_GET_INFO, 0),
				      info_cb, &r, self->extack, sizeof(self->extack)))
		TH_LOG("extack: %s", self->extack);
	ASSERT_EQ(1, r.seen);
	EXPECT_EQ(MEMOWNER_ABI_VERSION, r.abi);
	EXPECT_TRUE(r.features & MEMOWNER_FEAT_GENL);
	ASSERT_EQ(3, sscanf(r.version, "%u.%u.%u", &maj, &min, &patch));

	/* The same facts as the ioctl tells. */
	fd = mo_dev_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mo_dev_get_info(fd, &di));
	close(fd);
	EXPECT_EQ(di.version, MEMOWNER_VERSION_CODE(maj, min, patch));
	EXPECT_EQ(di.loaded_ns, r.loaded_ns);
	EXPECT_EQ(di.features, r.features);

	ASSERT_EQ(0, mo_genl_transact(&self->g,
				      mo_genl_msg(&self->g, MEMOWNER_CMD_GET_INFO, 0),
				      info_cb, &r2, NULL, 0));
	EXPECT_EQ(r.nr_requests + 1, r2.nr_requests);
}

/* Reply attributes are not valid in requests: rejected, with a reason. */
TEST_F(genl, rejects_reply_attribute)
{
	struct nl_msg *msg = mo_genl_msg(&self->g, MEMOWNER_CMD_GET_INFO, 0);

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, MEMOWNER_A_INFO_ABI_VERSION, 1));
	EXPECT_EQ(-EINVAL, mo_genl_transact(&self->g, msg, NULL, NULL,
					    self->extack, sizeof(self->extack)));
	EXPECT_NE(0, self->extack[0]);
	TH_LOG("kernel said: %s", self->extack);
}

TEST_F(genl, rejects_unknown_attribute)
{
	struct nl_msg *msg = mo_genl_msg(&self->g, MEMOWNER_CMD_GET_INFO, 0);

	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_u32(msg, MEMOWNER_A_MAX + 1, 1));
	EXPECT_EQ(-EINVAL, mo_genl_transact(&self->g, msg, NULL, NULL,
					    self->extack, sizeof(self->extack)));
	EXPECT_NE(0, self->extack[0]);
	TH_LOG("kernel said: %s", self->extack);
}

TEST_F(genl, unknown_command)
{
	struct nl_msg *msg = mo_genl_msg(&self->g, MEMOWNER_CMD_MAX + 1, 0);

	ASSERT_NE(NULL, msg);
	EXPECT_EQ(-EOPNOTSUPP, mo_genl_transact(&self->g, msg, NULL, NULL,
						NULL, 0));
}

/* Reserved genl header byte must be zero for new commands. */
TEST_F(genl, rejects_reserved_header)
{
	struct nl_msg *msg = mo_genl_msg(&self->g, MEMOWNER_CMD_GET_INFO, 0);
	struct genlmsghdr *gh;

	ASSERT_NE(NULL, msg);
	gh = nlmsg_data(nlmsg_hdr(msg));
	gh->reserved = 1;
	EXPECT_EQ(-EINVAL, mo_genl_transact(&self->g, msg, NULL, NULL,
					    NULL, 0));
}

static int get_info_as_nobody(void)
{
	struct mo_genl g;
	char extack[256];
	int ret;

	if (mo_become_nobody())
		return 10;
	if (mo_genl_open(&g))
		return 11;	/* the family itself stays resolvable */
	ret = mo_genl_transact(&g, mo_genl_msg(&g, MEMOWNER_CMD_GET_INFO, 0),
			       NULL, NULL, extack, sizeof(extack));
	mo_genl_close(&g);
	if (ret != -EPERM)
		return 12;
	return strstr(extack, "CAP_") ? 0 : 13;
}

static int get_info_with_perfmon(void)
{
	struct info_reply r = { 0 };
	struct mo_genl g;
	int ret;

	if (mo_keep_caps(MO_CAP(CAP_PERFMON)))
		return 10;
	if (mo_genl_open(&g))
		return 11;
	ret = mo_genl_transact(&g, mo_genl_msg(&g, MEMOWNER_CMD_GET_INFO, 0),
			       info_cb, &r, NULL, 0);
	mo_genl_close(&g);
	return ret || r.seen != 1 ? 12 : 0;
}

TEST(denied_to_nobody)
{
	EXPECT_EQ(0, mo_run_child(get_info_as_nobody));
}

TEST(allowed_with_perfmon)
{
	EXPECT_EQ(0, mo_run_child(get_info_with_perfmon));
}

int main(int argc, char **argv)
{
	mo_require_module();
	return MO_HARNESS_RUN(argc, argv);
}
