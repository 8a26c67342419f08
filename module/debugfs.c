// SPDX-License-Identifier: GPL-2.0
/*
 * Text views under /sys/kernel/debug/memowner/, compatible with page_owner:
 *
 *  status           what memowner tracks, counts, drops, coverage, memory.
 *  show_stacks      one block per stack and source: frames (" %pS"), then
 *                   "nr_base_pages: N"; other sources add "source:",
 *                   "nr_objects:", "nr_bytes:" (live) and "nr_allocs:",
 *                   "nr_frees:" (totals since load).  Blocks below
 *                   count_threshold are skipped (base pages for the page
 *                   source, objects for the others).
 *  count_threshold  writable threshold of show_stacks.
 *  page_owner       one record per tracked page block in the kernel's
 *                   page_owner format; the file offset is a PFN cursor, so
 *                   a reader may seek to a PFN, and the kernel's
 *                   page_owner_sort parses it unchanged.
 *
 * Everything here runs in process context and reads the tables lock-free
 * or under their locks; nothing here can block a probe for long.
 */
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/kallsyms.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "control.h"
#include "debugfs.h"
#include "depot.h"
#include "events.h"
#include "info.h"
#include "owner.h"
#include "params.h"
#include "preload.h"
#include "probes.h"
#include "site.h"
#include "task.h"
#include "track.h"
#include "vmalloc_nest.h"

static struct dentry *root;
static unsigned long count_threshold;

static const char *const mt_names[] = {
	"Unmovable", "Movable", "Reclaimable", "HighAtomic", "CMA", "Isolate",
};

static const char *mt_name(unsigned int mt)
{
	return mt < ARRAY_SIZE(mt_names) ? mt_names[mt] : "Unknown";
}

/* Live objects, bytes and base pages of a site's totals. */
static u64 live_objects(const struct mo_totals *t)
{
	return mo_live_objects(t);
}

static u64 live_bytes(const struct mo_totals *t)
{
	return mo_live_bytes(t);
}

static u64 base_pages(unsigned int src, const struct mo_totals *t)
{
	if (src == MEMOWNER_SRC_PAGE || src == MEMOWNER_SRC_VMALLOC)
		return live_bytes(t) >> PAGE_SHIFT;
	return 0;
}

/* ---- status ---------------------------------------------------------- */

static int status_show(struct seq_file *m, void *v)
{
	struct mo_totals src_tot[__MEMOWNER_SRC_LAST] = {};
	unsigned long i, nr_sites;
	struct memowner_params *p = &memowner_params;
	unsigned long buddy, pcp, ff, fn, fd;
	u64 tracked_pages, in_use;
	struct sysinfo si;
	int s;

	mo_tables_read_lock();
	nr_sites = mo_site_count();
	for (i = 1; i <= nr_sites; i++) {
		const struct mo_site *site = mo_site_at(i);
		struct mo_totals t;

		mo_site_sum(i, &t);
		src_tot[site->key.src].allocs += t.allocs;
		src_tot[site->key.src].frees += t.frees;
		src_tot[site->key.src].bytes += t.bytes;
		src_tot[site->key.src].bytes_freed += t.bytes_freed;
	}
	mo_tables_read_unlock();

	seq_printf(m, "memowner %s\n", MEMOWNER_VERSION);
	seq_printf(m, "enabled: %d\n", p->enabled);
	seq_printf(m, "mode: %s\n", memowner_mode_names[p->mode]);
	seq_printf(m, "depth: %u\n", p->depth);
	seq_printf(m, "sample_bytes: %llu\n", p->sample_bytes);
	seq_puts(m, "sources:");
	for (s = 0; s < __MEMOWNER_SRC_LAST; s++)
		if (p->sources & BIT(s))
			seq_printf(m, " %s", memowner_source_names[s]);
	seq_putc(m, '\n');
	mo_probes_report(m);
	mo_events_report(m);
	for (s = 0; s < __MEMOWNER_SRC_LAST; s++) {
		const struct mo_totals *t = &src_tot[s];

		seq_printf(m, "source %s: alloc_events=%llu free_events=%llu live_objects=%llu live_bytes=%llu live_pages=%llu allocs=%llu frees=%llu unknown_frees=%llu\n",
			   memowner_source_names[s],
			   mo_track_stat(MO_STAT_ALLOC_EVENTS + s),
			   mo_track_stat(MO_STAT_FREE_EVENTS + s),
			   live_objects(t), live_bytes(t), base_pages(s, t),
			   t->allocs, t->frees,
			   mo_track_stat(MO_STAT_FREE_EVENTS + s) -
			   mo_track_stat(MO_STAT_MATCHED_FREES + s));
	}
	seq_printf(m, "objects: live=%lu capacity=%lu tracked=%llu sampled=%llu\n",
		   mo_owner_count(), mo_owner_capacity(),
		   mo_track_stat(MO_STAT_TRACKED),
		   mo_track_stat(MO_STAT_SAMPLED));
	seq_printf(m, "metadata_bytes_per_object: %zu\n", sizeof(struct mo_obj));
	seq_printf(m, "stacks: %lu max=%lu\n", mo_depot_count(), p->max_stacks);
	mo_frozen_stats(&ff, &fn, &fd);
	/* Frames of code gone (module init text, unloaded modules): frozen.c */
	seq_printf(m, "frozen: frames=%lu names=%lu not_frozen=%lu\n", ff, fn, fd);
	seq_printf(m, "sites: %lu\n", nr_sites);
	/* Identities in use; entries no record named went back (task.c). */
	seq_printf(m, "tasks: used=%lu max=%lu recycled=%lu sweeps=%lu\n",
		   mo_task_count(), mo_task_capacity(), mo_task_recycled(),
		   mo_task_sweeps());
	seq_printf(m, "caches: %lu\n", mo_cache_count());
	mo_vmalloc_nest_show(m);
	seq_printf(m, "drops: object_table_full=%llu stack_table_full=%lu site_table_full=%lu task_table_full=%lu recursion=%llu nmi=%llu kretprobe_missed=%llu split_drops=%llu\n",
		   mo_track_stat(MO_STAT_TABLE_FULL), mo_depot_drops(),
		   mo_site_drops(), mo_task_drops(),
		   mo_track_stat(MO_STAT_RECURSION), mo_track_stat(MO_STAT_NMI),
		   mo_probes_missed(), mo_track_stat(MO_STAT_SPLIT_DROPS));
	seq_printf(m, "stale_replaced: %llu\n", mo_track_stat(MO_STAT_STALE));
	seq_printf(m, "batched_only_frees: %llu\n",
		   mo_track_stat(MO_STAT_BATCHED_ONLY));
	seq_printf(m, "order_mismatch_frees: %llu\n",
		   mo_track_stat(MO_STAT_ORDER_MISMATCH));
	seq_printf(m, "splits: %llu\n", mo_track_stat(MO_STAT_SPLITS));
	/* Page owners that followed their contents to another page. */
	seq_printf(m, "migrated: pages=%llu drops=%llu\n",
		   mo_track_stat(MO_STAT_MIGRATED),
		   mo_track_stat(MO_STAT_MIGRATE_DROPS));
	seq_printf(m, "preload: found_pages=%lu freed_pages=%llu pcp_free_pages_at_scan=%lu\n",
		   mo_preload_found(), mo_track_stat(MO_STAT_PRELOAD_FREES),
		   mo_preload_pcp());

	si_meminfo(&si);
	tracked_pages = base_pages(MEMOWNER_SRC_PAGE, &src_tot[MEMOWNER_SRC_PAGE]);
	mo_free_pages(&buddy, &pcp);
	in_use = si.totalram - min_t(u64, buddy + pcp, si.totalram);
	seq_printf(m, "coverage: tracked_pages=%llu in_use_pages=%llu buddy_free_pages=%lu pcp_free_pages=%lu permille=%llu\n",
		   tracked_pages, in_use, buddy, pcp,
		   in_use ? div64_u64(tracked_pages * 1000, in_use) : 0);
	seq_printf(m, "memory: %llu bytes\n", memowner_memory());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(status);

/* ---- show_stacks ------------------------------------------------------ */

struct mo_group {
	u32 stack;
	u32 src;
	struct mo_totals t;
};

struct mo_snapshot {
	unsigned long nr;
	u32 epoch;		/* its stack handles name stacks of this one */
	struct mo_group g[];
};

static int cmp_group(const void *a, const void *b)
{
	const struct mo_group *x = a, *y = b;

	if (x->stack != y->stack)
		return x->stack < y->stack ? -1 : 1;
	return (int)x->src - (int)y->src;
}

/* Sum all sites into one group per (stack, source). */
static struct mo_snapshot *snapshot_groups(void)
{
	unsigned long i, n, out = 0;
	struct mo_snapshot *snap;

	mo_tables_read_lock();
	n = mo_site_count();
	snap = kvzalloc(struct_size(snap, g, n + 1), GFP_KERNEL);
	if (!snap) {
		mo_tables_read_unlock();
		return NULL;
	}
	snap->epoch = mo_control_epoch();
	for (i = 1; i <= n; i++) {
		const struct mo_site *site = mo_site_at(i);

		snap->g[i - 1].stack = site->key.stack;
		snap->g[i - 1].src = site->key.src;
		mo_site_sum(i, &snap->g[i - 1].t);
	}
	mo_tables_read_unlock();
	sort(snap->g, n, sizeof(snap->g[0]), cmp_group, NULL);
	for (i = 0; i < n; i++) {
		struct mo_group *g = &snap->g[i];

		if (out && !cmp_group(&snap->g[out - 1], g)) {
			struct mo_totals *t = &snap->g[out - 1].t;

			t->allocs += g->t.allocs;
			t->frees += g->t.frees;
			t->bytes += g->t.bytes;
			t->bytes_freed += g->t.bytes_freed;
		} else {
			snap->g[out++] = *g;
		}
	}
	snap->nr = out;
	return snap;
}

static bool group_shown(const struct mo_group *g)
{
	u64 v = g->src == MEMOWNER_SRC_PAGE ? base_pages(g->src, &g->t)
					    : live_objects(&g->t);

	return v >= READ_ONCE(count_threshold);
}

static void *stacks_start(struct seq_file *m, loff_t *pos)
{
	struct mo_snapshot *snap = m->private;

	while (*pos < snap->nr && !group_shown(&snap->g[*pos]))
		(*pos)++;
	return *pos < snap->nr ? &snap->g[*pos] : NULL;
}

static void *stacks_next(struct seq_file *m, void *v, loff_t *pos)
{
	(*pos)++;
	return stacks_start(m, pos);
}

static void stacks_stop(struct seq_file *m, void *v)
{
}

static void print_frames(struct seq_file *m, u32 epoch, u32 stack)
{
	const unsigned long *frames;
	char sym[KSYM_SYMBOL_LEN];
	unsigned int i, nr;

	mo_tables_read_lock();
	/* A new epoch emptied the depot since the file was opened. */
	nr = mo_control_epoch() == epoch ? mo_depot_fetch(stack, &frames) : 0;
	if (!nr)
		seq_puts(m, " (stack of an earlier epoch: reopen)\n");
	for (i = 0; i < nr; i++) {
		mo_frame_name(frames[i], sym, sizeof(sym));
		seq_printf(m, " %s\n", sym);
	}
	mo_tables_read_unlock();
}

static int stacks_show(struct seq_file *m, void *v)
{
	const struct mo_group *g = v;
	const struct mo_snapshot *snap = m->private;

	print_frames(m, snap->epoch, g->stack);
	seq_printf(m, "nr_base_pages: %llu\n", base_pages(g->src, &g->t));
	if (g->src != MEMOWNER_SRC_PAGE)
		seq_printf(m, "source: %s\nnr_objects: %llu\nnr_bytes: %llu\nnr_allocs: %llu\nnr_frees: %llu\n",
			   memowner_source_names[g->src], live_objects(&g->t),
			   live_bytes(&g->t), g->t.allocs, g->t.frees);
	seq_putc(m, '\n');
	return 0;
}

static const struct seq_operations stacks_ops = {
	.start = stacks_start,
	.next = stacks_next,
	.stop = stacks_stop,
	.show = stacks_show,
};

static int stacks_open(struct inode *inode, struct file *file)
{
	struct mo_snapshot *snap = snapshot_groups();
	int ret;

	if (!snap)
		return -ENOMEM;
	ret = seq_open(file, &stacks_ops);
	if (ret) {
		kvfree(snap);
		return ret;
	}
	((struct seq_file *)file->private_data)->private = snap;
	return 0;
}

static int stacks_release(struct inode *inode, struct file *file)
{
	kvfree(((struct seq_file *)file->private_data)->private);
	return seq_release(inode, file);
}

static const struct file_operations stacks_fops = {
	.owner = THIS_MODULE,
	.open = stacks_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = stacks_release,
};

/* ---- page_owner ------------------------------------------------------ */

static int format_page_record(char *kbuf, size_t size, unsigned long pfn,
			      const struct mo_obj *o);

/*
 * The record @o, a copy made in @epoch; -EAGAIN when a new epoch has
 * dropped it since (its site and stack are gone).
 */
static ssize_t print_page_record(char __user *ubuf, size_t count,
				 unsigned long pfn, const struct mo_obj *o,
				 u32 epoch)
{
	size_t size = min_t(size_t, count, PAGE_SIZE);
	ssize_t ret;
	char *kbuf;
	int len;

	kbuf = kmalloc(size, GFP_KERNEL);
	if (!kbuf)
		return -ENOMEM;
	/* Formatted under the tables lock, copied out after it. */
	mo_tables_read_lock();
	len = mo_control_epoch() == epoch ?
	      format_page_record(kbuf, size, pfn, o) : -EAGAIN;
	mo_tables_read_unlock();
	if (len < 0) {
		ret = len;
		goto out;
	}
	/* A record cut by a small buffer would be misparsed: ask for more. */
	if (len >= size - 1) {
		ret = -ENOMEM;
		goto out;
	}
	ret = copy_to_user(ubuf, kbuf, len) ? -EFAULT : len;
out:
	kfree(kbuf);
	return ret;
}

static int format_page_record(char *kbuf, size_t size, unsigned long pfn,
			      const struct mo_obj *o)
{
	const struct mo_site *site = o ? mo_site_at(o->site) : NULL;
	const struct mo_task *task = o ? mo_task_get(mo_obj_task(o)) : NULL;
	unsigned int order = o ? mo_obj_order(o) : 0, mt = 0;
	gfp_t gfp = site ? site->key.gfp : 0;
	u32 stack = site ? site->key.stack
			 : mo_depot_sentinel(MO_STACK_BEFORE_LOAD);
	const unsigned long *frames;
	unsigned int i, nr;
	struct page *page = pfn_to_page(pfn);
	char sym[KSYM_SYMBOL_LEN];
	int len;

	if (site)
		mt = site->key.migratetype;
	len = scnprintf(kbuf, size,
			"Page allocated via order %u, mask %#x(%pGg), pid %d, tgid %d (%s), ts %llu ns, free_ts 0 ns\n",
			order, gfp, &gfp, task ? task->pid : 0,
			task ? task->tgid : 0, task ? task->comm : "",
			o ? mo_obj_ts_ns(o) : 0);
	len += scnprintf(kbuf + len, size - len,
			 "PFN %lu type %s Block %lu type %s Flags %pGp\n",
			 pfn, mt_name(mt), pfn >> pageblock_order, mt_name(mt),
			 &page->flags);
	nr = mo_depot_fetch(stack, &frames);
	for (i = 0; i < nr; i++) {
		mo_frame_name(frames[i], sym, sizeof(sym));
		len += scnprintf(kbuf + len, size - len, " %s\n", sym);
	}
	len += scnprintf(kbuf + len, size - len, "\n");
	return len;
}

static ssize_t page_owner_read(struct file *file, char __user *buf,
			       size_t count, loff_t *ppos)
{
	unsigned long pfn, max_pfn = mo_preload_max_pfn();
	struct mo_obj o;
	ssize_t ret;

	/* Nothing fits: the cursor stays, no record is consumed. */
	if (!count)
		return 0;
	for (pfn = max_t(loff_t, *ppos, 0); pfn < max_pfn; pfn++) {
		u32 epoch = mo_control_epoch();
		bool found = mo_owner_lookup(pfn, MEMOWNER_SRC_PAGE, &o);

		if (!found && !mo_preload_test(pfn))
			goto next;
		ret = print_page_record(buf, count, pfn, found ? &o : NULL,
					epoch);
		if (ret == -EAGAIN)
			goto next;	/* dropped by a new epoch */
		if (ret < 0)
			return ret;
		/* Continue after the block. */
		*ppos = pfn + (found ? 1UL << mo_obj_order(&o) : 1);
		return ret;
next:
		if (!(pfn & 4095)) {
			if (fatal_signal_pending(current))
				return -EINTR;
			cond_resched();
		}
	}
	*ppos = pfn;
	return 0;
}

static loff_t page_owner_llseek(struct file *file, loff_t offset, int whence)
{
	switch (whence) {
	case SEEK_CUR:
		offset += file->f_pos;
		fallthrough;
	case SEEK_SET:
		if (offset < 0)
			return -EINVAL;
		file->f_pos = offset;
		return offset;
	}
	return -EINVAL;
}

static const struct file_operations page_owner_fops = {
	.owner = THIS_MODULE,
	.read = page_owner_read,
	.llseek = page_owner_llseek,
};

/* ---- setup ------------------------------------------------------------ */

int mo_debugfs_init(void)
{
	root = debugfs_create_dir("memowner", NULL);
	if (IS_ERR(root))
		return PTR_ERR(root);
	debugfs_create_file("status", 0400, root, NULL, &status_fops);
	debugfs_create_file("show_stacks", 0400, root, NULL, &stacks_fops);
	debugfs_create_file("page_owner", 0400, root, NULL, &page_owner_fops);
	debugfs_create_ulong("count_threshold", 0600, root, &count_threshold);
	return 0;
}

void mo_debugfs_exit(void)
{
	debugfs_remove_recursive(root);
	root = NULL;
}
