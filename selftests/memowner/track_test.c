// SPDX-License-Identifier: GPL-2.0
/*
 * The tracking core, end to end: memowner_test.ko allocates known amounts
 * from known functions, and memowner must attribute exactly those objects,
 * bytes and pages to a stack holding that function -- and exactly zero
 * after the free -- in every exact mode, for every source and context.
 * Also: sampling estimates, concurrency, reloads under load, table
 * overflow, pre-existing pages against /proc/meminfo, the page_owner view
 * read by the kernel's page_owner_sort, and count_threshold.
 *
 * memowner.ko is reloaded with the parameters each test needs, so the
 * module files must be given: $MEMOWNER_KO and $MEMOWNER_TEST_KO.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"


/* ---- show_stacks -------------------------------------------------------- */

struct stacksum {
	long blocks;		/* blocks holding the function */
	long frames;		/* frames of the last such block */
	long base_pages, objects, bytes, allocs, frees;
};

/*
 * Sum the show_stacks blocks whose frames include function @fn (as
 * " fn+0x") and whose source is @src ("page" blocks have no source line).
 */
static int stacks_sum(const char *fn, const char *src, struct stacksum *s)
{
	char *buf = read_file(DBG "show_stacks"), *blk, *next, pat[128];

	memset(s, 0, sizeof(*s));
	if (!buf)
		return -errno;
	snprintf(pat, sizeof(pat), " %s+0x", fn);
	for (blk = buf; blk && *blk; blk = next) {
		char *line, *save, bsrc[16] = "page";
		long bp = 0, obj = 0, by = 0, al = 0, fr = 0, frames = 0;
		int match = 0;

		next = strstr(blk, "\n\n");
		if (next) {
			*next = '\0';
			next += 2;
		}
		for (line = strtok_r(blk, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			if (line[0] == ' ') {
				frames++;
				if (!strncmp(line, pat, strlen(pat)))
					match = 1;
			}
			sscanf(line, "nr_base_pages: %ld", &bp);
			sscanf(line, "source: %15s", bsrc);
			sscanf(line, "nr_objects: %ld", &obj);
			sscanf(line, "nr_bytes: %ld", &by);
			sscanf(line, "nr_allocs: %ld", &al);
			sscanf(line, "nr_frees: %ld", &fr);
		}
		if (!match || strcmp(bsrc, src))
			continue;
		s->blocks++;
		s->frames = frames;
		s->base_pages += bp;
		s->objects += obj;
		s->bytes += by;
		s->allocs += al;
		s->frees += fr;
	}
	free(buf);
	return 0;
}

/* ---- page_owner --------------------------------------------------------- */

struct posum {
	long records, pages, pid_ok;
	int order;
};

/* Count page_owner records whose stack holds @fn; check pid and comm. */
static int page_owner_sum(const char *fn, pid_t pid, const char *comm,
			  struct posum *s)
{
	char *buf = read_file(DBG "page_owner"), *blk, *next, pat[128];

	memset(s, 0, sizeof(*s));
	if (!buf)
		return -errno;
	snprintf(pat, sizeof(pat), "\n %s+0x", fn);
	for (blk = buf; blk && *blk; blk = next) {
		int order = -1, rpid = -1, rtgid = -1;
		char rcomm[64] = "";

		next = strstr(blk, "\n\n");
		if (next) {
			next[1] = '\0';
			next += 2;
		}
		if (!strstr(blk, pat))
			continue;
		sscanf(blk, "Page allocated via order %d, mask %*[^,], pid %d, tgid %d (%63[^)])",
		       &order, &rpid, &rtgid, rcomm);
		s->records++;
		s->pages += 1L << order;
		s->order = order;
		if (rpid == pid && rtgid == pid && !strcmp(rcomm, comm))
			s->pid_ok++;
	}
	free(buf);
	return 0;
}

static void my_comm(char *comm, size_t len)
{
	char *buf = read_file("/proc/self/comm");

	snprintf(comm, len, "%s", buf ? buf : "");
	comm[strcspn(comm, "\n")] = '\0';
	free(buf);
}

/* ---- fixtures ------------------------------------------------------------ */

/* A macro: SKIP() must return from the test itself. */
#define require_modules(_metadata) do {					\
	if (!have_modules())						\
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules"); \
} while (0)

FIXTURE(exact) {
	int dummy;
};

FIXTURE_VARIANT(exact) {
	const char *params;
	int callsite;
};

FIXTURE_VARIANT_ADD(exact, stack) {
	.params = "mode=stack depth=16",
	.callsite = 0,
};

FIXTURE_VARIANT_ADD(exact, callsite) {
	.params = "mode=callsite",
	.callsite = 1,
};

FIXTURE_SETUP(exact)
{
	if (!have_modules())
		return;		/* each test skips (6.1's harness runs it anyway) */
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload(variant->params));
}

FIXTURE_TEARDOWN(exact)
{
	tm("reset");
}

/* Allocation of @kind, checked against held, then its free. */
static void check_objects(struct __test_metadata *_metadata, const char *kind,
			  const char *fn, const char *src, long count,
			  long size, const char *opts, int use_req)
{
	struct stacksum s, s0;
	struct held h;

	require_modules(_metadata);
	/* Allocations and frees count since load: earlier calls' first. */
	ASSERT_EQ(0, stacks_sum(fn, src, &s0));
	ASSERT_EQ(0, s0.objects);
	ASSERT_EQ(0, tm("alloc %s %ld %ld %s", kind, count, size, opts));
	ASSERT_EQ(0, tm_held(kind, &h));
	ASSERT_EQ(count, h.count);
	ASSERT_EQ(0, stacks_sum(fn, src, &s));
	EXPECT_LE(1, s.blocks) TH_LOG("no %s block holds %s", src, fn);
	EXPECT_EQ(count, s.objects) TH_LOG("%s %s", kind, opts);
	EXPECT_EQ(use_req ? h.bytes_req : h.bytes_alloc, s.bytes);
	EXPECT_EQ(h.pages, s.base_pages);
	EXPECT_EQ(count, s.allocs - s0.allocs);
	EXPECT_EQ(0, s.frees - s0.frees);

	ASSERT_EQ(0, tm("free %s", kind));
	ASSERT_EQ(0, stacks_sum(fn, src, &s));
	EXPECT_EQ(0, s.objects);
	EXPECT_EQ(0, s.bytes);
	EXPECT_EQ(0, s.base_pages);
	EXPECT_EQ(count, s.allocs - s0.allocs);
	EXPECT_EQ(count, s.frees - s0.frees);
}

TEST_F(exact, kmalloc)
{
	check_objects(_metadata, "kmalloc", "memowner_test_kmalloc", "slab",
		      1000, 100, "", 0);
}

/* kmem_cache_alloc reports no sizes: memowner counts the object size. */
TEST_F(exact, cache)
{
	check_objects(_metadata, "cache", "memowner_test_cache_alloc", "slab",
		      500, 200, "", 1);
}

TEST_F(exact, cache_bulk)
{
	check_objects(_metadata, "cache_bulk", "memowner_test_cache_bulk",
		      "slab", 64, 128, "", 1);
}

TEST_F(exact, vmalloc)
{
	check_objects(_metadata, "vmalloc", "memowner_test_vmalloc", "vmalloc",
		      10, 20000, "", 0);
}

/*
 * Frees the kernel defers or batches: the objects' owner must empty once
 * they are really freed (polled: kfree_rcu waits for a grace period, a
 * deferred vfree for a work item), with one free counted per object.
 */
static void check_deferred_free(struct __test_metadata *_metadata,
				const char *kind, const char *fn,
				const char *src, long count, long size,
				const char *how)
{
	struct stacksum s, s0;
	int i;

	require_modules(_metadata);
	ASSERT_EQ(0, stacks_sum(fn, src, &s0));
	ASSERT_EQ(0, tm("alloc %s %ld %ld", kind, count, size));
	ASSERT_EQ(0, stacks_sum(fn, src, &s));
	ASSERT_EQ(count, s.objects);
	ASSERT_EQ(0, tm("free %s %s", kind, how));
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, stacks_sum(fn, src, &s));
		if (!s.objects)
			break;
		usleep(100000);
	}
	EXPECT_EQ(0, s.objects) TH_LOG("%s: %ld objects still live after 10 s",
				       how, s.objects);
	EXPECT_EQ(0, s.bytes);
	EXPECT_EQ(0, s.base_pages);
	EXPECT_EQ(count, s.frees - s0.frees);
}

TEST_F(exact, kfree_rcu)
{
	/*
	 * 6.18's slab sheaves batch kfree_rcu() objects and free them in
	 * bulk after the grace period, past the kmem:kfree tracepoint: on
	 * 7.2 and 7.3 none of the 500 frees was seen (newest-booted run,
	 * 2026-12-07).  An open bug of issue 11, not a test to weaken.
	 */
	if (!kernel_before(6, 18))
		SKIP(return, "kfree_rcu frees through slab sheaves (6.18+) are not seen yet (open bug, issue 11)");
	check_deferred_free(_metadata, "kmalloc", "memowner_test_kmalloc",
			    "slab", 500, 100, "kfree_rcu");
}

TEST_F(exact, kfree_bulk)
{
	check_deferred_free(_metadata, "kmalloc", "memowner_test_kmalloc",
			    "slab", 500, 100, "kfree_bulk");
}

TEST_F(exact, vfree_deferred)
{
	check_deferred_free(_metadata, "vmalloc", "memowner_test_vmalloc",
			    "vmalloc", 10, 20000, "vfree_atomic");
}

/*
 * krealloc() moves each object: the 8-byte kmalloc is freed, the object
 * of SIZE bytes is the one that lives -- both under the caller's stack
 * (krealloc passes its caller as the call site).
 */
TEST_F(exact, krealloc)
{
	const long count = 300, size = 1000;
	struct stacksum s, s0;
	struct held h;

	require_modules(_metadata);
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s0));
	ASSERT_EQ(0, tm("alloc kmalloc %ld %ld via=krealloc", count, size));
	ASSERT_EQ(0, tm_held("kmalloc", &h));
	ASSERT_EQ(count, h.count);
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	EXPECT_EQ(count, s.objects);
	EXPECT_EQ(h.bytes_alloc, s.bytes);
	EXPECT_EQ(2 * count, s.allocs - s0.allocs);
	EXPECT_EQ(count, s.frees - s0.frees);
	ASSERT_EQ(0, tm("free kmalloc"));
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	EXPECT_EQ(0, s.objects);
}

/*
 * Every exported vmalloc entry point, each counted once: where the
 * kernel's build inlines the allocator into them (5.10), memowner hooks
 * them (module/vmalloc_nest.c); elsewhere, hooking them too would count
 * each object twice.  One load for all of them (a load measures them all).
 *
 * Then kvmalloc() of more than kmalloc can take: a vmalloc, entered
 * through __vmalloc_node() (or the range function) from mm/util.c.  Each
 * object of N pages comes with its array of N page pointers, itself
 * vmalloc'd by the allocator for its caller when larger than a page: at
 * most one more object of that size per object, never a second count of
 * the object.
 */
TEST_F(exact, vmalloc_entry_points)
{
	static const char *const vias[] = {
		"vzalloc", "vmalloc_user", "vmalloc_node", "vzalloc_node",
		"vmalloc_32", "vmalloc_32_user", "__vmalloc",
	};
	const long count = 3, size = (4L << 20) + 4096;
	long psz = sysconf(_SC_PAGESIZE), vsize = (size + psz - 1) / psz * psz;
	long array = (vsize / psz) * (long)sizeof(void *);
	char opts[32];
	struct stacksum s;
	struct held h;
	size_t i;

	for (i = 0; i < sizeof(vias) / sizeof(vias[0]); i++) {
		snprintf(opts, sizeof(opts), "via=%s", vias[i]);
		check_objects(_metadata, "vmalloc", "memowner_test_vmalloc",
			      "vmalloc", 10, 20000, opts, 0);
	}

	array = (array + psz - 1) / psz * psz;
	ASSERT_EQ(0, tm("alloc vmalloc %ld %ld via=kvmalloc", count, size));
	ASSERT_EQ(0, tm_held("vmalloc", &h));
	ASSERT_EQ(count, h.count);
	ASSERT_EQ(count * vsize, h.bytes_alloc);
	ASSERT_EQ(0, stacks_sum("memowner_test_vmalloc", "vmalloc", &s));
	TH_LOG("kvmalloc: %ld objects of %ld bytes: memowner counts %ld objects, %ld bytes",
	       count, size, s.objects, s.bytes);
	EXPECT_LE(count, s.objects);
	EXPECT_GE(2 * count, s.objects);
	EXPECT_LE(count * vsize, s.bytes);
	EXPECT_GE(count * (vsize + array), s.bytes);

	ASSERT_EQ(0, tm("free vmalloc"));
	ASSERT_EQ(0, stacks_sum("memowner_test_vmalloc", "vmalloc", &s));
	EXPECT_EQ(0, s.objects);
	EXPECT_EQ(0, s.bytes);
	EXPECT_EQ(s.allocs, s.frees);
}

/* The verdict of module/vmalloc_nest.c: every entry point seen once. */
TEST(vmalloc_entry_points_hooked)
{
	char *buf, *line, verdict[16] = "";

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO and MEMOWNER_TEST_KO must name the modules");
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	buf = read_file(DBG "status");
	ASSERT_NE(NULL, buf);
	line = strstr(buf, "\nvmalloc_nest: ");
	ASSERT_NE(NULL, line);
	line++;
	*strchrnul(line, '\n') = '\0';
	TH_LOG("%s", line);
	EXPECT_EQ(1, sscanf(line, "vmalloc_nest: %15s ", verdict));
	EXPECT_TRUE(!strcmp(verdict, "nested") || !strcmp(verdict, "inlined") ||
		    !strcmp(verdict, "wrappers"));
	EXPECT_NE(NULL, strstr(line, " uncovered=none"));
	free(buf);
}

TEST_F(exact, percpu)
{
	struct stacksum s;
	long ncpus = sysconf(_SC_NPROCESSORS_CONF);

	require_modules(_metadata);
	ASSERT_EQ(0, tm("alloc percpu 100 64"));
	ASSERT_EQ(0, stacks_sum("memowner_test_percpu", "percpu", &s));
	EXPECT_EQ(100, s.objects);
	/* Per-CPU copies, plus the memcg bookkeeping the tracepoint counts. */
	EXPECT_EQ(0, s.bytes % 100);
	EXPECT_LE(64 * ncpus, s.bytes / 100);
	ASSERT_EQ(0, tm("free percpu"));
	ASSERT_EQ(0, stacks_sum("memowner_test_percpu", "percpu", &s));
	EXPECT_EQ(0, s.objects);
	EXPECT_EQ(0, s.bytes);
	EXPECT_EQ(100, s.frees);
}

static void check_pages(struct __test_metadata *_metadata, const char *kind,
			const char *fn, long count, int order, long pages,
			int rec_order)
{
	char comm[32];
	struct stacksum s;
	struct posum p;
	struct held h;

	require_modules(_metadata);
	my_comm(comm, sizeof(comm));
	ASSERT_EQ(0, tm("alloc %s %ld %d", kind, count, order));
	ASSERT_EQ(0, tm_held(kind, &h));
	ASSERT_EQ(pages, h.pages);
	ASSERT_EQ(0, stacks_sum(fn, "page", &s));
	EXPECT_LE(1, s.blocks) TH_LOG("no page block holds %s", fn);
	EXPECT_EQ(pages, s.base_pages);
	ASSERT_EQ(0, page_owner_sum(fn, getpid(), comm, &p));
	EXPECT_EQ(pages, p.pages);
	EXPECT_EQ(pages >> rec_order, p.records);
	EXPECT_EQ(rec_order, p.order);
	/* Allocated by this process, in its context. */
	EXPECT_EQ(p.records, p.pid_ok);

	ASSERT_EQ(0, tm("free %s", kind));
	ASSERT_EQ(0, stacks_sum(fn, "page", &s));
	EXPECT_EQ(0, s.base_pages);
	ASSERT_EQ(0, page_owner_sum(fn, getpid(), comm, &p));
	EXPECT_EQ(0, p.records);
}

/*
 * The page tests read the page_owner view, which walks every tracked page
 * (those in use before the load included): a booted machine has many
 * times the initramfs guest's, and under TCG on a loaded host one read
 * took most of the harness's default 30 s (exact.stack.pages timed out).
 */
TEST_F_TIMEOUT(exact, pages, 120)
{
	check_pages(_metadata, "pages", "memowner_test_pages", 40, 2, 160, 2);
}

/* split_page(): the order-3 blocks become order-0 pages, freed one by one. */
TEST_F_TIMEOUT(exact, split, 120)
{
	check_pages(_metadata, "split", "memowner_test_split", 8, 3, 64, 0);
}

/* The bulk fast path fires no tracepoint; the list free fires two. */
TEST_F_TIMEOUT(exact, pages_bulk, 120)
{
	check_pages(_metadata, "pages_bulk", "memowner_test_pages_bulk", 32, 0,
		    32, 0);
}

/*
 * After the contexts cases: @objects kmallocs of 64 bytes and 10 pages
 * held on their stacks, then, after a reset, all of them freed.
 */
static void contexts_held_then_freed(struct __test_metadata *_metadata,
				     long objects)
{
	struct stacksum s;

	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	EXPECT_EQ(objects, s.objects);
	EXPECT_EQ(objects * 64, s.bytes);
	ASSERT_EQ(0, stacks_sum("memowner_test_pages", "page", &s));
	EXPECT_EQ(10, s.base_pages);
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	EXPECT_EQ(0, s.objects);
	EXPECT_EQ(objects, s.frees);
	ASSERT_EQ(0, stacks_sum("memowner_test_pages", "page", &s));
	EXPECT_EQ(0, s.base_pages);
}

TEST_F(exact, contexts)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu = ncpus > 1 ? 1 : 0;

	require_modules(_metadata);
	ASSERT_EQ(0, tm("alloc kmalloc 100 64 ctx=softirq cpu=%d", cpu));
	ASSERT_EQ(0, tm("alloc kmalloc 100 64 ctx=softirq cpu=0"));
	ASSERT_EQ(0, tm("alloc kmalloc 100 64 cpu=%d", cpu));
	ASSERT_EQ(0, tm("alloc pages 10 0 ctx=softirq cpu=%d", cpu));
	contexts_held_then_freed(_metadata, 300);
}

/* Hard interrupt context (irq_work), on this CPU and another. */
TEST_F(exact, hardirq)
{
	struct stacksum s;
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	int cpu = ncpus > 1 ? 1 : 0;

	require_modules(_metadata);
	if (kernel_is_preempt_rt()) {
		/* The test module must refuse it, and hold nothing. */
		ASSERT_EQ(-EINVAL, tm("alloc kmalloc 1 64 ctx=hardirq"));
		ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
		ASSERT_EQ(0, s.allocs);
		SKIP(return, MO_RT_NO_HARDIRQ);
	}
	ASSERT_EQ(0, tm("alloc kmalloc 100 64 ctx=hardirq cpu=0"));
	ASSERT_EQ(0, tm("alloc kmalloc 100 64 ctx=hardirq cpu=%d", cpu));
	ASSERT_EQ(0, tm("alloc pages 10 0 ctx=hardirq cpu=%d", cpu));
	contexts_held_then_freed(_metadata, 200);
}

/* callsite mode keeps one frame: the call site; stack mode more. */
TEST_F(exact, frames)
{
	struct stacksum s;

	require_modules(_metadata);
	ASSERT_EQ(0, tm("alloc kmalloc 10 64"));
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	ASSERT_EQ(1, s.blocks);
	if (variant->callsite) {
		EXPECT_EQ(1, s.frames);
	} else {
		EXPECT_LT(2, s.frames);
	}
	ASSERT_EQ(0, tm("alloc pages 4 0"));
	ASSERT_EQ(0, stacks_sum("memowner_test_pages", "page", &s));
	ASSERT_EQ(1, s.blocks);
	if (variant->callsite) {
		EXPECT_EQ(1, s.frames);
	} else {
		EXPECT_LT(2, s.frames);
	}
}

/*
 * All CPUs allocate and free at once, many frees on another CPU than the
 * allocation: totals must be exact and nothing left live.
 */
TEST_F(exact, stress)
{
	long n = stress_allocs(variant->callsite ? 1000000 : 100000), full;
	struct stacksum s;

	require_modules(_metadata);
	full = status_num("drops:", "object_table_full=");
	ASSERT_EQ(0, tm("stress %ld 64", n));
	ASSERT_EQ(0, stacks_sum("memowner_test_stress_alloc", "slab", &s));
	EXPECT_EQ(n, s.allocs);
	EXPECT_EQ(n, s.frees);
	EXPECT_EQ(0, s.objects);
	EXPECT_EQ(0, s.bytes);
	EXPECT_EQ(full, status_num("drops:", "object_table_full="));
	EXPECT_EQ(0, status_num("drops:", "recursion="));
}

/* ---- sampling ------------------------------------------------------------ */

TEST(sample_estimate)
{
	const long n = 20000, size = 256;
	struct stacksum s;
	double err;

	require_modules(_metadata);
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=sample sample_bytes=4096"));
	ASSERT_EQ(0, tm("alloc kmalloc %ld %ld", n, size));
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	err = (double)s.bytes / (n * size) - 1;
	TH_LOG("estimate: %ld objects, %ld bytes (true %ld, %ld): %+.1f%%",
	       s.objects, s.bytes, n, n * size, err * 100);
	EXPECT_GT(0.10, err < 0 ? -err : err);
	err = (double)s.objects / n - 1;
	EXPECT_GT(0.10, err < 0 ? -err : err);
	/* Fewer records than objects: it did sample. */
	EXPECT_GT(n / 4, status_num("objects:", "tracked="));
	/* Frees undo exactly what the sampled allocations added. */
	ASSERT_EQ(0, tm("free kmalloc"));
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	EXPECT_EQ(0, s.objects);
	EXPECT_EQ(0, s.bytes);
	EXPECT_EQ(s.allocs, s.frees);
}

/* ---- robustness ---------------------------------------------------------- */

/* A fixture only for TEST_F_TIMEOUT. */
FIXTURE(robust) {
	int unused;
};
FIXTURE_SETUP(robust) {}
FIXTURE_TEARDOWN(robust) {}

/*
 * Reload memowner 10 times while all CPUs allocate and free.  What it
 * checks is that each reload succeeds and nothing breaks, not how fast:
 * under TCG a load under this stress takes seconds (8.6 s seen on
 * 6.12-rt; 4-5 s on a contended 5.10 guest, 0.4 s of it measuring the
 * vmalloc entry points), beyond the harness's default 30 s for the ten,
 * so its limit is the one of a hang.
 */
TEST_F_TIMEOUT(robust, reload_under_stress, 300)
{
	int status, i;
	pid_t child;

	require_modules(_metadata);
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0)
		_exit(tm("stress %ld 64", stress_allocs(3000000)) ? 1 : 0);
	for (i = 0; i < 10; i++) {
		usleep(100000);
		ASSERT_EQ(0, memowner_reload(i & 1 ? "mode=callsite" : "mode=stack")) {
			TH_LOG("reload %d", i);
		}
		ASSERT_LE(0, status_num("objects:", "live="));
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A table too small: drops are counted, memowner keeps working. */
TEST(table_full)
{
	struct stacksum s, p;
	struct held h;
	int i;

	require_modules(_metadata);
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=stack max_objects=1024 max_stacks=64"));
	ASSERT_EQ(0, tm("alloc kmalloc 4000 64"));
	ASSERT_EQ(0, tm_held("kmalloc", &h));
	ASSERT_EQ(4000, h.count);
	EXPECT_LT(0, status_num("drops:", "object_table_full="));
	EXPECT_LE(1024, status_num("objects:", "capacity="));
	EXPECT_GE(1024, status_num("objects:", "live="));
	/* Make new stacks (fork, exec-less exit, pipes, files) until full. */
	for (i = 0; i < 200 && status_num("drops:", "stack_table_full=") <= 0; i++) {
		int fds[2], status;
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		waitpid(pid, &status, 0);
		if (!pipe(fds)) {
			close(fds[0]);
			close(fds[1]);
		}
		close(open("/tmp/memowner-table-full", O_CREAT | O_RDWR, 0600));
		unlink("/tmp/memowner-table-full");
	}
	EXPECT_LT(0, status_num("drops:", "stack_table_full="));
	EXPECT_GE(64, status_num("stacks:", "stacks: "));
	/* What no stack could be stored for is under the sentinel stack. */
	ASSERT_EQ(0, stacks_sum("memowner_stack_table_full", "slab", &s));
	ASSERT_EQ(0, stacks_sum("memowner_stack_table_full", "page", &p));
	EXPECT_LE(1, s.blocks + p.blocks);
	ASSERT_EQ(0, tm("free kmalloc"));
	ASSERT_LE(0, status_num("objects:", "live="));
	ASSERT_EQ(0, memowner_reload("mode=stack"));
}

TEST(bad_parameters)
{
	struct stacksum s;
	static const char *const bad[] = {
		"mode=bogus", "depth=0", "depth=65", "sources=slab,bogus",
		"max_objects=5", "max_stacks=1", "sample_bytes=0",
	};
	unsigned int i;

	require_modules(_metadata);
	ASSERT_EQ(0, unload_module("memowner"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, load_module(getenv("MEMOWNER_KO"), bad[i]))
			TH_LOG("%s", bad[i]);
		EXPECT_NE(0, access("/sys/module/memowner", F_OK));
	}
	ASSERT_EQ(0, load_module(getenv("MEMOWNER_KO"), "sources=slab mode=stack"));
	/* Only the slab hooks are attached. */
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("alloc pages 4 0"));
	ASSERT_EQ(0, stacks_sum("memowner_test_pages", "page", &s));
	EXPECT_EQ(0, s.blocks);
	EXPECT_EQ(0, status_num("source page:", "alloc_events="));
	ASSERT_EQ(0, tm("reset"));
}

/* ---- views --------------------------------------------------------------- */

/* Pages in use before load: memowner's total agrees with the kernel's. */
TEST(preload_reconciles)
{
	long tracked, total_kb = 0, buddy = 0, pcp = 0, used, diff;
	char *buf, *p;
	int attempt;

	require_modules(_metadata);
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	for (attempt = 0; attempt < 3; attempt++) {
		tracked = status_num("coverage:", "tracked_pages=");
		/* MemTotal - free buddy pages (exact) - free per-CPU list pages */
		buf = read_file("/proc/meminfo");
		ASSERT_NE(NULL, buf);
		sscanf(buf, "MemTotal: %ld kB", &total_kb);
		free(buf);
		buf = read_file("/proc/buddyinfo");
		ASSERT_NE(NULL, buf);
		buddy = 0;
		for (p = strtok(buf, "\n"); p; p = strtok(NULL, "\n")) {
			char *q = strstr(p, "zone");
			long v;
			int order = 0, off;

			q = q ? strchr(q + 4, ' ') : NULL;
			while (q && *q == ' ')
				q++;
			while (q && *q && *q != ' ' && *q != '\t')
				q++;
			while (q && sscanf(q, "%ld%n", &v, &off) == 1) {
				buddy += v << order++;
				q += off;
			}
		}
		free(buf);
		buf = read_file("/proc/zoneinfo");
		ASSERT_NE(NULL, buf);
		pcp = 0;
		for (p = strstr(buf, "count:"); p; p = strstr(p + 6, "count:"))
			pcp += strtol(p + 6, NULL, 10);
		free(buf);
		used = total_kb / (sysconf(_SC_PAGESIZE) / 1024) - buddy - pcp;
		diff = tracked > used ? tracked - used : used - tracked;
		TH_LOG("tracked %ld pages, in use %ld (buddy %ld, pcp %ld)",
		       tracked, used, buddy, pcp);
		if (diff * 50 <= used)
			break;
	}
	EXPECT_GE(used, diff * 50);
	EXPECT_LT(0, status_num("preload:", "found_pages="));
}

/*
 * Pages in use before load and freed after: released from "before load"
 * as they are freed.  The test module takes 4096 pages while memowner is
 * not loaded, memowner finds them at load (preload), and the test module
 * frees them: the preload's freed count grows by them, and the tracked
 * pages shrink by them (less what others allocated meanwhile).
 */
TEST(preload_freed_released)
{
	long freed0, freed1, tracked0, tracked1;

	require_modules(_metadata);
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, unload_module("memowner"));
	ASSERT_EQ(0, tm("alloc pages 4096 0"));
	ASSERT_EQ(0, load_module(getenv("MEMOWNER_KO"), "mode=stack"));
	freed0 = status_num("preload:", "freed_pages=");
	tracked0 = status_num("coverage:", "tracked_pages=");
	ASSERT_EQ(0, tm("free pages"));
	freed1 = status_num("preload:", "freed_pages=");
	tracked1 = status_num("coverage:", "tracked_pages=");
	TH_LOG("preload freed_pages %ld -> %ld, tracked_pages %ld -> %ld",
	       freed0, freed1, tracked0, tracked1);
	EXPECT_LE(4096, freed1 - freed0);
	EXPECT_LE(4096 * 9 / 10, tracked0 - tracked1);
	ASSERT_EQ(0, tm("reset"));
}

static long long boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/*
 * The page_owner view read by the kernel's page_owner_sort: the blocks
 * memowner_test holds, culled by stack (37 times, 74 pages); selected by
 * this process's pid, tgid and comm and culled by them (page_owner_sort's
 * own parse of those fields); sorted by allocation time, with every ts
 * inside the window in which this test allocated them.  The view walks
 * every tracked page and page_owner_sort parses all of it, three times:
 * on a booted machine (66,000 pages tracked on trixie's) under TCG on a
 * loaded host that took more than the harness's default 30 s, so its
 * limit is the one of a hang, as for the page tests above.
 */
TEST_F_TIMEOUT(robust, page_owner_sort, 300)
{
	char cmd[512], *out, *p, b[4096], comm[64];
	long long t0, t1, ts, prev = 0;
	long times, pages, sum = 0;
	int found = 0, fd, n;

	require_modules(_metadata);
	if (access("./page_owner_sort", X_OK))
		SKIP(return, "page_owner_sort not built");
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	usleep(100000);
	t0 = boot_ns();
	ASSERT_EQ(0, tm("alloc pages 37 1"));
	t1 = boot_ns();
	ASSERT_EQ(0, system("cat " DBG "page_owner > /tmp/po.txt"));
	snprintf(cmd, sizeof(cmd),
		 "./page_owner_sort --cull stacktrace /tmp/po.txt /tmp/po_sorted.txt > /dev/null");
	ASSERT_EQ(0, system(cmd));
	out = read_file("/tmp/po_sorted.txt");
	ASSERT_NE(NULL, out);
	/* Blocks: "N times, M pages:\n frames..." */
	for (p = strstr(out, "memowner_test_pages+0x"); p;
	     p = strstr(p + 1, "memowner_test_pages+0x")) {
		char *start = p;

		while (start > out && !(start[-1] == '\n' && isdigit(start[0])))
			start--;
		if (!strncmp(start, "37 times, 74 pages", 18))
			found++;
	}
	EXPECT_EQ(1, found) TH_LOG("page_owner_sort output:\n%.2000s", out);
	free(out);

	/* pid, tgid and comm as page_owner_sort parses them. */
	my_comm(comm, sizeof(comm));
	snprintf(cmd, sizeof(cmd),
		 "./page_owner_sort --pid %d --tgid %d --name %s --cull pid,tgid,name,stacktrace /tmp/po.txt /tmp/po_pid.txt > /dev/null",
		 getpid(), getpid(), comm);
	ASSERT_EQ(0, system(cmd));
	out = read_file("/tmp/po_pid.txt");
	ASSERT_NE(NULL, out);
	snprintf(b, sizeof(b), "37 times, 74 pages, PID %d, TGID %d, task_comm_name: %s:\n",
		 getpid(), getpid(), comm);
	p = strstr(out, b);
	EXPECT_NE(NULL, p) TH_LOG("want \"%s\" in:\n%.2000s", b, out);
	if (p)
		EXPECT_NE(NULL, strstr(p, "memowner_test_pages+0x"));
	free(out);

	/*
	 * Allocation times: CLOCK_BOOTTIME in steps of 2^24 ns (16.8 ms), so
	 * less than one step before t0 and never after t1.  As
	 * page_owner_sort parses and sorts them (--sort at: records of the
	 * same text, ts included, are culled into one block), then every
	 * record of the file it read.
	 */
	snprintf(cmd, sizeof(cmd),
		 "./page_owner_sort --pid %d --sort at /tmp/po.txt /tmp/po_ts.txt > /dev/null",
		 getpid());
	ASSERT_EQ(0, system(cmd));
	out = read_file("/tmp/po_ts.txt");
	ASSERT_NE(NULL, out);
	n = 0;
	for (p = out; p && *p; ) {
		char *next = strstr(p, "\n\n"), *t;

		if (next)
			*next = '\0';
		t = strstr(p, ", ts ");
		if (t && strstr(p, "memowner_test_pages+0x")) {
			ts = strtoll(t + 5, NULL, 10);
			n++;
			times = pages = -1;
			EXPECT_EQ(2, sscanf(p, "%ld times, %ld pages",
					    &times, &pages));
			EXPECT_EQ(2 * times, pages);
			sum += times;
			EXPECT_LE(prev, ts);
			EXPECT_LT(t0 - (1LL << 24), ts) TH_LOG("ts %lld, window %lld..%lld", ts, t0, t1);
			EXPECT_GE(t1, ts) TH_LOG("ts %lld, window %lld..%lld", ts, t0, t1);
			prev = ts;
		}
		p = next ? next + 2 : NULL;
	}
	/*
	 * Records whose text is the same are one block: one per distinct
	 * ts, whose steps the 37 allocations may straddle.
	 */
	EXPECT_LE(1, n);
	EXPECT_GE(2 + ((t1 - t0) >> 24), n);
	EXPECT_EQ(37, sum);
	free(out);
	out = read_file("/tmp/po.txt");
	ASSERT_NE(NULL, out);
	n = 0;
	for (p = out; p && *p; ) {
		char *next = strstr(p, "\n\n"), *t;

		if (next)
			*next = '\0';
		t = strstr(p, ", ts ");
		if (t && strstr(p, "\n memowner_test_pages+0x")) {
			ts = strtoll(t + 5, NULL, 10);
			n++;
			EXPECT_LT(t0 - (1LL << 24), ts) TH_LOG("ts %lld, window %lld..%lld", ts, t0, t1);
			EXPECT_GE(t1, ts) TH_LOG("ts %lld, window %lld..%lld", ts, t0, t1);
		}
		p = next ? next + 2 : NULL;
	}
	EXPECT_EQ(37, n);
	free(out);
	/* Seeking: reading from a PFN past the end yields nothing. */
	fd = open(DBG "page_owner", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1L << 40, lseek(fd, 1L << 40, SEEK_SET));
	EXPECT_EQ(0, read(fd, b, sizeof(b)));
	close(fd);
	ASSERT_EQ(0, tm("reset"));
}

/* Allocation events counted so far over every source. */
static long alloc_events(void)
{
	static const char *const src[] = { "slab", "page", "percpu", "vmalloc" };
	char prefix[32];
	long sum = 0;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		snprintf(prefix, sizeof(prefix), "source %s:", src[i]);
		sum += status_num(prefix, "alloc_events=");
	}
	return sum;
}

static int set_enabled(int fd, int on)
{
	struct memowner_config c = {
		.size = sizeof(c), .flags = MEMOWNER_CONFIG_F_ENABLED,
		.enabled = on,
	};

	return ioctl(fd, MEMOWNER_IOC_SET_CONFIG, &c) ? -errno : 0;
}

/*
 * enabled=0 records nothing: loaded disabled, or disabled at run time,
 * allocations of every source make no record, no count and no stack
 * (the view of the last epoch stays as it was); enabled again, they do.
 */
TEST(disabled_records_nothing)
{
	struct stacksum s, p;
	long ev, objs;
	int fd;

	require_modules(_metadata);
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=stack enabled=0"));
	ev = alloc_events();
	objs = status_num("objects:", "live=");
	ASSERT_EQ(0, tm("alloc kmalloc 500 100"));
	ASSERT_EQ(0, tm("alloc pages 8 1"));
	ASSERT_EQ(0, tm("alloc vmalloc 4 8192"));
	ASSERT_EQ(0, tm("alloc percpu 16 64"));
	EXPECT_EQ(ev, alloc_events());
	EXPECT_EQ(objs, status_num("objects:", "live="));
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	EXPECT_EQ(0, s.blocks);
	ASSERT_EQ(0, stacks_sum("memowner_test_pages", "page", &p));
	EXPECT_EQ(0, p.blocks);
	ASSERT_EQ(0, tm("reset"));

	/* Enabled: recorded. */
	fd = open(MEMOWNER_DEVICE, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, set_enabled(fd, 1));
	ASSERT_EQ(0, tm("alloc kmalloc 500 100"));
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	EXPECT_EQ(500, s.objects);
	EXPECT_LT(ev, alloc_events());

	/* Disabled at run time: nothing more, the last view kept. */
	ASSERT_EQ(0, set_enabled(fd, 0));
	ev = alloc_events();
	objs = status_num("objects:", "live=");
	ASSERT_EQ(0, tm("alloc kmalloc 300 100"));
	ASSERT_EQ(0, tm("alloc pages 8 1"));
	EXPECT_EQ(ev, alloc_events());
	EXPECT_EQ(objs, status_num("objects:", "live="));
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	EXPECT_EQ(500, s.objects);
	EXPECT_EQ(500, s.allocs);
	ASSERT_EQ(0, stacks_sum("memowner_test_pages", "page", &p));
	EXPECT_EQ(0, p.blocks);
	close(fd);
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=stack"));
}

TEST(count_threshold)
{
	struct stacksum s;

	require_modules(_metadata);
	ASSERT_EQ(0, test_module_ensure());
	ASSERT_EQ(0, tm("reset"));
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	ASSERT_EQ(0, write_str(DBG "count_threshold", "1000"));
	ASSERT_EQ(0, tm("alloc kmalloc 600 64"));
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	EXPECT_EQ(0, s.blocks);
	ASSERT_EQ(0, tm("alloc kmalloc 600 64"));
	ASSERT_EQ(0, stacks_sum("memowner_test_kmalloc", "slab", &s));
	EXPECT_EQ(1, s.blocks);
	EXPECT_EQ(1200, s.objects);
	/* Pages compare base pages against the threshold. */
	ASSERT_EQ(0, write_str(DBG "count_threshold", "20"));
	ASSERT_EQ(0, tm("alloc pages 4 2"));
	ASSERT_EQ(0, stacks_sum("memowner_test_pages", "page", &s));
	EXPECT_EQ(0, s.blocks);
	ASSERT_EQ(0, tm("alloc pages 2 2"));
	ASSERT_EQ(0, stacks_sum("memowner_test_pages", "page", &s));
	EXPECT_EQ(24, s.base_pages);
	ASSERT_EQ(0, write_str(DBG "count_threshold", "0"));
	ASSERT_EQ(0, tm("reset"));
}

MO_TEST_MAIN
