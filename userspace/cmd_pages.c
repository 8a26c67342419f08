// SPDX-License-Identifier: GPL-2.0
/*
 * memowner pages: every tracked page block as /sys/kernel/debug/page_owner
 * prints it, byte for byte the format the kernel's page_owner_sort parses:
 * GFP flag names as %pGg prints them, the Flags word from /proc/kpageflags,
 * the stack's frames.  --json gives the same records, each stack's frames
 * once.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "list.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * GFP flag names as %pGg prints them on 6.1 (include/linux/gfp_types.h,
 * include/trace/events/mmflags.h), in the kernel's order: composite names
 * first, each consuming its bits, the rest printed in hex.
 */
static const struct {
	uint32_t mask;
	const char *name;
} gfp_names[] = {
	{ 0x1c24ca, "GFP_TRANSHUGE" },
	{ 0x1c20ca, "GFP_TRANSHUGE_LIGHT" },
	{ 0x100cca, "GFP_HIGHUSER_MOVABLE" },
	{ 0x100cc2, "GFP_HIGHUSER" },
	{ 0x100cc0, "GFP_USER" },
	{ 0x400cc0, "GFP_KERNEL_ACCOUNT" },
	{ 0xcc0, "GFP_KERNEL" },
	{ 0xc40, "GFP_NOFS" },
	{ 0xa20, "GFP_ATOMIC" },
	{ 0xc00, "GFP_NOIO" },
	{ 0x800, "GFP_NOWAIT" },
	{ 0x1, "GFP_DMA" },
	{ 0x2, "__GFP_HIGHMEM" },
	{ 0x4, "GFP_DMA32" },
	{ 0x20, "__GFP_HIGH" },
	{ 0x200, "__GFP_ATOMIC" },
	{ 0x40, "__GFP_IO" },
	{ 0x80, "__GFP_FS" },
	{ 0x2000, "__GFP_NOWARN" },
	{ 0x4000, "__GFP_RETRY_MAYFAIL" },
	{ 0x8000, "__GFP_NOFAIL" },
	{ 0x10000, "__GFP_NORETRY" },
	{ 0x40000, "__GFP_COMP" },
	{ 0x100, "__GFP_ZERO" },
	{ 0x80000, "__GFP_NOMEMALLOC" },
	{ 0x20000, "__GFP_MEMALLOC" },
	{ 0x100000, "__GFP_HARDWALL" },
	{ 0x200000, "__GFP_THISNODE" },
	{ 0x10, "__GFP_RECLAIMABLE" },
	{ 0x8, "__GFP_MOVABLE" },
	{ 0x400000, "__GFP_ACCOUNT" },
	{ 0x1000, "__GFP_WRITE" },
	{ 0xc00, "__GFP_RECLAIM" },
	{ 0x400, "__GFP_DIRECT_RECLAIM" },
	{ 0x800, "__GFP_KSWAPD_RECLAIM" },
	{ 0x800000, "__GFP_ZEROTAGS" },
};

/* %pGg of lib/vsprintf.c's format_flags(): "GFP_KERNEL|__GFP_COMP". */
static const char *gfp_str(uint32_t gfp, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; gfp && i < ARRAY_SIZE(gfp_names); i++) {
		if ((gfp & gfp_names[i].mask) != gfp_names[i].mask)
			continue;
		gfp &= ~gfp_names[i].mask;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				gfp_names[i].name, gfp ? "|" : "");
	}
	if (gfp)
		snprintf(buf + off, off < len ? len - off : 0, "0x%x", gfp);
	return buf;
}

/*
 * /proc/kpageflags bits that are page flags of the same name (%pGp prints
 * page->flags, which userspace cannot read; these are what it can).
 */
static const struct {
	int bit;
	const char *name;
} kpf_names[] = {
	{ 0, "locked" }, { 1, "error" }, { 2, "referenced" }, { 3, "uptodate" },
	{ 4, "dirty" }, { 5, "lru" }, { 6, "active" }, { 7, "slab" },
	{ 8, "writeback" }, { 9, "reclaim" }, { 15, "head" },
	{ 14, "swapbacked" }, { 18, "unevictable" }, { 19, "hwpoison" },
};

static const char *page_flags_str(int kpf_fd, uint64_t pfn, char *buf,
				  size_t len)
{
	uint64_t flags = 0;
	size_t i, off;

	if (kpf_fd >= 0 &&
	    pread(kpf_fd, &flags, sizeof(flags), pfn * 8) != sizeof(flags))
		flags = 0;
	off = snprintf(buf, len, "0x%" PRIx64 "(", flags);
	for (i = 0; i < ARRAY_SIZE(kpf_names); i++) {
		if (!(flags >> kpf_names[i].bit & 1))
			continue;
		off += snprintf(buf + off, off < len ? len - off : 0, "%s%s",
				buf[off - 1] == '(' ? "" : "|", kpf_names[i].name);
	}
	snprintf(buf + off, off < len ? len - off : 0, ")");
	return buf;
}

struct pages_ctx {
	struct mo_symcache *sc;
	struct mo_json *j;
	int kpf_fd;
	long pageblock_order;
	uint32_t *stacks;	/* handles seen, for the JSON's stack table */
	size_t nstacks, capstacks;
	uint64_t nr;
	int err;
	int started;		/* the JSON document is open */
	uint32_t *pids, *tgids;	/* filters, as page_owner_sort's */
	size_t npids, ntgids, nnames;
	char **names;
};

/* Handles seen, sorted and made unique at the end (mo_symcache has them). */
static int pages_note_stack(struct pages_ctx *pc, uint32_t h)
{
	if (pc->nstacks && pc->stacks[pc->nstacks - 1] == h)
		return 0;
	if (pc->nstacks == pc->capstacks) {
		size_t cap = pc->capstacks ? pc->capstacks * 2 : 64;
		uint32_t *s = realloc(pc->stacks, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		pc->stacks = s;
		pc->capstacks = cap;
	}
	pc->stacks[pc->nstacks++] = h;
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void u32_uniq(uint32_t *v, size_t *n)
{
	size_t i, k = 0;

	qsort(v, *n, sizeof(*v), u32_cmp);
	for (i = 0; i < *n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	*n = k;
}

/*
 * Opened with the first record (or at the end): the dump is collected whole
 * before the first callback, so a failed dump prints no half document.
 */
static void pages_json_start(struct pages_ctx *pc)
{
	if (pc->started)
		return;
	pc->started = 1;
	mo_json_init(pc->j, stdout);
	mo_json_obj_begin(pc->j, NULL);
	mo_json_arr_begin(pc->j, "pages");
}

static int pages_cb(const struct mo_page_rec *p, void *arg)
{
	struct pages_ctx *pc = arg;
	const struct mo_frames *f;
	char gfp[512], flags[256];

	if ((pc->npids && !list_u32_in(p->pid, pc->pids, pc->npids)) ||
	    (pc->ntgids && !list_u32_in(p->tgid, pc->tgids, pc->ntgids)) ||
	    (pc->nnames && !list_str_in(p->comm, pc->names, pc->nnames)))
		return 0;
	pc->nr++;
	gfp_str(p->gfp, gfp, sizeof(gfp));
	if (pc->j) {
		struct mo_json *j = pc->j;

		pages_json_start(pc);
		mo_json_obj_begin(j, NULL);
		mo_json_u64(j, "pfn", p->pfn);
		mo_json_u64(j, "order", p->order);
		mo_json_u64(j, "gfp", p->gfp);
		mo_json_str(j, "gfp_flags", gfp);
		mo_json_str(j, "migratetype", mo_migratetype_name(p->migratetype));
		mo_json_u64(j, "pid", p->pid);
		mo_json_u64(j, "tgid", p->tgid);
		mo_json_str(j, "comm", p->comm);
		mo_json_u64(j, "ts_ns", p->ts_ns);
		mo_json_u64(j, "stack", p->stack);
		mo_json_obj_end(j);
		pc->err = pages_note_stack(pc, p->stack);
		return pc->err ? 1 : 0;
	}
	/* mm/page_owner.c's print_page_owner(), as module/debugfs.c prints it. */
	/* The kernel's %#x prints 0 as "0x0", glibc's as "0". */
	printf("Page allocated via order %u, mask 0x%x(%s), pid %u, tgid %u (%s), ts %" PRIu64 " ns, free_ts 0 ns\n",
	       p->order, p->gfp, gfp, p->pid, p->tgid, p->comm, p->ts_ns);
	printf("PFN %" PRIu64 " type %s Block %" PRIu64 " type %s Flags %s\n",
	       p->pfn, mo_migratetype_name(p->migratetype),
	       p->pfn >> pc->pageblock_order, mo_migratetype_name(p->migratetype),
	       page_flags_str(pc->kpf_fd, p->pfn, flags, sizeof(flags)));
	f = mo_symcache_get(pc->sc, p->stack);
	if (f) {
		unsigned int i;

		for (i = 0; i < f->nr; i++)
			printf(" %s\n", f->frame[i]);
	}
	printf("\n");
	if (ferror(stdout)) {
		pc->err = -EPIPE;
		return 1;
	}
	return 0;
}

/* pageblock_order: from the kernel when it says, else x86's default. */
static long pageblock_order(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	unsigned long long sz = 0;
	long page = sysconf(_SC_PAGESIZE), order = 0;

	if (f) {
		if (fscanf(f, "%llu", &sz) != 1)
			sz = 0;
		fclose(f);
	}
	if (!sz)
		sz = 2ULL << 20;
	while ((unsigned long long)(page << order) < sz)
		order++;
	return order;
}

static int cmd_pages(const struct cli_opts *o, int argc, char **argv)
{
	enum { O_PID = 256, O_TGID, O_NAME };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, O_PID },
		{ "tgid", required_argument, NULL, O_TGID },
		{ "name", required_argument, NULL, O_NAME },
		{ NULL, 0, NULL, 0 },
	};
	struct pages_ctx pc = { .kpf_fd = -1 };
	char extack[EXTACK_LEN] = "";
	struct mo_json j;
	struct mo_genl g;
	int fd, ret = CLI_USAGE, opt;
	size_t i;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case O_PID:
			free(pc.pids);
			pc.pids = NULL;
			if (list_parse_u32_list(optarg, &pc.pids, &pc.npids)) {
				list_bad_arg("pages", "bad pid list", optarg);
				goto free;
			}
			break;
		case O_TGID:
			free(pc.tgids);
			pc.tgids = NULL;
			if (list_parse_u32_list(optarg, &pc.tgids, &pc.ntgids)) {
				list_bad_arg("pages", "bad tgid list", optarg);
				goto free;
			}
			break;
		case O_NAME:
			list_free_str_list(pc.names);
			pc.names = NULL;
			if (list_parse_str_list(optarg, &pc.names, &pc.nnames)) {
				list_bad_arg("pages", "bad name list", optarg);
				goto free;
			}
			break;
		default:
			goto free;
		}
	}
	if (optind != argc) {
		list_bad_arg("pages", "unexpected argument", argv[optind]);
		goto free;
	}
	ret = 1;
	if (list_open_both(&fd, &g, &pc.sc))
		goto free;
	pc.kpf_fd = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	pc.pageblock_order = pageblock_order();
	if (o->json)
		pc.j = &j;
	ret = mo_dump_pages(&g, pages_cb, &pc, extack, sizeof(extack));
	if (ret == 1)
		ret = pc.err;
	if (ret) {
		ret = cli_fail_extack("page dump", ret, extack);
		goto out;
	}
	if (o->json) {
		pages_json_start(&pc);
		mo_json_arr_end(&j);
		u32_uniq(pc.stacks, &pc.nstacks);
		mo_json_arr_begin(&j, "stacks");
		for (i = 0; i < pc.nstacks; i++) {
			const struct mo_frames *f = mo_symcache_get(pc.sc, pc.stacks[i]);

			mo_json_obj_begin(&j, NULL);
			mo_json_u64(&j, "stack", pc.stacks[i]);
			list_json_frames(&j, f);
			mo_json_obj_end(&j);
		}
		mo_json_arr_end(&j);
		mo_json_u64(&j, "nr_pages_records", pc.nr);
		mo_json_obj_end(&j);
		mo_json_end(&j);
	}
	ret = fflush(stdout) ? cli_fail("write", -errno) : 0;
out:
	if (pc.kpf_fd >= 0)
		close(pc.kpf_fd);
	free(pc.stacks);
	list_close_both(fd, &g, pc.sc);
free:
	free(pc.pids);
	free(pc.tgids);
	list_free_str_list(pc.names);
	return ret;
}

const struct cli_cmd cli_cmd_pages = {
	.name = "pages",
	.args = "[--pid L] [--tgid L] [--name L]",
	.summary = "tracked page blocks in the page_owner format",
	.help =
"Prints every tracked page block as /sys/kernel/debug/page_owner does, so\n"
"the kernel's tools/mm/page_owner_sort reads it unchanged:\n"
"\n"
"  Page allocated via order O, mask 0xGFP(NAMES), pid P, tgid T (COMM), ts NS ns, free_ts 0 ns\n"
"  PFN N type MIGRATETYPE Block B type MIGRATETYPE Flags 0xF(NAMES)\n"
"   frame\n"
"   ...\n"
"  (blank line)\n"
"\n"
"Blocks are in PFN order.  Pages in use before memowner was loaded are\n"
"order-0 blocks of pid 0 with the \"before load\" stack.  The GFP names are\n"
"Linux 6.1's (%pGg); the Flags word is the page's /proc/kpageflags entry\n"
"(KPF_* bits; names of the ones that are page flags, e.g. slab), as\n"
"userspace cannot read page->flags; 0x0() when kpageflags is unreadable.\n"
"\n"
"  --pid L, --tgid L, --name L\n"
"                 only blocks allocated by these threads, processes or\n"
"                 commands (comma-separated lists, as page_owner_sort's).\n"
"\n"
"  memowner pages > po.txt\n"
"  page_owner_sort --cull stacktrace po.txt sorted.txt\n"
"\n"
"--json prints {\"pages\": [{pfn, order, gfp, gfp_flags, migratetype, pid,\n"
"tgid, comm, ts_ns, stack}], \"stacks\": [{stack, frames}],\n"
"\"nr_pages_records\"}: frames once per stack handle.\n",
	.handler = cmd_pages,
};
