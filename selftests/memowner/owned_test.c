// SPDX-License-Identifier: GPL-2.0
/*
 * Each byte is owned once.  A vmalloc area is recorded as the vmalloc
 * allocation and, again, as the pages the allocator takes to hold it; a
 * large kmalloc as the slab object and as its pages; slab objects as the
 * objects and as their slab pages.  Summed together, "global" counted
 * that memory twice: 16 MiB of vmalloc raised it by 32 MiB, 4 MiB of
 * 64 KiB kmallocs by 8 MiB -- the large kmalloc's stack row too, since
 * its pages have the caller's stack.  Such pages are now "backing": out of
 * every owned (live_*) value, shown apart as backing_bytes.
 *
 * The workload's sizes are the truth: memowner_test.ko allocates them.
 * The global measure is the sum of live_bytes over every owner (a
 * snapshot grouped by module covers every site once); the machine's other
 * allocations in the same seconds are noise of a few KiB.
 */
#include <stdint.h>
#include <sys/ioctl.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

#define MAX_ROWS	4096
#define MIB		(1024 * 1024LL)

struct sums {
	long long live, backing;
};

/* Sum of live_bytes and backing_bytes over all owners. */
static int global(int fd, struct sums *s)
{
	struct memowner_row *rows = calloc(MAX_ROWS, sizeof(*rows));
	struct memowner_snapshot snap = {
		.size = sizeof(snap), .group = MEMOWNER_GROUP_MODULE,
		.rows = (uintptr_t)rows, .row_size = sizeof(*rows),
		.max_rows = MAX_ROWS,
	};
	unsigned int i;
	int ret = 0;

	s->live = s->backing = 0;
	if (!rows)
		return -ENOMEM;
	if (ioctl(fd, MEMOWNER_IOC_SNAPSHOT, &snap))
		ret = -errno;
	else if (snap.total > snap.nr_rows)
		ret = -E2BIG;
	for (i = 0; !ret && i < snap.nr_rows; i++) {
		s->live += rows[i].live_bytes;
		s->backing += rows[i].backing_bytes;
	}
	free(rows);
	return ret;
}

/* What the test module's command @cmd adds to the sums, into @d. */
static int delta(int fd, const char *cmd, struct sums *d)
{
	struct sums a = {}, b = {};
	int ret = global(fd, &a);

	if (!ret)
		ret = tm("%s", cmd);
	if (!ret)
		ret = global(fd, &b);
	d->live = b.live - a.live;
	d->backing = b.backing - a.backing;
	return ret;
}

/* The stack-grouped row (slab + page) whose frames hold @fn. */
static int stack_row(int fd, const char *fn, struct memowner_row *out)
{
	struct memowner_row *rows = calloc(MAX_ROWS, sizeof(*rows));
	struct memowner_snapshot snap = {
		.size = sizeof(snap), .group = MEMOWNER_GROUP_STACK,
		.rows = (uintptr_t)rows, .row_size = sizeof(*rows),
		.max_rows = MAX_ROWS,
	};
	char text[4096];
	unsigned int i;
	int ret = -ENOENT;

	if (!rows)
		return -ENOMEM;
	if (ioctl(fd, MEMOWNER_IOC_SNAPSHOT, &snap)) {
		free(rows);
		return -errno;
	}
	for (i = 0; i < snap.nr_rows && ret; i++) {
		struct memowner_stack st = {
			.size = sizeof(st), .handle = rows[i].stack,
			.text = (uintptr_t)text, .text_len = sizeof(text),
		};

		if (!ioctl(fd, MEMOWNER_IOC_GET_STACK, &st) && strstr(text, fn)) {
			*out = rows[i];
			ret = 0;
		}
	}
	free(rows);
	return ret;
}

/*
 * Owned deltas include what the test module keeps to hold the objects
 * (its lists: up to 150 KiB for 8192 objects on 6.1), the vmalloc area's
 * page tables and the machine's own allocations of the same seconds: 10%
 * of the workload, where counting twice is 100%.
 */
#define OWNED_PCT	10

/* |got - want| within @pct percent of @want (plus @slack bytes). */
#define EXPECT_NEAR(want, got, pct, slack)				\
	do {								\
		long long _w = (want), _g = (got);			\
		long long _d = _g > _w ? _g - _w : _w - _g;		\
		EXPECT_LE(_d, _w * (pct) / 100 + (slack))		\
			TH_LOG("want %lld, got %lld", _w, _g);		\
	} while (0)

FIXTURE(own) {
	int fd;
};

FIXTURE_SETUP(own)
{
	self->fd = -1;
	if (!have_modules())
		return;
	self->fd = mo_start_exact(O_RDONLY);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(own)
{
	if (self->fd >= 0)
		close(self->fd);
	tm("reset");
}

/* 16 MiB of vmalloc: 16 MiB more owned, and its 16 MiB of pages backing. */
TEST_F(own, vmalloc_counted_once)
{
	struct sums d;

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, delta(self->fd, "alloc vmalloc 16 1048576", &d));
	TH_LOG("16 MiB vmalloc: owned %+lld, backing %+lld bytes",
	       d.live, d.backing);
	/* The area's page tables are owned too. */
	EXPECT_NEAR(16 * MIB, d.live, OWNED_PCT, 64 * 1024);
	EXPECT_NEAR(16 * MIB, d.backing, OWNED_PCT, 64 * 1024);
	ASSERT_EQ(0, tm("free vmalloc"));
}

/*
 * 64 large kmallocs of 64 KiB: 4 MiB owned, once, in the global measure
 * and in their stack's row; their pages are backing.
 */
TEST_F(own, large_kmalloc_counted_once)
{
	struct memowner_row row;
	struct sums d;

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, delta(self->fd, "alloc kmalloc 64 65536", &d));
	TH_LOG("4 MiB of 64 KiB kmallocs: owned %+lld, backing %+lld bytes",
	       d.live, d.backing);
	EXPECT_NEAR(4 * MIB, d.live, OWNED_PCT, 64 * 1024);
	EXPECT_NEAR(4 * MIB, d.backing, OWNED_PCT, 64 * 1024);
	/*
	 * The objects' row (the first, by live bytes, naming the caller):
	 * 4 MiB in 64 objects.  Its pages are backing, in this row where the
	 * page stack is the caller's (a constant size: kmalloc_large()), in
	 * a row of their own starting in the slab allocator otherwise.
	 */
	ASSERT_EQ(0, stack_row(self->fd, "memowner_test_kmalloc+", &row));
	EXPECT_EQ(4 * MIB, (long long)row.live_bytes);
	EXPECT_EQ(64, (long long)row.live_objects);
	ASSERT_EQ(0, tm("free kmalloc"));
}

/*
 * Slab objects: 8192 of 256 bytes, 2 MiB owned; the slab pages taken for
 * them are backing -- at least most of 2 MiB (partial slabs may hold some).
 */
TEST_F(own, slab_pages_are_backing)
{
	struct sums d;

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, delta(self->fd, "alloc kmalloc 8192 256", &d));
	TH_LOG("2 MiB of 256-byte kmallocs: owned %+lld, backing %+lld bytes",
	       d.live, d.backing);
	EXPECT_NEAR(2 * MIB, d.live, OWNED_PCT, 64 * 1024);
	EXPECT_LE(MIB, d.backing);
	EXPECT_GE(3 * MIB, d.backing);
	ASSERT_EQ(0, tm("free kmalloc"));
}

/* The value of rule @id, once the alert check has run twice since now. */
static long long rule_value(int fd, __u32 id)
{
	struct memowner_threshold_state *rules;
	long long v = -1;
	size_t nr, i;

	usleep(350 * 1000);	/* alert_period_ms is 100 */
	if (mo_threshold_list(fd, &rules, &nr))
		return -1;
	for (i = 0; i < nr; i++)
		if (rules[i].id == id)
			v = rules[i].value;
	free(rules);
	return v;
}

/*
 * The global alert rule measures owned memory: 16 MiB of vmalloc moves
 * its value by 16 MiB (it moved by 32 MiB).
 */
TEST_F(own, global_rule_counts_once)
{
	struct memowner_threshold t = {
		.owner_kind = MEMOWNER_OWNER_GLOBAL,
		.metric = MEMOWNER_METRIC_LIVE_BYTES,
		.high = 1ULL << 50, .low = 1ULL << 49,
	};
	long long a, b;
	__u32 id;
	int fd;

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	fd = open(MEMOWNER_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mo_threshold_add(fd, &t, NULL, &id));
	a = rule_value(fd, id);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, tm("alloc vmalloc 16 %lld", MIB));
	b = rule_value(fd, id);
	TH_LOG("16 MiB vmalloc: global rule %lld -> %lld (%+lld)", a, b, b - a);
	EXPECT_NEAR(16 * MIB, b - a, OWNED_PCT, 64 * 1024);
	ASSERT_EQ(0, mo_threshold_del(fd, id));
	close(fd);
	ASSERT_EQ(0, tm("free vmalloc"));
}

MO_TEST_MAIN
