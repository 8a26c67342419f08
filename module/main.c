// SPDX-License-Identifier: GPL-2.0
/*
 * memowner: who owns kernel memory, on a stock kernel.
 *
 * This file only wires the subsystems together: each one is initialised in
 * order and torn down in reverse, on failure and at unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "device.h"
#include "info.h"
#include "netlink.h"

static int __init memowner_init(void)
{
	int ret;

	memowner_info_init();

	ret = memowner_device_init();
	if (ret)
		goto err_device;
	ret = memowner_genl_init();
	if (ret)
		goto err_genl;

	pr_info("version " MEMOWNER_VERSION " loaded\n");
	return 0;

err_genl:
	memowner_device_exit();
err_device:
	return ret;
}

static void __exit memowner_exit(void)
{
	memowner_genl_exit();
	memowner_device_exit();
	memowner_info_exit();
	pr_info("version " MEMOWNER_VERSION " unloaded\n");
}

module_init(memowner_init);
module_exit(memowner_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("memowner developers");
MODULE_DESCRIPTION("Who owns kernel memory: allocation ownership tracking");
MODULE_VERSION(MEMOWNER_VERSION);
