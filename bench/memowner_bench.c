// SPDX-License-Identifier: GPL-2.0
/*
 * memowner_bench: the cost of allocator pairs, for "make bench".
 *
 * Times, in process context, ITERS back-to-back allocate+free pairs of one
 * kind with ktime_get_ns() around the loop, after a warm-up of ITERS/10
 * pairs.  Run under qemu with "-smp 1 -icount shift=0", guest nanoseconds
 * are executed instructions, so per_op is instructions per pair.
 *
 *   /sys/kernel/debug/memowner_bench/run      write "[OP] [ITERS]":
 *       ""/"all"/"0"  every op with its default count
 *       "ITERS"       every op, ITERS pairs each
 *       "OP [ITERS]"  one op (default count unless ITERS is given)
 *     The write returns when the run is done.  Reading gives the ops and
 *     their default counts.
 *   /sys/kernel/debug/memowner_bench/results  one line per op of the last run:
 *       op=NAME iters=N ns=TOTAL per_op=X.XX switches=S offcpu_ns=O
 *     switches, offcpu_ns: how often and how long other tasks ran during
 *     the timed loop (included in ns; see struct bench_offcpu).
 *
 * The ops: kmalloc64 (kmalloc(64)+kfree), cache64 (kmem_cache_alloc+
 * kmem_cache_free on an own, unmerged 64-byte cache), page0 (alloc_page+
 * __free_page), page3 (alloc_pages order 3+__free_pages), vmalloc
 * (vmalloc(16 KiB)+vfree).  All allocate with GFP_KERNEL.
 *
 * This module is independent of memowner.ko: it only generates the
 * allocations whose tracking cost memowner adds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#define BENCH_OBJ_SIZE		64
#define BENCH_VMALLOC_SIZE	(16 * 1024)
#define BENCH_MAX_ITERS		100000000UL
/* Yield (and look for a fatal signal) every this many pairs. */
#define BENCH_RESCHED_MASK	1023UL

static struct kmem_cache *bench_cache;

/*
 * Each loop returns 0, -ENOMEM or -EINTR.  OPTIMIZER_HIDE_VAR keeps the
 * compiler from reasoning about the pointer between allocation and free.
 */
static inline int bench_yield(unsigned long i)
{
	if (!(i & BENCH_RESCHED_MASK)) {
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	return 0;
}

static noinline int loop_kmalloc64(unsigned long n)
{
	unsigned long i;
	void *p;
	int ret;

	for (i = 0; i < n; i++) {
		p = kmalloc(BENCH_OBJ_SIZE, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(p);
		kfree(p);
		ret = bench_yield(i);
		if (ret)
			return ret;
	}
	return 0;
}

static noinline int loop_cache64(unsigned long n)
{
	unsigned long i;
	void *p;
	int ret;

	for (i = 0; i < n; i++) {
		p = kmem_cache_alloc(bench_cache, GFP_KERNEL);
		if (!p)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(p);
		kmem_cache_free(bench_cache, p);
		ret = bench_yield(i);
		if (ret)
			return ret;
	}
	return 0;
}

static noinline int loop_page0(unsigned long n)
{
	struct page *page;
	unsigned long i;
	int ret;

	for (i = 0; i < n; i++) {
		page = alloc_page(GFP_KERNEL);
		if (!page)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(page);
		__free_page(page);
		ret = bench_yield(i);
		if (ret)
			return ret;
	}
	return 0;
}

static noinline int loop_page3(unsigned long n)
{
	struct page *page;
	unsigned long i;
	int ret;

	for (i = 0; i < n; i++) {
		page = alloc_pages(GFP_KERNEL, 3);
		if (!page)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(page);
		__free_pages(page, 3);
		ret = bench_yield(i);
		if (ret)
			return ret;
	}
	return 0;
}

static noinline int loop_vmalloc(unsigned long n)
{
	unsigned long i;
	void *p;
	int ret;

	for (i = 0; i < n; i++) {
		p = vmalloc(BENCH_VMALLOC_SIZE);
		if (!p)
			return -ENOMEM;
		OPTIMIZER_HIDE_VAR(p);
		vfree(p);
		ret = bench_yield(i);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Default counts: 20-70 million instructions per op without memowner (6.1:
 * kmalloc64 pair ~330, page0 ~4,800, page3 ~33,800, vmalloc ~21,600), so
 * that repeats agree within ~0.1%, and a config costing ~10,000
 * instructions per tracked allocation still runs an op in a few seconds of
 * TCG time (qemu -icount executes ~300-400 million guest instructions/s).
 */
struct bench_op {
	const char *name;
	unsigned long def_iters;
	int (*loop)(unsigned long n);
};

static const struct bench_op bench_ops[] = {
	{ "kmalloc64",	100000,	loop_kmalloc64 },
	{ "cache64",	100000,	loop_cache64 },
	{ "page0",	10000,	loop_page0 },
	{ "page3",	2000,	loop_page3 },
	{ "vmalloc",	2000,	loop_vmalloc },
};

static DEFINE_MUTEX(bench_lock);
static char bench_results[128 * ARRAY_SIZE(bench_ops)];
static size_t bench_results_len;

/*
 * Time this task spends switched out during a timed loop, through preempt
 * notifiers (as KVM uses them): on one CPU that is exactly the time other
 * tasks ran (boot-time work, kworkers, ...), which the wall-clock ns
 * include.  Interrupts are not counted (they run on our time).
 */
struct bench_offcpu {
	struct preempt_notifier pn;
	u64 out_at;
	u64 ns;
	unsigned long switches;
};

static void bench_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	struct bench_offcpu *off = container_of(pn, struct bench_offcpu, pn);

	off->out_at = local_clock();
	off->switches++;
}

static void bench_sched_in(struct preempt_notifier *pn, int cpu)
{
	struct bench_offcpu *off = container_of(pn, struct bench_offcpu, pn);

	off->ns += local_clock() - off->out_at;
}

static struct preempt_ops bench_preempt_ops = {
	.sched_in = bench_sched_in,
	.sched_out = bench_sched_out,
};

/*
 * Start every timed loop from the same state: no RCU callbacks pending
 * (left by the shell's forks and exits, or the previous op), and no lazily
 * freed vmap areas.  vfree() leaves its area for a purge that runs once
 * ~32 MiB (per log2 of the CPUs) of them have piled up and costs ~800,000
 * instructions; without this its phase would vary between runs and move
 * the vmalloc figure by one purge (~2%).
 */
static void bench_quiesce(void)
{
	rcu_barrier();
	vm_unmap_aliases();
}

/* Warm up, then time n pairs; append the result line.  bench_lock held. */
static int bench_run_op(const struct bench_op *op, unsigned long n)
{
	struct bench_offcpu off = {};
	u64 t0, ns, per100;
	int ret;

	ret = op->loop(max(n / 10, 16UL));
	if (ret)
		return ret;
	bench_quiesce();

	preempt_notifier_init(&off.pn, &bench_preempt_ops);
	preempt_disable();
	preempt_notifier_register(&off.pn);
	preempt_enable();

	t0 = ktime_get_ns();
	ret = op->loop(n);
	ns = ktime_get_ns() - t0;

	preempt_disable();
	preempt_notifier_unregister(&off.pn);
	preempt_enable();
	if (ret)
		return ret;

	per100 = div64_u64(ns * 100 + n / 2, n);
	bench_results_len += scnprintf(bench_results + bench_results_len,
				       sizeof(bench_results) - bench_results_len,
				       "op=%s iters=%lu ns=%llu per_op=%llu.%02llu switches=%lu offcpu_ns=%llu\n",
				       op->name, n, ns, div_u64(per100, 100),
				       per100 % 100, off.switches, off.ns);
	return 0;
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t count, loff_t *ppos)
{
	char buf[64], *s, *tok, *optok = NULL, *ntok = NULL;
	unsigned long n = 0;
	int i, ret = 0, found = 0;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';

	s = strim(buf);
	while ((tok = strsep(&s, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		if (isdigit(*tok) && !ntok)
			ntok = tok;
		else if (!optok && !ntok)
			optok = tok;
		else
			return -EINVAL;
	}
	if (ntok && (kstrtoul(ntok, 0, &n) || n > BENCH_MAX_ITERS))
		return -EINVAL;
	if (optok && !strcmp(optok, "all"))
		optok = NULL;
	if (optok) {
		for (i = 0; i < ARRAY_SIZE(bench_ops); i++)
			found |= !strcmp(optok, bench_ops[i].name);
		if (!found)
			return -EINVAL;
	}

	mutex_lock(&bench_lock);
	bench_results_len = 0;
	bench_results[0] = '\0';
	preempt_notifier_inc();
	for (i = 0; i < ARRAY_SIZE(bench_ops); i++) {
		const struct bench_op *op = &bench_ops[i];

		if (optok && strcmp(optok, op->name))
			continue;
		ret = bench_run_op(op, n ? n : op->def_iters);
		if (ret) {
			pr_warn("%s: failed: %d\n", op->name, ret);
			break;
		}
	}
	preempt_notifier_dec();
	mutex_unlock(&bench_lock);
	return ret ? ret : count;
}

static ssize_t run_read(struct file *file, char __user *ubuf, size_t count,
			loff_t *ppos)
{
	char buf[32 * ARRAY_SIZE(bench_ops)];
	size_t len = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(bench_ops); i++)
		len += scnprintf(buf + len, sizeof(buf) - len, "%s %lu\n",
				 bench_ops[i].name, bench_ops[i].def_iters);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t results_read(struct file *file, char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	ssize_t ret;

	mutex_lock(&bench_lock);
	ret = simple_read_from_buffer(ubuf, count, ppos, bench_results,
				      bench_results_len);
	mutex_unlock(&bench_lock);
	return ret;
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = run_read,
	.write = run_write,
	.llseek = default_llseek,
};

static const struct file_operations results_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = results_read,
	.llseek = default_llseek,
};

static struct dentry *bench_dir;

static int __init bench_init(void)
{
	/*
	 * A non-zero usercopy region keeps SLUB from merging this cache
	 * into kmalloc-64, without a constructor or debug flags that would
	 * change the cost of the fast path.
	 */
	bench_cache = kmem_cache_create_usercopy("memowner_bench64",
						 BENCH_OBJ_SIZE, 0, 0, 0,
						 BENCH_OBJ_SIZE, NULL);
	if (!bench_cache)
		return -ENOMEM;

	bench_dir = debugfs_create_dir("memowner_bench", NULL);
	if (IS_ERR(bench_dir)) {
		kmem_cache_destroy(bench_cache);
		return PTR_ERR(bench_dir);
	}
	debugfs_create_file("run", 0600, bench_dir, NULL, &run_fops);
	debugfs_create_file("results", 0400, bench_dir, NULL, &results_fops);
	return 0;
}

static void __exit bench_exit(void)
{
	debugfs_remove_recursive(bench_dir);
	kmem_cache_destroy(bench_cache);
}

module_init(bench_init);
module_exit(bench_exit);

MODULE_DESCRIPTION("memowner benchmark: cost of allocator pairs");
MODULE_LICENSE("GPL");
