// SPDX-License-Identifier: GPL-2.0
/*
 * A new tracking epoch (SET_CONFIG) empties the stack depot and the site
 * table too.  Both are bounded by what the code allocates -- but per
 * configuration: stacks of another depth, call sites of callsite mode,
 * sites of another sampling are all different entries, and before, they
 * were kept until unload, so a few reconfigurations filled both tables and
 * every later allocation was charged to "stack table full".
 *
 * The test module's "paths N" allocates N objects, each through its own
 * chain of 14 calls (a or b at each level), so N distinct stacks at any
 * depth above 15.
 *
 *  full_tables_recover   a depot and a site table of 256 entries, filled
 *                        by 2000 distinct stacks, take 64 new ones after
 *                        a new epoch, each under its own stack;
 *  deeper_depth_has_room memowner loaded with depth=4 and reconfigured to
 *                        depth=64: the depot's records are 16x larger,
 *                        and 150 deep stacks must still fit 256 entries
 *                        (the arena is reallocated for the new depth),
 *                        each stored deeper than 4 frames;
 *  before_load_owner_again  the pages in use at a new epoch are under
 *                        "allocated before load" again.
 */
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

#define MAX_STACKS	256
#define MAX_ROWS	4096

/*
 * Live objects under the stacks of "paths" (memowner_test_paths_leaf in
 * their frames; the module's batch bookkeeping is under others), and one
 * such stack; -1 on error.
 */
static long paths_objects(int fd, __u32 *a_handle)
{
	static struct memowner_row rows[MAX_ROWS];
	struct memowner_snapshot s = {
		.size = sizeof(s), .rows = (unsigned long)rows,
		.row_size = sizeof(rows[0]), .max_rows = MAX_ROWS,
		.group = MEMOWNER_GROUP_STACK,
		.module = (unsigned long)"memowner_test",
	};
	static char text[16384];
	long n = 0;
	__u32 i;

	if (ioctl(fd, MEMOWNER_IOC_SNAPSHOT, &s))
		return -1;
	for (i = 0; i < s.nr_rows; i++) {
		struct memowner_stack st = {
			.size = sizeof(st), .handle = rows[i].stack,
			.text = (unsigned long)text, .text_len = sizeof(text),
		};

		if (!rows[i].live_objects ||
		    ioctl(fd, MEMOWNER_IOC_GET_STACK, &st) ||
		    !strstr(text, "memowner_test_paths_leaf+"))
			continue;
		n += rows[i].live_objects;
		if (a_handle)
			*a_handle = rows[i].stack;
	}
	return n;
}

/* Frames stored for @handle; -errno. */
static long stack_frames(int fd, __u32 handle)
{
	struct memowner_stack st = { .size = sizeof(st), .handle = handle };

	return ioctl(fd, MEMOWNER_IOC_GET_STACK, &st) ? -errno : (long)st.nr_frames;
}

static long stack_drops(void)
{
	return status_num("drops:", "stack_table_full=");
}

static long site_drops(void)
{
	return status_num("drops:", "site_table_full=");
}

FIXTURE(epoch) {
	int fd;
};

FIXTURE_SETUP(epoch)
{
	self->fd = -1;
}

FIXTURE_TEARDOWN(epoch)
{
	if (self->fd >= 0)
		close(self->fd);
	tm("reset");
	memowner_reload("");
}

TEST_F_TIMEOUT(epoch, full_tables_recover, 300)
{
	struct memowner_config c = {
		.flags = MEMOWNER_CONFIG_F_MODE, .mode = MEMOWNER_MODE_STACK,
	};
	long stacks_full, drops, sdrops, objects;
	char params[64];

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	snprintf(params, sizeof(params), "mode=stack max_stacks=%d", MAX_STACKS);
	ASSERT_EQ(0, memowner_reload(params));
	self->fd = open(MEMOWNER_DEVICE, O_RDWR);
	ASSERT_LE(0, self->fd);

	/* Both tables full: 2000 distinct stacks, 256 entries. */
	ASSERT_EQ(0, tm("paths 2000 32"));
	stacks_full = status_num("stacks:", "stacks: ");
	ASSERT_LT(0, stack_drops());
	ASSERT_LT(0, site_drops());
	ASSERT_EQ(0, tm("free paths"));

	ASSERT_EQ(0, mo_set_config(self->fd, &c));
	/* Only what was allocated since: far fewer than the table holds. */
	EXPECT_GT(MAX_STACKS / 2, status_num("stacks:", "stacks: "))
		TH_LOG("stacks: %ld when full, %ld after the new epoch",
		       stacks_full, status_num("stacks:", "stacks: "));
	drops = stack_drops();
	sdrops = site_drops();
	ASSERT_EQ(0, tm("paths 64 32"));
	objects = paths_objects(self->fd, NULL);
	/* Each under its own stack, none under "stack table full". */
	EXPECT_EQ(64, objects);
	EXPECT_EQ(drops, stack_drops());
	EXPECT_EQ(sdrops, site_drops());
	ASSERT_EQ(0, tm("free paths"));
}

TEST_F_TIMEOUT(epoch, deeper_depth_has_room, 300)
{
	struct memowner_config c = {
		.flags = MEMOWNER_CONFIG_F_DEPTH, .depth = 64,
	};
	long drops, objects, frames;
	__u32 handle = 0;
	char params[64];

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	snprintf(params, sizeof(params), "mode=stack depth=4 max_stacks=%d",
		 MAX_STACKS);
	ASSERT_EQ(0, memowner_reload(params));
	self->fd = open(MEMOWNER_DEVICE, O_RDWR);
	ASSERT_LE(0, self->fd);

	ASSERT_EQ(0, mo_set_config(self->fd, &c));
	drops = stack_drops();
	ASSERT_EQ(0, tm("paths 150 32"));
	objects = paths_objects(self->fd, &handle);
	EXPECT_EQ(150, objects);
	EXPECT_EQ(drops, stack_drops())
		TH_LOG("%ld stacks refused: the depot holds records of depth 4",
		       stack_drops() - drops);
	/* Stored whole: the leaf, 8 levels and memowner_test_paths, at least. */
	ASSERT_NE(0, handle);
	frames = stack_frames(self->fd, handle);
	EXPECT_LE(10, frames);
	ASSERT_EQ(0, tm("free paths"));
}

/* nr_base_pages of the "allocated before load" stack in show_stacks; -1. */
static long before_load_pages(void)
{
	char *buf = read_file(DBG "show_stacks"), *p, *n;
	long pages = -1;

	if (!buf)
		return -1;
	p = strstr(buf, " memowner_allocated_before_load+");
	n = p ? strstr(p, "nr_base_pages: ") : NULL;
	if (n)
		pages = strtol(n + strlen("nr_base_pages: "), NULL, 10);
	free(buf);
	return pages;
}

/*
 * The pages in use before tracking (re)started are one owner, "allocated
 * before load", in every epoch: its site is made again when the table is
 * emptied (an index of the old epoch would name another site).
 */
TEST_F_TIMEOUT(epoch, before_load_owner_again, 120)
{
	struct memowner_config c = {
		.flags = MEMOWNER_CONFIG_F_MODE, .mode = MEMOWNER_MODE_CALLSITE,
	};
	long found, pcp, pages;

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	self->fd = open(MEMOWNER_DEVICE, O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, mo_set_config(self->fd, &c));
	found = status_num("preload:", "found_pages=");
	pcp = status_num("preload:", "pcp_free_pages_at_scan=");
	pages = before_load_pages();
	TH_LOG("found %ld pages in use at the new epoch, %ld of them free on per-CPU lists; %ld under \"allocated before load\"",
	       found, pcp, pages);
	ASSERT_LT(0, found);
	ASSERT_LE(0, pcp);
	/*
	 * The scan's pages less those free on per-CPU lists (not in use:
	 * credited back), less what was freed since.
	 */
	EXPECT_LE((found - pcp) * 9 / 10, pages);
	EXPECT_GE(found, pages);
}

MO_TEST_MAIN
