// SPDX-License-Identifier: GPL-2.0
/*
 * Page owners follow migration.  When the kernel moves a page's contents
 * to another page (compaction, NUMA balancing, memory offlining, soft
 * offlining), page_owner moves the owner with them; so must memowner,
 * whose page_owner view claims the same meaning.  Before, the new page
 * was either unowned (compaction takes free pages without an allocation
 * event) or charged to the migrating path, and the owner the old page had
 * was lost when it was freed.
 *
 * The workload: this process faults in anonymous pages (recorded with the
 * page-fault stack and this tgid), then asks the kernel to migrate them
 * (madvise MADV_SOFT_OFFLINE: each page's contents move to a new page and
 * the old one is retired -- deterministic, one node suffices).  Every new
 * page (its PFN from /proc/self/pagemap) must then carry the record of the
 * page it replaced: same stack, same tgid.
 */
#include <stdint.h>
#include <sys/mman.h>

#include "memowner_selftest.h"
#include "testlib.h"
#include "kselftest_harness.h"

#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE	101
#endif

#define NR_PAGES	32

struct page_seen {
	uint64_t pfn[NR_PAGES];
	uint32_t stack[NR_PAGES];	/* 0: no record */
	uint32_t tgid[NR_PAGES];
};

static int page_cb(const struct mo_page_rec *p, void *arg)
{
	struct page_seen *s = arg;
	unsigned int i;

	for (i = 0; i < NR_PAGES; i++)
		if (p->pfn == s->pfn[i]) {
			s->stack[i] = p->stack;
			s->tgid[i] = p->tgid;
		}
	return 0;
}

/* PFNs of the NR_PAGES pages at @addr (root: pagemap shows them). */
static int pfns(const char *addr, uint64_t *pfn)
{
	long psz = sysconf(_SC_PAGESIZE);
	int fd = open("/proc/self/pagemap", O_RDONLY), i, ret = 0;

	if (fd < 0)
		return -errno;
	for (i = 0; i < NR_PAGES; i++) {
		uint64_t e;
		off_t off = ((uintptr_t)addr / psz + i) * sizeof(e);

		if (pread(fd, &e, sizeof(e), off) != sizeof(e)) {
			ret = -EIO;
			break;
		}
		/* Bit 63: present; bits 0-54: the PFN (0 without CAP_SYS_ADMIN). */
		pfn[i] = (e >> 63) ? (e & ((1ULL << 55) - 1)) : 0;
	}
	close(fd);
	return ret;
}

/* The records of the pages in @s->pfn. */
static int records(struct page_seen *s)
{
	char ext[256];
	struct mo_genl g;
	int ret;

	memset(s->stack, 0, sizeof(s->stack));
	memset(s->tgid, 0, sizeof(s->tgid));
	ret = mo_genl_open(&g);
	if (ret)
		return ret;
	ret = mo_dump_pages(&g, page_cb, s, ext, sizeof(ext));
	mo_genl_close(&g);
	return ret;
}

TEST(owner_moves_with_contents)
{
	long psz = sysconf(_SC_PAGESIZE), migrated0, migrated1;
	struct page_seen before, after;
	unsigned int i, moved = 0;
	char *p;

	if (!have_modules())
		SKIP(return, "MEMOWNER_KO is not set: the module cannot be reloaded");
	ASSERT_EQ(0, memowner_reload("mode=stack"));
	p = mmap(NULL, NR_PAGES * psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	/* Base pages, each faulted in on its own. */
	madvise(p, NR_PAGES * psz, MADV_NOHUGEPAGE);
	for (i = 0; i < NR_PAGES; i++)
		p[i * psz] = (char)i;
	ASSERT_EQ(0, pfns(p, before.pfn));
	ASSERT_EQ(0, records(&before));
	for (i = 0; i < NR_PAGES; i++) {
		ASSERT_NE(0, before.pfn[i]);
		/* The precondition: each page is recorded as this process's. */
		ASSERT_NE(0, before.stack[i]) TH_LOG("page %u (pfn %#llx) has no record",
						     i, (unsigned long long)before.pfn[i]);
		ASSERT_EQ((uint32_t)getpid(), before.tgid[i]);
	}
	migrated0 = status_num("migrated:", "pages=");

	if (madvise(p, NR_PAGES * psz, MADV_SOFT_OFFLINE)) {
		int e = errno;

		munmap(p, NR_PAGES * psz);
		if (e == EINVAL || e == ENOSYS)
			SKIP(return, "no soft offlining to migrate pages with (CONFIG_MEMORY_FAILURE unset)");
		ASSERT_EQ(0, e);
	}
	memcpy(after.pfn, before.pfn, sizeof(after.pfn));
	ASSERT_EQ(0, pfns(p, after.pfn));
	ASSERT_EQ(0, records(&after));
	migrated1 = status_num("migrated:", "pages=");
	for (i = 0; i < NR_PAGES; i++) {
		/* The contents moved with them. */
		EXPECT_EQ((char)i, p[i * psz]);
		if (after.pfn[i] == before.pfn[i])
			continue;
		moved++;
		EXPECT_EQ(before.stack[i], after.stack[i])
			TH_LOG("page %u moved %#llx -> %#llx: stack %u, was %u",
			       i, (unsigned long long)before.pfn[i],
			       (unsigned long long)after.pfn[i], after.stack[i],
			       before.stack[i]);
		EXPECT_EQ((uint32_t)getpid(), after.tgid[i]);
	}
	TH_LOG("%u of %d pages moved; status migrated %ld -> %ld", moved,
	       NR_PAGES, migrated0, migrated1);
	/* Soft offlining moves every page it can: all of them here. */
	EXPECT_EQ(NR_PAGES, moved);
	EXPECT_LE(migrated0 + moved, migrated1);
	munmap(p, NR_PAGES * psz);
}

MO_TEST_MAIN
