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
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "device.h"
#include "info.h"

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

static long memowner_ioc_get_info(void __user *uarg)
{
	struct memowner_info info;
	int usize;

	usize = memowner_copy_arg(&info, sizeof(info), MEMOWNER_INFO_SIZE_VER0,
				  uarg);
	if (usize < 0)
		return usize;
	if (info.flags || info.__pad)
		return -EINVAL;

	memowner_info_fill(&info);
	info.size = min_t(u32, usize, sizeof(info));
	if (copy_to_user(uarg, &info, info.size))
		return -EFAULT;
	return 0;
}

static long memowner_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	atomic64_inc(&memowner_stats.nr_ioctls);

	switch (MEMOWNER_IOC_NOSIZE(cmd)) {
	case MEMOWNER_IOC_NOSIZE(MEMOWNER_IOC_GET_INFO):
		return memowner_ioc_get_info(uarg);
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
