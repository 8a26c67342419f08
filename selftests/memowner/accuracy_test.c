// SPDX-License-Identifier: GPL-2.0
/*
 * memowner's numbers against the kernel's own, under workloads nobody here
 * wrote: Debian's stress-ng stressors that churn kernel memory.
 *
 *  slab_vs_slabinfo   stressors run (dentry, open, sock, pipe, fork,
 *                     mmap, memfd, ...), then are frozen (SIGSTOP) while
 *                     they hold their memory; once the kernel's deferred
 *                     frees have settled, each cache's change in live
 *                     objects by memowner (stack mode: every allocation
 *                     recorded) is compared with its change in objects
 *                     in use by SLUB's own count (/proc/slabinfo's active
 *                     objects, read exactly) over the same window: within
 *                     1% for every cache that moved by at
 *                     least MIN_DELTA objects.  No table may drop anything
 *                     (they are sized for the run).
 *  coverage_after_compaction  after the workload and
 *                     /proc/sys/vm/compact_memory (pages migrate: their
 *                     owners must follow), memowner still accounts for at
 *                     least 99.5% of the pages in use, and its in-use
 *                     figure is within 1% of /proc/meminfo's.
 *
 * Why the comparison is over a window and not of totals: memowner records
 * only what was allocated since it was loaded, and the kernel's caches are
 * all older.  Two residual differences are bounded, not removed: frees of
 * objects older than the window (memowner does not know them) -- the page
 * cache and the dentry/inode caches are dropped before the run so that the
 * stressors' churn does not reclaim old ones -- and what the rest of the
 * system allocates between the two readings.  SLUB's per-CPU slabs, whose
 * free objects /proc/slabinfo counts as active, are flushed right before
 * each cache is read (read_slab()).
 *
 * Needs stress-ng (the booted guest of make check-booted has it) and a
 * kernel that names slab caches (BTF); the figures go to the log for
 * docs/accuracy.md.
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

/*
 * Caches compared: those the run moved by MIN_DELTA objects or more.  The
 * residual differences (objects older than the window freed in it, by the
 * rest of the system) measured a few dozen objects per cache: 1% needs
 * thousands.  Smaller moves are printed, not judged.
 */
#define MIN_DELTA	5000
#define SHOW_DELTA	500
#define MIN_CACHES	3	/* compared caches the run must reach */
#define MAX_CACHES	512
#define RUN_S		60	/* stressors' run before the freeze */
#define SETTLE_S	3	/* RCU and deferred frees after it */

struct cache_count {
	char name[64];
	long long slab;		/* /proc/slabinfo active_objs */
	long long mo;		/* memowner live objects */
};

struct counts {
	struct cache_count c[MAX_CACHES];
	int n;
};

static struct cache_count *cache_of(struct counts *k, const char *name)
{
	int i;

	for (i = 0; i < k->n; i++)
		if (!strcmp(k->c[i].name, name))
			return &k->c[i];
	if (k->n == MAX_CACHES)
		return NULL;
	memset(&k->c[k->n], 0, sizeof(k->c[0]));
	snprintf(k->c[k->n].name, sizeof(k->c[0].name), "%s", name);
	return &k->c[k->n++];
}

/* A cache's name as memowner gives it: kmalloc-rnd-NN-SIZE is kmalloc-SIZE. */
static void cache_name(char *name)
{
	/* CONFIG_RANDOM_KMALLOC_CACHES: 16 copies of each kmalloc cache. */
	if (!strncmp(name, "kmalloc-rnd-", 12) && strlen(name) > 15)
		memmove(name + 8, name + 15, strlen(name + 15) + 1);
}

/*
 * Objects in use of every cache, the same count as /proc/slabinfo's
 * active objects (all objects less the free ones of partial slabs) -- but
 * exact: each cache is shrunk first (/sys/kernel/slab/NAME/shrink flushes
 * SLUB's per-CPU slabs, whose free objects would count as in use) and
 * read right after (.../objects), one cache at a time, so that no
 * allocation in between takes a slab back.  Aliases of merged caches are
 * symlinks: each cache is read once.  0 or -1.
 */
static int read_slab(struct counts *k)
{
	DIR *d = opendir("/sys/kernel/slab");
	char path[512], name[256], *buf;
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		struct cache_count *c;

		if (e->d_name[0] == '.' || e->d_name[0] == ':' ||
		    e->d_type == DT_LNK)
			continue;
		long long v, best = -1;
		int i;

		/*
		 * The least of three: any allocation between the shrink and
		 * the read (another process's) takes a partial slab back to a
		 * CPU and its free objects count as in use again.
		 */
		for (i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
				 e->d_name);
			write_str(path, "1");
			snprintf(path, sizeof(path), "/sys/kernel/slab/%s/objects",
				 e->d_name);
			buf = read_file(path);
			if (!buf)
				break;
			v = strtoll(buf, NULL, 10);
			free(buf);
			if (best < 0 || v < best)
				best = v;
		}
		if (best < 0)
			continue;
		snprintf(name, sizeof(name), "%s", e->d_name);
		cache_name(name);
		c = cache_of(k, name);
		if (c)
			c->slab += best;
	}
	closedir(d);
	return 0;
}

/* memowner's live objects per cache (group by cache, slab source). */
static int read_memowner(int fd, struct counts *k)
{
	static struct memowner_row rows[MAX_CACHES];
	struct memowner_snapshot s = {
		.size = sizeof(s), .rows = (unsigned long)rows,
		.row_size = sizeof(rows[0]), .max_rows = MAX_CACHES,
		.group = MEMOWNER_GROUP_CACHE,
		.sources = 1U << MEMOWNER_SRC_SLAB,
	};
	__u32 i;

	if (ioctl(fd, MEMOWNER_IOC_SNAPSHOT, &s))
		return -1;
	for (i = 0; i < s.nr_rows; i++) {
		struct cache_count *c = cache_of(k, (const char *)rows[i].name);

		if (c)	/* caches of one name (merged ones) add up */
			c->mo += (long long)rows[i].live_objects;
	}
	return 0;
}

static int snap(int fd, struct counts *k)
{
	memset(k, 0, sizeof(*k));
	return read_memowner(fd, k) || read_slab(k) ? -1 : 0;
}

static bool have_stress_ng(void)
{
	return !system("command -v stress-ng >/dev/null 2>&1");
}

/* stress-ng in a process group of its own, so that it can be frozen. */
static pid_t start_stressors(void)
{
	pid_t pid = fork();

	if (!pid) {
		setpgid(0, 0);
		execlp("stress-ng", "stress-ng", "--quiet",
		       "--dentry", "1", "--dentries", "65536",
		       "--open", "1", "--sock", "1", "--pipe", "1",
		       "--fork", "1", "--mmap", "1", "--mmap-bytes", "32M",
		       "--memfd", "1", "--memfd-bytes", "16M",
		       "--timeout", "300s", (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

static void stop_stressors(pid_t pid)
{
	int st;

	kill(-pid, SIGCONT);
	kill(-pid, SIGTERM);
	waitpid(pid, &st, 0);
	/* Its workers, if any outlived it. */
	kill(-pid, SIGKILL);
}

static long drops_total(void)
{
	return status_num("drops:", "object_table_full=") +
	       status_num("drops:", "stack_table_full=") +
	       status_num("drops:", "site_table_full=") +
	       status_num("drops:", "task_table_full=");
}

FIXTURE(acc) {
	int fd;
	pid_t stress;
};

FIXTURE_SETUP(acc)
{
	self->fd = -1;
	self->stress = -1;
}

FIXTURE_TEARDOWN(acc)
{
	if (self->stress > 0)
		stop_stressors(self->stress);
	if (self->fd >= 0)
		close(self->fd);
	memowner_reload("");
}

static int settle_caches(void)
{
	sync();
	return write_str("/proc/sys/vm/drop_caches", "3");
}

/* 0: started; 1: skipped (said why); -1: failed. */
static int start(struct __test_metadata *_metadata, FIXTURE_DATA(acc) *self)
{
	if (!have_stress_ng())
		SKIP(return 1, "stress-ng is not installed");
	if (!getenv("MEMOWNER_KO"))
		SKIP(return 1, "MEMOWNER_KO is not set: the module cannot be reloaded");
	/* Tables far larger than the run needs: nothing may drop. */
	if (memowner_reload("mode=stack max_objects=2097152 max_stacks=65536 max_tasks=65536"))
		return -1;
	/*
	 * Then the reclaimable objects dropped, memowner watching: the run
	 * must not evict objects older than its window (memowner never knew
	 * them; their frees would show as a difference).
	 */
	if (settle_caches())
		return -1;
	self->fd = open(MEMOWNER_DEVICE, O_RDWR);
	return self->fd < 0 ? -1 : 0;
}

TEST_F_TIMEOUT(acc, slab_vs_slabinfo, 600)
{
	static struct counts before, after;
	int i, compared = 0, bad = 0, ret;
	long drops;

	ret = start(_metadata, self);
	if (ret > 0)
		return;
	ASSERT_EQ(0, ret);
	drops = drops_total();
	ASSERT_EQ(0, snap(self->fd, &before));

	self->stress = start_stressors();
	ASSERT_LT(0, self->stress);
	sleep(RUN_S);
	ASSERT_EQ(0, kill(-self->stress, SIGSTOP));
	sleep(SETTLE_S);
	ASSERT_EQ(0, snap(self->fd, &after));

	for (i = 0; i < after.n; i++) {
		struct cache_count *a = &after.c[i], *b = cache_of(&before, a->name);
		long long dslab, dmo, diff;

		if (!b)
			continue;
		dslab = a->slab - b->slab;
		dmo = a->mo - b->mo;
		if (llabs(dslab) < SHOW_DELTA)
			continue;
		diff = llabs(dmo - dslab);
		TH_LOG("%-24s slabinfo %+8lld  memowner %+8lld  (%.2f%%)%s",
		       a->name, dslab, dmo, 100.0 * diff / llabs(dslab),
		       llabs(dslab) < MIN_DELTA ? "  (not judged)" : "");
		if (llabs(dslab) < MIN_DELTA)
			continue;
		compared++;
		if (diff * 100 > llabs(dslab))
			bad++;
	}
	stop_stressors(self->stress);
	self->stress = -1;
	EXPECT_LE(MIN_CACHES, compared)
		TH_LOG("the stressors moved only %d caches by %d objects", compared,
		       MIN_DELTA);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(drops, drops_total());
}

TEST_F_TIMEOUT(acc, coverage_after_compaction, 600)
{
	long tracked, in_use, permille, mi_total, mi_free, pcp;
	char *mi;
	int ret;

	ret = start(_metadata, self);
	if (ret > 0)
		return;
	ASSERT_EQ(0, ret);
	self->stress = start_stressors();
	ASSERT_LT(0, self->stress);
	sleep(RUN_S);
	ASSERT_EQ(0, kill(-self->stress, SIGSTOP));
	/* Migration: compaction moves pages in use, and owners with them. */
	ASSERT_EQ(0, write_str("/proc/sys/vm/compact_memory", "1"));
	sleep(SETTLE_S);
	tracked = status_num("coverage:", "tracked_pages=");
	in_use = status_num("coverage:", "in_use_pages=");
	pcp = status_num("coverage:", "pcp_free_pages=");
	permille = status_num("coverage:", "permille=");
	mi = read_file("/proc/meminfo");
	ASSERT_NE(NULL, mi);
	ASSERT_EQ(1, sscanf(strstr(mi, "MemTotal:"), "MemTotal: %ld", &mi_total));
	ASSERT_EQ(1, sscanf(strstr(mi, "MemFree:"), "MemFree: %ld", &mi_free));
	free(mi);
	/* /proc/meminfo counts pages on the per-CPU lists as in use. */
	mi_total /= 4, mi_free /= 4;	/* kB to 4 KiB pages */
	TH_LOG("tracked %ld of %ld pages in use (%ld permille); meminfo: %ld in use, %ld of them on per-CPU lists",
	       tracked, in_use, permille, mi_total - mi_free, pcp);
	EXPECT_LE(995, permille);
	EXPECT_GE((mi_total - mi_free) / 100,
		  labs(in_use + pcp - (mi_total - mi_free)));
	stop_stressors(self->stress);
	self->stress = -1;
}

MO_TEST_MAIN
