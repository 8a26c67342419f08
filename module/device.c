// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/memowner: the ioctl interface.
 *
 * Privilege is decided once, at open, from the opener's credentials (as
 * perf_event_open does): a descriptor may be handed to a less privileged
 * process, which then acts with the rights of the opener.  The decision is
 * kept in a per-open struct memowner_client.
 *
 * Every ioctl argument is an extensible structure whose first field is its
 * size; see uapi/linux/memowner.h for the rules.
 */
#include <linux/capability.h>
#include <linux/kallsyms.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "alerts.h"
#include "control.h"
#include "depot.h"
#include "device.h"
#include "info.h"
#include "params.h"
#include "query.h"

/* Larger argument structs than this are certainly not ours. */
#define MEMOWNER_MAX_ARG_SIZE	PAGE_SIZE

/* ioctl numbers compared without their size bits: "size" is the authority. */
#define MEMOWNER_IOC_NOSIZE(cmd) ((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

struct memowner_client {
	bool admin;	/* CAP_SYS_ADMIN at open: may change state */
	bool syslog;	/* CAP_SYSLOG at open: may see raw kernel addresses */
};

static int memowner_open(struct inode *inode, struct file *file)
{
	struct memowner_client *client;

	/* perfmon_capable() also accepts CAP_SYS_ADMIN. */
	if (!perfmon_capable())
		return -EPERM;

	client = memowner_kzalloc(sizeof(*client));
	if (!client)
		return -ENOMEM;
	client->admin = capable(CAP_SYS_ADMIN);
	client->syslog = capable(CAP_SYSLOG);

	/* misc_open() left the miscdevice here; replace it with our state. */
	file->private_data = client;
	atomic64_inc(&memowner_stats.nr_opens);
	return stream_open(inode, file);
}

static int memowner_release(struct inode *inode, struct file *file)
{
	memowner_kfree(file->private_data, sizeof(struct memowner_client));
	return 0;
}

/*
 * Read the caller's struct of @ksize bytes at @uarg into @karg following
 * copy_struct_from_user() rules.  Returns the caller's size or -errno.
 */
static int memowner_copy_arg(void *karg, size_t ksize, size_t min_size,
			     void __user *uarg)
{
	u32 usize;
	int ret;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	if (usize > MEMOWNER_MAX_ARG_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, usize);
	if (ret)
		return ret;
	return usize;
}

/* Write @karg back: the caller's size, or ours if smaller. */
static long memowner_copy_back(void __user *uarg, void *karg, size_t ksize,
			       int usize)
{
	u32 size = min_t(u32, usize, ksize);

	*(u32 *)karg = size;
	return copy_to_user(uarg, karg, size) ? -EFAULT : 0;
}

static long memowner_ioc_get_info(void __user *uarg)
{
	struct memowner_info info;
	int usize;

	usize = memowner_copy_arg(&info, sizeof(info), MEMOWNER_INFO_SIZE_VER0,
				  uarg);
	if (usize < 0)
		return usize;
	if (info.flags || info.__pad || info.__pad2)
		return -EINVAL;

	memowner_info_fill(&info);
	return memowner_copy_back(uarg, &info, sizeof(info), usize);
}

static long memowner_ioc_set_config(struct memowner_client *client,
				    void __user *uarg)
{
	struct memowner_config cfg;
	int usize;

	usize = memowner_copy_arg(&cfg, sizeof(cfg), MEMOWNER_CONFIG_SIZE_VER0,
				  uarg);
	if (usize < 0)
		return usize;
	if (!client->admin)
		return -EPERM;
	return mo_control_set(&cfg);
}

/* A NUL-terminated name from user memory; "" for a null pointer. */
static int memowner_get_name(char *buf, size_t len, u64 uptr)
{
	long n;

	buf[0] = '\0';
	if (!uptr)
		return 0;
	n = strncpy_from_user(buf, u64_to_user_ptr(uptr), len);
	if (n < 0)
		return -EFAULT;
	if (n == len)
		return -E2BIG;
	return 0;
}

static void memowner_row_from(struct memowner_row *out, const struct mo_row *r)
{
	memset(out, 0, sizeof(*out));
	out->id = r->id;
	out->stack = r->stack;
	out->source = r->source;
	out->live_bytes = r->live_bytes;
	out->live_pages = r->live_pages;
	out->live_objects = r->live_objects;
	out->allocs = r->allocs;
	out->frees = r->frees;
	out->bytes_allocated = r->bytes_allocated;
	out->growth_bytes = (u64)r->growth_bytes;
	strscpy(out->name, r->name, sizeof(out->name));
	out->backing_bytes = r->backing_bytes;
}

static long memowner_ioc_snapshot(void __user *uarg)
{
	struct memowner_snapshot snap;
	struct memowner_row urow;
	struct mo_query q = {};
	struct mo_row *rows;
	unsigned long nr, i, n;
	void __user *dst;
	long ret;
	int usize;

	usize = memowner_copy_arg(&snap, sizeof(snap),
				  MEMOWNER_SNAPSHOT_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (snap.flags || snap.__pad || snap.nr_rows || snap.total)
		return -EINVAL;
	if (snap.group > MEMOWNER_GROUP_MAX || snap.sort > MEMOWNER_SORT_MAX ||
	    (snap.sources & ~__MEMOWNER_SRC_F_ALL))
		return -EINVAL;
	if (snap.row_size < MEMOWNER_ROW_SIZE_VER0)
		return -EINVAL;
	if (snap.row_size > PAGE_SIZE || snap.max_rows > MEMOWNER_SNAPSHOT_MAX_ROWS)
		return -E2BIG;
	if (snap.max_rows && !snap.rows)
		return -EFAULT;
	q.group = snap.group;
	q.sort = snap.sort;
	q.sources = snap.sources;
	q.tgid = snap.tgid;
	q.min_value = snap.min_value;
	ret = memowner_get_name(q.cache, sizeof(q.cache), snap.cache);
	if (!ret)
		ret = memowner_get_name(q.module, sizeof(q.module), snap.module);
	if (ret)
		return ret;

	mo_tables_read_lock();
	ret = mo_query_run(&q, &rows, &nr);
	mo_tables_read_unlock();
	if (ret)
		return ret;
	n = min_t(unsigned long, nr, snap.max_rows);
	for (i = 0; i < n; i++) {
		dst = u64_to_user_ptr(snap.rows) + i * snap.row_size;
		memowner_row_from(&urow, &rows[i]);
		if (copy_to_user(dst, &urow, min_t(size_t, snap.row_size, sizeof(urow))) ||
		    (snap.row_size > sizeof(urow) &&
		     clear_user(dst + sizeof(urow), snap.row_size - sizeof(urow)))) {
			ret = -EFAULT;
			goto out;
		}
	}
	snap.nr_rows = n;
	snap.total = nr;
	ret = memowner_copy_back(uarg, &snap, sizeof(snap), usize);
out:
	kvfree(rows);
	return ret;
}

static long memowner_ioc_get_stack(struct memowner_client *client,
				   void __user *uarg)
{
	char sym[KSYM_SYMBOL_LEN];
	struct memowner_stack st;
	const unsigned long *frames;
	unsigned int nr, i;
	size_t len = 0, cap = 128 * (MEMOWNER_DEPTH_MAX + 1);
	u64 *addrs;
	char *text;
	long ret = 0;
	int usize;

	usize = memowner_copy_arg(&st, sizeof(st), MEMOWNER_STACK_SIZE_VER0,
				  uarg);
	if (usize < 0)
		return usize;
	if (st.flags || st.__pad)
		return -EINVAL;

	/* The names, then the addresses (cap is a multiple of 8). */
	text = kmalloc(cap + MEMOWNER_DEPTH_MAX * sizeof(*addrs), GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	addrs = (u64 *)(text + cap);
	/*
	 * The record is read under the tables lock (a new epoch empties the
	 * depot) and copied out after it: a user page fault never holds up a
	 * reconfiguration.
	 */
	mo_tables_read_lock();
	nr = mo_depot_fetch(st.handle, &frames);
	for (i = 0; i < nr; i++) {
		addrs[i] = mo_frame_addr(frames[i]);
		mo_frame_name(frames[i], sym, sizeof(sym));
		len += scnprintf(text + len, cap - len, "%s\n", sym);
	}
	mo_tables_read_unlock();
	if (!nr) {
		kfree(text);
		return -ENOENT;
	}
	/* Raw addresses only for who may see them (kptr_restrict, CAP_SYSLOG). */
	if (st.frames && !mo_may_see_addresses(client->syslog)) {
		kfree(text);
		return -EPERM;
	}
	len++;	/* the NUL */
	if ((st.frames && st.nr_frames < nr) || (st.text && st.text_len < len)) {
		ret = -ENOSPC;
	} else {
		for (i = 0; st.frames && i < nr; i++)
			if (put_user(addrs[i],
				     (u64 __user *)u64_to_user_ptr(st.frames) + i))
				ret = -EFAULT;
		if (!ret && st.text &&
		    copy_to_user(u64_to_user_ptr(st.text), text, len))
			ret = -EFAULT;
	}
	kfree(text);
	if (ret && ret != -ENOSPC)
		return ret;
	/* Also on -ENOSPC: the sizes the caller needs. */
	st.nr_frames = nr;
	st.text_len = len;
	if (memowner_copy_back(uarg, &st, sizeof(st), usize))
		return -EFAULT;
	return ret;
}

static long memowner_ioc_mark(struct memowner_client *client,
			      void __user *uarg)
{
	struct memowner_mark mark;
	int usize;

	usize = memowner_copy_arg(&mark, sizeof(mark), MEMOWNER_MARK_SIZE_VER0,
				  uarg);
	if (usize < 0)
		return usize;
	if (mark.flags || mark.mark_ns)
		return -EINVAL;
	if (!client->admin)
		return -EPERM;
	if (mo_control_is_going())
		return -ENODEV;
	mo_query_mark();
	mark.mark_ns = mo_query_mark_ns();
	return memowner_copy_back(uarg, &mark, sizeof(mark), usize);
}

static long memowner_ioc_reset(struct memowner_client *client,
			       void __user *uarg)
{
	struct memowner_reset rst;
	int usize;

	usize = memowner_copy_arg(&rst, sizeof(rst), MEMOWNER_RESET_SIZE_VER0,
				  uarg);
	if (usize < 0)
		return usize;
	if (rst.flags || rst.reset_ns)
		return -EINVAL;
	if (!client->admin)
		return -EPERM;
	if (mo_control_is_going())
		return -ENODEV;
	mo_query_reset();
	rst.reset_ns = ktime_get_boottime_ns();
	return memowner_copy_back(uarg, &rst, sizeof(rst), usize);
}

static long memowner_ioc_threshold_add(struct memowner_client *client,
				       void __user *uarg)
{
	char name[MEMOWNER_NAME_LEN];
	struct memowner_threshold t;
	long ret;
	int usize;

	usize = memowner_copy_arg(&t, sizeof(t), MEMOWNER_THRESHOLD_SIZE_VER0,
				  uarg);
	if (usize < 0)
		return usize;
	if (!client->admin)
		return -EPERM;
	ret = memowner_get_name(name, sizeof(name), t.owner_name);
	if (ret)
		return ret;
	ret = mo_alerts_add(&t, name);
	if (ret)
		return ret;
	ret = memowner_copy_back(uarg, &t, sizeof(t), usize);
	if (ret)	/* the caller cannot learn the id: undo */
		mo_alerts_del(t.id);
	return ret;
}

static long memowner_ioc_threshold_del(struct memowner_client *client,
				       void __user *uarg)
{
	struct memowner_threshold_id id;
	int usize;

	usize = memowner_copy_arg(&id, sizeof(id),
				  MEMOWNER_THRESHOLD_ID_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (id.flags || id.__pad)
		return -EINVAL;
	if (!client->admin)
		return -EPERM;
	return mo_alerts_del(id.id);
}

static long memowner_ioc_threshold_list(void __user *uarg)
{
	struct memowner_threshold_state *states;
	struct memowner_threshold_list l;
	unsigned int n, i;
	long ret = 0;
	int usize;

	usize = memowner_copy_arg(&l, sizeof(l),
				  MEMOWNER_THRESHOLD_LIST_SIZE_VER0, uarg);
	if (usize < 0)
		return usize;
	if (l.flags || l.nr_rules || l.total)
		return -EINVAL;
	if (l.state_size < MEMOWNER_THRESHOLD_STATE_SIZE_VER0)
		return -EINVAL;
	if (l.state_size > PAGE_SIZE)
		return -E2BIG;
	if (l.max_rules && !l.rules)
		return -EFAULT;
	states = kcalloc(MEMOWNER_MAX_THRESHOLDS, sizeof(*states), GFP_KERNEL);
	if (!states)
		return -ENOMEM;
	l.total = mo_alerts_list(states, MEMOWNER_MAX_THRESHOLDS);
	n = min(l.total, l.max_rules);
	for (i = 0; i < n; i++) {
		void __user *dst = u64_to_user_ptr(l.rules) + (size_t)i * l.state_size;

		if (copy_to_user(dst, &states[i],
				 min_t(size_t, l.state_size, sizeof(states[i]))) ||
		    (l.state_size > sizeof(states[i]) &&
		     clear_user(dst + sizeof(states[i]),
				l.state_size - sizeof(states[i])))) {
			ret = -EFAULT;
			goto out;
		}
	}
	l.nr_rules = n;
	ret = memowner_copy_back(uarg, &l, sizeof(l), usize);
out:
	kfree(states);
	return ret;
}

static long memowner_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct memowner_client *client = file->private_data;
	void __user *uarg = (void __user *)arg;

	atomic64_inc(&memowner_stats.nr_ioctls);

	switch (MEMOWNER_IOC_NOSIZE(cmd)) {
	case MEMOWNER_IOC_NOSIZE(MEMOWNER_IOC_GET_INFO):
		return memowner_ioc_get_info(uarg);
	case MEMOWNER_IOC_NOSIZE(MEMOWNER_IOC_SET_CONFIG):
		return memowner_ioc_set_config(client, uarg);
	case MEMOWNER_IOC_NOSIZE(MEMOWNER_IOC_SNAPSHOT):
		return memowner_ioc_snapshot(uarg);
	case MEMOWNER_IOC_NOSIZE(MEMOWNER_IOC_GET_STACK):
		return memowner_ioc_get_stack(client, uarg);
	case MEMOWNER_IOC_NOSIZE(MEMOWNER_IOC_MARK):
		return memowner_ioc_mark(client, uarg);
	case MEMOWNER_IOC_NOSIZE(MEMOWNER_IOC_RESET):
		return memowner_ioc_reset(client, uarg);
	case MEMOWNER_IOC_NOSIZE(MEMOWNER_IOC_THRESHOLD_ADD):
		return memowner_ioc_threshold_add(client, uarg);
	case MEMOWNER_IOC_NOSIZE(MEMOWNER_IOC_THRESHOLD_DEL):
		return memowner_ioc_threshold_del(client, uarg);
	case MEMOWNER_IOC_NOSIZE(MEMOWNER_IOC_THRESHOLD_LIST):
		return memowner_ioc_threshold_list(uarg);
	}
	return -ENOTTY;
}

static const struct file_operations memowner_fops = {
	.owner = THIS_MODULE,
	.open = memowner_open,
	.release = memowner_release,
	.unlocked_ioctl = memowner_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice memowner_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "memowner",
	.fops = &memowner_fops,
	.mode = 0600,
};

int memowner_device_init(void)
{
	return misc_register(&memowner_misc);
}

void memowner_device_exit(void)
{
	misc_deregister(&memowner_misc);
}
